#!/usr/bin/env bash
# java-modules.sh - the JDK modules the three services' jars use, comma-separated: the union of
# `jdeps --print-module-deps` over every jar of their target/quarkus-app (build them first). The
# jlink runtime (deploy/local-images/jre-jlink, JAVA_MODULES) is this list plus the modules only
# loaded by name, which jdeps cannot see. Run it after a dependency upgrade and compare.
#
# One jdeps per jar: given all at once, jdeps resolves the modular jars' own `requires` and stops
# at the first it cannot find. A modular jar that fails alone is read again as plain classes.
# Slow (a JVM per jar, some minutes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

modules_of() { # jar: its modules, one a line
  local jar=$1 out classes
  if ! out=$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 -q "$jar" 2>/dev/null); then
    classes=$(mktemp -d "$work/classes.XXXXXX")
    unzip -qo "$jar" -d "$classes" -x 'module-info.class' 'META-INF/versions/*/module-info.class' 2>/dev/null || true
    out=$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 -q "$classes") \
      || { echo "java-modules: jdeps failed on $jar" >&2; exit 1; }
  fi
  tr ',' '\n' <<<"$out"
}
export -f modules_of
export work

jars=()
for m in hasher-service builder-worker cache-janitor; do
  app=$m/target/quarkus-app
  [[ -f $app/quarkus-run.jar ]] || { echo "java-modules: no $app; run ./mvnw package -DskipTests" >&2; exit 1; }
  jars+=("$app"/quarkus-run.jar "$app"/app/*.jar "$app"/quarkus/*.jar "$app"/lib/boot/*.jar "$app"/lib/main/*.jar)
done
# The services share most jars: each file name once.
# shellcheck disable=SC2016 # $1 is the inner shell's
printf '%s\n' "${jars[@]}" | awk -F/ '!seen[$NF]++' \
  | xargs -P "$(nproc)" -I{} bash -c 'modules_of "$1"' _ {} \
  | grep . | sort -u | paste -sd,
