#!/usr/bin/env bash
# PII scrubber benchmark: precision and recall on the labelled English/French table, and
# scrubbing speed as a ratio to a same-run reference (one pass of the e-mail pattern alone).
# Needs no server.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench pii
