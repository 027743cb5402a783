#!/usr/bin/env bash
# Image conversion throughput: oxemu-img convert against qemu-img convert on the
# same 1 GiB image in the same run (runs interleaved, median of N), outputs compared
# byte for byte. Markdown table on stdout.
#
#   OXEMU_IMG=path (default target/release/oxemu-img)   QEMU_IMG=qemu-img
#   BENCH_TMP=dir  (default a temporary directory)      RUNS=7   SIZE_MIB=1024
set -euo pipefail
cd "$(dirname "$0")/.."
OXEMU_IMG=${OXEMU_IMG:-target/release/oxemu-img}
QEMU_IMG=${QEMU_IMG:-qemu-img}
RUNS=${RUNS:-7}
SIZE_MIB=${SIZE_MIB:-1024}
[ -x "$OXEMU_IMG" ] || cargo build --release -q -p oxemu-img
command -v "$QEMU_IMG" >/dev/null || { echo "$QEMU_IMG not found" >&2; exit 1; }
dir=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/bench-img.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# Source: random data with every third MiB left as a hole, every fifth MiB a
# compressible text-like pattern: what a used guest disk looks like.
src="$dir/src.raw"
truncate -s "${SIZE_MIB}M" "$src"
python3 - "$src" "$SIZE_MIB" <<'PY'
import os, sys
path, mib = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    for i in range(mib):
        if i % 3 == 1:
            continue
        f.seek(i << 20)
        if i % 5 == 2:
            f.write(b"".join(b"block %06d line %06d of benchmark data\n" % (i, j) for j in range(26215))[: 1 << 20])
        else:
            f.write(os.urandom(1 << 20))
PY
"$QEMU_IMG" convert -O qcow2 "$src" "$dir/src.qcow2"

# Seconds of one command (wall clock), after earlier writes have reached the disk
# (background writeback otherwise lands on whichever run comes next).
timeit() {
    local t0 t1
    sync; sleep 0.5
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench() { # name in out-format convert-args...
    local name=$1 in=$2 fmt=$3; shift 3
    local q=() o=() i
    # Each run starts from the same state: no output files, nothing dirty; the
    # order of the two tools alternates.
    for i in $(seq "$RUNS"); do
        rm -f "$dir/q.out" "$dir/o.out"; sync
        if [ $((i % 2)) = 1 ]; then
            q+=("$(timeit "$QEMU_IMG" convert "$@" -O "$fmt" "$in" "$dir/q.out")")
            rm -f "$dir/q.out"; sync
            o+=("$(timeit "$OXEMU_IMG" convert -q "$@" -O "$fmt" "$in" "$dir/o.out")")
        else
            o+=("$(timeit "$OXEMU_IMG" convert -q "$@" -O "$fmt" "$in" "$dir/o.out")")
            rm -f "$dir/o.out"; sync
            q+=("$(timeit "$QEMU_IMG" convert "$@" -O "$fmt" "$in" "$dir/q.out")")
        fi
    done
    rm -f "$dir/q.out" "$dir/o.out"
    "$OXEMU_IMG" convert -q "$@" -O "$fmt" "$in" "$dir/o.out"
    local same=yes
    "$QEMU_IMG" compare -q "$in" "$dir/o.out" || same=NO
    if [ "$fmt" = qcow2 ]; then "$QEMU_IMG" check -q "$dir/o.out" || same="$same, check FAILED"; fi
    rm -f "$dir/o.out"
    local qm om
    qm=$(printf '%s\n' "${q[@]}" | median)
    om=$(printf '%s\n' "${o[@]}" | median)
    printf '| %s | %.2f | %.2f | %.0f | %.2fx | %s |\n' "$name" "$qm" "$om" \
        "$(echo "$SIZE_MIB / $om" | bc -l)" "$(echo "$qm / $om" | bc -l)" "$same"
}

echo "| conversion | qemu-img s | oxemu-img s | oxemu MiB/s | speed vs qemu | same content, check clean |"
echo "|---|---:|---:|---:|---:|---|"
bench "raw → qcow2" "$src" qcow2
bench "qcow2 → raw" "$dir/src.qcow2" raw
bench "qcow2 → qcow2" "$dir/src.qcow2" qcow2
bench "raw → qcow2 -c (zlib)" "$src" qcow2 -c
