#!/usr/bin/env bash
# Ingest benchmark: starts the servers (as the test command does), builds in release and
# prints throughput, freshness and memory figures with their same-run references.
#   BENCH_EVENTS=1000000 bench/ingest.sh
set -euo pipefail
source "$(dirname "$0")/../scripts/servers.sh"
cd "$ROOT"
servers_up
cargo bench --bench ingest
