#!/usr/bin/env bash
# The composite action's one step (action.yaml runs it; PipelineEndToEndIT runs it against the stack):
# resolve the checkout's builder image with the job's OIDC token, wait until every arch is built, and
# hand the job the pinned reference. Inputs come as env: SERVER, REPOSITORY, COMMIT, TIMEOUT, AUDIENCE;
# the runner's ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN and GITHUB_OUTPUT. Run in the checkout.
# Every answer is checked before it is used: the hash in a URL, the digest the job is pinned to.
set -euo pipefail

fail() {
  echo "::error::$*"
  exit 1
}

if [[ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" || -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]]; then
  fail "no OIDC token available: give the workflow 'permissions: id-token: write'"
fi
for input in rust-toolchain.toml package.json .python-version pyproject.toml .devcontainer/Dockerfile; do
  [[ -f $input ]] || fail "$input is missing from the checkout: the builder image is hashed from it"
done

# The runner's token request: its URL already has a query; the audience is added to it.
token=$(curl -sS --fail-with-body --max-time 30 -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$AUDIENCE" | jq -r '.value // ""') || fail "the OIDC token request failed"
[[ -n $token ]] || fail "the OIDC token request answered no token"
echo "::add-mask::$token"
auth="Authorization: Bearer $token"

files=$(jq -n \
  --rawfile rust rust-toolchain.toml \
  --rawfile pkg package.json \
  --rawfile py .python-version \
  --rawfile pyproject pyproject.toml \
  --rawfile dockerfile .devcontainer/Dockerfile \
  '{"rust-toolchain.toml":$rust,"package.json":$pkg,".python-version":$py,"pyproject.toml":$pyproject,
    ".devcontainer/Dockerfile":$dockerfile}')
body=$(jq -n --arg repo "$REPOSITORY" --arg commit "$COMMIT" --argjson files "$files" \
  '{repository:$repo, commit:$commit, files:$files}')
resolved=$(curl -sS --fail-with-body --max-time 120 -X POST -H 'Content-Type: application/json' -H "$auth" \
  --data "$body" "$SERVER/api/v1/resolve") || fail "resolve failed: $resolved"
hash=$(jq -r '.versionHash // ""' <<<"$resolved")
[[ $hash =~ ^[0-9a-f]{16}$ ]] || fail "resolve answered no valid version hash: $resolved"
index=$(jq -r '.imageBase // ""' <<<"$resolved")
[[ $index == *":builder-$hash" ]] || fail "resolve answered an index ($index) that is not builder-$hash"
{
  echo "version-hash=$hash"
  echo "index=$index"
  jq -r '.arches[] | "image-\(.arch)=\(.image)"' <<<"$resolved"
} >>"$GITHUB_OUTPUT"

settled=$(curl -sS --fail-with-body --max-time 3600 -G -H "$auth" \
  --data-urlencode "repository=$REPOSITORY" --data-urlencode "timeout=$TIMEOUT" \
  "$SERVER/api/v1/images/$hash/wait") || fail "wait failed: $settled"
outcome=$(jq -r .outcome <<<"$settled")
if [[ "$outcome" != "READY" ]]; then
  jq -r '.arches[] | select(.state == "FAILED") | "::error::\(.arch) build failed (\(.failure)): \(.reason)"' \
    <<<"$settled"
  [[ "$outcome" == "TIMEOUT" ]] && echo "::error::builder image $hash not ready within $TIMEOUT"
  exit 1
fi
# The pinned reference: a tag can be moved by anyone with push rights, a digest cannot.
digest=$(jq -r '.index.digest // ""' <<<"$settled")
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] ||
  fail "the hasher answered READY without a valid index digest; the image cannot be pinned"
{
  echo "index-digest=$digest"
  echo "image=$index@$digest"
} >>"$GITHUB_OUTPUT"
echo "builder image $hash ready: $index@$digest"
