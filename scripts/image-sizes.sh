#!/usr/bin/env bash
# image-sizes.sh OUT_FILE - the three service images' compressed sizes beside their goals (issue 21:
# a new worker pod pulls its image before it can start, so its size is scale-out latency).
#
# Compressed size is what a registry stores and a node pulls: each image is pushed to a throwaway
# registry on loopback (the stack's registry image, storage on tmpfs) and its manifest's config and
# layer sizes are summed. The unpacked size (`docker history`) is printed for reference.
# Images missing locally are built with scripts/build-images.sh first. MB = 1,000,000 bytes.
#
# Writes a markdown section to OUT_FILE (and prints it). Exit status: 0 every goal met, 3 one or more
# missed, 1 nothing measured (no engine, build or push failed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=${1:?usage: image-sizes.sh OUT_FILE}
cd "$root"
# shellcheck source=lib/stack-common.sh
source scripts/lib/stack-common.sh

version=${IMAGEFARM_VERSION:-0.1.0-SNAPSHOT}
# image goal-in-MB, as issue 21 sets them
goals=("imagefarm/builder-worker:$version 250" "imagefarm/hasher-service:$version 150"
       "imagefarm/cache-janitor:$version 150")

fail() { echo "image-sizes: $*" >&2; exit 1; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000000 }'; }

docker info >/dev/null 2>&1 || fail "no Docker Engine answers"
for g in "${goals[@]}"; do
  if ! docker image inspect "${g% *}" >/dev/null 2>&1; then
    echo "image-sizes: ${g% *} missing, building the images (scripts/build-images.sh)" >&2
    scripts/build-images.sh >&2 || fail "scripts/build-images.sh failed"
    break
  fi
done

# The stack's registry image: the one build-images.sh named, else the local or the public one.
registry_image=
for candidate in "$(sed -n 's/^IMAGEFARM_REGISTRY_IMAGE=//p' target/images.env 2>/dev/null || true)" \
    imagefarm-local/registry:2 registry:2; do
  if [[ -n $candidate ]] && docker image inspect "$candidate" >/dev/null 2>&1; then registry_image=$candidate; break; fi
done
[[ -n $registry_image ]] || fail "no registry image (scripts/build-images.sh builds or names it)"
port=$(free_port)
registry=127.0.0.1:$port
container=$(docker run -d --rm --network host --tmpfs /var/lib/registry \
  -e REGISTRY_HTTP_ADDR="$registry" "$registry_image") || fail "could not start $registry_image"
pushed=()
cleanup() {
  docker rm -f "$container" >/dev/null 2>&1 || true
  if ((${#pushed[@]})); then docker rmi "${pushed[@]}" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
wait_for "throwaway registry" "http://$registry/v2/" 30 /dev/null || fail "the registry at $registry did not answer"

accept='application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json'
accept+=',application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json'
manifest() { # repository reference
  curl -fsS -H "Accept: $accept" "http://$registry/v2/$1/manifests/$2"
}

rows=() missed=0
for g in "${goals[@]}"; do
  image=${g% *} goal=${g##* }
  repo=sizes/${image%%:*}; repo=${repo/imagefarm\//}
  ref=$registry/$repo:measure
  docker tag "$image" "$ref"
  pushed+=("$ref")
  docker push -q "$ref" >/dev/null 2>&1 || fail "pushing $image to the throwaway registry failed"
  m=$(manifest "$repo" measure) || fail "no manifest for $ref"
  if jq -e '.manifests' >/dev/null <<<"$m"; then # an index (the engine may push one): the amd64 image's
    digest=$(jq -r '[.manifests[] | select(.platform.os == "linux" and .platform.architecture == "amd64")][0].digest' \
      <<<"$m")
    [[ $digest != null ]] || fail "$ref is an index without a linux/amd64 image"
    m=$(manifest "$repo" "$digest") || fail "no manifest $digest for $ref"
  fi
  compressed=$(jq '.config.size + ([.layers[].size] | add)' <<<"$m")
  layers=$(jq '.layers | length' <<<"$m")
  # The layers unpacked (`docker images` with the containerd store adds the compressed blobs to it).
  uncompressed=$(docker history -H=false --format '{{.Size}}' "$image" | awk '{ s += $1 } END { print s }')
  met=yes
  if ((compressed > goal * 1000000)); then met=no; missed=1; fi
  rows+=("| \`$image\` | $(mb "$compressed") MB | ≤ $goal MB | $met | $(mb "$uncompressed") MB | $layers |")
done

{
  echo "## Image sizes"
  echo
  echo "Compressed: the bytes a registry stores and a node pulls (config and layers as pushed, gzip);"
  echo "uncompressed: the layers unpacked (\`docker history\`). MB = 1,000,000 bytes."
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) by \`scripts/image-sizes.sh\`."
  echo
  echo "| Image | Compressed | Goal | Met | Uncompressed | Layers |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >"$out"
cat "$out"
((missed == 0)) || exit 3
