#!/usr/bin/env bash
# demo-stack.sh - the embedded stack, each part its own process on loopback: Apache Kafka 4.1.2 (KRaft, its
# own JVMs, from the Maven artifacts), the local registry (CNCF distribution) with the multi-arch busybox base
# image, a local OIDC issuer, the hasher-service, amd64 and arm64 builder-workers (arm64 under QEMU), the
# cache-janitor and a supervisor. Logs in DIR/logs/PART.log. One broker and one of each service by default
# (what ./demo.sh runs); farm mode runs several brokers and replicas.
#
#   start DIR [--brokers N] [--hashers N] [--workers amd64=N,arm64=M]
#                       starts every part that is not running; writes DIR/stack.env. The counts (default 1
#                       broker, 1 hasher, 1 worker per arch) are kept in DIR/farm.env: a later start without
#                       a flag keeps that count, a flag changes it (replicas beyond a lowered count are
#                       stopped). The broker count is fixed once the brokers have data (remove DIR to change).
#   start DIR PART      starts just PART, e.g. a broker stopped or killed before, with its data
#   stop DIR [PART]     stops every part, or just PART (data and ports are kept)
#   restart DIR PART [JAVA_OPTION...]
#                       stops and starts one part with the same data and ports, e.g. to rehearse a fault.
#                       JVM options given here (-Dname=value) are kept in DIR/opts/PART for every later start
#                       of that part, until a restart without any
#   kill DIR PART       SIGKILLs PART's whole process group at once (a crash, for fault rehearsals), keeping
#                       its pid file: the supervisor starts a killed hasher, worker or janitor again; a killed
#                       broker stays down until `start DIR kafka-N`
#   status DIR          one line per part, every replica, and the supervisor: running or stopped
#
# Parts: registry, kafka-1..N, oidc-issuer, hasher-1..N, worker-amd64-1..N, worker-arm64-1..N, janitor.
# The single stack's names stay aliases of the first of each, in every command and in DIR/opts: kafka =
# kafka-1, hasher = hasher-1, worker-amd64 = worker-amd64-1, worker-arm64 = worker-arm64-1; DIR/pids/ALIAS
# and DIR/logs/ALIAS.log are symlinks to the first's, and the supervisor's log names the first by its alias.
#
# Brokers: each is a broker and a KRaft controller, every one a voter, with its own ports and data
# (DIR/kafka-N/data). Topics are infrastructure: auto-creation is off and hasher-1 creates them, so it is
# started and ready before any other service subscribes. With 3 or more brokers every topic (and the offsets
# and transaction state topics) has 3 replicas and min.insync.replicas=2 (the hasher gets the same:
# imagefarm.hasher.topics.replication-factor, .min-insync-replicas); with one broker, 1 and 1. Every service
# gets every broker in kafka.bootstrap.servers. Each hasher and worker replica has its own port and its part
# name as instance id (a worker's static group membership derives from it), each worker its own work folder
# DIR/work-ARCH-N. Start order: registry, brokers, OIDC issuer, base image, hasher-1 (until ready), then the
# other hashers, the workers and the janitor at once.
#
# The supervisor (started with the stack, log DIR/logs/supervisor.log) does for the services what compose's
# restart policy and health check do in a deployment: a hasher, worker or janitor replica whose process is
# gone, or whose liveness (/q/health/live) is not UP for SUPERVISE_FAILURES checks in a row (3, every
# SUPERVISE_INTERVAL=2 s, each waiting at most 2 s, so a hung JVM counts too), is killed and started again
# with the same options. A part stopped through this script is left alone; brokers are not supervised.
#
# Like a small real deployment, the stack keeps its state in DIR: the brokers' logs (DIR/kafka-N/data), the
# registry's storage (DIR/registry/data), the webhook secret, the counts (DIR/farm.env) and the ports
# (DIR/ports.env, chosen once, free at the time; a part added later gets a new one). Remove DIR to start from
# nothing. A folder of the single stack's layout (DIR/kafka/data, DIR/pids/hasher, ...) is taken over as is.
#
# DIR/stack.env (KEY=value lines, fit to source): REGISTRY, BASE_IMAGE, KAFKA_BOOTSTRAP (every broker,
# comma-separated), BROKERS (part names), HASHER_URL, WORKER_AMD64_URL, WORKER_ARM64_URL (the first replica
# of each), HASHER_URLS, WORKER_AMD64_URLS, WORKER_ARM64_URLS (every replica), JANITOR_URL, WEBHOOK_SECRET_FILE,
# SIGNING_PUBLIC_KEY (DIR/signing/signing.pub; the hasher signs with DIR/signing/signing.key, made once),
# OIDC_ISSUER_URL, ADMIN_TOKEN_FILE, CI_TOKEN_FILE, LOG_DIR. Lists are space-separated, in double quotes.
#
# Authentication as in a deployment: a local OIDC issuer stands in for GitHub Actions' (discovery, JWKS, real
# RSA keys; GET /mint?repository=OWNER/NAME&sha=SHA mints a job's token), and two static API tokens are made
# once, DIR/tokens/admin (role admin) and DIR/tokens/ci (role ci, demo/*); the services get only their SHA-256
# digests. Reads (status, wait) are anonymous on this loopback stack.
# Used by ./demo.sh and by the end-to-end tests; expects the project built (./mvnw package).
set -euo pipefail

