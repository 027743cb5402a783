#!/bin/sh
# Runs every program in bin/ under an emulator and compares stdout and exit
# status with expected/. Prints one line per program and a summary; exits 1
# if anything differs.
#
# Usage: tests/guest/riscv64/check.sh [emulator command] [name...]
#   default emulator: target/release/oxemu-riscv64 (relative to the repo)
#   SYSROOT=/usr/riscv64-linux-gnu is passed with -L to *_dyn programs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
emu=${1:-$repo/target/release/oxemu-riscv64}
[ $# -gt 0 ] && shift
SYSROOT=${SYSROOT:-/usr/riscv64-linux-gnu}
names=${*:-$(cd "$here/bin" && ls)}
out=$(mktemp)
fail=0
total=0
for n in $names; do
    total=$((total + 1))
    flags=""
    case "$n" in *_dyn) flags="-L $SYSROOT" ;; esac
    scratch=$(mktemp -d)
    # shellcheck disable=SC2086
    sh -c 'cd "$1" || exit 125; shift; "$@"; exit $?' sh "$scratch" $emu $flags "$here/bin/$n" \
        </dev/null >"$out" 2>/dev/null
    status=$?
    rm -rf "$scratch"
    want=$(cat "$here/expected/$n.status")
    if [ "$status" = "$want" ] && cmp -s "$out" "$here/expected/$n.out"; then
        echo "ok    $n"
    else
        fail=$((fail + 1))
        echo "FAIL  $n (status $status, expected $want)"
        diff "$here/expected/$n.out" "$out" | head -n 10 | sed 's/^/      /'
    fi
done
rm -f "$out"
echo "$((total - fail)) of $total programs match"
[ "$fail" = 0 ]
