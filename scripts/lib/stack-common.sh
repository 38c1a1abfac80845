#!/usr/bin/env bash
# Sourced by scripts/demo-stack.sh (processes) and scripts/compose-stack.sh (containers): what both
# stacks do the same way.

free_port() { # [taken]: a loopback port nobody listens on and not in the space-separated list taken
  local p taken=${1:- } low=32768
  # Below the kernel's ephemeral range: a port from it may be taken as the source port of any outgoing
  # connection between choosing it and binding it (a broker failed to start that way).
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  ((low > 21000)) || low=32768
  while :; do
    p=$(shuf -i "20000-$((low - 1))" -n 1)
    [[ $taken == *" $p "* ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# Ports are chosen once per stack folder and kept in FILE (NAME=port lines), so a part restarted
# later comes back where it was. A NAME the file does not have yet (a part added to the stack since)
# gets a port of its own, appended; the others are left as they are.
ensure_ports_file() { # file name...
  local file=$1 n p taken=" " missing=(); shift
  declare -A have=()
  if [[ -f $file ]]; then
    while IFS='=' read -r n p; do
      [[ -n $n ]] || continue
      have[$n]=1; taken+="$p "
    done <"$file"
  fi
  for n in "$@"; do [[ -n ${have[$n]:-} ]] || missing+=("$n"); done
  ((${#missing[@]})) || return 0
  if [[ -f $file ]]; then cp "$file" "$file.tmp"; else : >"$file.tmp"; fi
  for n in "${missing[@]}"; do
    p=$(free_port "$taken"); taken+="$p "
    echo "$n=$p" >>"$file.tmp"
  done
  mv "$file.tmp" "$file"
}

wait_for() { # what url seconds log: the URL answers 2xx
  local what=$1 url=$2 secs=$3 log=$4 i
  for ((i = 0; i < secs * 4; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.25
  done
  echo "stack: $what did not become ready at $url within ${secs}s; last log lines of $log:" >&2
  tail -n 30 -- "$log" >&2 || true
  return 1
}

# The multi-arch base image the sample repositories build FROM (no public image can be pulled here):
# static busybox for amd64 and arm64 (scripts/setup-build-host.sh), pushed once per registry.
push_base_image() { # registry-host:port work-dir
  local registry=$1 work=$2 base="$1/imagefarm/base:busybox" ctx="$2/base-context"
  if curl -fsS -o /dev/null -I -H 'Accept: application/vnd.oci.image.index.v1+json' \
       "http://$registry/v2/imagefarm/base/manifests/busybox" 2>/dev/null; then
    echo "base image      $base (present)"
    return 0
  fi
  mkdir -p "$ctx/amd64" "$ctx/arm64" "$work/logs"
  cp /var/cache/imagefarm/busybox/amd64/busybox "$ctx/amd64/busybox"
  cp /var/cache/imagefarm/busybox/arm64/busybox "$ctx/arm64/busybox"
  # shellcheck disable=SC2016 # ${TARGETARCH} is the Dockerfile's, not the shell's
  printf '%s\n' 'FROM scratch' 'ARG TARGETARCH' 'COPY ${TARGETARCH}/busybox /bin/busybox' \
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]' 'ENV PATH=/bin' >"$ctx/Dockerfile"
  docker buildx build --network host --provenance=false --platform linux/amd64,linux/arm64 -t "$base" --push "$ctx" \
    >"$work/logs/base-image.log" 2>&1 || {
    echo "stack: base image build failed" >&2; tail -n 30 "$work/logs/base-image.log" >&2; return 1; }
  echo "base image      $base (linux/amd64, linux/arm64)"
}

# Static API tokens of a stack (made once): DIR/admin and DIR/ci hold the tokens, DIR/*.sha256 the
# digests, which are all the services get.
ensure_api_tokens() { # dir
  local dir=$1 name
  mkdir -p "$dir"
  for name in admin ci; do
    if [[ ! -s $dir/$name ]]; then
      (umask 077
       printf 'ifarm_%s_%s' "$name" "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$dir/$name"
       printf '%s' "$(cat "$dir/$name")" | sha256sum | cut -d' ' -f1 >"$dir/$name.sha256")
    fi
  done
}
