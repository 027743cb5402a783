#!/usr/bin/env python3
"""Benchmarks riscv64 user-mode emulation: oxemu vs qemu vs native.

For every benchmark program of the bench kit (not the conf_* programs) it
runs the x86-64 build natively, and the riscv64 build under qemu-riscv64
and under oxemu, interleaved run by run (native, qemu, oxemu, then the
next round in rotated order) so that load from other jobs on a shared
machine hits all three alike; `--hyperfine` instead gives all three
commands to one hyperfine invocation per program. It checks that the RESULT
checksum of each emulator equals the native one, and prints a Markdown
table with median times, ratios and geometric means.
"""

import argparse
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMPUTE_SET = ["int", "dhry", "fp", "mem", "sort"]
ORDER = ["int", "dhry", "fp", "mem", "sort", "syscall", "thread", "bigcode", "startup"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("programs", nargs="*", help="subset of programs (default: all)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="warm-up runs per command (default 1)")
    p.add_argument("--iterations", action="append", default=[], metavar="NAME=COUNT",
                   help="iteration-count argument for one program (repeatable)")
    p.add_argument("--hyperfine", action="store_true",
                   help="time with hyperfine (all runs of one command, then the next)")
    p.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    return p.parse_args()


def settings():
    bench = Path(os.environ.get("BENCH_DIR", REPO / ".." / "shared" / "bench"))
    oxemu = os.environ.get("OXEMU", str(REPO / "target" / "release" / "oxemu-riscv64"))
    return {
        "bench": bench.resolve(),
        "oxemu": shlex.split(oxemu) + shlex.split(os.environ.get("OXEMU_FLAGS", "")),
        "qemu": shlex.split(os.environ.get("QEMU", "qemu-riscv64")),
    }


def programs(bench, wanted):
    rv = bench / "bin" / "riscv64"
    found = sorted(p.name for p in rv.iterdir()
                   if p.is_file() and not p.name.startswith("conf_"))
    found.sort(key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    if wanted:
        missing = [w for w in wanted if w not in found]
        if missing:
            sys.exit(f"unknown program(s): {' '.join(missing)}; have: {' '.join(found)}")
        return [n for n in found if n in wanted]
    return found


def commands(cfg, name, extra):
    rv = str(cfg["bench"] / "bin" / "riscv64" / name)
    native = str(cfg["bench"] / "bin" / "x86_64" / name)
    return {
        "native": [native] + extra,
        "qemu": cfg["qemu"] + [rv] + extra,
        "oxemu": cfg["oxemu"] + [rv] + extra,
    }


def checksum(cmd):
    """The RESULT line's checksum, or a short description of what went wrong."""
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, type(e).__name__
    for line in r.stdout.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "RESULT":
            return (parts[2], None) if r.returncode == 0 else (None, f"exit {r.returncode}")
    return None, f"no RESULT (exit {r.returncode})"


def time_hyperfine(cmds, runs, warmup):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        argv = ["hyperfine", "--shell=none", "--style=none", "--runs", str(runs),
                "--warmup", str(warmup), "--export-json", out.name, "--ignore-failure"]
        argv += [shlex.join(c) for c in cmds.values()]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        data = json.load(open(out.name))
    return {k: r["median"] for k, r in zip(cmds, data["results"])}


def time_round_robin(cmds, runs, warmup):
    samples = {k: [] for k in cmds}
    keys = list(cmds)
    for i in range(warmup + runs):
        order = keys[i % len(keys):] + keys[:i % len(keys)]
        for k in order:
            c = cmds[k]
            t = time.perf_counter()
            subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL)
            if i >= warmup:
                samples[k].append(time.perf_counter() - t)
    return {k: sorted(v)[len(v) // 2] for k, v in samples.items()}


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt_s(x):
    return "-" if x is None else f"{x:.3f}"


def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}x"


def main():
    args = parse_args()
    cfg = settings()
    iters = dict(kv.split("=", 1) for kv in args.iterations)
    names = programs(cfg["bench"], args.programs)
    use_hyperfine = args.hyperfine
    if use_hyperfine and not shutil.which("hyperfine"):
        sys.exit("hyperfine not found")
    rows = []
    for name in names:
        extra = [iters[name]] if name in iters else []
        cmds = commands(cfg, name, extra)
        sums = {k: checksum(c) for k, c in cmds.items()}
        # only commands that produced a result are timed
        timed = {k: c for k, c in cmds.items() if sums[k][0] is not None}
        print(f"{name}: measuring {', '.join(timed)}", file=sys.stderr)
        t = dict.fromkeys(cmds)
        if timed:
            timer = time_hyperfine if use_hyperfine else time_round_robin
            t.update(timer(timed, args.runs, args.warmup))
        ref = sums["native"][0]
        problems = []
        for k in ("qemu", "oxemu"):
            got, err = sums[k]
            if ref is None:
                problems.append("native: " + sums["native"][1])
                break
            if got != ref:
                problems.append(f"{k}: {err or 'mismatch ' + got}")
        # a time for a run that did not produce the right result means nothing
        ox_ok = ref is not None and sums["oxemu"][0] == ref
        q_ok = ref is not None and sums["qemu"][0] == ref
        rows.append({
            "program": name,
            "args": extra,
            "native_s": t["native"],
            "qemu_s": t["qemu"] if q_ok else None,
            "oxemu_s": t["oxemu"] if ox_ok else None,
            "checksum": ref,
            "checksum_ok": not problems,
            "problems": problems,
        })

    print(f"Runs: {args.runs} (+{args.warmup} warm-up), median; "
          f"{'hyperfine' if use_hyperfine else 'round-robin'}; "
          f"oxemu: `{shlex.join(cfg['oxemu'])}`; qemu: `{shlex.join(cfg['qemu'])}`")
    print()
    print("| program | native s | qemu s | oxemu s | oxemu/qemu | oxemu/native | checksum ok |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        r["oxemu_over_qemu"] = r["oxemu_s"] / r["qemu_s"] if r["oxemu_s"] and r["qemu_s"] else None
        r["oxemu_over_native"] = (r["oxemu_s"] / r["native_s"]
                                  if r["oxemu_s"] and r["native_s"] else None)
        ok = "yes" if r["checksum_ok"] else "NO: " + "; ".join(r["problems"])
        label = r["program"] + (f" ({' '.join(r['args'])})" if r["args"] else "")
        print(f"| {label} | {fmt_s(r['native_s'])} | {fmt_s(r['qemu_s'])} | "
              f"{fmt_s(r['oxemu_s'])} | {fmt_ratio(r['oxemu_over_qemu'])} | "
              f"{fmt_ratio(r['oxemu_over_native'])} | {ok} |")
    print()
    for label, subset in (("compute set (" + ", ".join(COMPUTE_SET) + ")", COMPUTE_SET),
                          ("all", None)):
        sel = [r for r in rows if subset is None or r["program"] in subset]
        if not sel:
            continue
        print(f"Geometric mean, {label}, {len(sel)} programs: "
              f"oxemu/qemu {fmt_ratio(geomean([r['oxemu_over_qemu'] for r in sel]))}, "
              f"oxemu/native {fmt_ratio(geomean([r['oxemu_over_native'] for r in sel]))}, "
              f"qemu/native "
              f"{fmt_ratio(geomean([r['qemu_s'] / r['native_s'] for r in sel if r['qemu_s'] and r['native_s']]))}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0 if all(r["checksum_ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
