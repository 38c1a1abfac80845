#!/usr/bin/env bash
# demo-stack.sh start|stop|restart|status DIR [PART] - the embedded default stack, each part its own
# process on loopback: Apache Kafka 4.1.2 (KRaft, its own JVM, from the Maven artifacts), the local
# registry (CNCF distribution) with the multi-arch busybox base image, the hasher-service, one amd64
# and one arm64 builder-worker (arm64 under QEMU) and the cache-janitor. Logs in DIR/logs.
#
#   start DIR [PART]    starts every part that is not running (or just PART); writes DIR/stack.env
#   stop DIR [PART]     stops every part, or just PART (data and ports are kept)
#   restart DIR PART [JAVA_OPTION...]
#                       stops and starts one part with the same data and ports, e.g. to rehearse a
#                       fault; PART is one of: registry kafka oidc-issuer hasher worker-amd64
#                       worker-arm64 janitor. JVM options given here (-Dname=value) are kept in
#                       DIR/opts/PART for every later start of that part, until a restart without any
#   status DIR          one line per part: running or stopped
#
# The supervisor (started with the stack, log DIR/logs/supervisor.log) does for the services what
# compose's restart policy and health check do in a deployment: a hasher, worker or janitor whose
# process is gone, or whose liveness (/q/health/live) is not UP for SUPERVISE_FAILURES checks in a
# row (3, every SUPERVISE_INTERVAL=2 s, each waiting at most 2 s, so a hung JVM counts too), is
# killed and started again with the same options. A part stopped through this script is left alone.
#
# Like a small real deployment, the stack keeps its state in DIR: the broker's log (DIR/kafka/data),
# the registry's storage (DIR/registry/data), the webhook secret, and the ports (DIR/ports.env,
# chosen once, free at the time). Remove DIR to start from nothing.
#
# Authentication as in a deployment: a local OIDC issuer stands in for GitHub Actions' (discovery,
# JWKS, real RSA keys; GET /mint?repository=OWNER/NAME&sha=SHA mints a job's token), and two static
# API tokens are made once, DIR/tokens/admin (role admin) and DIR/tokens/ci (role ci, demo/*); the
# services get only their SHA-256 digests. Reads (status, wait) are anonymous on this loopback stack.
# Used by ./demo.sh and by the end-to-end test; expects the project built (./mvnw package).
set -euo pipefail

usage() { echo "usage: demo-stack.sh start|stop DIR [PART] | status DIR | restart DIR PART [JAVA_OPTION...]" >&2; exit 2; }
cmd=${1:-}
dir=${2:-}
[[ -n $cmd && -n $dir ]] || usage
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$dir/logs" "$dir/pids" "$dir/opts"
dir="$(cd "$dir" && pwd)"
PARTS=(registry kafka oidc-issuer hasher worker-amd64 worker-arm64 janitor)
SUPERVISED=(hasher worker-amd64 worker-arm64 janitor)
java=${JAVA:-java}

# shellcheck source=lib/stack-common.sh
source "$root/scripts/lib/stack-common.sh"

ensure_ports() {
  ensure_ports_file "$dir/ports.env" REGISTRY_PORT KAFKA_PORT KAFKA_CONTROLLER_PORT OIDC_PORT HASHER_PORT \
    WORKER_AMD64_PORT WORKER_ARM64_PORT JANITOR_PORT
  # shellcheck disable=SC1091
  source "$dir/ports.env"
  if [[ ! -f $dir/webhook-secret ]]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/webhook-secret")
  fi
  ensure_api_tokens "$dir/tokens"
}

pid_of() { [[ -f $dir/pids/$1 ]] && cat "$dir/pids/$1"; }
running() { local pid; pid=$(pid_of "$1") && kill -0 "$pid" 2>/dev/null; }

launch() { # part log command...
  local part=$1 log=$2; shift 2
  # 9>&-: a part must not inherit the lock of with_part_lock, or it would hold it for its lifetime
  setsid "$@" >>"$log" 2>&1 </dev/null 9>&- &
  echo "$!" >"$dir/pids/$part"
}

stop_part() { # part [kill]: TERM (30 s grace) then KILL; with "kill", KILL at once (a hung process)
  local part=$1 pid i
  pid=$(pid_of "$part") || return 0
  # The pid file goes first: the supervisor takes a part without one for stopped on purpose.
  rm -f "$dir/pids/$part"
  if [[ ${2:-} != kill ]]; then
    kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    kill -CONT "-$pid" 2>/dev/null || true
    for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  kill -KILL "-$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
}

