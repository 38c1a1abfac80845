#!/usr/bin/env bash
# dashboard-screenshot.sh [STACK_DIR] - refreshes docs/dashboard.png: a screenshot of the dashboard's
# overview, taken with Debian's headless Chromium (scripts/setup-build-host.sh installs it) from a
# running embedded stack. The default stack is the one `./demo.sh --keep` leaves running (.demo), so
#   ./demo.sh --keep && scripts/dashboard-screenshot.sh
# shows both arches built, the cache-hit figures and the janitor's runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir=${1:-$root/.demo}
env_file=$dir/stack.env
fail() { echo "dashboard-screenshot: $*" >&2; exit 1; }
[[ -f $env_file ]] || fail "no $env_file; start a stack first (./demo.sh --keep)"
hasher=$(sed -n 's/^HASHER_URL=//p' "$env_file")
curl -fsS -o /dev/null "$hasher/" || fail "the dashboard at $hasher/ does not answer"
command -v chromium >/dev/null || fail "chromium is not installed (scripts/setup-build-host.sh)"
out=$root/docs/dashboard.png
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
  --window-size=1400,900 --timeout=4000 --screenshot="$tmp/dashboard.png" "$hasher/" >/dev/null 2>&1
[[ -s $tmp/dashboard.png ]] || fail "chromium wrote no screenshot"
mv "$tmp/dashboard.png" "$out"
echo "wrote $out ($(stat -c %s "$out") bytes) from $hasher/"
