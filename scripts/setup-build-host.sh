#!/usr/bin/env bash
# setup-build-host.sh - idempotent setup of an imagefarm build host (Debian bookworm, root, no systemd).
#
#   scripts/setup-build-host.sh               install/start everything, verify (fast when already done)
#   scripts/setup-build-host.sh --self-check  the above, then an end-to-end multi-arch build/push/cache check
#                                             (NOTE: runs `docker buildx prune -af`, i.e. clears the daemon's
#                                             build cache; IMAGEFARM_SELFCHECK_KEEP=1 keeps its temp dir with
#                                             build logs)
#
# What it sets up:
#   * Docker Engine 26.1.x + docker-cli + buildx 0.13.x (+ optional compose plugin) from Debian trixie,
#     installed on bookworm with bookworm's containerd/runc/tini. Trixie is reached through a PRIVATE apt
#     state under /var/cache/imagefarm/apt/, the machine's own apt sources are never modified.
#   * /etc/docker/daemon.json (containerd image store, no bridge, no iptables), containerd + dockerd started
#     in the background (logs in /var/log/imagefarm/).
#   * docker-registry (distribution 2.8) binary; no registry service is left running.
#   * qemu-user-static + binfmt-support, qemu-aarch64 binfmt handler enabled with the F flag.
#   * static busybox for amd64 and arm64 in /var/cache/imagefarm/busybox/<arch>/busybox.
#   * shellcheck, the scripts' lint (scripts/lint-scripts.sh), and jq, git, chromium etc. for the tests.
set -euo pipefail

CACHE_DIR=/var/cache/imagefarm
LOG_DIR=/var/log/imagefarm
APT_LOG=$LOG_DIR/setup-apt.log
BUSYBOX_DIR=$CACHE_DIR/busybox
DAEMON_JSON=/etc/docker/daemon.json
DAEMON_JSON_CONTENT='{"features":{"containerd-snapshotter":true},"bridge":"none","iptables":false,"ip-forward":false}'
CONTAINERD_SOCK=/run/containerd/containerd.sock
DOCKERD_PIDFILE=/var/run/docker.pid
TRIXIE_SUITE=trixie
# bookworm packages (system apt) the trixie docker debs run on, plus the rest of the toolset
# (chromium and its driver: the dashboard's browser tests, headless through Selenium; shellcheck: the
# scripts' lint, scripts/lint-scripts.sh)
BOOKWORM_PKGS=(containerd runc tini iptables adduser sysvinit-utils init-system-helpers libsystemd0
               docker-registry qemu-user-static binfmt-support file ca-certificates xz-utils
               jq yq git apache2-utils  # yq: Debian's tomlq, the seed's TOML lookups in SeedBashDifferentialIT
               chromium chromium-driver
               shellcheck)
DOCKER_ENGINE_RE='^26\.1\.'
DOCKER_BUILDX_RE='^0\.13\.'
READY_TIMEOUT=${IMAGEFARM_READY_TIMEOUT:-90}

export DEBIAN_FRONTEND=noninteractive
STEP=init

# ---------------------------------------------------------------------------------------------- helpers
say()  { printf '%-18s %s\n' "$1:" "$2"; }
warn() { printf '%-18s WARNING: %s\n' "$1:" "$2" >&2; }
die()  { printf '%-18s FAILED: %s\n' "$STEP:" "$*" >&2; exit 1; }
on_err() {
  local rc=$? line=$1
  printf '%-18s FAILED (exit %s at %s line %s)\n' "$STEP:" "$rc" "${BASH_SOURCE[0]}" "$line" >&2
  exit "$rc"
}
trap 'on_err $LINENO' ERR

# dpkg version of an installed package, empty if not installed
pkg_ver() {
  local out
  out=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$1" 2>/dev/null) || return 0
  [[ $out == installed\ * ]] && printf '%s' "${out#installed }"
  return 0
}

