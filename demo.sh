#!/usr/bin/env bash
# ./demo.sh [--keep] [--compose]: the whole pipeline, locally, on a fresh machine of this kind.
# Sets up the build host, builds the project, starts the embedded stack (scripts/demo-stack.sh),
# shows who may ask (OIDC and API tokens, and three refusals), pushes a sample repository through it
# twice, shows the registry cache at work and the janitor pruning, and stops everything again (also on
# Ctrl-C or failure). Exits 0 only if every step held.
# --keep leaves the stack running and prints its URLs.
# --compose runs the same steps against the deployment itself: the images built here
# (scripts/build-images.sh) and docker-compose.yml with this host's override (scripts/compose-stack.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$PWD
keep=0 compose=0
for arg in "$@"; do
  case $arg in
    --keep) keep=1 ;;
    --compose) compose=1 ;;
    *) echo "usage: ./demo.sh [--keep] [--compose]" >&2; exit 2 ;;
  esac
done
demo="$root/.demo"
stop_cmd="scripts/demo-stack.sh stop .demo"
((compose)) && stop_cmd="scripts/compose-stack.sh down .demo"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# refused_by_verify CHECK WHAT IMAGE ARG...: bin/imagefarm verify must fail (exit 1) naming CHECK.
refused_by_verify() {
  local check=$1 what=$2 out code
  shift 2
  set +e
  out=$(bin/imagefarm verify "$@" 2>&1); code=$?
  set -e
  if ((code != 1)) || ! grep -q "$check" <<<"$out"; then
    fail "$what must be refused with $check (exit $code): $out"
  fi
  echo "   $what: $(grep -m1 'failed-check' <<<"$out" || true)"
}
ok() { printf '   \033[32mok\033[0m %s\n' "$*"; }
fail() { printf '   \033[31mFAILED\033[0m %s\n' "$*" >&2; exit 1; }

cleanup() {
  local rc=$?
  if ((keep && rc == 0)); then return; fi
  if ((compose)); then
    scripts/compose-stack.sh down "$demo" || true
  else
    scripts/demo-stack.sh stop "$demo" || true
  fi
  ((rc == 0)) || echo "demo failed (exit $rc); logs are in $demo/logs" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "1. Build host and project"
scripts/setup-build-host.sh
./mvnw -B -q package -DskipTests
ok "project built"
if ((compose)); then
  scripts/build-images.sh
  ok "images built"
fi

# A stack left by an earlier --keep run goes first.
[[ -f $demo/compose.env ]] && { scripts/compose-stack.sh down "$demo" || true; }
[[ -d $demo/pids ]] && { scripts/demo-stack.sh stop "$demo" || true; }
rm -rf "$demo"; mkdir -p "$demo"
if ((compose)); then
  step "2. Compose stack (docker-compose.yml + docker-compose.local.yml)"
  scripts/compose-stack.sh up "$demo"
else
  step "2. Embedded stack"
  scripts/demo-stack.sh start "$demo"
fi
# shellcheck disable=SC1091 # written by the stack's start above: not there to be read before
source "$demo/stack.env"
secret=$(cat "$WEBHOOK_SECRET_FILE")

step "3. Sample repository"
sample="$demo/sources/sample" # the compose stack mounts $demo/sources into the hasher and the workers
mkdir -p "$sample/.devcontainer"
git -C "$sample" init -q -b main
git -C "$sample" config user.email demo@imagefarm.invalid
git -C "$sample" config user.name "imagefarm demo"
git -C "$sample" config uploadpack.allowReachableSHA1InWant true
printf '[toolchain]\nchannel = "1.83.0"\ncomponents = ["clippy", "rustfmt"]\n' >"$sample/rust-toolchain.toml"
printf '{\n  "name": "sample",\n  "engines": {"node": "^22.11.0", "pnpm": "^9.15.0"}\n}\n' >"$sample/package.json"
printf '3.12.7\n' >"$sample/.python-version"
printf '[project]\nname = "sample"\n\n[tool.uv]\nrequired-version = ">=0.5.11"\n' >"$sample/pyproject.toml"
dockerfile() { # last-step text
  cat >"$sample/.devcontainer/Dockerfile" <<DOCKERFILE
FROM $BASE_IMAGE
RUN echo "toolchains would be installed here" > /toolchains && sleep 3
RUN echo "dependencies would be installed here" > /deps && sleep 3
RUN echo "$1" > /last-step
DOCKERFILE
}
dockerfile "last step, version 1"
git -C "$sample" add -A && git -C "$sample" commit -q -m "sample: first toolchain"
commit1=$(git -C "$sample" rev-parse HEAD)

push_webhook() { # commit -> prints the hasher's answer
  local body sig
  body=$(jq -nc --arg after "$1" --arg url "file://$sample" \
    '{ref: "refs/heads/main", after: $after, deleted: false, repository: {full_name: "demo/sample", clone_url: $url}}')
  sig="sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)"
  curl -sS --fail-with-body -X POST "$HASHER_URL/webhooks/github" -H "X-GitHub-Event: push" \
    -H "X-GitHub-Delivery: $(cat /proc/sys/kernel/random/uuid)" -H "X-Hub-Signature-256: $sig" \
    -H 'Content-Type: application/json' --data "$body"
}

wait_ready() { # hash -> prints final status JSON; shows progress meanwhile
  local hash=$1 deadline=$((SECONDS + 900)) status states
  while ((SECONDS < deadline)); do
    status=$(curl -sS "$HASHER_URL/api/v1/images/$hash?repository=demo/sample")
    states=$(jq -r '[.arches[] | "\(.arch)=\(.state // "?")"] | join(" ")' <<<"$status")
    printf '   %s  %s\n' "$(date +%T)" "$states" >&2
    case $(jq -r .outcome <<<"$status") in
      READY) if [[ $(jq -r '.index.state // ""' <<<"$status") == BUILT ]]; then echo "$status"; return 0; fi ;;
      FAILED) echo "$status" | jq . >&2; fail "a build failed" ;;
    esac
    sleep 3
  done
  fail "builds of $hash did not finish in 15 minutes"
}