usage() {
  cat >&2 <<'USAGE'
usage: demo-stack.sh start DIR [--brokers N] [--hashers N] [--workers amd64=N,arm64=M]
       demo-stack.sh start|stop DIR [PART] | status DIR | kill DIR PART | restart DIR PART [JAVA_OPTION...]
USAGE
  exit 2
}
cmd=${1:-}
dir=${2:-}
[[ -n $cmd && -n $dir ]] || usage
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$dir/logs" "$dir/pids" "$dir/opts"
dir="$(cd "$dir" && pwd)"
java=${JAVA:-java}

# shellcheck source=lib/stack-common.sh
source "$root/scripts/lib/stack-common.sh"

# ---- The farm: how many of each, and the parts that makes -------------------------------------------------

load_farm() { # DIR/farm.env, or the single stack
  BROKERS=1 HASHERS=1 WORKERS_AMD64=1 WORKERS_ARM64=1
  # shellcheck disable=SC1091 # DIR/farm.env is the stack's own, written by configure_farm
  [[ -f $dir/farm.env ]] && source "$dir/farm.env"
  farm_parts
}

farm_parts() { # the part lists of the counts
  local i
  BROKER_PARTS=() HASHER_PARTS=() WORKER_PARTS=()
  for ((i = 1; i <= BROKERS; i++)); do BROKER_PARTS+=("kafka-$i"); done
  for ((i = 1; i <= HASHERS; i++)); do HASHER_PARTS+=("hasher-$i"); done
  for ((i = 1; i <= WORKERS_AMD64; i++)); do WORKER_PARTS+=("worker-amd64-$i"); done
  for ((i = 1; i <= WORKERS_ARM64; i++)); do WORKER_PARTS+=("worker-arm64-$i"); done
  SUPERVISED=("${HASHER_PARTS[@]}" "${WORKER_PARTS[@]}" janitor)
  PARTS=(registry "${BROKER_PARTS[@]}" oidc-issuer "${SUPERVISED[@]}")
}

count() { # what value: a count of 1 to 99
  [[ $2 =~ ^[1-9][0-9]?$ ]] || { echo "demo-stack: $1 must be a count from 1 to 99, not '$2'" >&2; exit 2; }
  echo "$2"
}

