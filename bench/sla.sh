#!/usr/bin/env bash
# SLA evaluation benchmark: starts the servers (as the test command does), builds in release
# and prints full and incremental evaluation times.
#   BENCH_CASES=1000000 bench/sla.sh
set -euo pipefail
source "$(dirname "$0")/../scripts/servers.sh"
cd "$ROOT"
servers_up
cargo bench --bench sla
