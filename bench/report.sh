#!/usr/bin/env bash
# Report benchmark: starts the servers (as the test command does), builds in release and
# times the 2026-Q3 report over the quarter bench/matrix.sh keeps in database bench_matrix
# (run that first), as a ratio to one matrix request for the same quarter, plus the PDF
# print time.
set -euo pipefail
source "$(dirname "$0")/../scripts/servers.sh"
cd "$ROOT"
servers_up
cargo bench --bench report
