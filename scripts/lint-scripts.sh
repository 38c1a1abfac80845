#!/usr/bin/env bash
# scripts/lint-scripts.sh: checks every shell script of the repository; ./test.sh runs it before Maven.
#   * shellcheck (Debian's package, installed by scripts/setup-build-host.sh) with the settings in
#     .shellcheckrc: a finding of any level fails. Where the code is right as written, a
#     `# shellcheck disable=SCnnnn` on the line above says so, with the reason.
#   * lines of at most 120 columns (counted in bytes, as Debian's awk does: the scripts are ASCII).
#     mvnw is the Maven Wrapper's own script, replaced whole when the wrapper is upgraded: shellcheck
#     reads it, its line length is not ours to keep.
# The scripts are the files git knows (tracked, or new and not ignored) whose name ends in .sh or whose
# first line runs a shell (#!/bin/sh, #!/usr/bin/env bash, ...). Prints each finding as FILE:LINE:...
# Exit 0 when clean, 1 on findings, 2 when shellcheck is not installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

max_columns=120
not_ours=(mvnw)

command -v shellcheck >/dev/null || {
  echo "lint-scripts: shellcheck is not installed; scripts/setup-build-host.sh installs it" >&2
  exit 2
}

scripts=() ours=()
while IFS= read -r -d '' file; do
  [[ -f $file ]] || continue # deleted, not yet staged
  case ${file##*/} in
    *.sh | *.bash) ;;
    *.*) continue ;; # another kind of file: not read
    *)
      first=""
      IFS= read -r first <"$file" || true
      [[ $first =~ ^'#!'.*[/\ ](ba|da|k)?sh([[:space:]]|$) ]] || continue
      ;;
  esac
  scripts+=("$file")
  [[ " ${not_ours[*]} " == *" $file "* ]] || ours+=("$file")
done < <(git ls-files -z --cached --others --exclude-standard)
((${#scripts[@]})) || { echo "lint-scripts: found no scripts (is this a git work tree?)" >&2; exit 1; }

failed=""
shellcheck --format=gcc -- "${scripts[@]}" || failed="shellcheck"
awk -v max="$max_columns" '
  length > max { printf "%s:%d: %d columns, more than %d\n", FILENAME, FNR, length, max; long = 1 }
  END { exit long }' "${ours[@]}" || failed+="${failed:+, }lines over $max_columns columns"

if [[ -n $failed ]]; then
  echo "lint-scripts: FAILED ($failed) in ${#scripts[@]} scripts; see the lines above" >&2
  exit 1
fi
version=$(shellcheck --version | sed -n 's/^version: //p')
echo "lint-scripts: ${#scripts[@]} scripts clean (shellcheck $version, lines within $max_columns columns)"
