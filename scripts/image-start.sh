#!/usr/bin/env bash
# image-start.sh OUT_FILE [STACK_DIR] - the worker image's JVM-start-to-ready with its AppCDS archive and
# without it, beside issue 21's goal (a worker ready <= 5 s after its JVM starts: what an autoscaler waits
# for once a pod is scheduled and its image pulled).
#
# Starts imagefarm/builder-worker (amd64, host network, the host's Docker socket) against the embedded
# stack in STACK_DIR (its stack.env: Kafka, registry; the topics exist), IMAGE_START_RUNS times (3) each
# way, alternating: with the image's archive, and with JAVA_CDS_OPTS emptied (the JDK's own archive only,
# as before the image carried one). Each run is timed from its JVM process's start (/proc/PID/stat, to
# 10 ms) to the first 200 from /q/health/ready, polled every 0.1 s, then stopped. Without STACK_DIR a
# stack is started in target/image-start-stack and stopped at the end. Run it beside no build: the
# figure is CPU time on a shared host. Each worker joins the amd64 group under its own instance id.
#
# Writes a markdown section to OUT_FILE (and prints it). Exit status: 0 the goal met with the archive,
# 3 missed, 1 nothing measured.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=${1:?usage: image-start.sh OUT_FILE [STACK_DIR]}
stack=${2:-}
cd "$root"
# shellcheck source=lib/stack-common.sh
source scripts/lib/stack-common.sh

version=${IMAGEFARM_VERSION:-0.1.0-SNAPSHOT}
image=imagefarm/builder-worker:$version
runs=${IMAGE_START_RUNS:-3}
goal_ms=5000
ticks=$(getconf CLK_TCK)

fail() { echo "image-start: $*" >&2; exit 1; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }
uptime_ms() { local up; read -r up _ </proc/uptime; echo $((10#${up/./} * 10)); }
started_ms() { # pid: its start, in ms since boot
  local stat fields
  stat=$(</proc/"$1"/stat)
  read -ra fields <<<"${stat##*) }" # after the command name, which may hold spaces; field 22 is [19]
  echo $((fields[19] * 1000 / ticks))
}

docker info >/dev/null 2>&1 || fail "no Docker Engine answers"
docker image inspect "$image" >/dev/null 2>&1 || fail "$image is missing (scripts/build-images.sh builds it)"
[[ $runs =~ ^[1-9][0-9]?$ ]] || fail "IMAGE_START_RUNS must be a count from 1 to 99, not '$runs'"

containers=() own_stack=0
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if ((${#containers[@]})); then docker rm -f "${containers[@]}" >/dev/null 2>&1 || true; fi
  if ((own_stack)); then scripts/demo-stack.sh stop "$stack" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
if [[ -z $stack ]]; then
  stack=$root/target/image-start-stack own_stack=1
  scripts/demo-stack.sh start "$stack" >&2 || fail "the embedded stack did not start (logs in $stack/logs)"
fi
[[ -f $stack/stack.env ]] || fail "$stack/stack.env is missing: no embedded stack there"
# shellcheck source=/dev/null
source "$stack/stack.env"
kafka=${KAFKA_BOOTSTRAP:?$stack/stack.env names no KAFKA_BOOTSTRAP}
registry=${REGISTRY:?$stack/stack.env names no REGISTRY}

# A stopped worker stays in the group (static membership) until its session expires: the next run waits
# that out (10 s, the worker's session.timeout.ms), so that no run joins a group still rebalancing.
session_wait=${IMAGE_START_SESSION_WAIT:-12}
run_ms="" run_quarkus=""
run_once() { # label docker-run-options...: sets run_ms and run_quarkus
  local label=$1 name port cid pid start ready="" i log; shift
  name=imagefarm-image-start-$$-${#containers[@]}-$label port=$(free_port)
  cid=$(docker run -d --name "$name" --network host -v /var/run/docker.sock:/var/run/docker.sock \
    -e HTTP_PORT="$port" -e KAFKA_BOOTSTRAP_SERVERS="$kafka" -e IMAGEFARM_WORKER_ARCH=amd64 \
    -e IMAGEFARM_WORKER_REGISTRY="$registry" -e IMAGEFARM_WORKER_INSTANCE_ID="$name" \
    -e IMAGEFARM_WORKER_NETWORK_HOST=true -e IMAGEFARM_WORKER_MIN_FREE_DISK_BYTES=104857600 \
    "$@" "$image") || fail "could not start $image"
  containers+=("$cid")
  pid=$(docker inspect -f '{{.State.Pid}}' "$cid")
  start=$(started_ms "$pid") || fail "$name: its JVM (pid $pid) is already gone; docker logs $cid"
  for ((i = 0; i < 600; i++)); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready") == 200 ]]; then
      ready=$(uptime_ms); break
    fi
    [[ $(docker inspect -f '{{.State.Running}}' "$cid") == true ]] || break
    sleep 0.1
  done
  log=$(docker logs "$cid" 2>&1)
  docker stop -t 20 "$cid" >/dev/null 2>&1 || true
  [[ -n $ready ]] || { tail -n 30 <<<"$log" >&2; fail "$name ($label) was not ready within 60 s"; }
  run_ms=$((ready - start))
  run_quarkus=$(sed -n 's/.* started in \([0-9.]*\)s\..*/\1/p' <<<"$log" | head -n 1)
  run_quarkus=${run_quarkus:--}
  sleep "$session_wait"
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

with=() without=() with_q=() without_q=()
for ((r = 1; r <= runs; r++)); do
  run_once cds
  with+=("$run_ms") with_q+=("$run_quarkus")
  echo "image-start: run $r with the archive: $(secs "$run_ms") (Quarkus: started in $run_quarkus s)" >&2
  run_once nocds -e JAVA_CDS_OPTS=
  without+=("$run_ms") without_q+=("$run_quarkus")
  echo "image-start: run $r without it:      $(secs "$run_ms") (Quarkus: started in $run_quarkus s)" >&2
done
with_med=$(median "${with[@]}") without_med=$(median "${without[@]}")
verdict=PASS rc=0
((with_med <= goal_ms)) || { verdict=FAIL rc=3; }
list() { local v s=""; for v in "$@"; do s+="${s:+, }$(secs "$v")"; done; echo "$s"; }
quarkus_list() { local v s=""; for v in "$@"; do s+="${s:+, }$v s"; done; echo "$s"; }

{
  echo "## Worker image start-to-ready (scripts/image-start.sh)"
  echo
  echo "$image (amd64, host network) against the embedded stack, beside no build: its JVM process's start"
  echo "to the first 200 from /q/health/ready; median of $runs runs each way, alternating."
  echo
  echo "| Worker container | Goal | JVM start → ready (median) | Runs | Quarkus \"started in\" | Verdict |"
  echo "|---|---|---|---|---|---|"
  echo "| with the image's AppCDS archive | ≤ $(secs "$goal_ms") | $(secs "$with_med") | $(list "${with[@]}")" \
    "| $(quarkus_list "${with_q[@]}") | $verdict |"
  echo "| without it (JAVA_CDS_OPTS empty) | – | $(secs "$without_med") | $(list "${without[@]}")" \
    "| $(quarkus_list "${without_q[@]}") | – |"
} >"$out"
cat "$out"
exit "$rc"