# run a command, output to the apt log; on failure show the log tail and die
logged() {
  printf '\n### %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$APT_LOG"
  if ! "$@" >>"$APT_LOG" 2>&1; then
    tail -n 25 "$APT_LOG" >&2
    die "command failed: $* (full log: $APT_LOG)"
  fi
}

SYSTEM_APT_UPDATED=0
apt_sys_update_once() {
  if [[ $SYSTEM_APT_UPDATED == 0 ]]; then
    logged apt-get -q update
    SYSTEM_APT_UPDATED=1
  fi
}
apt_sys_install() {
  apt_sys_update_once
  logged apt-get -q -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install "$@"
}

# debian_mirror CODENAME: the mirror the machine's own apt sources name (shared with build-images.sh)
# shellcheck source=lib/debian-mirror.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/debian-mirror.sh"

# private apt state: $CACHE_DIR/apt/<name>/{sources.sources,lists,cache}; machine's apt config is untouched
PAPT_OPTS=()
papt_setup() { # name suite arch...
  local name=$1 suite=$2; shift 2
  local d=$CACHE_DIR/apt/$name mirror a
  # shellcheck source=/dev/null # the machine's own file
  mirror=$(debian_mirror "$(. /etc/os-release && echo "$VERSION_CODENAME")")
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  printf '%s\n' 'Types: deb' "URIs: $mirror" "Suites: $suite" 'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >"$d/sources.sources"
  PAPT_OPTS=(-q "-oDir::Etc::SourceList=$d/sources.sources" -oDir::Etc::SourceParts=/dev/null
             "-oDir::State::Lists=$d/lists" "-oDir::Cache=$d/cache"
             -oDir::Etc::Preferences=/dev/null -oDir::Etc::PreferencesParts=/dev/null
             "-oAPT::Architecture=$1")
  for a in "$@"; do PAPT_OPTS+=("-oAPT::Architectures::=$a"); done
  logged apt-get "${PAPT_OPTS[@]}" update
  PAPT_MIRROR=$mirror PAPT_NAME=$name
}

