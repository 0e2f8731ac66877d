#!/usr/bin/env bash
# Stop the local test services started by scripts/services/*.sh (or by
# scripts/test-env.sh). Safe to run when nothing is running. Exits non-zero if a
# service could not be stopped.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rc=0
"$dir/kafka.sh" stop || rc=1
"$dir/postgres.sh" stop || rc=1
exit "$rc"
