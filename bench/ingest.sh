#!/usr/bin/env bash
# Ingest benchmark: starts the servers (as the test command does), builds in release and
# prints throughput (also into the local 2 x 2 cluster), freshness and memory figures with
# their same-run references.
#   BENCH_EVENTS=1000000 bench/ingest.sh
set -euo pipefail
source "$(dirname "$0")/../scripts/servers.sh"
cd "$ROOT"
servers_up
"$ROOT/scripts/cluster-up"
cargo bench --bench ingest