configure_farm() { # start flags...: the new counts, kept in DIR/farm.env
  load_farm
  local brokers=$BROKERS flag value entry entries
  while (($#)); do
    flag=${1%%=*}
    if [[ $1 == *=* ]]; then value=${1#*=}; else
      (($# >= 2)) || { echo "demo-stack: $1 needs a value" >&2; usage; }
      value=$2; shift
    fi
    shift
    case $flag in
      --brokers) brokers=$(count brokers "$value") ;;
      --hashers) HASHERS=$(count hashers "$value") ;;
      --workers)
        IFS=, read -ra entries <<<"$value"
        for entry in "${entries[@]}"; do
          case ${entry%%=*} in
            amd64) WORKERS_AMD64=$(count "amd64 workers" "${entry#*=}") ;;
            arm64) WORKERS_ARM64=$(count "arm64 workers" "${entry#*=}") ;;
            *) echo "demo-stack: --workers takes amd64=N,arm64=M, not '$entry'" >&2; exit 2 ;;
          esac
        done
        ;;
      *) echo "demo-stack: unknown option '$flag'" >&2; usage ;;
    esac
  done
  if ((brokers != BROKERS)) && compgen -G "$dir/kafka*/data/meta.properties" >/dev/null; then
    echo "demo-stack: $dir has the data of $BROKERS broker(s), formatted for that quorum; the broker count" \
      "cannot change (remove $dir to start from nothing)" >&2
    exit 2
  fi
  BROKERS=$brokers
  farm_parts
  ensure_ports
  printf 'BROKERS=%s\nHASHERS=%s\nWORKERS_AMD64=%s\nWORKERS_ARM64=%s\n' \
    "$BROKERS" "$HASHERS" "$WORKERS_AMD64" "$WORKERS_ARM64" >"$dir/farm.env.tmp"
  mv "$dir/farm.env.tmp" "$dir/farm.env"
}

canonical() { # a part's name, the single stack's aliases resolved
  case $1 in
    kafka | hasher | worker-amd64 | worker-arm64) echo "$1-1" ;;
    *) echo "$1" ;;
  esac
}

alias_of() { # the single stack's name of a part, if it has one
  case $1 in
    kafka-1 | hasher-1 | worker-amd64-1 | worker-arm64-1) echo "${1%-1}" ;;
    *) return 1 ;;
  esac
}

known_part() { # part: one of the farm's parts, or one still running from a larger farm
  [[ " ${PARTS[*]} " == *" $1 "* ]] || [[ -f $dir/pids/$1 && ! -L $dir/pids/$1 ]] || {
    echo "demo-stack: unknown part '$1' (one of: ${PARTS[*]}; aliases: kafka hasher worker-amd64 worker-arm64)" >&2
    exit 2
  }
}

# A folder of the single stack's layout: its files named by an alias become the first replica's, the alias a
# symlink to them. Files an alias names are also how callers hand options over (DIR/opts/hasher before start).
link_aliases() {
  local name
  for name in kafka hasher worker-amd64 worker-arm64; do
    adopt "$dir/pids/$name" "$name-1"
    adopt "$dir/opts/$name" "$name-1"
    adopt "$dir/logs/$name.log" "$name-1.log"
  done
  if [[ -d $dir/kafka && ! -L $dir/kafka && ! -e $dir/kafka-1 ]]; then
    ln -s kafka "$dir/kafka-1" 2>/dev/null || true
  fi
}

adopt() { # path target: a plain file at path moves to target (next to it), path becomes a symlink to target
  local path=$1 target
  target=$(dirname "$1")/$2
  if [[ -f $path && ! -L $path ]]; then
    if [[ $path == *.log && -f $target ]]; then
      cat -- "$path" >>"$target" && rm -f -- "$path"
    else
      mv -f -- "$path" "$target" 2>/dev/null || true
    fi
  fi
  [[ -L $path ]] || ln -s "$2" "$path" 2>/dev/null || true
}

# ---- Ports, secrets, addresses ----------------------------------------------------------------------------

