//! Exact integer implementation of the arithmetic operations for any
//! rounding mode. It serves the directed rounding modes and the rare cases
//! (NaN, infinity, overflow, underflow) that the native fast paths hand over.
//!
//! All functions take and return raw, unboxed bit patterns of format `f`.
//! They are marked cold: on the hot paths they are the unlikely branch.

use crate::flags::{DZ, NV};
use crate::format::Format;
use crate::rm::RDN;
use crate::rounding::round_pack;

/// Decoded operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Zero,
    Inf,
    Nan,
    /// Value is `sig * 2^exp`, `sig != 0`.
    Finite {
        exp: i32,
        sig: u64,
    },
}

#[derive(Clone, Copy, Debug)]
struct Operand {
    negative: bool,
    kind: Kind,
}

#[inline]
fn unpack(bits: u64, f: Format) -> Operand {
    let negative = bits & f.sign_bit() != 0;
    let field = ((bits >> f.man_bits) & ((1 << f.exp_bits) - 1)) as i32;
    let man = bits & f.man_mask();
    let kind = if field == (1 << f.exp_bits) - 1 {
        if man == 0 { Kind::Inf } else { Kind::Nan }
    } else if field == 0 {
        if man == 0 {
            Kind::Zero
        } else {
            Kind::Finite {
                exp: f.emin() - f.man_bits as i32,
                sig: man,
            }
        }
    } else {
        Kind::Finite {
            exp: field - f.bias() - f.man_bits as i32,
            sig: man | 1 << f.man_bits,
        }
    };
    Operand { negative, kind }
}

#[inline]
fn signed(negative: bool, mag: u64, f: Format) -> u64 {
    if negative { mag | f.sign_bit() } else { mag }
}

/// Canonical NaN result, raising NV if any operand is a signalling NaN.
#[inline]
fn nan_result(operands: &[u64], f: Format, flags: &mut u8) -> u64 {
    if operands.iter().any(|&x| f.is_snan(x)) {
        *flags |= NV;
    }
    f.canonical_nan()
}

#[inline]
fn invalid(f: Format, flags: &mut u8) -> u64 {
    *flags |= NV;
    f.canonical_nan()
}

/// Sign of an exact zero sum of operands with signs `a` and `b`.
#[inline]
fn zero_sum_sign(a: bool, b: bool, rm: u8) -> bool {
    if a == b { a } else { rm == RDN }
}

/// Adds two nonzero finite values `ma * 2^ea` and `mb * 2^eb` (each
/// significand at most 106 bits) and rounds once.
fn add_finite(
    (sa, ea, ma): (bool, i32, u128),
    (sb, eb, mb): (bool, i32, u128),
    rm: u8,
    f: Format,
    flags: &mut u8,
) -> u64 {
    // Put both leading bits at bit 125: room for a carry, and at least 19
    // zero bits below each significand so one-bit alignments stay exact.
    let la = ma.leading_zeros() - 2;
    let lb = mb.leading_zeros() - 2;
    let (mut sa, mut ea, mut ma) = (sa, ea - la as i32, ma << la);
    let (mut sb, mut eb, mut mb) = (sb, eb - lb as i32, mb << lb);
    if ea < eb {
        std::mem::swap(&mut sa, &mut sb);
        std::mem::swap(&mut ea, &mut eb);
        std::mem::swap(&mut ma, &mut mb);
    }
    let d = (ea - eb) as u32;
    // Bits shifted out only matter as a sticky bit. This is only lossy when
    // d >= 2, where the result keeps its leading bit at 124 or above, far
    // above the rounding position.
    let mb = if d == 0 {
        mb
    } else if d >= 127 {
        1
    } else {
        (mb >> d) | (mb & ((1 << d) - 1) != 0) as u128
    };
    if sa == sb {
        return round_pack(sa, ea, ma + mb, rm, f, flags);
    }
    let (negative, diff) = if ma >= mb {
        (sa, ma - mb)
    } else {
        (sb, mb - ma)
    };
    if diff == 0 {
        return signed(rm == RDN, 0, f);
    }
    round_pack(negative, ea, diff, rm, f, flags)
}