# One start or stop of a part at a time, whoever asks (this script, another run of it, the supervisor).
with_part_lock() { # part command...
  local part=$1; shift
  (flock 9; "$@") 9>"$dir/pids/$part.lock"
}

java_service() { # part jar port system-properties...
  local part=$1 jar=$2 port=$3 extra=(); shift 3
  [[ -f $root/$jar/target/quarkus-app/quarkus-run.jar ]] || {
    echo "demo-stack: $jar is not built; run ./mvnw -B package -DskipTests" >&2; exit 1; }
  [[ -s $dir/opts/$part ]] && mapfile -t extra <"$dir/opts/$part"
  launch "$part" "$dir/logs/$part.log" "$java" -Xmx384m "-Dkafka.bootstrap.servers=127.0.0.1:$KAFKA_PORT" \
    -Dquarkus.http.port="$port" "$@" "${extra[@]}" -jar "$root/$jar/target/quarkus-app/quarkus-run.jar"
}

liveness_url() {
  case $1 in
    hasher) echo "http://127.0.0.1:$HASHER_PORT/q/health/live" ;;
    worker-amd64) echo "http://127.0.0.1:$WORKER_AMD64_PORT/q/health/live" ;;
    worker-arm64) echo "http://127.0.0.1:$WORKER_ARM64_PORT/q/health/live" ;;
    janitor) echo "http://127.0.0.1:$JANITOR_PORT/q/health/live" ;;
  esac
}

# Restarts a supervised part, unless it was stopped or restarted meanwhile (then its pid changed).
supervisor_restart() { # part pid reason
  local part=$1 pid=$2 reason=$3
  [[ $(pid_of "$part" 2>/dev/null) == "$pid" ]] || return 0
  echo "$(date -u +%FT%TZ) supervisor: restarting $part (pid $pid): $reason"
  stop_part "$part" kill
  start_part "$part"
  echo "$(date -u +%FT%TZ) supervisor: restarted $part (pid $(pid_of "$part"))"
}

supervise() {
  local interval=${SUPERVISE_INTERVAL:-2} limit=${SUPERVISE_FAILURES:-3} grace=${SUPERVISE_START_GRACE:-120}
  local part pid code started
  declare -A failures=() up=()
  trap 'exit 0' TERM INT
  echo "$(date -u +%FT%TZ) supervisor: watching ${SUPERVISED[*]} every ${interval}s (restart after $limit failed checks)"
  while true; do
    for part in "${SUPERVISED[@]}"; do
      pid=$(pid_of "$part" 2>/dev/null) || { failures[$part]=0; continue; }
      if ! kill -0 "$pid" 2>/dev/null; then
        with_part_lock "$part" supervisor_restart "$part" "$pid" "the process is gone"
        failures[$part]=0; continue
      fi
      code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$(liveness_url "$part")" 2>/dev/null) || true
      if [[ $code == 200 ]]; then
        failures[$part]=0; up[$part]=$pid; continue
      fi
      # A JVM still starting does not answer yet: count only once it was up, or past the start grace.
      started=$(stat -c %Y "$dir/pids/$part" 2>/dev/null || echo 0)
      if [[ ${up[$part]:-} != "$pid" ]] && (($(date +%s) - started < grace)); then continue; fi
      failures[$part]=$((${failures[$part]:-0} + 1))
      if ((failures[$part] >= limit)); then
        with_part_lock "$part" supervisor_restart "$part" "$pid" \
          "liveness not UP ${failures[$part]} times in a row (last answer: ${code:-none})"
        failures[$part]=0
      fi
    done
    sleep "$interval"
  done
}