port_key() { # part [controller]: its NAME in DIR/ports.env; the first replica keeps the single stack's name
  local part=$1 base n suffix=PORT
  case $part in
    registry) echo REGISTRY_PORT; return ;;
    oidc-issuer) echo OIDC_PORT; return ;;
    janitor) echo JANITOR_PORT; return ;;
  esac
  [[ ${2:-} == controller ]] && suffix=CONTROLLER_PORT
  n=${part##*-} base=${part%-*}
  base=${base^^} base=${base//-/_}
  if ((n == 1)); then echo "${base}_$suffix"; else echo "${base}_${n}_$suffix"; fi
}

port_of() { # part [controller]
  local key
  key=$(port_key "$@")
  echo "${!key}"
}

ensure_ports() {
  local names=() part
  for part in "${PARTS[@]}"; do
    names+=("$(port_key "$part")")
    [[ $part == kafka-* ]] && names+=("$(port_key "$part" controller)")
  done
  (flock 8; ensure_ports_file "$dir/ports.env" "${names[@]}") 8>"$dir/ports.lock"
  load_ports
  if [[ ! -f $dir/webhook-secret ]]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/webhook-secret")
  fi
  ensure_api_tokens "$dir/tokens"
  ensure_signing_key "$dir/signing"
}

# The image signing key pair, made once: signing.key (ECDSA P-256, PKCS#8 PEM), which the hasher signs the
# images it assembles with, and signing.pub (the PEM public key, the form `cosign verify --key` takes), which
# stack.env names as SIGNING_PUBLIC_KEY for `bin/imagefarm verify`.
ensure_signing_key() { # dir
  local keys=$1
  [[ -f $keys/signing.key && -f $keys/signing.pub ]] && return 0
  mkdir -p "$keys"
  (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/signing.key.tmp" 2>/dev/null)
  openssl pkey -in "$keys/signing.key.tmp" -pubout -out "$keys/signing.pub"
  mv "$keys/signing.key.tmp" "$keys/signing.key"
}

load_ports() {
  local part
  # shellcheck disable=SC1091 # DIR/ports.env is the stack's own, written by ensure_ports_file
  source "$dir/ports.env"
  KAFKA_BOOTSTRAP=
  for part in "${BROKER_PARTS[@]}"; do KAFKA_BOOTSTRAP+="${KAFKA_BOOTSTRAP:+,}127.0.0.1:$(port_of "$part")"; done
}

# Replication of every topic: 3 replicas and 2 in sync on a cluster of 3 or more, what there is below.
replication_factor() { if ((BROKERS >= 3)); then echo 3; else echo "$BROKERS"; fi; }
min_insync_replicas() { if ((BROKERS >= 3)); then echo 2; else echo 1; fi; }

# ---- Processes ----------------------------------------------------------------------------------------------

pid_of() { [[ -f $dir/pids/$1 ]] && cat "$dir/pids/$1"; }
alive() { # pid: a process, not a zombie
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  read -r stat <"/proc/$1/stat" 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}
running() { local pid; pid=$(pid_of "$1") && alive "$pid"; }

launch() { # part log command...
  local part=$1 log=$2; shift 2
  # A part inherits no descriptor of its caller beyond stdio: not the lock of with_part_lock, nor a
  # caller's lock or pipe (a CI step's output, a `flock FILE demo-stack.sh start`), which it would
  # otherwise hold for its whole life.
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
    exec setsid "$@" >>"$log" 2>&1 </dev/null
  ) &
  echo "$!" >"$dir/pids/$part"
}

stop_part() { # part [kill]: TERM (30 s grace) then KILL to its group; with "kill", KILL at once (a hung process)
  local part=$1 pid i
  pid=$(pid_of "$part") || return 0
  # The pid file goes first: the supervisor takes a part without one for stopped on purpose.
  rm -f "$dir/pids/$part"
  if [[ ${2:-} != kill ]]; then
    # TERM to the part's own process only, as an orchestrator sends it to a container's PID 1: a
    # worker's buildx child must not die before the worker decides to let its build finish.
    kill -TERM "$pid" 2>/dev/null || true
    kill -CONT "-$pid" 2>/dev/null || true
    for ((i = 0; i < 120; i++)); do alive "$pid" || break; sleep 0.25; done
  fi
  kill -KILL "-$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do alive "$pid" || break; sleep 0.25; done
}

kill_part() { # part: KILL the whole process group at once, as a crash would; the pid file stays
  local part=$1 pid i
  if ! pid=$(pid_of "$part") || ! alive "$pid"; then echo "demo-stack: $part is not running" >&2; exit 1; fi
  kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid"
  for ((i = 0; i < 40; i++)); do alive "$pid" || break; sleep 0.25; done
  echo "killed $part (pid $pid, its whole process group)"
}

# One start or stop of a part at a time, whoever asks (this script, another run of it, the supervisor).
with_part_lock() { # part command...
  local part=$1; shift
  (flock 9; "$@") 9>"$dir/pids/$part.lock"
}

# Class data sharing for the workers (JDK AppCDS), whose start-to-ready is what an autoscaler waits for:
# a replica archives the classes it loaded when it first exits and maps them at every later start,
# about 2 s less from JVM start to ready here. The archive is keyed on the build: a rebuilt jar starts
# without one and leaves a new one. A missing or damaged archive only costs that time (CDS logs are off:
# the dump lists every class it skips).
cds_option() { # part jar
  local key archive
  key=$(stat -c '%n %Y %s' "$root/$2/target/quarkus-app/quarkus-run.jar" "$root/$2/target/quarkus-app/app/"*.jar \
    | sha256sum | cut -c1-12)
  archive=$dir/cds/$1-$key.jsa
  mkdir -p "$dir/cds"
  if [[ -s $archive ]]; then
    echo "-XX:SharedArchiveFile=$archive"
  else
    find "$dir/cds" -name "$1-*.jsa" -delete
    echo "-XX:ArchiveClassesAtExit=$archive"
  fi
}

java_service() { # part jar port system-properties...
  local part=$1 jar=$2 port=$3 extra=(); shift 3
  [[ -f $root/$jar/target/quarkus-app/quarkus-run.jar ]] || {
    echo "demo-stack: $jar is not built; run ./mvnw -B package -DskipTests" >&2; exit 1; }
  [[ -s $dir/opts/$part ]] && mapfile -t extra <"$dir/opts/$part"
  launch "$part" "$dir/logs/$part.log" "$java" -Xmx384m "-Dkafka.bootstrap.servers=$KAFKA_BOOTSTRAP" \
    -Dquarkus.http.port="$port" "$@" "${extra[@]}" -jar "$root/$jar/target/quarkus-app/quarkus-run.jar"
}

start_broker() { # kafka-N
  local part=$1 libs=$root/kafka-broker/target/kafka/libs voters="" broker rf isr
  [[ -d $libs ]] || { echo "demo-stack: the broker is not built; run ./mvnw -B package -DskipTests" >&2; exit 1; }
  for broker in "${BROKER_PARTS[@]}"; do
    voters+="${voters:+,}${broker#kafka-}@127.0.0.1:$(port_of "$broker" controller)"
  done
  rf=$(replication_factor) isr=$(min_insync_replicas)
  mkdir -p "$dir/$part"
  launch "$part" "$dir/logs/$part.log" env KAFKA_LIBS="$libs" \
    KAFKA_LOG4J_CONFIG="$root/kafka-broker/src/main/config/log4j2.properties" \
    KAFKA_CONFIG_FILE="$dir/$part/server.properties" KAFKA_LOG_DIRS="$dir/$part/data" \
    KAFKA_HEAP_OPTS="-Xmx512m" \
    KAFKA_NODE_ID="${part#kafka-}" KAFKA_PROCESS_ROLES=broker,controller \
    KAFKA_LISTENERS="PLAINTEXT://127.0.0.1:$(port_of "$part"),CONTROLLER://127.0.0.1:$(port_of "$part" controller)" \
    KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://127.0.0.1:$(port_of "$part")" \
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT \
    KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER \
    KAFKA_CONTROLLER_QUORUM_VOTERS="$voters" \
    KAFKA_AUTO_CREATE_TOPICS_ENABLE=false \
    KAFKA_DEFAULT_REPLICATION_FACTOR="$rf" KAFKA_MIN_INSYNC_REPLICAS="$isr" \
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="$rf" KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="$rf" \
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="$isr" KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 \
    KAFKA_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS=1000 \
    "$root/kafka-broker/src/main/sh/kafka-run.sh"
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
  local registry="127.0.0.1:$REGISTRY_PORT" arch n
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
    kafka-[1-9]*) start_broker "$part" ;;
    oidc-issuer)
      [[ -f $root/test-support/target/classes/io/imagefarm/testsupport/LocalOidcIssuer.class ]] || {
        echo "demo-stack: the local OIDC issuer is not built; run ./mvnw -B package -DskipTests" >&2; exit 1; }
      launch oidc-issuer "$dir/logs/oidc-issuer.log" "$java" -Xmx64m -cp "$root/test-support/target/classes" \
        io.imagefarm.testsupport.LocalOidcIssuer "$dir/oidc-issuer.url" "$OIDC_PORT"
      ;;
    hasher-[1-9]*)
      java_service "$part" hasher-service "$(port_of "$part")" \
        -Dimagefarm.hasher.registry="$registry" -Dimagefarm.hasher.allow-list=demo \
        -Dimagefarm.hasher.topics.replication-factor="$(replication_factor)" \
        -Dimagefarm.hasher.topics.min-insync-replicas="$(min_insync_replicas)" \
        -Dimagefarm.hasher.webhook.secret-file="$dir/webhook-secret" \
        -Dimagefarm.hasher.signing.key-file="$dir/signing/signing.key" \
        -Dimagefarm.hasher.instance-id="$part" \
        -Dimagefarm.hasher.revalidate-interval="${IMAGEFARM_STACK_REVALIDATE_INTERVAL:-PT10S}" \
        -Dquarkus.oidc.auth-server-url="http://127.0.0.1:$OIDC_PORT" \
        -Dimagefarm.hasher.api.anonymous-read=true \
        -Dimagefarm.hasher.source.allowed-url-patterns="https://github.com/{repository}.git,file://$dir/sources/**" \
        "${api_tokens[@]}"
      ;;
    worker-amd64-[1-9]* | worker-arm64-[1-9]*)
      n=${part##*-} arch=${part#worker-}
      arch=${arch%-*}
      java_service "$part" builder-worker "$(port_of "$part")" "$(cds_option "$part" builder-worker)" \
        -Xlog:cds=off,cds+dynamic=off -Dimagefarm.worker.arch="$arch" -Dimagefarm.worker.network-host=true \
        -Dimagefarm.worker.registry="$registry" \
        -Dimagefarm.worker.context.allowed-schemes=file,https \
        "-Dimagefarm.worker.context.allowed-url-patterns=https://github.com/{repository}.git,file://$dir/**" \
        -Dimagefarm.worker.work-dir="$dir/work-$arch-$n" -Dimagefarm.worker.min-free-disk-bytes=104857600 \
        -Dimagefarm.worker.instance-id="$part"
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

start_locked() { with_part_lock "$1" start_part "$1"; }

# Readiness: services answer /q/health/ready. Parts started at once share two cores: the more of them, the
# longer each may take (STACK_READY_SECONDS overrides).
await_part() { # part [parts started at once]
  local part=$1 log=$dir/logs/$1.log together=${2:-1} secs
  secs=${STACK_READY_SECONDS:-$((90 + 15 * (together > 4 ? together - 4 : 0)))}
  case $part in
    registry) wait_for registry "http://127.0.0.1:$REGISTRY_PORT/v2/" 20 "$log" ;;
    kafka-*) wait_for_kafka "127.0.0.1:$(port_of "$part")" 60 "$log" ;;
    oidc-issuer) wait_for oidc-issuer "http://127.0.0.1:$OIDC_PORT/.well-known/openid-configuration" 30 "$log" ;;
    *) wait_for "$part" "http://127.0.0.1:$(port_of "$part")/q/health/ready" "$secs" "$log" ;;
  esac
}