# download packages by name with the private apt state into an emptied directory
papt_download() { # dir pkg...
  local dir=$1; shift
  mkdir -p "$dir"
  rm -f "$dir"/*.deb
  chown _apt "$dir" 2>/dev/null || true   # lets apt's sandbox user write the files (no "unsandboxed" warning)
  (cd "$dir" && logged apt-get "${PAPT_OPTS[@]}" download "$@")
}

docker_up() { timeout 10 docker info >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------- steps
step_preflight() {
  STEP=preflight
  [[ $(id -u) == 0 ]] || die "must run as root"
  [[ $(dpkg --print-architecture) == amd64 ]] || die "only amd64 build hosts are supported"
  mkdir -p "$LOG_DIR" "$CACHE_DIR"
}

step_bookworm_packages() {
  STEP="base packages"
  local missing=() p
  for p in "${BOOKWORM_PKGS[@]}"; do [[ -n $(pkg_ver "$p") ]] || missing+=("$p"); done
  if ((${#missing[@]})); then
    apt_sys_install "${BOOKWORM_PKGS[@]}"
    say "$STEP" "installed ${missing[*]}"
  else
    say "$STEP" "ok (containerd $(pkg_ver containerd), runc $(pkg_ver runc)," \
      "qemu-user-static $(pkg_ver qemu-user-static))"
  fi
}

step_docker_packages() {
  STEP="docker packages"
  local eng cli bx dir=$CACHE_DIR/debs/$TRIXIE_SUITE
  eng=$(pkg_ver docker.io); cli=$(pkg_ver docker-cli); bx=$(pkg_ver docker-buildx)
  if [[ $eng =~ $DOCKER_ENGINE_RE && $cli =~ $DOCKER_ENGINE_RE && $bx =~ $DOCKER_BUILDX_RE ]]; then
    say "$STEP" "ok (docker.io $eng, docker-buildx $bx)"
  else
    papt_setup "$TRIXIE_SUITE-amd64" "$TRIXIE_SUITE" amd64
    papt_download "$dir" docker.io docker-cli docker-buildx
    local f
    for f in "$dir"/docker.io_*.deb "$dir"/docker-cli_*.deb "$dir"/docker-buildx_*.deb; do
      [[ -f $f ]] || die "download from $PAPT_MIRROR $TRIXIE_SUITE produced no $f"
    done
    [[ $(dpkg-deb -f "$dir"/docker.io_*.deb Version) =~ $DOCKER_ENGINE_RE ]] \
      || die "$TRIXIE_SUITE docker.io is $(dpkg-deb -f "$dir"/docker.io_*.deb Version), want 26.1.x"
    [[ $(dpkg-deb -f "$dir"/docker-buildx_*.deb Version) =~ $DOCKER_BUILDX_RE ]] \
      || die "$TRIXIE_SUITE docker-buildx is $(dpkg-deb -f "$dir"/docker-buildx_*.deb Version), want 0.13.x"
    # daemon.json first, so that a daemon started by anything from here on has the right config
    write_daemon_json >/dev/null
    apt_sys_install "$dir"/docker.io_*.deb "$dir"/docker-cli_*.deb "$dir"/docker-buildx_*.deb
    eng=$(pkg_ver docker.io); bx=$(pkg_ver docker-buildx)
    [[ $eng =~ $DOCKER_ENGINE_RE && $bx =~ $DOCKER_BUILDX_RE ]] \
      || die "install did not leave docker.io 26.1.x / buildx 0.13.x"
    rm -f "$CACHE_DIR/compose-unavailable"
    say "$STEP" "installed from $PAPT_MIRROR $TRIXIE_SUITE (docker.io $eng, docker-buildx $bx)"
  fi

  # optional compose plugin, same way; a failure is only a warning (and is not retried on every run)
  STEP="docker compose"
  local cv
  cv=$(pkg_ver docker-compose)
  if [[ -n $cv && -x /usr/libexec/docker/cli-plugins/docker-compose ]]; then
    say "$STEP" "ok (docker-compose $cv, optional)"
  elif [[ -f $CACHE_DIR/compose-unavailable ]]; then
    warn "$STEP" "not installed (optional; earlier attempt failed, rm $CACHE_DIR/compose-unavailable to retry)"
  elif (
      [[ ${PAPT_NAME:-} == "$TRIXIE_SUITE-amd64" ]] || papt_setup "$TRIXIE_SUITE-amd64" "$TRIXIE_SUITE" amd64
      papt_download "$CACHE_DIR/debs/$TRIXIE_SUITE-compose" docker-compose
      apt_sys_install "$CACHE_DIR/debs/$TRIXIE_SUITE-compose"/docker-compose_*.deb
      [[ -x /usr/libexec/docker/cli-plugins/docker-compose ]]
    ) 2>/dev/null; then
    say "$STEP" "installed (docker-compose $(pkg_ver docker-compose), optional)"
  else
    : >"$CACHE_DIR/compose-unavailable"
    warn "$STEP" "could not be installed from $TRIXIE_SUITE (optional, continuing; see $APT_LOG)"
  fi
}

step_registry_pkg() {
  STEP="docker-registry"
  [[ -x /usr/bin/docker-registry ]] || die "/usr/bin/docker-registry missing (package docker-registry)"
  # the package may ship a service; it must never run here (tests start their own instances)
  if [[ -x /etc/init.d/docker-registry ]] && ls /etc/rc[2345].d/S*docker-registry >/dev/null 2>&1; then
    update-rc.d docker-registry disable >/dev/null 2>&1 || true
  fi
  local pids p stopped=""
  pids=$(ss -Hltnp 'sport = :5000' 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true)
  for p in $pids; do
    if [[ $(readlink -f "/proc/$p/exe" 2>/dev/null) == /usr/bin/docker-registry ]] \
       && grep -qa '/etc/docker/registry' "/proc/$p/cmdline" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      stopped+=" $p"
    fi
  done
  if [[ -n $stopped ]]; then
    sleep 0.5
    say "$STEP" "$(pkg_ver docker-registry) (stopped packaged registry service, pid$stopped)"
  else
    say "$STEP" "ok ($(pkg_ver docker-registry), no service running)"
  fi
}

step_binfmt() {
  STEP="arm64 emulation"
  local bm=/proc/sys/fs/binfmt_misc h=/proc/sys/fs/binfmt_misc/qemu-aarch64 did=""
  if [[ ! -e $bm/status ]]; then
    mount -t binfmt_misc binfmt_misc "$bm" || die "cannot mount binfmt_misc on $bm"
    did+=" mounted binfmt_misc;"
  fi
  [[ $(cat "$bm/status") == enabled ]] || { echo 1 >"$bm/status"; did+=" enabled binfmt_misc;"; }
  if [[ ! -e $h ]]; then
    update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
    [[ -e $h ]] || update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    [[ -e $h ]] || die "qemu-aarch64 handler not registered (update-binfmts --import/--enable qemu-aarch64)"
    did+=" registered qemu-aarch64;"
  fi
  if [[ $(head -n1 "$h") != enabled ]]; then
    echo 1 >"$h"; did+=" enabled qemu-aarch64;"
  fi
  local flags interp
  flags=$(sed -n 's/^flags: *//p' "$h"); interp=$(sed -n 's/^interpreter //p' "$h")
  [[ $flags == *F* ]] || die "qemu-aarch64 binfmt flags '$flags' lack F (fix-binary); containers could not use it"
  [[ -x $interp ]] || die "qemu-aarch64 interpreter $interp missing"
  did=${did# }; say "$STEP" "${did:+${did%;} -> }ok ($interp, flags $flags)"
}

step_busybox() {
  STEP="busybox"
  local a ok=1 f
  for a in amd64 arm64; do
    f=$BUSYBOX_DIR/$a/busybox
    busybox_ok "$a" "$f" || ok=0
  done
  if [[ $ok == 1 ]]; then
    say "$STEP" "ok ($BUSYBOX_DIR/{amd64,arm64}/busybox, $(cat "$BUSYBOX_DIR/version" 2>/dev/null))"
    return
  fi
  # bookworm (the machine's suite), both archs, private apt state: no foreign arch is added to the system
  local suite dir=$CACHE_DIR/debs/busybox
  # shellcheck source=/dev/null # the machine's own file
  suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
  papt_setup "$suite-busybox" "$suite" amd64 arm64
  papt_download "$dir" busybox-static:amd64 busybox-static:arm64
  for a in amd64 arm64; do
    local debs x
    debs=("$dir"/busybox-static_*_"$a".deb)
    [[ -f ${debs[0]} ]] || die "busybox-static:$a was not downloaded"
    x=$(mktemp -d)
    dpkg-deb -x "${debs[0]}" "$x"
    mkdir -p "$BUSYBOX_DIR/$a"
    install -m 0755 "$x/bin/busybox" "$BUSYBOX_DIR/$a/busybox.new"
    mv -f "$BUSYBOX_DIR/$a/busybox.new" "$BUSYBOX_DIR/$a/busybox"
    rm -rf "$x"
    busybox_ok "$a" "$BUSYBOX_DIR/$a/busybox" \
      || die "$BUSYBOX_DIR/$a/busybox is not a static $a ELF: $(file -b "$BUSYBOX_DIR/$a/busybox")"
  done
  local amd64_debs=("$dir"/busybox-static_*_amd64.deb)
  dpkg-deb -f "${amd64_debs[0]}" Version >"$BUSYBOX_DIR/version"
  say "$STEP" "extracted busybox-static $(cat "$BUSYBOX_DIR/version") to $BUSYBOX_DIR/{amd64,arm64}/busybox"
}
busybox_ok() { # arch file
  [[ -x $2 ]] || return 1
  local d; d=$(file -b "$2")
  [[ $d == *"statically linked"* ]] || return 1
  case $1 in
    amd64) [[ $d == *"ELF 64-bit"*"x86-64"* ]] ;;
    arm64) [[ $d == *"ELF 64-bit"*"ARM aarch64"* ]] ;;
  esac
}

