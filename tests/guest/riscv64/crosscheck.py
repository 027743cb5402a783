#!/usr/bin/env python3
"""Recomputes expected outputs with an independent Python model.

Checks every line of the integer tables (rv64i_alu, rv64m, zbitmanip) and
the arithmetic lines of the FP tables (fp_arith_d, fp_arith_s: fadd, fsub,
fmul, fdiv and the fused multiply-adds with finite operands, in every
rounding mode, result bits and fflags) against exact rational arithmetic.
Run after build.sh regenerates expected/: it prints each disagreement and
exits 1 if there is any.
"""

import struct
import sys
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
M64 = (1 << 64) - 1


def sx(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def sx32(v):
    return sx(v, 32) & M64


def s64(v):
    return sx(v, 64)


def rot(v, n, bits):
    n %= bits
    m = (1 << bits) - 1
    return ((v << n) | (v >> (bits - n))) & m if n else v & m


def div(a, b, signed, bits):
    m = (1 << bits) - 1
    if b & m == 0:
        return m, a & m
    if signed:
        x, y = sx(a, bits), sx(b, bits)
        if x == -(1 << (bits - 1)) and y == -1:
            return x & m, 0
        q = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
        return q & m, (x - q * y) & m
    x, y = a & m, b & m
    return x // y, x % y


INT_OPS = {
    "add": lambda a, b: (a + b) & M64,
    "sub": lambda a, b: (a - b) & M64,
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
    "slt": lambda a, b: int(s64(a) < s64(b)),
    "sltu": lambda a, b: int(a < b),
    "sll": lambda a, b: (a << (b & 63)) & M64,
    "srl": lambda a, b: a >> (b & 63),
    "sra": lambda a, b: (s64(a) >> (b & 63)) & M64,
    "addw": lambda a, b: sx32(a + b),
    "subw": lambda a, b: sx32(a - b),
    "sllw": lambda a, b: sx32(a << (b & 31)),
    "srlw": lambda a, b: sx32((a & 0xffffffff) >> (b & 31)),
    "sraw": lambda a, b: sx32(sx(a, 32) >> (b & 31)),
    "mul": lambda a, b: (a * b) & M64,
    "mulh": lambda a, b: ((s64(a) * s64(b)) >> 64) & M64,
    "mulhsu": lambda a, b: ((s64(a) * b) >> 64) & M64,
    "mulhu": lambda a, b: (a * b) >> 64,
    "div": lambda a, b: div(a, b, True, 64)[0],
    "divu": lambda a, b: div(a, b, False, 64)[0],
    "rem": lambda a, b: div(a, b, True, 64)[1],
    "remu": lambda a, b: div(a, b, False, 64)[1],
    "mulw": lambda a, b: sx32(a * b),
    "divw": lambda a, b: sx32(div(a, b, True, 32)[0]),
    "divuw": lambda a, b: sx32(div(a, b, False, 32)[0]),
    "remw": lambda a, b: sx32(div(a, b, True, 32)[1]),
    "remuw": lambda a, b: sx32(div(a, b, False, 32)[1]),
    "add.uw": lambda a, b: ((a & 0xffffffff) + b) & M64,
    "sh1add": lambda a, b: ((a << 1) + b) & M64,
    "sh2add": lambda a, b: ((a << 2) + b) & M64,
    "sh3add": lambda a, b: ((a << 3) + b) & M64,
    "sh1add.uw": lambda a, b: (((a & 0xffffffff) << 1) + b) & M64,
    "sh2add.uw": lambda a, b: (((a & 0xffffffff) << 2) + b) & M64,
    "sh3add.uw": lambda a, b: (((a & 0xffffffff) << 3) + b) & M64,
    "andn": lambda a, b: a & ~b & M64,
    "orn": lambda a, b: (a | ~b) & M64,
    "xnor": lambda a, b: ~(a ^ b) & M64,
    "max": lambda a, b: a if s64(a) > s64(b) else b,
    "maxu": lambda a, b: max(a, b),
    "min": lambda a, b: a if s64(a) < s64(b) else b,
    "minu": lambda a, b: min(a, b),
    "rol": lambda a, b: rot(a, b & 63, 64),
    "ror": lambda a, b: rot(a, -(b & 63), 64),
    "rolw": lambda a, b: sx32(rot(a & 0xffffffff, b & 31, 32)),
    "rorw": lambda a, b: sx32(rot(a & 0xffffffff, -(b & 31), 32)),
    "bclr": lambda a, b: a & ~(1 << (b & 63)) & M64,
    "bext": lambda a, b: (a >> (b & 63)) & 1,
    "binv": lambda a, b: a ^ (1 << (b & 63)),
    "bset": lambda a, b: a | (1 << (b & 63)),
}


def clz(v, bits):
    return bits - v.bit_length()


def ctz(v, bits):
    return bits if v == 0 else (v & -v).bit_length() - 1


UNARY = {
    "clz": lambda a: clz(a, 64),
    "clzw": lambda a: clz(a & 0xffffffff, 32),
    "ctz": lambda a: ctz(a, 64),
    "ctzw": lambda a: ctz(a & 0xffffffff, 32),
    "cpop": lambda a: bin(a).count("1"),
    "cpopw": lambda a: bin(a & 0xffffffff).count("1"),
    "sext.b": lambda a: sx(a, 8) & M64,
    "sext.h": lambda a: sx(a, 16) & M64,
    "zext.h": lambda a: a & 0xffff,
    "orc.b": lambda a: sum(0xff << (8 * i) for i in range(8) if (a >> (8 * i)) & 0xff),
    "rev8": lambda a: int.from_bytes(a.to_bytes(8, "little"), "big"),
}


def imm_op(name, imm, a):
    word = name.endswith("w") and name not in ("slli.uw",)
    table = {
        "addi": lambda: (a + imm) & M64,
        "addiw": lambda: sx32(a + imm),
        "slti": lambda: int(s64(a) < imm),
        "sltiu": lambda: int(a < (imm & M64)),
        "xori": lambda: a ^ (imm & M64),
        "ori": lambda: a | (imm & M64),
        "andi": lambda: a & (imm & M64),
        "slli": lambda: (a << imm) & M64,
        "srli": lambda: a >> imm,
        "srai": lambda: (s64(a) >> imm) & M64,
        "slliw": lambda: sx32(a << imm),
        "srliw": lambda: sx32((a & 0xffffffff) >> imm),
        "sraiw": lambda: sx32(sx(a, 32) >> imm),
        "slli.uw": lambda: ((a & 0xffffffff) << imm) & M64,
        "rori": lambda: rot(a, -imm, 64),
        "roriw": lambda: sx32(rot(a & 0xffffffff, -imm, 32)),
        "bclri": lambda: a & ~(1 << imm) & M64,
        "bexti": lambda: (a >> imm) & 1,
        "binvi": lambda: a ^ (1 << imm),
        "bseti": lambda: a | (1 << imm),
    }
    del word
    return table[name]() if name in table else None


def check_int(name, errors):
    for line in (HERE / "expected" / f"{name}.out").read_text().splitlines():
        head, _, res = line.partition(": ")
        parts = head.split()
        if len(parts) < 2 or not res:
            continue
        want = None
        try:
            if parts[0] in INT_OPS and len(parts) == 3:
                want = INT_OPS[parts[0]](int(parts[1], 16), int(parts[2], 16))
            elif parts[0] in UNARY and len(parts) == 2:
                want = UNARY[parts[0]](int(parts[1], 16))
            elif len(parts) >= 3:
                want = imm_op(parts[0], int(parts[1], 0), int(parts[2], 16))
        except ValueError:
            continue
        if want is not None and int(res, 16) != want:
            errors.append(f"{name}: {line} (model: {want:016x})")


# --- floating point -------------------------------------------------------

FORMATS = {  # precision bits, minimum normal exponent, maximum exponent, width
    "d": (53, -1022, 1023, 64),
    "s": (24, -126, 127, 32),
}
NX, UF, OF, DZ, NV = 1, 2, 4, 8, 16
FLAG_NAMES = {"NX": NX, "UF": UF, "OF": OF, "DZ": DZ, "NV": NV}


def decode(bits, fmt):
    """Exact value of a finite encoding, or None for inf/NaN."""
    p, emin, emax, width = FORMATS[fmt]
    frac_bits = p - 1
    exp_bits = width - 1 - frac_bits
    sign = bits >> (width - 1)
    e = (bits >> frac_bits) & ((1 << exp_bits) - 1)
    m = bits & ((1 << frac_bits) - 1)
    if e == (1 << exp_bits) - 1:
        return None
    v = Fraction(m, 1 << frac_bits) * Fraction(2) ** emin if e == 0 else \
        Fraction((1 << frac_bits) | m, 1 << frac_bits) * Fraction(2) ** (e - (1 << (exp_bits - 1)) + 1)
    return -v if sign else v, sign


def floor_log2(a):
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    if Fraction(2) ** (e + 1) <= a:
        e += 1
    return e


def round_mag(a, e, p, mode, neg):
    """Round positive `a` to a multiple of 2^(e-p+1); returns the value."""
    q = Fraction(2) ** (e - p + 1)
    n = a / q
    lo = n.numerator // n.denominator
    rest = n - lo
    if rest == 0:
        return lo * q
    up = {
        "rne": rest > Fraction(1, 2) or (rest == Fraction(1, 2) and lo % 2 == 1),
        "rtz": False,
        "rdn": neg,
        "rup": not neg,
        "rmm": rest >= Fraction(1, 2),
    }[mode]
    return (lo + up) * q


def encode(v, neg, fmt):
    if fmt == "d":
        bits = struct.unpack("<Q", struct.pack("<d", float(v)))[0]
        return bits | (neg << 63)
    bits = struct.unpack("<I", struct.pack("<f", float(v)))[0]
    return 0xFFFFFFFF00000000 | bits | (neg << 31)


def round_to(x, fmt, mode):
    """(encoding, flags) of exact non-zero rational x rounded in `mode`."""
    p, emin, emax, width = FORMATS[fmt]
    neg = x < 0
    a = -x if neg else x
    e_unb = floor_log2(a)
    flags = 0
    v = round_mag(a, max(e_unb, emin), p, mode, neg)
    if v != a:
        flags |= NX
        if round_mag(a, e_unb, p, mode, neg) < Fraction(2) ** emin:
            flags |= UF
    if v >= Fraction(2) ** (emax + 1):
        big = {"rne": True, "rmm": True, "rtz": False, "rdn": neg, "rup": not neg}[mode]
        maxf = (2 - Fraction(2) ** (1 - p)) * Fraction(2) ** emax
        if big:
            inf = (0x7FF << 52) if fmt == "d" else 0xFFFFFFFF7F800000
            return inf | (neg << (width - 1)), OF | NX
        return encode(maxf, neg, fmt), OF | NX
    return encode(v, neg, fmt), flags


def check_fp(name, fmt, errors):
    checked = 0
    for line in (HERE / "expected" / f"{name}.out").read_text().splitlines():
        head, _, res = line.partition(": ")
        parts = head.split()
        op = parts[0].split(".")[0]
        if op not in ("fadd", "fsub", "fmul", "fdiv", "fmadd", "fmsub", "fnmadd", "fnmsub"):
            continue
        mode = parts[1].split("=")[-1]
        ops = [decode(int(h, 16), fmt) for h in parts[2:]]
        if any(o is None for o in ops):
            continue
        vals = [o[0] for o in ops]
        if op == "fadd":
            x = vals[0] + vals[1]
        elif op == "fsub":
            x = vals[0] - vals[1]
        elif op == "fmul":
            x = vals[0] * vals[1]
        elif op == "fdiv":
            if vals[1] == 0:
                continue
            x = vals[0] / vals[1]
        else:
            prod = vals[0] * vals[1]
            x = {"fmadd": prod + vals[2], "fmsub": prod - vals[2],
                 "fnmadd": -prod - vals[2], "fnmsub": -prod + vals[2]}[op]
        if x == 0:
            continue  # sign of exact zero results: checked by reading
        want_bits, want_flags = round_to(x, fmt, mode)
        got = res.split()
        got_bits = int(got[0], 16)
        got_flags = 0 if got[1] == "-" else sum(FLAG_NAMES[f] for f in got[1].split("|"))
        checked += 1
        if (got_bits, got_flags) != (want_bits, want_flags):
            errors.append(f"{name}: {line} (model: {want_bits:016x} flags {want_flags:#x})")
    return checked


def main():
    errors = []
    for name in ("rv64i_alu", "rv64m", "zbitmanip"):
        check_int(name, errors)
    n = check_fp("fp_arith_d", "d", errors) + check_fp("fp_arith_s", "s", errors)
    for e in errors:
        print(e)
    print(f"{n} FP results and the integer tables checked, {len(errors)} disagreements")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
