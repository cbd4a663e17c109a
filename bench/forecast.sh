#!/usr/bin/env bash
# Breach forecast back-test on the simulator's calm weeks and surge: starts the servers (as
# the test command does), builds in release and prints the forecast against what happened,
# beside the queue alone (the forecast before issue 22) and the at-risk count, same run.
#   BENCH_EVENTS=300000 BENCH_DAYS=150 bench/forecast.sh
#
# Measured 2026-12-03 (7 moments each; error = forecast total against actual, and the mean
# absolute error per moment):
#   calm:  actual 175; forecast 293 (+67 %, 16.9); queue alone (before) 1354 (+674 %, 168.4)
#   surge: actual 6225; forecast 6084 (-2.3 %, 22.1); queue alone (before) 6371 (+2.3 %, 26.0)
#   SlaBreachForecast (burn rate > 3): quiet at 7 of 7 calm moments, fires at 6 of 7 in the
#   surge (from 5 days in). An earlier run: calm +43 % (246 / 172), surge -2.0 %.
set -euo pipefail
source "$(dirname "$0")/../scripts/servers.sh"
cd "$ROOT"
servers_up
cargo bench --bench forecast
