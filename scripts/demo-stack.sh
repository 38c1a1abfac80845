#!/usr/bin/env bash
# demo-stack.sh start|stop DIR - the embedded default stack, each part its own process on loopback:
# Apache Kafka 4.1.2 (KRaft, its own JVM, from the Maven artifacts), the local registry (CNCF
# distribution) with the multi-arch busybox base image, the hasher-service, one amd64 and one arm64
# builder-worker (arm64 under QEMU) and the cache-janitor. Logs in DIR/logs. `start` writes DIR/stack.env.
# Used by ./demo.sh and by the end-to-end test; expects the project built (./mvnw package).
set -euo pipefail

cmd=${1:?usage: demo-stack.sh start|stop DIR}
dir=${2:?usage: demo-stack.sh start|stop DIR}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$dir/logs"
dir="$(cd "$dir" && pwd)"
pids="$dir/pids"

free_port() { # a loopback port nobody listens on (bash only: no python needed)
  local p
  while :; do
    p=$(shuf -i 20000-60999 -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

wait_for() { # what url seconds log
  local what=$1 url=$2 secs=$3 log=$4 i
  for ((i = 0; i < secs * 4; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.25
  done
  echo "demo-stack: $what did not become ready at $url within ${secs}s; last log lines of $log:" >&2
  tail -n 30 -- "$log" >&2 || true
  return 1
}

launch() { # name log command...
  local name=$1 log=$2; shift 2
  setsid "$@" >"$log" 2>&1 < /dev/null &
  echo "$! $name" >>"$pids"
}

stop_stack() {
  [[ -f $pids ]] || return 0
  local pid name
  while read -r pid name; do kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done <"$pids"
  for _ in $(seq 1 60); do
    local alive=0
    while read -r pid name; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$pids"
    ((alive)) || break
    sleep 0.5
  done
  while read -r pid name; do kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done <"$pids"
  rm -f "$pids"
}

start_stack() {
  [[ -f $pids ]] && stop_stack
  for jar in hasher-service builder-worker cache-janitor; do
    [[ -f $root/$jar/target/quarkus-app/quarkus-run.jar ]] || { echo "demo-stack: $jar is not built; run ./mvnw -B package -DskipTests" >&2; exit 1; }
  done
  local java=${JAVA:-java}
  local reg_port hasher_port amd_port arm_port janitor_port secret
  reg_port=$(free_port); hasher_port=$(free_port); amd_port=$(free_port); arm_port=$(free_port); janitor_port=$(free_port)
  secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  local registry="127.0.0.1:$reg_port"

  # registry
  mkdir -p "$dir/registry"
  cat >"$dir/registry/config.yml" <<YAML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $dir/registry/data}, delete: {enabled: true}}
http: {addr: $registry}
YAML
  launch registry "$dir/logs/registry.log" /usr/bin/docker-registry serve "$dir/registry/config.yml"
  wait_for registry "http://$registry/v2/" 20 "$dir/logs/registry.log"
  echo "registry        http://$registry"

  # kafka, in its own JVM
  if [[ ! -f $dir/kafka.classpath || $root/test-support/pom.xml -nt $dir/kafka.classpath ]]; then
    (cd "$root" && ./mvnw -B -q -pl test-support dependency:build-classpath -Dmdep.outputFile="$dir/kafka.classpath" >/dev/null)
  fi
  rm -f "$dir/kafka.bootstrap"
  launch kafka "$dir/logs/kafka.log" "$java" -Xmx512m -cp "$root/test-support/target/classes:$(cat "$dir/kafka.classpath")" \
    io.imagefarm.testsupport.StandaloneKafka "$dir/kafka.bootstrap"
  for _ in $(seq 1 240); do [[ -s $dir/kafka.bootstrap ]] && break; sleep 0.25; done
  [[ -s $dir/kafka.bootstrap ]] || { echo "demo-stack: kafka did not start" >&2; tail -n 30 "$dir/logs/kafka.log" >&2; exit 1; }
  local bootstrap; bootstrap=$(cat "$dir/kafka.bootstrap")
  echo "kafka           $bootstrap"

  # the multi-arch base image (no public image can be pulled here)
  local base="$registry/imagefarm/base:busybox" ctx="$dir/base-context"
  mkdir -p "$ctx/amd64" "$ctx/arm64"
  cp /var/cache/imagefarm/busybox/amd64/busybox "$ctx/amd64/busybox"
  cp /var/cache/imagefarm/busybox/arm64/busybox "$ctx/arm64/busybox"
  printf 'FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}/busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nENV PATH=/bin\n' >"$ctx/Dockerfile"
  docker buildx build --network host --provenance=false --platform linux/amd64,linux/arm64 -t "$base" --push "$ctx" \
    >"$dir/logs/base-image.log" 2>&1 || { echo "demo-stack: base image build failed" >&2; tail -n 30 "$dir/logs/base-image.log" >&2; exit 1; }
  echo "base image      $base (linux/amd64, linux/arm64)"

  local common=(-Xmx384m "-Dkafka.bootstrap.servers=$bootstrap")
  printf '%s' "$secret" >"$dir/webhook-secret"; chmod 600 "$dir/webhook-secret"
  launch hasher "$dir/logs/hasher-service.log" "$java" "${common[@]}" -Dquarkus.http.port="$hasher_port" \
    -Dimagefarm.hasher.registry="$registry" -Dimagefarm.hasher.allow-list=demo \
    -Dimagefarm.hasher.topics.partitions=2 \
    -Dimagefarm.hasher.webhook.secret-file="$dir/webhook-secret" \
    -jar "$root/hasher-service/target/quarkus-app/quarkus-run.jar"
  for arch in amd64 arm64; do
    local port=$amd_port; [[ $arch == arm64 ]] && port=$arm_port
    launch "worker-$arch" "$dir/logs/builder-worker-$arch.log" "$java" "${common[@]}" -Dquarkus.http.port="$port" \
      -Dimagefarm.worker.arch="$arch" -Dimagefarm.worker.network-host=true \
      -Dimagefarm.worker.context.allowed-schemes=file,https \
      -Dimagefarm.worker.work-dir="$dir/work-$arch" -Dimagefarm.worker.min-free-disk-bytes=104857600 \
      -jar "$root/builder-worker/target/quarkus-app/quarkus-run.jar"
  done
  launch janitor "$dir/logs/cache-janitor.log" "$java" "${common[@]}" -Dquarkus.http.port="$janitor_port" \
    -Dimagefarm.janitor.schedule.cron=off \
    -Dimagefarm.janitor.repositories.demo.image="$registry/demo/sample" \
    -Dimagefarm.janitor.repositories.demo.keep-hashes=1 \
    -Dimagefarm.janitor.repositories.demo.keep-used-days=0 \
    -Dimagefarm.janitor.repositories.demo.grace-period=PT0S \
    -Dimagefarm.janitor.repositories.demo.max-deletion-fraction=1.0 \
    -jar "$root/cache-janitor/target/quarkus-app/quarkus-run.jar"

  wait_for hasher-service "http://127.0.0.1:$hasher_port/q/health/ready" 90 "$dir/logs/hasher-service.log"
  wait_for builder-worker-amd64 "http://127.0.0.1:$amd_port/q/health/ready" 90 "$dir/logs/builder-worker-amd64.log"
  wait_for builder-worker-arm64 "http://127.0.0.1:$arm_port/q/health/ready" 90 "$dir/logs/builder-worker-arm64.log"
  wait_for cache-janitor "http://127.0.0.1:$janitor_port/q/health/ready" 90 "$dir/logs/cache-janitor.log"

  cat >"$dir/stack.env" <<ENV
REGISTRY=$registry
BASE_IMAGE=$base
KAFKA_BOOTSTRAP=$bootstrap
HASHER_URL=http://127.0.0.1:$hasher_port
WORKER_AMD64_URL=http://127.0.0.1:$amd_port
WORKER_ARM64_URL=http://127.0.0.1:$arm_port
JANITOR_URL=http://127.0.0.1:$janitor_port
WEBHOOK_SECRET_FILE=$dir/webhook-secret
LOG_DIR=$dir/logs
ENV
  echo "hasher-service  http://127.0.0.1:$hasher_port"
  echo "worker amd64    http://127.0.0.1:$amd_port"
  echo "worker arm64    http://127.0.0.1:$arm_port"
  echo "cache-janitor   http://127.0.0.1:$janitor_port"
}

case $cmd in
  start) start_stack ;;
  stop) stop_stack ;;
  *) echo "usage: demo-stack.sh start|stop DIR" >&2; exit 2 ;;
esac
