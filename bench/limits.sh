#!/usr/bin/env bash
# bench/limits.ts with room for its connections: 10,000 sessions hold 20,000
# descriptors between the bench and the edge, which inherits this limit.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
source scripts/test-env.sh
exec node --conditions=source --import tsx bench/limits.ts
