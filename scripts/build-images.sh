#!/usr/bin/env bash
# build-images.sh [--local-bases auto|yes|no] - the deployment's images, built from this checkout:
#
#   imagefarm/hasher-service, imagefarm/builder-worker, imagefarm/cache-janitor   (tag IMAGEFARM_VERSION)
#   imagefarm/kafka:4.1.2      Apache Kafka from its Maven artifacts (kafka-broker module), where
#                              apache/kafka:4.1.2 cannot be pulled
#   imagefarm/haproxy:2.6      HAProxy from Debian (deploy/haproxy): the hasher replicas' load
#                              balancer in the compose profile cluster
#
# Each Dockerfile takes its base images as build arguments, the public ones by default. Where no
# container registry can be reached (--local-bases auto probes Docker Hub; yes forces it), the bases
# are built here from the Debian mirror the machine's apt sources name, and kept (idempotent: a base
# that exists is not rebuilt; IMAGEFARM_REBUILD_BASES=1 rebuilds them):
#
#   imagefarm-local/debian:bookworm     debootstrap --variant=minbase, docs and locales stripped
#   imagefarm-local/jre:17              + openjdk-17-jre-headless, ca-certificates, curl (Kafka's
#                                       base and the stack's OIDC issuer)
#   imagefarm-local/docker-tools:26     + trixie's docker-cli and docker-buildx: the worker copies
#                                       the two binaries from it, nothing else
#   imagefarm-local/registry:2          Debian's docker-registry, laid out like registry:2
#
# The three services run on a small Java runtime in either case (scripts/image-sizes.sh measures them):
#
#   imagefarm-local/jre:17-jlink        a jlink runtime of only the modules they use
#                                       (deploy/local-images/jre-jlink), on the Debian base above or,
#                                       where Docker Hub answers, on debian:bookworm-slim
#
# The worker is that runtime plus the docker CLI and the buildx plugin, copied from docker-tools
# (or from docker:26.1.5-cli and docker/buildx-bin:0.13.1), without their packages' dependencies.
#
# Writes the image names to target/images.env (IMAGEFARM_*_IMAGE=...), which scripts/compose-stack.sh
# reads. Builds the project's packages first if they are missing. Every RUN uses the host network:
# the default bridge is off on a build host.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/debian-mirror.sh
source scripts/lib/debian-mirror.sh

mode=auto
while (($#)); do
  case $1 in
    --local-bases) mode=${2:?--local-bases auto|yes|no}; shift 2 ;;
    *) echo "usage: build-images.sh [--local-bases auto|yes|no]" >&2; exit 2 ;;
  esac
done
version=${IMAGEFARM_VERSION:-0.1.0-SNAPSHOT}
log_dir=$root/target/build-images
mkdir -p "$log_dir"

say() { printf '%-28s %s\n' "$1" "$2"; }
fail() { echo "build-images: $*" >&2; exit 1; }

build() { # name log-name docker-buildx-args...: one image, its output in target/build-images/<log>.log
  local name=$1 log=$log_dir/$2.log start=$SECONDS attempt; shift 2
  for attempt in 1 2 3; do
    if docker buildx build --network host --provenance=false --load -t "$name" "$@" >"$log" 2>&1; then
      say "$name" "built in $((SECONDS - start))s"
      return 0
    fi
    # The containerd image store sometimes loses a layer's parent snapshot while unpacking the
    # result (moby/buildkit#6521); the build itself is fine and a second export succeeds.
    grep -q 'failed to prepare extraction snapshot' "$log" || break
    say "$name" "unpack failed on a missing parent snapshot (attempt $attempt), building again"
  done
  tail -n 30 "$log" >&2
  fail "building $name failed (full log: $log)"
}

exists() { docker image inspect "$1" >/dev/null 2>&1; }
keep() { # name: true when an existing base image is kept
  if [[ ${IMAGEFARM_REBUILD_BASES:-0} != 1 ]] && exists "$1"; then say "$1" "present, kept"; return 0; fi
  return 1
}

registry_reachable() { # Docker Hub answers its API root (401 without a token) within a few seconds
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 https://registry-1.docker.io/v2/ 2>/dev/null) || true
  [[ $code == 401 || $code == 200 ]]
}

debian_base() { # imagefarm-local/debian:bookworm from debootstrap
  local name=imagefarm-local/debian:bookworm mirror rootfs
  keep "$name" && return 0
  command -v debootstrap >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends debootstrap >"$log_dir/apt.log" 2>&1 \
      || { tail -n 20 "$log_dir/apt.log" >&2; fail "could not install debootstrap (log: $log_dir/apt.log)"; }
  }
  mirror=$(debian_mirror bookworm) || fail "no Debian mirror for bookworm in the machine's apt sources"
  rootfs=$(mktemp -d /var/tmp/imagefarm-rootfs.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$rootfs'" RETURN
  local start=$SECONDS
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$log_dir/debootstrap.log" 2>&1 \
    || { tail -n 20 "$log_dir/debootstrap.log" >&2
         fail "debootstrap from $mirror failed (log: $log_dir/debootstrap.log)"; }
  # Smaller image; the empty man1..8 folders stay, or update-alternatives fails in JRE postinst.
  rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/info/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  find "$rootfs/usr/share/man" -mindepth 1 -type f -delete 2>/dev/null || true
  mkdir -p "$rootfs"/usr/share/man/man{1,2,3,4,5,6,7,8}
  printf 'deb %s bookworm main\n' "$mirror" >"$rootfs/etc/apt/sources.list"
  tar -C "$rootfs" --numeric-owner -c . | docker import --change 'CMD ["bash"]' - "$name" >/dev/null
  say "$name" "imported from debootstrap ($mirror) in $((SECONDS - start))s"
}

