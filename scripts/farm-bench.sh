#!/usr/bin/env bash
# scripts/farm-bench.sh [--keep] [--autoscale]: the farm benchmark (bench module, io.imagefarm.bench.farm), on the
# embedded stack as a small farm: 3 brokers, 2 hashers, 3 amd64 and 2 arm64 workers (arm64 under QEMU).
#   1. sets up the build host and builds what the stack and the bench need;
#   2. starts the farm in target/farm-bench-stack (from nothing);
#   3. FarmBench: 12 repositories push a new commit at once (signed webhooks over both hashers, CI
#      resolves of the same commits on both), then the same with one amd64 worker SIGKILLed midway, then
#      with one broker SIGKILLed midway; events, builds, makespan against the ideal, each worker's share
#      and the queue wait, read back from the topics and the workers' logs;
#   4. writes target/farm-bench/report.md (the README's "Build farm" table) and stops the stack, unless --keep.
# With --autoscale, the scale simulation instead (io.imagefarm.bench.farm.AutoscaleBench): no cluster runs
# here, so it drives the worker count the way the chart's KEDA ScaledObject would, on a farm of 1 broker,
# 1 hasher and 1 worker per arch: polls each arch's queue lag, adds a worker (demo-stack.sh start --workers)
# while the lag is above AUTOSCALE_LAG_THRESHOLD (2) per worker, up to AUTOSCALE_MAX (3), and SIGTERMs one
# (graceful drain) once the lag stayed 0 for AUTOSCALE_COOLDOWN (30 s), down to 1; through a burst of
# FARM_REPOSITORIES new images (FARM_BUILD_SECONDS: 2 here). Reports replicas over time, each image's queue
# wait, lost and duplicated builds and each added worker's start-to-ready time; then appends
# scripts/image-sizes.sh's section (the images' compressed sizes) and scripts/image-start.sh's (the worker
# image's start-to-ready with its AppCDS archive and without, on the farm now idle).
# Exits 0 when every goal holds, 3 when one does not, 1 when it could not measure.
# FARM_REPOSITORIES (12) and FARM_BUILD_SECONDS (8) change the scenario's size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
keep=0 autoscale=0
for arg in "$@"; do
  case $arg in
    --keep) keep=1 ;;
    --autoscale) autoscale=1 ;;
    *) echo "usage: scripts/farm-bench.sh [--keep] [--autoscale]" >&2; exit 2 ;;
  esac
done
stack="$root/target/farm-bench-stack"
out="$root/target/farm-bench"
java=${JAVA:-java}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# fresh_stack COUNTS...: the farm from nothing (a previous run's stack stopped and removed), and an empty report folder.
fresh_stack() {
  [[ -d $stack/pids ]] && { scripts/demo-stack.sh stop "$stack" || true; }
  rm -rf "$stack" "$out"
  mkdir -p "$out"
  scripts/demo-stack.sh start "$stack" "$@"
}
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

if ((autoscale)); then
  step "2. The farm: 1 broker, 1 hasher, 1 worker per arch (the autoscaler's floor)"
  fresh_stack --brokers 1 --hashers 1 --workers amd64=1,arm64=1

  step "3. A burst of ${FARM_REPOSITORIES:-12} images, the workers scaled on the queue lag"
  rc=0
  "$java" "-Dautoscale.lag-threshold=${AUTOSCALE_LAG_THRESHOLD:-2}" "-Dautoscale.max=${AUTOSCALE_MAX:-3}" \
    "-Dautoscale.cooldown-seconds=${AUTOSCALE_COOLDOWN:-30}" -cp "bench/target/bench.jar:bench/target/lib/*" \
    io.imagefarm.bench.farm.AutoscaleBench "$stack" "$out" "${FARM_REPOSITORIES:-12}" "${FARM_BUILD_SECONDS:-2}" \
    || rc=$?

  step "4. The images' compressed sizes"
  if [[ ! -f $out/report.md ]]; then
    echo "no report: the simulation could not measure (exit $rc)" >&2
  else
    sizes=0
    scripts/image-sizes.sh "$out/image-sizes.md" || sizes=$?
    if [[ -f $out/image-sizes.md ]]; then
      { echo; cat "$out/image-sizes.md"; } >>"$out/report.md"
    else
      printf '\n## Image sizes\n\nscripts/image-sizes.sh wrote no section (exit %s).\n' "$sizes" >>"$out/report.md"
    fi
    # Its goals count as this run's: 3 a goal missed, anything else it could not measure.
    if ((sizes == 3 && rc == 0)); then rc=3; elif ((sizes != 0 && sizes != 3 && rc != 1)); then rc=1; fi

    step "5. The worker image's start-to-ready, with its AppCDS archive and without"
    starts=0
    scripts/image-start.sh "$out/image-start.md" "$stack" || starts=$?
    if [[ -f $out/image-start.md ]]; then
      { echo; cat "$out/image-start.md"; } >>"$out/report.md"
    else
      printf '\n## Worker image start-to-ready\n\nscripts/image-start.sh wrote no section (exit %s).\n' "$starts" \
        >>"$out/report.md"
    fi
    if ((starts == 3 && rc == 0)); then rc=3; elif ((starts != 0 && starts != 3 && rc != 1)); then rc=1; fi
  fi
  [[ -f $out/report.md ]] && echo "report: $out/report.md"
  exit "$rc"
fi

step "2. The farm: 3 brokers, 2 hashers, 3 amd64 and 2 arm64 workers"
fresh_stack --brokers 3 --hashers 2 --workers amd64=3,arm64=2

step "3. Bursts: normal, one worker killed, one broker killed"
rc=0
"$java" -cp "bench/target/bench.jar:bench/target/lib/*" io.imagefarm.bench.farm.FarmBench "$stack" "$out" \
  "${FARM_REPOSITORIES:-12}" "${FARM_BUILD_SECONDS:-8}" || rc=$?
[[ -f $out/report.md ]] && echo "report: $out/report.md"
exit "$rc"
