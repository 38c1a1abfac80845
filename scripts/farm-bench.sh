#!/usr/bin/env bash
# scripts/farm-bench.sh [--keep]: the farm benchmark (bench module, io.imagefarm.bench.farm), on the
# embedded stack as a small farm: 3 brokers, 2 hashers, 3 amd64 and 2 arm64 workers (arm64 under QEMU).
#   1. sets up the build host and builds what the stack and the bench need;
#   2. starts the farm in target/farm-bench-stack (from nothing);
#   3. FarmBench: 12 repositories push a new commit at once (signed webhooks over both hashers, CI
#      resolves of the same commits on both), then the same with one amd64 worker SIGKILLed midway, then
#      with one broker SIGKILLed midway; events, builds, makespan against the ideal, each worker's share
#      and the queue wait, read back from the topics and the workers' logs;
#   4. writes target/farm-bench/report.md (the README's "Build farm" table) and stops the stack, unless --keep.
# Exits 0 when every goal holds, 3 when one does not, 1 when it could not measure.
# FARM_REPOSITORIES (12) and FARM_BUILD_SECONDS (8) change the scenario's size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
keep=0
for arg in "$@"; do
  case $arg in
    --keep) keep=1 ;;
    *) echo "usage: scripts/farm-bench.sh [--keep]" >&2; exit 2 ;;
  esac
done
stack="$root/target/farm-bench-stack"
out="$root/target/farm-bench"
java=${JAVA:-java}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local rc=$?
  if ((keep)) && [[ -f $stack/stack.env ]]; then
    echo "farm left running (--keep): $stack/stack.env; stop it with scripts/demo-stack.sh stop $stack"
  elif [[ -d $stack/pids ]]; then
    scripts/demo-stack.sh stop "$stack" || true
  fi
  case $rc in
    0 | 3) ;;
    *) echo "farm bench failed (exit $rc); the stack's logs are in $stack/logs" >&2 ;;
  esac
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "1. Build host and build"
scripts/setup-build-host.sh
./mvnw -B -ntp -q package -DskipTests -am \
  -pl hasher-service,builder-worker,cache-janitor,kafka-broker,test-support,bench

step "2. The farm: 3 brokers, 2 hashers, 3 amd64 and 2 arm64 workers"
[[ -d $stack/pids ]] && { scripts/demo-stack.sh stop "$stack" || true; }
rm -rf "$stack" "$out"
mkdir -p "$out"
scripts/demo-stack.sh start "$stack" --brokers 3 --hashers 2 --workers amd64=3,arm64=2

step "3. Bursts: normal, one worker killed, one broker killed"
rc=0
"$java" -cp "bench/target/bench.jar:bench/target/lib/*" io.imagefarm.bench.farm.FarmBench "$stack" "$out" \
  "${FARM_REPOSITORIES:-12}" "${FARM_BUILD_SECONDS:-8}" || rc=$?
[[ -f $out/report.md ]] && echo "report: $out/report.md"
exit "$rc"