wait_for_kafka() { # bootstrap seconds log: the broker answers API versions requests
  local bootstrap=$1 secs=$2 log=$3 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if KAFKA_LIBS="$root/kafka-broker/target/kafka/libs" \
       KAFKA_LOG4J_CONFIG="$root/kafka-broker/src/main/config/log4j2.properties" \
       "$root/kafka-broker/src/main/sh/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" \
         >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  echo "demo-stack: kafka did not answer at $bootstrap within ${secs}s; last log lines of $log:" >&2
  tail -n 30 -- "$log" >&2 || true
  return 1
}

# ---- The supervisor ---------------------------------------------------------------------------------------

label() { alias_of "$1" || echo "$1"; } # how the supervisor's log names a part (the fault tests read it)

# Restarts a supervised part, unless it was stopped or restarted meanwhile (then its pid changed).
supervisor_restart() { # part pid reason
  local part=$1 pid=$2 reason=$3
  [[ $(pid_of "$part" 2>/dev/null) == "$pid" ]] || return 0
  echo "$(date -u +%FT%TZ) supervisor: restarting $(label "$part") (pid $pid): $reason"
  stop_part "$part" kill
  start_part "$part"
  echo "$(date -u +%FT%TZ) supervisor: restarted $(label "$part") (pid $(pid_of "$part"))"
}