/// `a + b`.
#[cold]
pub fn add(a: u64, b: u64, rm: u8, f: Format, flags: &mut u8) -> u64 {
    let (x, y) = (unpack(a, f), unpack(b, f));
    match (x.kind, y.kind) {
        (Kind::Nan, _) | (_, Kind::Nan) => nan_result(&[a, b], f, flags),
        (Kind::Inf, Kind::Inf) if x.negative != y.negative => invalid(f, flags),
        (Kind::Inf, _) => a,
        (_, Kind::Inf) => b,
        (Kind::Zero, Kind::Zero) => signed(zero_sum_sign(x.negative, y.negative, rm), 0, f),
        (Kind::Zero, _) => b,
        (_, Kind::Zero) => a,
        (Kind::Finite { exp: ea, sig: ma }, Kind::Finite { exp: eb, sig: mb }) => add_finite(
            (x.negative, ea, ma as u128),
            (y.negative, eb, mb as u128),
            rm,
            f,
            flags,
        ),
    }
}

/// `a - b`.
#[cold]
pub fn sub(a: u64, b: u64, rm: u8, f: Format, flags: &mut u8) -> u64 {
    add(a, b ^ f.sign_bit(), rm, f, flags)
}

/// `a * b`.
#[cold]
pub fn mul(a: u64, b: u64, rm: u8, f: Format, flags: &mut u8) -> u64 {
    let (x, y) = (unpack(a, f), unpack(b, f));
    let negative = x.negative != y.negative;
    match (x.kind, y.kind) {
        (Kind::Nan, _) | (_, Kind::Nan) => nan_result(&[a, b], f, flags),
        (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf) => invalid(f, flags),
        (Kind::Inf, _) | (_, Kind::Inf) => signed(negative, f.inf(), f),
        (Kind::Zero, _) | (_, Kind::Zero) => signed(negative, 0, f),
        (Kind::Finite { exp: ea, sig: ma }, Kind::Finite { exp: eb, sig: mb }) => {
            round_pack(negative, ea + eb, ma as u128 * mb as u128, rm, f, flags)
        }
    }
}

/// `a / b`.
#[cold]
pub fn div(a: u64, b: u64, rm: u8, f: Format, flags: &mut u8) -> u64 {
    let (x, y) = (unpack(a, f), unpack(b, f));
    let negative = x.negative != y.negative;
    match (x.kind, y.kind) {
        (Kind::Nan, _) | (_, Kind::Nan) => nan_result(&[a, b], f, flags),
        (Kind::Inf, Kind::Inf) | (Kind::Zero, Kind::Zero) => invalid(f, flags),
        (Kind::Inf, _) => signed(negative, f.inf(), f),
        (_, Kind::Inf) | (Kind::Zero, _) => signed(negative, 0, f),
        (_, Kind::Zero) => {
            *flags |= DZ;
            signed(negative, f.inf(), f)
        }
        (Kind::Finite { exp: ea, sig: ma }, Kind::Finite { exp: eb, sig: mb }) => {
            // Dividend leading bit at 127, divisor at 63: a quotient of 64 or
            // 65 bits, plenty of guard bits for the sticky remainder.
            let sa = ma.leading_zeros();
            let sb = mb.leading_zeros();
            let num = ((ma << sa) as u128) << 64;
            let den = (mb << sb) as u128;
            let q = num / den;
            let sticky = !num.is_multiple_of(den) as u128;
            let exp = ea - sa as i32 - 64 - (eb - sb as i32);
            round_pack(negative, exp, q | sticky, rm, f, flags)
        }
    }
}

/// Square root of `a`.
#[cold]
pub fn sqrt(a: u64, rm: u8, f: Format, flags: &mut u8) -> u64 {
    let x = unpack(a, f);
    match x.kind {
        Kind::Nan => nan_result(&[a], f, flags),
        Kind::Zero => a,
        _ if x.negative => invalid(f, flags),
        Kind::Inf => a,
        Kind::Finite { exp, sig } => {
            // Leading bit at 125 or 126 with an even exponent: the integer
            // root has 63 bits, leaving guard bits for the sticky remainder.
            let s = (sig as u128).leading_zeros() - 2;
            let (mut m, mut e) = ((sig as u128) << s, exp - s as i32);
            if e & 1 != 0 {
                m <<= 1;
                e -= 1;
            }
            let r = m.isqrt();
            let sticky = (r * r != m) as u128;
            round_pack(false, e / 2, r | sticky, rm, f, flags)
        }
    }
}