jlink_jre() { # debian-image: the services' runtime, imagefarm-local/jre:17-jlink
  local sum label
  # Labelled with its Dockerfile's digest: one built from another module list is rebuilt, not kept.
  sum=$(sha256sum deploy/local-images/jre-jlink/Dockerfile | cut -c1-16)
  label=$(docker image inspect -f '{{index .Config.Labels "imagefarm.dockerfile"}}' "$service_jre" 2>/dev/null || true)
  [[ $label == "$sum" ]] && keep "$service_jre" && return 0
  build "$service_jre" jre-jlink --label imagefarm.dockerfile="$sum" --build-arg DEBIAN_IMAGE="$1" \
    deploy/local-images/jre-jlink
}

local_bases() {
  debian_base
  keep imagefarm-local/jre:17 || build imagefarm-local/jre:17 jre \
    --build-arg DEBIAN_IMAGE=imagefarm-local/debian:bookworm deploy/local-images/jre
  jlink_jre imagefarm-local/debian:bookworm
  keep imagefarm-local/docker-tools:26 || build imagefarm-local/docker-tools:26 docker-tools \
    --build-arg JRE_IMAGE=imagefarm-local/jre:17 --build-arg DEBIAN_MIRROR="$(debian_mirror bookworm)" \
    deploy/local-images/docker-tools
  keep imagefarm-local/registry:2 || build imagefarm-local/registry:2 registry \
    --build-arg DEBIAN_IMAGE=imagefarm-local/debian:bookworm deploy/local-images/registry
}

case $mode in
  yes) local=1 ;;
  no) local=0 ;;
  auto) if registry_reachable; then local=0; else local=1; fi ;;
  *) fail "--local-bases takes auto, yes or no, not '$mode'" ;;
esac

# The packages the images copy (target/quarkus-app, target/kafka/libs).
missing=()
for m in hasher-service builder-worker cache-janitor; do
  [[ -f $m/target/quarkus-app/quarkus-run.jar ]] || missing+=("$m")
done
[[ -d kafka-broker/target/kafka/libs ]] || missing+=(kafka-broker)
if ((${#missing[@]})); then
  say "packages" "building ${missing[*]}"
  ./mvnw -B -q package -DskipTests -pl "$(IFS=,; echo "${missing[*]}")" -am
fi

# jre: Kafka's and the OIDC issuer's (a full JRE); service_jre: the three services' (jlink).
jre=eclipse-temurin:17.0.15_6-jre docker_cli=docker:26.1.5-cli buildx=docker/buildx-bin:0.13.1 registry=registry:2
debian=debian:bookworm service_jre=imagefarm-local/jre:17-jlink
if ((local)); then
  say "base images" "built locally (no container registry reachable)"
  local_bases
  jre=imagefarm-local/jre:17 registry=imagefarm-local/registry:2 debian=imagefarm-local/debian:bookworm
  docker_cli=imagefarm-local/docker-tools:26 buildx=imagefarm-local/docker-tools:26
else
  say "base images" "public ($jre, $docker_cli, $buildx, $registry)"
  jlink_jre debian:bookworm-slim
fi

kafka=apache/kafka:4.1.2
if ((local)); then
  kafka=imagefarm/kafka:4.1.2
  build "$kafka" kafka --build-arg JRE_IMAGE="$jre" -f kafka-broker/src/main/docker/Dockerfile kafka-broker
fi
for m in hasher-service cache-janitor; do
  build "imagefarm/$m:$version" "$m" --build-arg JRE_IMAGE="$service_jre" -f "$m/src/main/docker/Dockerfile.jvm" "$m"
done
build "imagefarm/builder-worker:$version" builder-worker --build-arg JRE_IMAGE="$service_jre" \
  --build-arg DOCKER_CLI_IMAGE="$docker_cli" --build-arg BUILDX_IMAGE="$buildx" \
  -f builder-worker/src/main/docker/Dockerfile.jvm builder-worker
haproxy=imagefarm/haproxy:2.6
build "$haproxy" haproxy --build-arg DEBIAN_IMAGE="$debian" deploy/haproxy

cat >"$root/target/images.env" <<ENV
IMAGEFARM_VERSION=$version
IMAGEFARM_KAFKA_IMAGE=$kafka
IMAGEFARM_REGISTRY_IMAGE=$registry
IMAGEFARM_JRE_IMAGE=$jre
IMAGEFARM_HAPROXY_IMAGE=$haproxy
ENV
say "done" "image names in target/images.env"
