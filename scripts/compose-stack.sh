#!/usr/bin/env bash
# compose-stack.sh up|down|logs DIR [--profile cluster] - the deployment itself: docker-compose.yml
# with this host's override (docker-compose.local.yml), from the images scripts/build-images.sh
# built. The same services as the embedded stack (scripts/demo-stack.sh), in containers.
#
#   up DIR     chooses loopback ports (kept in DIR/ports.env), writes secrets to DIR/secrets and the
#              env file DIR/compose.env, runs `docker compose up -d --pull never --no-build --wait`,
#              pushes the multi-arch busybox base image to the stack's registry and writes
#              DIR/stack.env (the same keys as the embedded stack's)
#   down DIR   saves every container's log to DIR/logs/compose.log, then `down -v` (volumes too)
#   logs DIR   prints the containers' logs
#
#   --profile cluster   (up) the farm: brokers kafka-1..3, hashers hasher-1..2 behind hasher-lb
#                       (HAProxy) at HASHER_URL, in place of the single broker and hasher (scaled
#                       to 0). Kept in DIR/profile, so down and logs cover the same services.
#                       stack.env adds HASHER_URLS (each replica); KAFKA_BOOTSTRAP lists the three.
#
# Sample repositories go in DIR/sources (mounted read-only into the hasher and the workers).
# Environment: IMAGEFARM_JANITOR_CRON (default off), IMAGEFARM_JANITOR_KEEP_HASHES (default 1),
# IMAGEFARM_ALLOW_LIST (default demo), IMAGEFARM_JANITOR_REPOSITORY (default demo/sample).
set -euo pipefail

usage() { echo "usage: compose-stack.sh up|down|logs DIR [--profile cluster]" >&2; exit 2; }
cmd=${1:-}
dir=${2:-}
[[ -n $cmd && -n $dir ]] || usage
shift 2
profile=
while (($#)); do
  case $1 in
    --profile) [[ ${2:-} == cluster && $cmd == up ]] || usage; profile=cluster; shift 2 ;;
    *) usage ;;
  esac
done
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$dir/logs" "$dir/sources"
dir="$(cd "$dir" && pwd)"
if [[ $cmd == up ]]; then
  printf '%s\n' "$profile" >"$dir/profile"
else
  profile=$(cat "$dir/profile" 2>/dev/null || true)
fi
# shellcheck source=lib/stack-common.sh
source "$root/scripts/lib/stack-common.sh"

# One compose project per stack folder, so two folders never share containers or volumes.
project="imagefarm-$(printf '%s' "$dir" | sha256sum | cut -c1-10)"
compose() {
  docker compose -p "$project" --project-directory "$root" --env-file "$dir/compose.env" \
    -f "$root/docker-compose.yml" -f "$root/docker-compose.local.yml" --profile local-registry \
    ${profile:+--profile "$profile"} "$@"
}