supervise() {
  local interval=${SUPERVISE_INTERVAL:-2} limit=${SUPERVISE_FAILURES:-3} grace=${SUPERVISE_START_GRACE:-120}
  local part pid code started watching=""
  declare -A failures=() up=()
  trap 'exit 0' TERM INT
  while true; do
    # The farm may grow or shrink while the supervisor runs (a later start with other counts).
    load_farm
    load_ports
    if [[ ${SUPERVISED[*]} != "$watching" ]]; then
      watching=${SUPERVISED[*]}
      echo "$(date -u +%FT%TZ) supervisor: watching $watching every ${interval}s (restart after $limit failed checks)"
    fi
    for part in "${SUPERVISED[@]}"; do
      pid=$(pid_of "$part" 2>/dev/null) || { failures[$part]=0; continue; }
      if ! alive "$pid"; then
        with_part_lock "$part" supervisor_restart "$part" "$pid" "the process is gone"
        failures[$part]=0; continue
      fi
      code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$(port_of "$part")/q/health/live" \
        2>/dev/null) || true
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

# ---- The whole stack --------------------------------------------------------------------------------------

urls() { # part...: their base URLs, space-separated
  local part out=()
  for part in "$@"; do out+=("http://127.0.0.1:$(port_of "$part")"); done
  echo "${out[*]}"
}

write_env() {
  local amd64=() arm64=() part
  for part in "${WORKER_PARTS[@]}"; do
    if [[ $part == worker-amd64-* ]]; then amd64+=("$part"); else arm64+=("$part"); fi
  done
  cat >"$dir/stack.env.tmp" <<ENV
REGISTRY=127.0.0.1:$REGISTRY_PORT
BASE_IMAGE=127.0.0.1:$REGISTRY_PORT/imagefarm/base:busybox
KAFKA_BOOTSTRAP=$KAFKA_BOOTSTRAP
BROKERS="${BROKER_PARTS[*]}"
HASHER_URL=$(urls hasher-1)
HASHER_URLS="$(urls "${HASHER_PARTS[@]}")"
WORKER_AMD64_URL=$(urls worker-amd64-1)
WORKER_AMD64_URLS="$(urls "${amd64[@]}")"
WORKER_ARM64_URL=$(urls worker-arm64-1)
WORKER_ARM64_URLS="$(urls "${arm64[@]}")"
JANITOR_URL=http://127.0.0.1:$JANITOR_PORT
WEBHOOK_SECRET_FILE=$dir/webhook-secret
SIGNING_PUBLIC_KEY=$dir/signing/signing.pub
OIDC_ISSUER_URL=http://127.0.0.1:$OIDC_PORT
ADMIN_TOKEN_FILE=$dir/tokens/admin
CI_TOKEN_FILE=$dir/tokens/ci
LOG_DIR=$dir/logs
ENV
  mv "$dir/stack.env.tmp" "$dir/stack.env"
}

stop_surplus() { # replicas still running beyond lowered counts
  local file part
  for file in "$dir"/pids/hasher-* "$dir"/pids/worker-*; do
    part=${file##*/}
    [[ -f $file && ! -L $file && $part != *.lock ]] || continue
    [[ " ${PARTS[*]} " == *" $part "* ]] && continue
    with_part_lock "$part" stop_part "$part"
    echo "stopped $part (beyond the farm's count)"
  done
}

start_stack() { # start flags...
  configure_farm "$@"
  stop_surplus
  local part rest=()
  start_locked registry; await_part registry
  # Each broker waits for a quorum of controllers: all of them are started before any is awaited.
  for part in "${BROKER_PARTS[@]}"; do start_locked "$part"; done
  for part in "${BROKER_PARTS[@]}"; do await_part "$part"; done
  start_locked oidc-issuer; await_part oidc-issuer
  echo "registry        http://127.0.0.1:$REGISTRY_PORT"
  for part in "${BROKER_PARTS[@]}"; do
    printf '%-15s 127.0.0.1:%s (data in %s)\n' "$part" "$(port_of "$part")" "$dir/$part/data"
  done
  echo "oidc issuer     http://127.0.0.1:$OIDC_PORT (stands in for GitHub Actions')"
  push_base_image "127.0.0.1:$REGISTRY_PORT" "$dir"
  # hasher-1 creates the topics: no consumer may subscribe before they exist.
  start_locked hasher-1; await_part hasher-1
  rest=("${HASHER_PARTS[@]:1}" "${WORKER_PARTS[@]}" janitor)
  for part in "${rest[@]}"; do start_locked "$part"; done
  for part in "${rest[@]}"; do await_part "$part" "${#rest[@]}"; done
  running supervisor ||
    launch supervisor "$dir/logs/supervisor.log" "$root/scripts/demo-stack.sh" supervise "$dir"
  write_env
  for part in "${SUPERVISED[@]}"; do printf '%-15s http://127.0.0.1:%s\n' "$part" "$(port_of "$part")"; done
  echo "stack.env       $dir/stack.env"
}

stop_together() { # part...: stopped at once
  local part jobs=()
  for part in "$@"; do stop_part "$part" & jobs+=("$!"); done
  wait "${jobs[@]}"
}

# Every broker at once (TERM, 30 s grace, then KILL). A broker's shutdown needs a quorum of the controllers
# (every broker is one): one left without a quorum cannot finish it, so it gets KILL after 5 s, not its grace.
stop_brokers() {
  local part pid pids=() left i short=0 quorum=$((BROKERS / 2 + 1))
  for part in "${BROKER_PARTS[@]}"; do
    pid=$(pid_of "$part") || continue
    rm -f "$dir/pids/$part"
    kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  ((${#pids[@]})) || return 0
  for ((i = 0; i < 120; i++)); do
    left=0
    for pid in "${pids[@]}"; do if alive "$pid"; then left=$((left + 1)); fi; done
    ((left > 0)) || return 0
    if ((left < quorum)); then
      short=$((short + 1))
      if ((short > 20)); then break; fi
    fi
    sleep 0.25
  done
  for pid in "${pids[@]}"; do kill -KILL "-$pid" 2>/dev/null || true; done
  for ((i = 0; i < 40; i++)); do
    left=0
    for pid in "${pids[@]}"; do if alive "$pid"; then left=$((left + 1)); fi; done
    ((left > 0)) || return 0
    sleep 0.25
  done
}

# The services at once, then the brokers at once.
stop_stack() {
  local file part
  stop_part supervisor
  stop_together "${SUPERVISED[@]}"
  stop_part oidc-issuer
  stop_brokers
  stop_part registry
  # Whatever else still has a pid file (a replica of an earlier, larger farm).
  for file in "$dir"/pids/*; do
    part=${file##*/}
    [[ -f $file && ! -L $file && $part != *.lock ]] && stop_part "$part"
  done
  return 0
}

load_farm
link_aliases
case $cmd in
  start)
    if [[ -n ${3:-} && ${3:-} != -* ]]; then
      (($# == 3)) || usage
      part=$(canonical "$3")
      known_part "$part"; ensure_ports
      with_part_lock "$part" start_part "$part"; await_part "$part"; echo "started $part"
    else
      start_stack "${@:3}"
    fi
    ;;
  stop)
    if [[ -n ${3:-} ]]; then
      part=$(canonical "$3")
      known_part "$part"; with_part_lock "$part" stop_part "$part"; echo "stopped $part"
    else
      stop_stack
    fi
    ;;
  restart)
    [[ -n ${3:-} ]] || usage
    part=$(canonical "$3")
    known_part "$part"
    ensure_ports
    if (($# > 3)); then printf '%s\n' "${@:4}" >"$dir/opts/$part"; else rm -f "$dir/opts/$part"; fi
    with_part_lock "$part" stop_part "$part"
    with_part_lock "$part" start_part "$part"
    await_part "$part"
    echo "restarted $part"
    ;;
  kill)
    [[ -n ${3:-} ]] || usage
    part=$(canonical "$3")
    known_part "$part"
    kill_part "$part"
    ;;
  supervise)
    ensure_ports
    supervise
    ;;
  status)
    for part in "${PARTS[@]}" supervisor; do
      if running "$part"; then
        echo "$part running (pid $(pid_of "$part"))"
      elif pid=$(pid_of "$part"); then
        echo "$part stopped (pid $pid is gone: killed or crashed, not stopped through this script)"
      else
        echo "$part stopped"
      fi
    done
    ;;
  *) usage ;;
esac
