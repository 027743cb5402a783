#!/usr/bin/env bash
# The project's test command: formatting, lints, and every test in release mode
# (guest programs and benchmarks run much faster optimized).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --release -- -D warnings
cargo test --workspace --release "$@"
