#!/usr/bin/env bash
# Quality-matrix benchmark: starts the servers (as the test command does), builds in release,
# fills a quarter with ≥ 50M raw events (kept in database bench_matrix for the next run) and
# prints seconds per matrix request, cold and cached, as ratios to a plain count() scan of the
# same raw rows measured in the same run.
#   BENCH_EVENTS=50000000 bench/matrix.sh        (BENCH_REGENERATE=1 to refill)
set -euo pipefail
source "$(dirname "$0")/../scripts/servers.sh"
cd "$ROOT"
servers_up
cargo bench --bench matrix