summary() { # status JSON
  jq -r '"   version hash  \(.versionHash)",
         (.arches[] | "   \(.arch)  \(.image)",
                      "          digest \(.digest)",
                      "          build \((.timings.buildMillis // 0) / 1000)s,"
                        + " cached steps \(.cachedSteps // 0)/\(.totalSteps // 0)"),
         "   index  \(.index.image)@\(.index.digest)"' <<<"$1"
}

files_json() { # the five hash inputs of the sample's working tree, as the resolve API takes them
  jq -n --rawfile rust "$sample/rust-toolchain.toml" --rawfile pkg "$sample/package.json" \
    --rawfile py "$sample/.python-version" --rawfile pyproject "$sample/pyproject.toml" \
    --rawfile dockerfile "$sample/.devcontainer/Dockerfile" \
    '{"rust-toolchain.toml": $rust, "package.json": $pkg, ".python-version": $py, "pyproject.toml": $pyproject,
      ".devcontainer/Dockerfile": $dockerfile}'
}
resolve_body() { # repository commit source-url
  jq -n --arg repo "$1" --arg commit "$2" --arg url "$3" --argjson files "$(files_json)" \
    '{repository:$repo, commit:$commit, sourceUrl:$url, files:$files}'
}
api() { # method url body [bearer-token] -> prints "HTTP-STATUS BODY"
  local auth=()
  [[ -n ${4:-} ]] && auth=(-H "Authorization: Bearer $4")
  curl -sS -o "$demo/last-answer.json" -w '%{http_code}' -X "$1" "$2" -H 'Content-Type: application/json' \
    "${auth[@]}" --data "$3"
  printf ' %s' "$(cat "$demo/last-answer.json")"
}
expect() { # status answer what
  [[ ${2%% *} == "$1" ]] || fail "$3: expected HTTP $1, got ${2:0:300}"
  printf '   %s -> %s %s\n' "$3" "$1" "$(jq -r '.error // empty' <<<"${2#* }")"
}
mint() { curl -fsS "$OIDC_ISSUER_URL/mint?repository=$1&sha=$2"; } # a GitHub Actions job's OIDC token (local issuer)
manifest_types="application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"
manifest_types+=", application/vnd.docker.distribution.manifest.v2+json"
manifest_types+=", application/vnd.docker.distribution.manifest.list.v2+json"
gone() { # tag: the registry has no manifest for demo/sample:tag
  [[ $(curl -s -o /dev/null -w '%{http_code}' -I -H "Accept: $manifest_types" \
         "http://$REGISTRY/v2/demo/sample/manifests/$1") == 404 ]]
}
kafka_tool() { # class arguments...: one of Apache Kafka's command-line tools, on the stack's brokers
  java -cp "kafka-broker/target/kafka/libs/*" "$1" --bootstrap-server "$KAFKA_BOOTSTRAP" "${@:2}"
}
published_event() { # commit -> the amd64 image-required event the hasher published for it, read from the topic
  # The stack is new: the arch's work queue holds just that event. The tool's output (its logging goes
  # there too) is kept in the log, and the event's line picked out of it.
  local out
  out=$(kafka_tool org.apache.kafka.tools.consumer.ConsoleConsumer --topic imagefarm.image-required.amd64 \
    --from-beginning --max-messages 1 --timeout-ms 60000 \
    --consumer-property isolation.level=read_committed --consumer-property enable.auto.commit=false \
    2>>"$demo/logs/forged-event.log")
  printf '%s\n' "$out" >>"$demo/logs/forged-event.log"
  jq -cRe --arg commit "$1" 'fromjson? | select(.commit == $commit)' <<<"$out"
}
forge_event() { # claimed-hash commit: the commit's real amd64 event, claiming another hash, back on the topic
  # Only what the forgery is about changes: the hash, the image (the hash's tag) and the event's id (it is
  # another event). The rest is the hasher's own event, so the demo does not spell out the schema again.
  local image="$REGISTRY/demo/sample:builder-$1-amd64" event
  event=$(published_event "$2") \
    || fail "no amd64 event for commit $2 on the topic (the tool's output: $demo/logs/forged-event.log)"
  event=$(jq -c --arg id "$(cat /proc/sys/kernel/random/uuid)" --arg hash "$1" --arg image "$image" \
    '.eventId = $id | .versionHash = $hash | .image = $image' <<<"$event")
  printf '%s|%s\n' "$image" "$event" |
    kafka_tool org.apache.kafka.tools.ConsoleProducer --topic imagefarm.image-required.amd64 \
      --property parse.key=true --property key.separator='|' >>"$demo/logs/forged-event.log" 2>&1
}

step "4. Who may ask: GitHub Actions OIDC tokens and API tokens"
oidc=$(mint demo/sample "$commit1")
resolve1=$(resolve_body demo/sample "$commit1" "file://$sample")
expect 401 "$(api POST "$HASHER_URL/api/v1/resolve" "$resolve1")" "resolve without a credential"
expect 403 "$(api POST "$HASHER_URL/api/v1/resolve" "$resolve1" "$(mint demo/other "$commit1")")" \
  "resolve demo/sample with demo/other's token"
foreign=$(resolve_body demo/sample "$commit1" "https://evil.example/demo/sample.git")
expect 400 "$(api POST "$HASHER_URL/api/v1/resolve" "$foreign" "$oidc")" "resolve with a foreign sourceUrl"
hash_body=$(resolve_body demo/sample "$commit1" "" | jq 'del(.sourceUrl)')
expect 200 "$(api POST "$HASHER_URL/api/v1/hash" "$hash_body" "$(cat "$CI_TOKEN_FILE")")" \
  "hash with the static ci API token"
forged=$(curl -sS -o "$demo/last-answer.json" -w '%{http_code}' -X POST "$HASHER_URL/webhooks/github" \
  -H "X-GitHub-Event: push" -H "X-GitHub-Delivery: $(cat /proc/sys/kernel/random/uuid)" \
  -H "X-Hub-Signature-256: sha256=$(printf '%064d' 0)" -H 'Content-Type: application/json' \
  --data "{\"ref\":\"refs/heads/main\",\"after\":\"$commit1\",\"repository\":{\"full_name\":\"demo/sample\"}}")
expect 401 "$forged $(cat "$demo/last-answer.json")" "webhook with a forged signature"
forced_run='{"dryRun":false,"force":true}'
expect 401 "$(api POST "$JANITOR_URL/api/v1/janitor/runs" "$forced_run")" "forced janitor run without a credential"
expect 403 "$(api POST "$JANITOR_URL/api/v1/janitor/runs" "$forced_run" "$(cat "$CI_TOKEN_FILE")")" \
  "forced janitor run with the ci token (runs need admin)"
answer=$(api POST "$HASHER_URL/api/v1/resolve" "$resolve1" "$oidc")
expect 200 "$answer" "resolve with the job's OIDC token (repository demo/sample, sha $commit1)"
answer1=${answer#* }
hash1=$(jq -r .versionHash <<<"$answer1")
jq -r '.arches[] | "   \(.arch): \(.state) \(.image)"' <<<"$answer1"
[[ $(jq '[.arches[] | select(.published)] | length' <<<"$answer1") == 2 ]] || fail "expected one build event per arch"
# Kafka events can come from anywhere that can produce to the topic: the worker checks the files itself.
forge_event 0123456789abcdef "$commit1"
forged_status=""
for _ in $(seq 60); do
  forged_status=$(curl -sS "$HASHER_URL/api/v1/images/0123456789abcdef?repository=demo/sample")
  [[ $(jq -r '.arches[] | select(.arch == "amd64") | .state // ""' <<<"$forged_status") == FAILED ]] && break
  sleep 2
done
[[ $(jq -r '.arches[] | select(.arch == "amd64") | .failure // ""' <<<"$forged_status") == INPUTS_MISMATCH ]] \
  || fail "an event claiming a hash its files do not have must end FAILED INPUTS_MISMATCH: ${forged_status:0:400}"
gone builder-0123456789abcdef-amd64 || fail "a forged event's tag was pushed"
echo "   event produced straight to the topic, claiming hash 0123456789abcdef for commit ${commit1:0:12}" \
  "-> FAILED INPUTS_MISMATCH, nothing pushed"
echo "      $(jq -r '.arches[] | select(.arch == "amd64") | .reason' <<<"$forged_status" | cut -c1-150)"
ok "refusals as expected; the authenticated resolve published one image-required event per arch for $hash1"

step "5. Building both arches (arm64 under QEMU)"
status1=$(wait_ready "$hash1")
summary "$status1"
index1=$(jq -r .index.image <<<"$status1")
entries=$(docker buildx imagetools inspect "$index1" | awk '/Platform:/ {print $2}')
platforms=$(grep -v '^unknown/unknown$' <<<"$entries" | sort | tr '\n' ' ')
attestations=$(grep -c '^unknown/unknown$' <<<"$entries" || true)
echo "   docker buildx imagetools inspect $index1: $platforms+ $attestations provenance attestations"
[[ $platforms == "linux/amd64 linux/arm64 " ]] || fail "index does not show both platforms"
((attestations == 2)) || fail "index does not hold each platform's provenance attestation"
ok "the multi-arch index shows linux/amd64 and linux/arm64, each with its provenance attestation"

step "6. Second commit: only the Dockerfile's last step changes"
echo "   emptying the engine's local build cache first, as on a fresh build host: what the rebuild"
echo "   reuses must come from the registry cache (buildcache-<arch>)"
docker buildx prune -af >/dev/null
dockerfile "last step, version 2"
git -C "$sample" commit -q -am "sample: change the last step"
commit2=$(git -C "$sample" rev-parse HEAD)
hash2=$(push_webhook "$commit2" | jq -r .versionHash)
[[ $hash2 != "$hash1" ]] || fail "a changed Dockerfile must change the version hash"
status2=$(wait_ready "$hash2")
summary "$status2"
for arch in amd64 arm64; do
  cached=$(jq -r ".arches[] | select(.arch == \"$arch\") | .cachedSteps // 0" <<<"$status2")
  t1=$(jq -r ".arches[] | select(.arch == \"$arch\") | .timings.buildMillis" <<<"$status1")
  t2=$(jq -r ".arches[] | select(.arch == \"$arch\") | .timings.buildMillis" <<<"$status2")
  echo "   $arch: build ${t1} ms -> ${t2} ms, $cached steps from the registry cache"
  ((cached >= 2)) || fail "$arch rebuild took no earlier steps from the cache"
  ((t2 < t1)) || fail "$arch rebuild was not faster"
done
ok "the rebuild took its earlier steps from the registry cache, faster"

step "7. The first webhook again: nothing is rebuilt"
again=$(push_webhook "$commit1")
jq -r '.arches[] | "   \(.arch): \(.state)"' <<<"$again"
[[ $(jq '[.arches[] | select(.state == "EXISTS")] | length' <<<"$again") == 2 ]] \
  || fail "expected EXISTS for both arches"
[[ $(jq '[.arches[] | select(.published)] | length' <<<"$again") == 0 ]] || fail "no event may be published"
ok "both arches EXISTS; no event published"

step "8. Cache janitor with keep-hashes=1"
echo "   dry run:"
janitor_run() { # body -> the run's report
  curl -sS --fail-with-body -X POST "$JANITOR_URL/api/v1/janitor/runs" \
    -H "Authorization: Bearer $(cat "$ADMIN_TOKEN_FILE")" -H 'Content-Type: application/json' --data "$1"
}
plan=$(janitor_run '{"dryRun":true}')
jq -r '.. | objects | select(has("action") and has("reason"))
       | "     \(.action)\t\(.tag // .ref // .digest)\t\(.reason)"' <<<"$plan" | sort -u
echo "   apply:"
report=$(janitor_run '{"dryRun":false}')
jq -c '.. | objects | select(has("deleted"))? | {deleted, failed}' <<<"$report" 2>/dev/null | head -3 || true
for tag in "builder-$hash1" "builder-$hash1-amd64" "builder-$hash1-arm64"; do
  gone "$tag" || fail "$tag should be gone"
done
for tag in "builder-$hash2" "builder-$hash2-amd64" "builder-$hash2-arm64" buildcache-amd64 buildcache-arm64; do
  ! gone "$tag" || fail "$tag must be kept"
done
ok "first hash's tags gone; current hash and per-arch caches intact"

step "9. The first commit again, after the prune: rebuilt, and its index pushed again"
echo "   the janitor published DELETED for every tag it removed, so the hasher no longer says BUILT"
again=$(push_webhook "$commit1")
jq -r '.arches[] | "   \(.arch): \(.state)"' <<<"$again"
[[ $(jq '[.arches[] | select(.published)] | length' <<<"$again") == 2 ]] \
  || fail "the pruned hash must be requested again"
status_again=$(wait_ready "$hash1")
! gone "builder-$hash1" || fail "builder-$hash1 should be back in the registry"
ok "both arches rebuilt and builder-$hash1 is back: $(jq -r .index.digest <<<"$status_again")"

step "10. What CI runs in: a pinned digest, signed, with provenance"
resolved=$(bin/imagefarm resolve --server "$HASHER_URL" --repo-dir "$sample" --repository demo/sample \
  --token-file "$CI_TOKEN_FILE" --wait --timeout PT5M) || fail "bin/imagefarm resolve --wait failed: $resolved"
image=$(sed -n 's/^image=//p' <<<"$resolved")
[[ $image =~ @sha256:[0-9a-f]{64}$ ]] || fail "resolve --wait printed no pinned image: $resolved"
echo "   bin/imagefarm resolve --wait: image=$image"
verified=$(bin/imagefarm verify "$image" --key "$SIGNING_PUBLIC_KEY" --repository demo/sample \
  --commit "$commit2" 2>&1) || fail "the pipeline's image does not verify: $verified"
while IFS= read -r line; do echo "   $line"; done < <(head -8 <<<"$verified")
ok "verified with the stack's key ($SIGNING_PUBLIC_KEY): signatures, digests, provenance, repository and commit"
# Independently of imagefarm's code: the index's cosign signature, read from the registry, checked by openssl.
index_digest=${image##*@}
sig=$(curl -sS --fail-with-body -H "Accept: application/vnd.oci.image.manifest.v1+json" \
  "http://$REGISTRY/v2/demo/sample/manifests/sha256-${index_digest#sha256:}.sig") \
  || fail "no signature manifest for $index_digest: $sig"
[[ $(jq -r '.layers[0].mediaType' <<<"$sig") == application/vnd.dev.cosign.simplesigning.v1+json ]] \
  || fail "the signature's layer is not a simple-signing payload: $sig"
curl -sS --fail-with-body -o "$demo/payload.json" \
  "http://$REGISTRY/v2/demo/sample/blobs/$(jq -r '.layers[0].digest' <<<"$sig")" || fail "could not read the payload"
[[ sha256:$(sha256sum "$demo/payload.json" | cut -d' ' -f1) == "$(jq -r '.layers[0].digest' <<<"$sig")" ]] \
  || fail "the payload's bytes do not match its digest"
[[ $(jq -r '.critical.image."docker-manifest-digest"' "$demo/payload.json") == "$index_digest" ]] \
  || fail "the payload signs another digest: $(cat "$demo/payload.json")"
jq -r '.layers[0].annotations."dev.cosignproject.cosign/signature"' <<<"$sig" | base64 -d >"$demo/signature.der"
checked=$(openssl dgst -sha256 -verify "$SIGNING_PUBLIC_KEY" -signature "$demo/signature.der" \
  "$demo/payload.json" 2>&1) || fail "openssl does not verify the signature: $checked"
echo "   openssl dgst -sha256 -verify: $checked (payload: $(jq -c '.optional' "$demo/payload.json"))"
ok "openssl verifies the registry's signature of $index_digest with the same key"
(umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$demo/other.key" 2>/dev/null)
openssl pkey -in "$demo/other.key" -pubout -out "$demo/other.pub"
refused_by_verify bad-signature "another key" "$image" --key "$demo/other.pub"
ok "another key is refused"
index_tag=${image%@*}; index_tag=${index_tag##*:}
echo "   pushing the arm64 image over $index_tag by hand (as a leaked token or another pipeline could)"
arm64=$(curl -sS --fail-with-body -H "Accept: application/vnd.oci.image.index.v1+json" \
  -H "Accept: application/vnd.oci.image.manifest.v1+json" -D "$demo/arm64.headers" \
  "http://$REGISTRY/v2/demo/sample/manifests/$index_tag-arm64")
media=$(awk -F': ' 'tolower($1) == "content-type" {print $2}' "$demo/arm64.headers" | tr -d '\r')
curl -sS --fail-with-body -X PUT -H "Content-Type: $media" --data-binary "$arm64" \
  "http://$REGISTRY/v2/demo/sample/manifests/$index_tag" >/dev/null || fail "could not push over $index_tag"
refused_by_verify tag-moved "a moved tag" "$image" --key "$SIGNING_PUBLIC_KEY"
for _ in $(seq 1 60); do
  moved=$(curl -sS --fail-with-body "$HASHER_URL/api/v1/images/${index_tag#builder-}?repository=demo/sample")
  [[ $(jq -r .index.failure <<<"$moved") == TAG_MOVED ]] && break
  sleep 1
done
[[ $(jq -r .index.failure <<<"$moved") == TAG_MOVED ]] || fail "the hasher did not report the moved tag: $moved"
echo "   hasher: $(jq -r .index.reason <<<"$moved")"
ok "the tag pushed over by hand is refused by verify and reported by the hasher" \
  "(TAG_MOVED, outcome $(jq -r .outcome <<<"$moved"))"

step "11. The dashboard"
page=$(curl -sS --fail-with-body "$HASHER_URL/?repository=demo/sample") || fail "the dashboard did not answer: $page"
grep -q "$hash1" <<<"$page" || fail "the dashboard does not show $hash1"
grep -q 'class="chip built"' <<<"$page" || fail "the dashboard shows no BUILT chip"
ok "$HASHER_URL/ lists demo/sample, builder-$hash1 with its arches BUILT, and the janitor's runs"

if ((keep)); then
  step "Stack left running (--keep)"
  cat <<URLS
   dashboard $HASHER_URL/   (every repository's builder images, live; the janitor's runs)
             $HASHER_URL/images/$hash2?repository=demo/sample
   hasher   health $HASHER_URL/q/health  metrics $HASHER_URL/q/metrics  OpenAPI $HASHER_URL/q/openapi
            status $HASHER_URL/api/v1/images/$hash2?repository=demo/sample
   workers  $WORKER_AMD64_URL/q/health  $WORKER_ARM64_URL/q/health  (metrics: /q/metrics)
   janitor  $JANITOR_URL/q/health  $JANITOR_URL/api/v1/janitor/runs/latest
   stop it  $stop_cmd
URLS
fi
step "All steps held"
echo "   Where to look: the dashboard at $HASHER_URL/ shows every image built above, its timeline,"
echo "   cache hits and the janitor's runs (with --keep it stays up; without, the stack is stopped now)."

