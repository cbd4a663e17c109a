#!/usr/bin/env bash
# Breach forecast back-test on the simulator's surge: starts the servers (as the test
# command does), builds in release and prints the forecast against what happened.
#   BENCH_EVENTS=300000 BENCH_DAYS=150 bench/forecast.sh
set -euo pipefail
source "$(dirname "$0")/../scripts/servers.sh"
cd "$ROOT"
servers_up
cargo bench --bench forecast
