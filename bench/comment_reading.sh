#!/usr/bin/env bash
# Comment-reading benchmark: starts the servers (as the test command does), builds in release,
# fills database bench_themes with 1M comments (kept for the next run) and prints the
# aggregator's themes step as a ratio to reading the same comments out of ClickHouse, the text
# model alone, and peak memory.
#   BENCH_COMMENTS=1000000 bench/comment_reading.sh        (BENCH_REGENERATE=1 to refill)
set -euo pipefail
source "$(dirname "$0")/../scripts/servers.sh"
cd "$ROOT"
servers_up
cargo bench --bench comment_reading