start_part() {
  local part=$1
  if running "$part"; then return 0; fi
  local api_tokens=(
    -Dimagefarm.auth.api-tokens.demo-admin.sha256-file="$dir/tokens/admin.sha256"
    -Dimagefarm.auth.api-tokens.demo-admin.role=admin
    -Dimagefarm.auth.api-tokens.demo-ci.sha256-file="$dir/tokens/ci.sha256"
    -Dimagefarm.auth.api-tokens.demo-ci.role=ci
    -Dimagefarm.auth.api-tokens.demo-ci.repositories=demo/*)
  local registry="127.0.0.1:$REGISTRY_PORT"
  case $part in
    registry)
      mkdir -p "$dir/registry"
      cat >"$dir/registry/config.yml" <<YAML
version: 0.1
log: {level: warn, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $dir/registry/data}, delete: {enabled: true}}
http: {addr: $registry}
YAML
      launch registry "$dir/logs/registry.log" /usr/bin/docker-registry serve "$dir/registry/config.yml"
      ;;
    kafka)
      local libs=$root/kafka-broker/target/kafka/libs
      [[ -d $libs ]] || { echo "demo-stack: the broker is not built; run ./mvnw -B package -DskipTests" >&2; exit 1; }
      launch kafka "$dir/logs/kafka.log" env KAFKA_LIBS="$libs" \
        KAFKA_LOG4J_CONFIG="$root/kafka-broker/src/main/config/log4j2.properties" \
        KAFKA_CONFIG_FILE="$dir/kafka/server.properties" KAFKA_LOG_DIRS="$dir/kafka/data" \
        KAFKA_HEAP_OPTS="-Xmx512m" \
        KAFKA_NODE_ID=1 KAFKA_PROCESS_ROLES=broker,controller \
        KAFKA_LISTENERS="PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT" \
        KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://127.0.0.1:$KAFKA_PORT" \
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT \
        KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER \
        KAFKA_CONTROLLER_QUORUM_VOTERS="1@127.0.0.1:$KAFKA_CONTROLLER_PORT" \
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1 KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1 \
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1 KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 \
        KAFKA_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS=1000 \
        "$root/kafka-broker/src/main/sh/kafka-run.sh"
      ;;
    oidc-issuer)
      [[ -f $root/test-support/target/classes/io/imagefarm/testsupport/LocalOidcIssuer.class ]] || {
        echo "demo-stack: the local OIDC issuer is not built; run ./mvnw -B package -DskipTests" >&2; exit 1; }
      launch oidc-issuer "$dir/logs/oidc-issuer.log" "$java" -Xmx64m -cp "$root/test-support/target/classes" \
        io.imagefarm.testsupport.LocalOidcIssuer "$dir/oidc-issuer.url" "$OIDC_PORT"
      ;;
    hasher)
      java_service hasher hasher-service "$HASHER_PORT" \
        -Dimagefarm.hasher.registry="$registry" -Dimagefarm.hasher.allow-list=demo \
        -Dimagefarm.hasher.topics.partitions=2 \
        -Dimagefarm.hasher.webhook.secret-file="$dir/webhook-secret" \
        -Dimagefarm.hasher.instance-id=demo-hasher \
        -Dquarkus.oidc.auth-server-url="http://127.0.0.1:$OIDC_PORT" \
        -Dimagefarm.hasher.api.anonymous-read=true \
        -Dimagefarm.hasher.source.allowed-url-patterns="https://github.com/{repository}.git,file://$dir/sources/**" \
        "${api_tokens[@]}"
      ;;
    worker-amd64 | worker-arm64)
      local arch=${part#worker-} port=$WORKER_AMD64_PORT
      [[ $arch == arm64 ]] && port=$WORKER_ARM64_PORT
      java_service "$part" builder-worker "$port" \
        -Dimagefarm.worker.arch="$arch" -Dimagefarm.worker.network-host=true \
        -Dimagefarm.worker.registry="$registry" \
        -Dimagefarm.worker.context.allowed-schemes=file,https \
        "-Dimagefarm.worker.context.allowed-url-patterns=https://github.com/{repository}.git,file://$dir/**" \
        -Dimagefarm.worker.work-dir="$dir/work-$arch" -Dimagefarm.worker.min-free-disk-bytes=104857600 \
        -Dimagefarm.worker.instance-id=demo-worker
      ;;
    janitor)
      java_service janitor cache-janitor "$JANITOR_PORT" "${api_tokens[@]}" \
        -Dimagefarm.janitor.schedule.cron=off \
        -Dimagefarm.janitor.repositories.demo.image="$registry/demo/sample" \
        -Dimagefarm.janitor.repositories.demo.keep-hashes=1 \
        -Dimagefarm.janitor.repositories.demo.keep-used-days=0 \
        -Dimagefarm.janitor.repositories.demo.grace-period=PT0S \
        -Dimagefarm.janitor.repositories.demo.max-deletion-fraction=1.0
      ;;
    *) echo "demo-stack: unknown part '$part' (one of: ${PARTS[*]})" >&2; exit 2 ;;
  esac
}

await_part() {
  local part=$1 log=$dir/logs/$1.log
  case $part in
    registry) wait_for registry "http://127.0.0.1:$REGISTRY_PORT/v2/" 20 "$log" ;;
    kafka) wait_for_kafka "127.0.0.1:$KAFKA_PORT" 60 "$log" ;;
    oidc-issuer) wait_for oidc-issuer "http://127.0.0.1:$OIDC_PORT/.well-known/openid-configuration" 30 "$log" ;;
    hasher) wait_for hasher "http://127.0.0.1:$HASHER_PORT/q/health/ready" 90 "$log" ;;
    worker-amd64) wait_for "$part" "http://127.0.0.1:$WORKER_AMD64_PORT/q/health/ready" 90 "$log" ;;
    worker-arm64) wait_for "$part" "http://127.0.0.1:$WORKER_ARM64_PORT/q/health/ready" 90 "$log" ;;
    janitor) wait_for janitor "http://127.0.0.1:$JANITOR_PORT/q/health/ready" 90 "$log" ;;
  esac
}

wait_for_kafka() { # bootstrap seconds log: the broker answers API versions requests
  local bootstrap=$1 secs=$2 log=$3 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if KAFKA_LIBS="$root/kafka-broker/target/kafka/libs" \
       KAFKA_LOG4J_CONFIG="$root/kafka-broker/src/main/config/log4j2.properties" \
       "$root/kafka-broker/src/main/sh/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  echo "demo-stack: kafka did not answer at $bootstrap within ${secs}s; last log lines of $log:" >&2
  tail -n 30 -- "$log" >&2 || true
  return 1
}

write_env() {
  cat >"$dir/stack.env" <<ENV
REGISTRY=127.0.0.1:$REGISTRY_PORT
BASE_IMAGE=127.0.0.1:$REGISTRY_PORT/imagefarm/base:busybox
KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
HASHER_URL=http://127.0.0.1:$HASHER_PORT
WORKER_AMD64_URL=http://127.0.0.1:$WORKER_AMD64_PORT
WORKER_ARM64_URL=http://127.0.0.1:$WORKER_ARM64_PORT
JANITOR_URL=http://127.0.0.1:$JANITOR_PORT
WEBHOOK_SECRET_FILE=$dir/webhook-secret
OIDC_ISSUER_URL=http://127.0.0.1:$OIDC_PORT
ADMIN_TOKEN_FILE=$dir/tokens/admin
CI_TOKEN_FILE=$dir/tokens/ci
LOG_DIR=$dir/logs
ENV
}

start_stack() {
  ensure_ports
  local part
  for part in registry kafka oidc-issuer; do start_part "$part"; await_part "$part"; done
  echo "registry        http://127.0.0.1:$REGISTRY_PORT"
  echo "kafka           127.0.0.1:$KAFKA_PORT (data in $dir/kafka/data)"
  echo "oidc issuer     http://127.0.0.1:$OIDC_PORT (stands in for GitHub Actions')"
  push_base_image "127.0.0.1:$REGISTRY_PORT" "$dir"
  for part in hasher worker-amd64 worker-arm64 janitor; do start_part "$part"; done
  for part in hasher worker-amd64 worker-arm64 janitor; do await_part "$part"; done
  running supervisor || launch supervisor "$dir/logs/supervisor.log" "$root/scripts/demo-stack.sh" supervise "$dir"
  write_env
  echo "hasher-service  http://127.0.0.1:$HASHER_PORT"
  echo "worker amd64    http://127.0.0.1:$WORKER_AMD64_PORT"
  echo "worker arm64    http://127.0.0.1:$WORKER_ARM64_PORT"
  echo "cache-janitor   http://127.0.0.1:$JANITOR_PORT"
}

stop_stack() {
  local i
  stop_part supervisor
  for ((i = ${#PARTS[@]} - 1; i >= 0; i--)); do stop_part "${PARTS[i]}"; done
}

known_part() {
  [[ " ${PARTS[*]} " == *" $1 "* ]] || { echo "demo-stack: unknown part '$1' (one of: ${PARTS[*]})" >&2; exit 2; }
}

case $cmd in
  start)
    if [[ -n ${3:-} ]]; then
      known_part "$3"; ensure_ports
      with_part_lock "$3" start_part "$3"; await_part "$3"; echo "started $3"
    else
      start_stack
    fi
    ;;
  stop)
    if [[ -n ${3:-} ]]; then known_part "$3"; with_part_lock "$3" stop_part "$3"; echo "stopped $3"; else stop_stack; fi
    ;;
  restart)
    part=${3:-}; [[ -n $part ]] || usage
    known_part "$part"
    ensure_ports
    if (($# > 3)); then printf '%s\n' "${@:4}" >"$dir/opts/$part"; else rm -f "$dir/opts/$part"; fi
    with_part_lock "$part" stop_part "$part"
    with_part_lock "$part" start_part "$part"
    await_part "$part"
    echo "restarted $part"
    ;;
  supervise)
    ensure_ports
    supervise
    ;;
  status)
    for part in "${PARTS[@]}" supervisor; do
      if running "$part"; then echo "$part running (pid $(pid_of "$part"))"; else echo "$part stopped"; fi
    done
    ;;
  *) usage ;;
esac
