#!/usr/bin/env bash
# Themes benchmark: per-theme P/R/F1 of the seeds alone and of the trained model on a held-out
# fifth, against a TF-IDF + linear SVM baseline, on the labelled set and on a synthetic file of
# 20 000 comments × 50 themes it writes; training times; tagging throughput as a ratio to the
# text pipeline alone in the same run. Needs no server. The bench lives in the analytics crate
# so it builds without the binary's servers' dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
cargo bench -p civicpulse-analytics --bench themes