write_daemon_json() { # prints "changed" if the file was (re)written
  mkdir -p /etc/docker
  if [[ ! -f $DAEMON_JSON || $(cat "$DAEMON_JSON") != "$DAEMON_JSON_CONTENT" ]]; then
    printf '%s\n' "$DAEMON_JSON_CONTENT" >"$DAEMON_JSON.tmp"
    mv -f "$DAEMON_JSON.tmp" "$DAEMON_JSON"
    echo changed
  fi
}

step_daemon_json() {
  STEP="daemon.json"
  DAEMON_JSON_CHANGED=$(write_daemon_json)
  say "$STEP" "${DAEMON_JSON_CHANGED:+written, }ok ($DAEMON_JSON)"
}

# Starts a daemon in its own session, holding no descriptor of its caller beyond stdio: not a caller's
# lock (`flock FILE scripts/setup-build-host.sh` would otherwise be held by dockerd for its whole life,
# and every later flock on FILE would wait forever) nor a CI step's pipe.
detached() { # log command...
  local log=$1; shift
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
    exec setsid nohup "$@" >>"$log" 2>&1 </dev/null
  ) &
}

step_containerd() {
  STEP="containerd"
  if timeout 5 ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; then
    say "$STEP" "running ($(pkg_ver containerd))"
    return
  fi
  detached "$LOG_DIR/containerd.log" containerd
  local pid=$! t=0
  until timeout 5 ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null || ((t >= READY_TIMEOUT * 5)); then
      tail -n 20 "$LOG_DIR/containerd.log" >&2
      die "containerd did not come up (log: $LOG_DIR/containerd.log)"
    fi
    sleep 0.2; t=$((t + 1))
  done
  say "$STEP" "started (pid $pid, $(pkg_ver containerd), log $LOG_DIR/containerd.log)"
}

