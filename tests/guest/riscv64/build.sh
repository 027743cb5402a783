#!/bin/sh
# Builds the riscv64 guest test programs into bin/ and records what
# qemu-riscv64 prints for each into expected/<name>.out and <name>.status.
# Lines in expected-overrides/<name>.lines (see NOTES.md) replace the line
# with the same text before ": " where QEMU is known to be wrong;
# expected-overrides/<name>.status replaces the exit status.
#
# Usage: tests/guest/riscv64/build.sh [--no-run] [name...]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src="$here/src"
bin="$here/bin"
exp="$here/expected"
CC=${CC:-riscv64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-riscv64}
SYSROOT=${SYSROOT:-/usr/riscv64-linux-gnu}
ARCH=rv64gc_zba_zbb_zbs
FREESTANDING="-O2 -static -s -march=$ARCH -mabi=lp64d -nostdlib -ffreestanding
  -fno-builtin -fno-tree-loop-distribute-patterns -fno-stack-protector
  -Wall -Wextra -Wno-unused-parameter -Wl,--build-id=none"
# Programs linked against glibc instead of the tiny runtime.
GLIBC_STATIC="hello_static"
GLIBC_DYNAMIC="hello_dyn"

run=1
if [ "${1:-}" = "--no-run" ]; then
    run=0
    shift
fi

mkdir -p "$bin" "$exp"

all_names() {
    for f in "$src"/*.c; do
        n=$(basename "$f" .c)
        case "$n" in rt | hello) continue ;; esac
        echo "$n"
    done
    echo "$GLIBC_STATIC"
    echo "$GLIBC_DYNAMIC"
}

build_one() {
    n=$1
    case " $GLIBC_STATIC " in *" $n "*)
        $CC -O2 -static -s -Wl,--build-id=none -o "$bin/$n" "$src/hello.c"
        return ;;
    esac
    case " $GLIBC_DYNAMIC " in *" $n "*)
        $CC -O2 -s -Wl,--build-id=none -o "$bin/$n" "$src/hello.c"
        return ;;
    esac
    extra=""
    [ -f "$src/$n.S" ] && extra="$src/$n.S"
    # shellcheck disable=SC2086
    $CC $FREESTANDING -o "$bin/$n" "$src/start.S" "$src/rt.c" "$src/$n.c" $extra -lgcc
}

# Replaces lines of $2 by the lines of $1 with the same key (text before
# ": "); fails if a key does not occur, so stale overrides are noticed.
apply_overrides() {
    awk -v fix="$1" '
        BEGIN {
            while ((getline line < fix) > 0) {
                if (line == "" || substr(line, 1, 1) == "#") continue
                k = substr(line, 1, index(line, ": ") - 1)
                repl[k] = line
                used[k] = 0
            }
        }
        {
            k = substr($0, 1, index($0, ": ") - 1)
            if (k in repl) { print repl[k]; used[k] = 1 } else print
        }
        END {
            for (k in used) if (!used[k]) { print "override key not found: " k > "/dev/stderr"; exit 1 }
        }' "$2" >"$2.tmp"
    mv "$2.tmp" "$2"
}

# Runs one program the way the emulator tests will: no arguments, stdin
# from /dev/null, stdout to a file, a fresh scratch directory as cwd.
record_one() {
    n=$1
    qflags=""
    case "$n" in *_dyn) qflags="-L $SYSROOT" ;; esac
    scratch=$(mktemp -d)
    set +e
    # The inner shell waits for the emulator, so its "Illegal instruction"
    # style report goes to /dev/null; it exits with 128 + signal.
    # shellcheck disable=SC2086
    sh -c 'cd "$1" || exit 125; shift; "$@"; exit $?' sh "$scratch" $QEMU $qflags "$bin/$n" \
        </dev/null >"$exp/$n.out" 2>/dev/null
    status=$?
    set -e
    rm -rf "$scratch"
    echo "$status" >"$exp/$n.status"
    if [ -f "$here/expected-overrides/$n.lines" ]; then
        apply_overrides "$here/expected-overrides/$n.lines" "$exp/$n.out"
    fi
    if [ -f "$here/expected-overrides/$n.status" ]; then
        cp "$here/expected-overrides/$n.status" "$exp/$n.status"
    fi
    printf '%-20s status %-3s %5s lines\n' "$n" "$(cat "$exp/$n.status")" "$(wc -l <"$exp/$n.out")"
}

if [ $# -gt 0 ]; then
    names="$*"
else
    names=$(all_names)
fi
for n in $names; do
    build_one "$n"
done
if [ $run = 1 ]; then
    for n in $names; do
        record_one "$n"
    done
fi
