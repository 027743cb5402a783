#!/bin/sh
# User-mode emulation benchmark: every benchmark of ../shared/bench under
# oxemu-riscv64, qemu-riscv64 and natively (x86-64), checksums checked,
# Markdown table on stdout. See scripts/bench_user.py --help.
#
#   OXEMU=path/to/emulator  (default target/release/oxemu-riscv64)
#   OXEMU_FLAGS="..."       extra flags for oxemu
#   QEMU=qemu-riscv64       reference emulator
#   BENCH_DIR=../shared/bench
#
#   scripts/bench-user.sh [--runs N] [--warmup N] [--hyperfine] [--iterations NAME=COUNT] [program...]
exec python3 "$(dirname "$0")/bench_user.py" "$@"