stop_dockerd() {
  local pid
  pid=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || pgrep -x dockerd | head -n1 || true)
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  local t=0
  while kill -0 "$pid" 2>/dev/null; do
    ((t++ < 150)) || die "dockerd (pid $pid) did not stop"
    sleep 0.2
  done
}

start_dockerd() {
  detached "$LOG_DIR/dockerd.log" dockerd --containerd="$CONTAINERD_SOCK"
  local pid=$! t=0
  until docker_up; do
    if ! kill -0 "$pid" 2>/dev/null || ((t >= READY_TIMEOUT * 5)); then
      tail -n 20 "$LOG_DIR/dockerd.log" >&2
      die "dockerd did not become ready within ${READY_TIMEOUT}s (log: $LOG_DIR/dockerd.log)"
    fi
    sleep 0.2; t=$((t + 1))
  done
  DOCKERD_PID=$pid
}

snapshotter_ok() {
  docker info --format '{{json .DriverStatus}}' 2>/dev/null | grep -q 'io.containerd.snapshotter.v1'
}

step_dockerd() {
  STEP="docker engine"
  local what=running
  if docker_up && [[ -n ${DAEMON_JSON_CHANGED:-} ]] ; then
    stop_dockerd; start_dockerd; what="restarted for new daemon.json (pid $DOCKERD_PID)"
  elif docker_up && ! snapshotter_ok; then
    stop_dockerd; start_dockerd; what="restarted, was not using the containerd store (pid $DOCKERD_PID)"
  elif ! docker_up; then
    start_dockerd; what="started (pid $DOCKERD_PID, log $LOG_DIR/dockerd.log),"
  fi
  local ver
  ver=$(docker version --format '{{.Server.Version}}')
  [[ $ver =~ $DOCKER_ENGINE_RE ]] || die "daemon is version $ver, want 26.1.x (is another dockerd running?)"
  snapshotter_ok || die "docker info does not report driver-type io.containerd.snapshotter.v1:" \
    "$(docker info --format '{{.Driver}} {{json .DriverStatus}}')"
  ! ip link show docker0 >/dev/null 2>&1 || die "a docker0 bridge exists; it must not"
  say "$STEP" "${what%,} ($ver, containerd snapshotter, no docker0)"
}

