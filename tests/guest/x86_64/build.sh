#!/usr/bin/env bash
# Builds the x86-64 test guests into bin/ (committed, so tests need no compiler):
#   oxtest-pvh.elf     ELF with a PVH entry note (32-bit protected-mode entry)
#   oxtest.bzImage     bzImage with XLF_KERNEL_64: oxemu enters it in 64-bit mode,
#                      QEMU through the real-mode setup
#   oxtest-rm.bzImage  the same without XLF_KERNEL_64: entered in real mode
# Needs gcc, as, ld and objcopy for x86-64 (Debian: build-essential).
set -euo pipefail
cd "$(dirname "$0")"
out=bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CFLAGS=(-O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -mno-red-zone
        -mgeneral-regs-only -mcmodel=small -fno-asynchronous-unwind-tables -nostdlib
        -fno-builtin --param=min-pagesize=0 -Wall -Wextra -Werror -std=gnu11)
for c in main serial platform virtio net console; do
    gcc "${CFLAGS[@]}" -c "src/$c.c" -o "$tmp/$c.o"
done
gcc -c src/boot.S -o "$tmp/boot.o"
ld -m elf_x86_64 --no-warn-rwx-segments -static -nostdlib --no-dynamic-linker -z noexecstack -z max-page-size=4096 \
    --build-id=none -T src/guest.ld -o "$tmp/oxtest.elf" \
    "$tmp/boot.o" "$tmp/main.o" "$tmp/serial.o" "$tmp/platform.o" "$tmp/virtio.o" "$tmp/net.o" "$tmp/console.o"
mkdir -p "$out"
strip -o "$out/oxtest-pvh.elf" "$tmp/oxtest.elf"
objcopy -O binary --only-section=.text --only-section=.rodata --only-section=.data \
    --only-section=.note "$tmp/oxtest.elf" "$tmp/image.bin"
for variant in 64 rm; do
    flags=1; name=oxtest.bzImage
    if [ $variant = rm ]; then flags=0; name=oxtest-rm.bzImage; fi
    gcc -DXLOADFLAGS=$flags -c src/setup.S -o "$tmp/setup.o"
    # Linked at 0: the setup code addresses its data from the setup segment.
    ld -m elf_x86_64 -static -nostdlib --build-id=none -Ttext=0 --section-start=.setup=0 \
        -e 0 -o "$tmp/setup.elf" "$tmp/setup.o"
    objcopy -O binary --only-section=.setup "$tmp/setup.elf" "$tmp/setup.bin"
    # syssize (0x1f4): the protected-mode part in 16-byte units, so loaders can
    # tell a truncated image.
    paras=$(( ($(stat -c %s "$tmp/image.bin") + 15) / 16 ))
    truncate -s $((paras * 16)) "$tmp/image.bin"
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((paras & 255)) $(((paras >> 8) & 255)) \
        $(((paras >> 16) & 255)) $((paras >> 24)))" |
        dd of="$tmp/setup.bin" bs=1 seek=$((0x1f4)) conv=notrunc status=none
    cat "$tmp/setup.bin" "$tmp/image.bin" > "$out/$name"
done
ls -l "$out"
