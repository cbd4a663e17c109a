#!/usr/bin/env bash
# Public feedback benchmark: starts the servers (as the test command does), builds in
# release and prints requests/s through POST /v1/public/feedback as a ratio to POST
# /v1/events in the same run.
#   BENCH_REQUESTS=20000 BENCH_CONCURRENCY=32 bench/public.sh
set -euo pipefail
source "$(dirname "$0")/../scripts/servers.sh"
cd "$ROOT"
servers_up
cargo bench --bench public
