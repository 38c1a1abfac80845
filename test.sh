#!/usr/bin/env bash
# The test command (README): make sure the build host's real parts are installed and running, lint
# every shell script (shellcheck, line length), then run every unit and integration test.
# Idempotent; quick when the host is already set up.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

scripts/setup-build-host.sh
scripts/lint-scripts.sh
./mvnw -B -ntp verify "$@"