/// Fused `(±(a * b)) + (±c)` with a single rounding; `op` selects
/// FMADD / FMSUB / FNMSUB / FNMADD.
#[cold]
pub fn fma(a: u64, b: u64, c: u64, op: FmaOp, rm: u8, f: Format, flags: &mut u8) -> u64 {
    let (negate_product, negate_addend) = op.negations();
    let (x, y, z) = (unpack(a, f), unpack(b, f), unpack(c, f));
    // The product of infinity and zero is invalid even with a quiet NaN addend.
    if matches!(
        (x.kind, y.kind),
        (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf)
    ) {
        *flags |= NV;
        return f.canonical_nan();
    }
    if x.kind == Kind::Nan || y.kind == Kind::Nan || z.kind == Kind::Nan {
        return nan_result(&[a, b, c], f, flags);
    }
    let sp = (x.negative != y.negative) != negate_product;
    let sc = z.negative != negate_addend;
    let product_inf = x.kind == Kind::Inf || y.kind == Kind::Inf;
    if product_inf {
        if z.kind == Kind::Inf && sp != sc {
            return invalid(f, flags);
        }
        return signed(sp, f.inf(), f);
    }
    match (x.kind, y.kind, z.kind) {
        (_, _, Kind::Inf) => signed(sc, f.inf(), f),
        (Kind::Zero, _, Kind::Zero) | (_, Kind::Zero, Kind::Zero) => {
            signed(zero_sum_sign(sp, sc, rm), 0, f)
        }
        (Kind::Zero, _, _) | (_, Kind::Zero, _) => signed(sc, c & !f.sign_bit(), f),
        (Kind::Finite { exp: ea, sig: ma }, Kind::Finite { exp: eb, sig: mb }, Kind::Zero) => {
            round_pack(sp, ea + eb, ma as u128 * mb as u128, rm, f, flags)
        }
        (
            Kind::Finite { exp: ea, sig: ma },
            Kind::Finite { exp: eb, sig: mb },
            Kind::Finite { exp: ec, sig: mc },
        ) => add_finite(
            (sp, ea + eb, ma as u128 * mb as u128),
            (sc, ec, mc as u128),
            rm,
            f,
            flags,
        ),
        _ => unreachable!("NaN and infinite operands handled above"),
    }
}

/// Which of the four fused multiply-add instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FmaOp {
    /// `a * b + c`
    Madd,
    /// `a * b - c`
    Msub,
    /// `-(a * b) + c`
    Nmsub,
    /// `-(a * b) - c`
    Nmadd,
}

impl FmaOp {
    /// Whether the product and the addend are negated.
    #[inline]
    pub const fn negations(self) -> (bool, bool) {
        match self {
            FmaOp::Madd => (false, false),
            FmaOp::Msub => (false, true),
            FmaOp::Nmsub => (true, false),
            FmaOp::Nmadd => (true, true),
        }
    }
}

/// Rounds the integer `mag` (negated if `negative`) into format `f`.
#[cold]
pub fn from_int(negative: bool, mag: u64, rm: u8, f: Format, flags: &mut u8) -> u64 {
    if mag == 0 {
        return 0;
    }
    round_pack(negative, 0, mag as u128, rm, f, flags)
}

/// Converts between formats (`from` to `to`), rounding with `rm`; NaNs
/// become canonical.
#[cold]
pub fn convert(a: u64, from: Format, to: Format, rm: u8, flags: &mut u8) -> u64 {
    let x = unpack(a, from);
    match x.kind {
        Kind::Nan => {
            if from.is_snan(a) {
                *flags |= NV;
            }
            to.canonical_nan()
        }
        Kind::Zero => signed(x.negative, 0, to),
        Kind::Inf => signed(x.negative, to.inf(), to),
        Kind::Finite { exp, sig } => round_pack(x.negative, exp, sig as u128, rm, to, flags),
    }
}
