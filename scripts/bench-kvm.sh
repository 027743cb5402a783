#!/bin/sh
# KVM hosting benchmark: the x86-64 test guest (full scenario: interrupts, SMP,
# virtio-blk I/O, power off) under oxemu-system-x86_64 and
# qemu-system-x86_64 -enable-kvm -M microvm, interleaved in one run; start to
# power-off time and VMM memory overhead, Markdown table on stdout.
# See scripts/bench_kvm.py --help.
#
#   OXEMU=path/to/oxemu-system-x86_64  (default target/release/oxemu-system-x86_64)
#   QEMU=qemu-system-x86_64
#
#   scripts/bench-kvm.sh [--runs N] [--smp N] [--mem MIB]
exec python3 "$(dirname "$0")/bench_kvm.py" "$@"