step_buildx() {
  STEP="buildx"
  local c v out seen="" first
  first=$(command -v docker)
  for c in "$first" /usr/bin/docker; do
    [[ -x $c && " $seen " != *" $c "* ]] || continue
    seen+=" $c"
    v=$("$c" buildx version 2>&1) || die "'$c buildx version' failed: $v"
  done
  v=$(docker buildx version | awk '{print $2}')
  [[ ${v#v} =~ $DOCKER_BUILDX_RE ]] || die "buildx is $v, want 0.13.x"
  out=$(timeout 60 docker buildx inspect --bootstrap 2>&1) || die "docker buildx inspect --bootstrap failed: $out"
  grep -E '^Platforms:' <<<"$out" | grep -q 'linux/arm64' \
    || die "buildx builder does not list linux/arm64 (restart dockerd after binfmt setup?):" \
      "$(grep -E '^Platforms:' <<<"$out")"
  say "$STEP" "ok ($v via$seen; builder platforms include linux/amd64, linux/arm64)"
}

# ---------------------------------------------------------------------------------------------- self-check
self_check() {
  STEP="self-check"
  local tmp port regpid="" a out img
  tmp=$(mktemp -d /tmp/imagefarm-selfcheck.XXXXXX)
  SC_TMP=$tmp
  trap 'self_check_cleanup' EXIT
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    ss -Hltn "sport = :$port" | grep -q . || break
  done
  mkdir -p "$tmp/storage" "$tmp/ctx"
  cat >"$tmp/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $tmp/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
  setsid docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 </dev/null &
  regpid=$!; SC_REGPID=$regpid
  local t=0
  until curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; do
    if ! kill -0 "$regpid" 2>/dev/null || ! ((t++ < 100)); then
      cat "$tmp/registry.log" >&2
      die "throwaway registry did not start"
    fi
    sleep 0.1
  done
  say "$STEP" "throwaway registry on 127.0.0.1:$port (pid $regpid)"

  cp "$BUSYBOX_DIR/amd64/busybox" "$tmp/ctx/busybox-amd64"
  cp "$BUSYBOX_DIR/arm64/busybox" "$tmp/ctx/busybox-arm64"
  cat >"$tmp/ctx/Dockerfile" <<'EOF'
FROM scratch
ARG TARGETARCH
COPY busybox-${TARGETARCH} /bin/busybox
RUN ["/bin/busybox","--install","-s","/bin"]
RUN echo hi > /hi
EOF
  img=127.0.0.1:$port/check/x
  sc_build() { # arch logfile
    local s=$SECONDS
    docker buildx build --progress=plain --network host --provenance=false --platform "linux/$1" \
      --cache-to "type=registry,ref=$img:buildcache-$1,mode=max,image-manifest=true" \
      --cache-from "type=registry,ref=$img:buildcache-$1" \
      --push -t "$img:$1" "$tmp/ctx" >"$2" 2>&1 || { tail -n 30 "$2" >&2; die "build for linux/$1 failed"; }
    SC_SECS=$((SECONDS - s))
  }
  # start from an empty build cache so the RUN steps really execute (arm64 ones under qemu)
  docker buildx prune -af >/dev/null
  for a in amd64 arm64; do
    sc_build "$a" "$tmp/build-$a.log"
    [[ $(sc_run_step_state "$tmp/build-$a.log") == DONE ]] \
      || { cat "$tmp/build-$a.log" >&2; die "linux/$a: 'RUN echo hi > /hi' did not execute"; }
    local arch
    arch=$(sc_image_arch "$port" "$a")
    [[ $arch == "$a" ]] || die "pushed $img:$a has architecture '$arch'"
    say "$STEP" "built+pushed linux/$a in ${SC_SECS}s (RUN steps executed), image config architecture=$arch"
  done
  local tags
  tags=$(curl -fsS "http://127.0.0.1:$port/v2/check/x/tags/list")
  for a in amd64 arm64 buildcache-amd64 buildcache-arm64; do
    grep -q "\"$a\"" <<<"$tags" || die "tag $a missing in registry: $tags"
  done
  say "$STEP" "registry tags: $(grep -o '"tags":.*' <<<"$tags" | tr -d '"{}[]' | sed 's/tags://')"

  docker buildx prune -af >/dev/null
  sc_build arm64 "$tmp/rebuild-arm64.log"
  [[ $(sc_run_step_state "$tmp/rebuild-arm64.log") == CACHED ]] \
    || { cat "$tmp/rebuild-arm64.log" >&2
         die "after 'buildx prune -af' the arm64 RUN step was not CACHED from the registry cache"; }
  grep -q "importing cache manifest from $img:buildcache-arm64" "$tmp/rebuild-arm64.log" \
    || die "rebuild did not import the registry cache"
  say "$STEP" "after buildx prune -af: arm64 rebuild in ${SC_SECS}s, RUN steps CACHED (imported from registry cache)"
  say "$STEP" "PASSED"
}
sc_run_step_state() { # build log -> DONE | CACHED | "" for the step 'RUN echo hi > /hi'
  local id
  id=$(grep -E '^#[0-9]+ \[[0-9/ ]+\] RUN echo hi > /hi' "$1" | head -n1 | awk '{print $1}')
  [[ -n $id ]] || return 0
  grep -E "^$id (DONE|CACHED)" "$1" | head -n1 | awk '{print $2}'
}
sc_image_arch() { # port tag -> architecture from the pushed image config
  local m cfg
  m=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://127.0.0.1:$1/v2/check/x/manifests/$2")
  cfg=$(tr -d ' \n' <<<"$m" | grep -o '"config":{[^}]*}' | grep -o 'sha256:[0-9a-f]*' | head -n1)
  curl -fsS "http://127.0.0.1:$1/v2/check/x/blobs/$cfg" | grep -o '"architecture":"[^"]*"' | cut -d'"' -f4
}
self_check_cleanup() {
  local rc=$?
  if [[ -n ${SC_REGPID:-} ]]; then kill "$SC_REGPID" 2>/dev/null || true; wait "$SC_REGPID" 2>/dev/null || true; fi
  docker image ls --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -E '^127\.0\.0\.1:[0-9]+/check/x:' \
    | xargs -r docker image rm -f >/dev/null 2>&1 || true
  if [[ -n ${SC_TMP:-} && -n ${IMAGEFARM_SELFCHECK_KEEP:-} ]]; then
    echo "self-check:        kept logs in $SC_TMP (IMAGEFARM_SELFCHECK_KEEP set)"
  elif [[ -n ${SC_TMP:-} ]]; then
    rm -rf "$SC_TMP"
  fi
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------- main
main() {
  local mode=setup
  case ${1:-} in
    "") ;;
    --self-check) mode=self-check ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--self-check]" >&2; exit 2 ;;
  esac
  local start=$SECONDS
  step_preflight
  step_bookworm_packages
  step_binfmt              # before dockerd starts: buildkit probes emulators at daemon start
  step_daemon_json         # before docker.io is installed
  step_docker_packages
  step_registry_pkg
  step_busybox
  step_containerd
  step_dockerd
  step_buildx
  STEP="done"
  say "$STEP" "build host ready in $((SECONDS - start))s"
  [[ $mode == self-check ]] && self_check
  return 0
}

main "$@"
