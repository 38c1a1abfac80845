#!/usr/bin/env bash
# scripts/bench.sh [--keep]: the hot path's benchmark (module bench), on the embedded stack, from a
# fresh clone. Writes target/bench/report.md (the table the README's "Performance" section shows) and
# prints it. Takes about five minutes on a 2-core machine:
#   1. sets up the build host (scripts/setup-build-host.sh) and builds what the stack and the bench need;
#   2. the version hash under JMH (target/bench/jmh.json), before the stack starts, on a quiet machine;
#   3. starts the embedded stack in target/bench-stack (from nothing), makes a sample repository under
#      its sources/ and builds its image through a signed webhook: the known image;
#   4. LoadBench: resolve of the known image against /api/v1/hash at 1, 10 and 100 keep-alive clients and at
#      100 clients with a new connection per request (as each CI job makes its one resolve); then, once the
#      webhook path is warm, 100 concurrent webhooks for a new commit against the same storm on /hash, with
#      its events counted from the topics; the report;
#   5. stops the stack (also on Ctrl-C or failure), unless --keep.
# Exits 0 when every goal of the report holds, 3 when one does not, 1 when it could not measure.
# BENCH_ARGS adds LoadBench options, e.g. BENCH_ARGS="--rounds 3 --measure 10"; JMH_ARGS, JMH's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
keep=0
for arg in "$@"; do
  case $arg in
    --keep) keep=1 ;;
    *) echo "usage: scripts/bench.sh [--keep]" >&2; exit 2 ;;
  esac
done
stack="$root/target/bench-stack"
out="$root/target/bench"
repository=demo/bench
java=${JAVA:-java}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ok() { printf '   \033[32mok\033[0m %s\n' "$*"; }
fail() { printf '   \033[31mFAILED\033[0m %s\n' "$*" >&2; exit 1; }

cleanup() {
  local rc=$?
  if ((keep)) && [[ -f $stack/stack.env ]]; then
    echo "stack left running (--keep): $stack/stack.env; stop it with scripts/demo-stack.sh stop $stack"
  elif [[ -d $stack/pids ]]; then
    scripts/demo-stack.sh stop "$stack" || true
  fi
  case $rc in
    0 | 3) ;;
    *) echo "bench failed (exit $rc); the stack's logs are in $stack/logs" >&2 ;;
  esac
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "1. Build host and build"
scripts/setup-build-host.sh
# What the embedded stack runs (services, broker, the OIDC issuer in test-support) and the bench itself.
./mvnw -B -ntp -q package -DskipTests -am \
  -pl hasher-service,builder-worker,cache-janitor,kafka-broker,test-support,bench
ok "built; the bench is bench/target/bench.jar (+ lib/)"
rm -rf "$out"; mkdir -p "$out"

step "2. Version hash under JMH (before the stack starts)"
# shellcheck disable=SC2086 # JMH_ARGS is a list of options
"$java" -cp bench/target/bench.jar org.openjdk.jmh.Main VersionHashBench -rf json -rff "$out/jmh.json" ${JMH_ARGS:-} \
  >"$out/jmh.log" 2>&1 || { tail -n 30 "$out/jmh.log" >&2; fail "JMH failed; its output is in $out/jmh.log"; }
grep -A2 '^Benchmark' "$out/jmh.log" | sed 's/^/   /'
ok "JMH results in $out/jmh.json (log: $out/jmh.log)"

step "3. Embedded stack and the known image"
# A stack left by an earlier --keep run goes first: every run starts from nothing.
[[ -d $stack/pids ]] && { scripts/demo-stack.sh stop "$stack" || true; }
rm -rf "$stack"; mkdir -p "$stack"
scripts/demo-stack.sh start "$stack"
# shellcheck disable=SC1091 # written by the stack's start above: not there to be read before
source "$stack/stack.env"

sample="$stack/sources/bench" # the stack allows file:// remotes under DIR/sources/
mkdir -p "$sample/.devcontainer"
git -C "$sample" init -q -b main
git -C "$sample" config user.email bench@imagefarm.invalid
git -C "$sample" config user.name "imagefarm bench"
git -C "$sample" config uploadpack.allowReachableSHA1InWant true
printf '[toolchain]\nchannel = "1.83.0"\ncomponents = ["clippy", "rustfmt"]\n' >"$sample/rust-toolchain.toml"
printf '{\n  "name": "bench",\n  "engines": {"node": "^22.11.0", "pnpm": "^9.15.0"}\n}\n' >"$sample/package.json"
printf '3.12.7\n' >"$sample/.python-version"
printf '[project]\nname = "bench"\n\n[tool.uv]\nrequired-version = ">=0.5.11"\n' >"$sample/pyproject.toml"
printf 'FROM %s\nRUN echo bench > /b\n' "$BASE_IMAGE" >"$sample/.devcontainer/Dockerfile"
git -C "$sample" add -A && git -C "$sample" commit -q -m "bench: the known toolchain"
known=$(git -C "$sample" rev-parse HEAD)

body=$(jq -nc --arg after "$known" --arg repository "$repository" --arg url "file://$sample" \
  '{ref: "refs/heads/main", after: $after, deleted: false, repository: {full_name: $repository, clone_url: $url}}')
sig="sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$(cat "$WEBHOOK_SECRET_FILE")" -r | cut -d' ' -f1)"
answer=$(curl -sS --fail-with-body -X POST "$HASHER_URL/webhooks/github" -H "X-GitHub-Event: push" \
  -H "X-GitHub-Delivery: $(cat /proc/sys/kernel/random/uuid)" -H "X-Hub-Signature-256: $sig" \
  -H 'Content-Type: application/json' --data "$body") || fail "the webhook for $known was refused: $answer"
hash=$(jq -r .versionHash <<<"$answer")
echo "   webhook for $known: version hash $hash; building both arches (arm64 under QEMU)"
status=$(curl -sS --fail-with-body -m 960 "$HASHER_URL/api/v1/images/$hash/wait?timeout=PT15M&repository=$repository") \
  || fail "waiting for $hash failed: $status"
[[ $(jq -r .outcome <<<"$status") == READY ]] || fail "the known image did not become READY: $(jq -c . <<<"$status")"
ok "known image builder-$hash: $(jq -r '[.arches[] | "\(.arch) \(.state)"] | join(", ")' <<<"$status")"

step "4. Load: resolve vs /hash (keep-alive, new connection per request), a warm webhook storm vs a /hash storm"
rc=0
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
"$java" -cp bench/target/bench.jar io.imagefarm.bench.LoadBench --stack-env "$stack/stack.env" \
  --repository "$repository" --repo-dir "$sample" --known-commit "$known" \
  --jmh "$out/jmh.json" --report "$out/report.md" ${BENCH_ARGS:-} || rc=$?
case $rc in
  0) step "Every goal holds (report: target/bench/report.md)" ;;
  3) printf '\n\033[1m== Not every goal holds: see the goals table (report: target/bench/report.md)\033[0m\n'; exit 3 ;;
  *) fail "LoadBench could not measure (exit $rc)" ;;
esac
