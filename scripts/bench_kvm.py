#!/usr/bin/env python3
"""Benchmarks KVM hosting: oxemu-system-x86_64 vs QEMU's microvm.

Both run the repository's x86-64 test guest (tests/guest/x86_64) with the same
command line. Two measurements, interleaved run by run so that load from other
jobs hits both alike:

* start to power-off: wall time from spawning the VMM to its exit after the
  guest's power-off (kernel oxtest-pvh.elf), for oxtest=hello (boot, one line
  of output, power off) and oxtest=full (boot, timer and serial interrupts,
  -smp CPUs started, virtio-blk read and write of a scratch disk; about 35 ms
  of it are the guest's own timed waits);
* VMM memory overhead: with oxtest=idle the guest does the same and then halts;
  the script then reads /proc/PID/smaps: resident memory of the whole process
  minus the resident part of the guest-RAM mapping (what the guest touched).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUEST = REPO / "tests/guest/x86_64/bin/oxtest-pvh.elf"


def command(vmm, disk, args, mode):
    return [
        vmm, "-enable-kvm", "-M", "microvm", "-m", str(args.mem), "-smp", str(args.smp),
        "-nographic", "-no-reboot", "-kernel", str(GUEST), "-append", f"oxtest={mode}",
        "-drive", f"file={disk},format=raw,if=none,id=d0", "-device",
        "virtio-blk-device,drive=d0",
    ]


def timed_run(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    dt = time.perf_counter() - t
    if r.returncode != 0 or "OXTEST poweroff" not in r.stdout:
        sys.exit(f"{cmd[0]} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return dt


def smaps(pid):
    """(total resident KiB, list of (mapping size KiB, resident KiB) for anonymous maps)."""
    total, maps, cur = 0, [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if "-" in parts[0] and len(parts) >= 5 and ":" not in parts[0]:
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                anon = len(parts) == 5
                cur = [(hi - lo) // 1024, 0, anon]
                maps.append(cur)
            elif parts[0] == "Rss:":
                total += int(parts[1])
                cur[1] = int(parts[1])
    return total, [(size, rss) for size, rss, anon in maps if anon]


def memory_run(cmd, mem_mib):
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    try:
        for line in p.stdout:
            if line.startswith("OXTEST idle"):
                break
        else:
            sys.exit(f"{cmd[0]}: the guest did not reach idle")
        time.sleep(0.2)
        total, anon = smaps(p.pid)
    finally:
        p.kill()
        p.wait()
    # Guest RAM: the anonymous mapping at least as big as the RAM, the smallest such.
    ram = min((m for m in anon if m[0] >= mem_mib * 1024), key=lambda m: m[0], default=(0, 0))
    return total, ram[1], total - ram[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mem", type=int, default=128, help="guest RAM in MiB")
    args = ap.parse_args()
    oxemu = os.environ.get("OXEMU", str(REPO / "target/release/oxemu-system-x86_64"))
    qemu = shutil.which(os.environ.get("QEMU", "qemu-system-x86_64"))
    if not Path(oxemu).exists():
        sys.exit(f"{oxemu} not found: cargo build --release -p oxemu-system-x86_64")
    if not qemu:
        sys.exit("qemu-system-x86_64 not found (Debian: qemu-system-x86)")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        sys.exit("/dev/kvm is not accessible")
    vmms = {"oxemu": oxemu, "qemu": qemu}
    modes = ["hello", "full"]
    times = {(k, m): [] for k in vmms for m in modes}
    mem = {k: [] for k in vmms}
    with tempfile.TemporaryDirectory() as tmp:
        disk = Path(tmp) / "disk.img"
        disk.write_bytes(os.urandom(1 << 20))
        for name, vmm in vmms.items():  # warm-up: page cache, binaries
            timed_run(command(vmm, disk, args, "full"))
        for i in range(args.runs):
            order = list(vmms.items()) if i % 2 == 0 else list(vmms.items())[::-1]
            for mode in modes:
                for name, vmm in order:
                    times[name, mode].append(timed_run(command(vmm, disk, args, mode)))
            for name, vmm in order:
                mem[name].append(memory_run(command(vmm, disk, args, "idle"), args.mem))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"x86-64 test guest, -smp {args.smp} -m {args.mem}M, {args.runs} runs each, interleaved; "
          f"median (min-max).\n")
    print("| VMM | hello: start to power-off ms | full: start to power-off ms "
          "| RSS KiB | guest RAM touched KiB | VMM overhead KiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for k in vmms:
        cells = []
        for m in modes:
            t = times[k, m]
            cells.append(f"{med[k, m] * 1000:.1f} ({min(t) * 1000:.1f}-{max(t) * 1000:.1f})")
        total, ram, over = (statistics.median(x[i] for x in mem[k]) for i in range(3))
        print(f"| {k} | {cells[0]} | {cells[1]} | {total:.0f} | {ram:.0f} | {over:.0f} |")
    o = statistics.median(x[2] for x in mem["oxemu"])
    q = statistics.median(x[2] for x in mem["qemu"])
    ratios = ", ".join(f"{m} {med['oxemu', m] / med['qemu', m]:.2f}x" for m in modes)
    print(f"\noxemu/qemu: time {ratios}; "
          f"VMM overhead {o / q:.2f}x ({o / 1024:.1f} MiB vs {q / 1024:.1f} MiB)")

if __name__ == "__main__":
    main()