prepare() {
  [[ -f $root/target/images.env ]] \
    || { echo "compose-stack: no target/images.env; run scripts/build-images.sh first" >&2; exit 1; }
  # The cluster's ports too, profile or not: the override names them all, for every service.
  ensure_ports_file "$dir/ports.env" KAFKA_PORT KAFKA_CONTROLLER_PORT REGISTRY_PORT OIDC_PORT HASHER_PORT \
    WORKER_AMD64_PORT WORKER_ARM64_PORT JANITOR_PORT \
    KAFKA_1_PORT KAFKA_1_CONTROLLER_PORT KAFKA_2_PORT KAFKA_2_CONTROLLER_PORT KAFKA_3_PORT KAFKA_3_CONTROLLER_PORT \
    HASHER_1_PORT HASHER_2_PORT
  # shellcheck disable=SC1091
  source "$dir/ports.env"
  bootstrap=127.0.0.1:$KAFKA_PORT
  [[ $profile == cluster ]] && bootstrap=127.0.0.1:$KAFKA_1_PORT,127.0.0.1:$KAFKA_2_PORT,127.0.0.1:$KAFKA_3_PORT
  # Compose bind-mounts file secrets as they are: the hasher (uid 1001) must be able to read them.
  mkdir -p "$dir/secrets"
  [[ -s $dir/secrets/webhook_secret ]] \
    || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/secrets/webhook_secret"
  touch "$dir/secrets/registry_password" "$dir/secrets/github_token"
  if [[ ! -s $dir/secrets/signing_key ]]; then # the image signing key pair, made once
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/secrets/signing_key" 2>/dev/null
    openssl pkey -in "$dir/secrets/signing_key" -pubout -out "$dir/signing.pub"
  fi
  ensure_api_tokens "$dir/tokens"
  cp "$dir/tokens/admin.sha256" "$dir/secrets/admin_token_sha256"
  cp "$dir/tokens/ci.sha256" "$dir/secrets/ci_token_sha256"
  chown 1001:1001 "$dir/secrets"/* && chmod 400 "$dir/secrets"/*
  chmod 755 "$dir" "$dir/sources"
  local registry=127.0.0.1:$REGISTRY_PORT
  {
    cat "$root/target/images.env"
    cat <<ENV
IMAGEFARM_KAFKA_PORT=$KAFKA_PORT
IMAGEFARM_KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT
IMAGEFARM_KAFKA_1_PORT=$KAFKA_1_PORT
IMAGEFARM_KAFKA_1_CONTROLLER_PORT=$KAFKA_1_CONTROLLER_PORT
IMAGEFARM_KAFKA_2_PORT=$KAFKA_2_PORT
IMAGEFARM_KAFKA_2_CONTROLLER_PORT=$KAFKA_2_CONTROLLER_PORT
IMAGEFARM_KAFKA_3_PORT=$KAFKA_3_PORT
IMAGEFARM_KAFKA_3_CONTROLLER_PORT=$KAFKA_3_CONTROLLER_PORT
IMAGEFARM_KAFKA_BOOTSTRAP=$bootstrap
IMAGEFARM_OIDC_PORT=$OIDC_PORT
IMAGEFARM_TEST_SUPPORT_CLASSES=$root/test-support/target/classes
IMAGEFARM_REGISTRY_PORT=$REGISTRY_PORT
IMAGEFARM_HASHER_PORT=$HASHER_PORT
IMAGEFARM_HASHER_1_PORT=$HASHER_1_PORT
IMAGEFARM_HASHER_2_PORT=$HASHER_2_PORT
IMAGEFARM_WORKER_AMD64_PORT=$WORKER_AMD64_PORT
IMAGEFARM_WORKER_ARM64_PORT=$WORKER_ARM64_PORT
IMAGEFARM_JANITOR_PORT=$JANITOR_PORT
IMAGEFARM_SOURCES_DIR=$dir/sources
IMAGEFARM_SECRETS_DIR=$dir/secrets
IMAGEFARM_REGISTRY=$registry
IMAGEFARM_ALLOW_LIST=${IMAGEFARM_ALLOW_LIST:-demo}
IMAGEFARM_JANITOR_IMAGE=$registry/${IMAGEFARM_JANITOR_REPOSITORY:-demo/sample}
IMAGEFARM_JANITOR_BACKEND=oci
IMAGEFARM_JANITOR_CRON=${IMAGEFARM_JANITOR_CRON:-off}
IMAGEFARM_JANITOR_KEEP_HASHES=${IMAGEFARM_JANITOR_KEEP_HASHES:-1}
IMAGEFARM_JANITOR_KEEP_USED_DAYS=0
IMAGEFARM_JANITOR_GRACE_PERIOD=PT0S
IMAGEFARM_JANITOR_MAX_DELETION_FRACTION=1.0
ENV
  } >"$dir/compose.env"
}

up() {
  prepare
  local start=$SECONDS wait=240 scale=() urls="http://127.0.0.1:$HASHER_PORT"
  if [[ $profile == cluster ]]; then
    # A profile only adds services: the single broker and hasher are left out by scaling them to 0.
    # Eight JVMs start at once here, hence the longer wait.
    wait=480 scale=(--scale kafka=0 --scale hasher-service=0)
    urls="http://127.0.0.1:$HASHER_1_PORT http://127.0.0.1:$HASHER_2_PORT"
  fi
  if ! compose up -d --pull never --no-build --wait --wait-timeout "$wait" "${scale[@]}" \
      >"$dir/logs/compose-up.log" 2>&1; then
    cat "$dir/logs/compose-up.log" >&2
    compose ps -a >&2 || true
    compose logs --no-color --tail 15 >&2 || true
    echo "compose-stack: the stack did not become healthy (project $project)" >&2
    exit 1
  fi
  echo "compose stack   $project${profile:+ (profile $profile)} up and healthy in $((SECONDS - start))s"
  push_base_image "127.0.0.1:$REGISTRY_PORT" "$dir"
  cat >"$dir/stack.env" <<ENV
REGISTRY=127.0.0.1:$REGISTRY_PORT
BASE_IMAGE=127.0.0.1:$REGISTRY_PORT/imagefarm/base:busybox
KAFKA_BOOTSTRAP=$bootstrap
HASHER_URL=http://127.0.0.1:$HASHER_PORT
HASHER_URLS="$urls"
WORKER_AMD64_URL=http://127.0.0.1:$WORKER_AMD64_PORT
WORKER_ARM64_URL=http://127.0.0.1:$WORKER_ARM64_PORT
JANITOR_URL=http://127.0.0.1:$JANITOR_PORT
WEBHOOK_SECRET_FILE=$dir/secrets/webhook_secret
SIGNING_PUBLIC_KEY=$dir/signing.pub
OIDC_ISSUER_URL=http://127.0.0.1:$OIDC_PORT
ADMIN_TOKEN_FILE=$dir/tokens/admin
CI_TOKEN_FILE=$dir/tokens/ci
SOURCES_DIR=$dir/sources
LOG_DIR=$dir/logs
COMPOSE_PROJECT=$project
ENV
  compose ps --format '{{.Service}}\t{{.Status}}' | sed 's/^/   /'
}

down() {
  [[ -f $dir/compose.env ]] || return 0
  compose logs --no-color --timestamps >"$dir/logs/compose.log" 2>&1 || true
  compose down -v --remove-orphans --timeout 20 >"$dir/logs/compose-down.log" 2>&1 \
    || { cat "$dir/logs/compose-down.log" >&2; exit 1; }
  echo "compose stack   $project down (containers and volumes removed; logs in $dir/logs/compose.log)"
}

case $cmd in
  up) up ;;
  down) down ;;
  logs) compose logs --no-color ;;
  *) usage ;;
esac
