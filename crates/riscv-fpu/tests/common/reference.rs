//! Independent reference semantics built on `rustc_apfloat` (LLVM's APFloat
//! in Rust), adapted to the RISC-V rules it does not know about: canonical
//! NaNs, NaN-boxing, saturating conversions and tininess after rounding.

use super::ops::Op;
use rustc_apfloat::ieee::{Double, DoubleS, IeeeFloat, Quad, Semantics, Single, SingleS};
use rustc_apfloat::{Float, FloatConvert, Round, Status, StatusAnd};

const NX: u8 = 1;
const UF: u8 = 2;
const OF: u8 = 4;
const DZ: u8 = 8;
const NV: u8 = 16;

/// Same precision as binary32 with a much wider exponent range: rounding
/// there is "rounding as if the exponent range were unbounded", which
/// defines tininess after rounding.
pub struct WideSingleS;
impl Semantics for WideSingleS {
    const BITS: usize = 1 + 15 + 23;
    const EXP_BITS: usize = 15;
}

/// Binary64 precision with a wide exponent range (see [`WideSingleS`]).
pub struct WideDoubleS;
impl Semantics for WideDoubleS {
    const BITS: usize = 1 + 15 + 52;
    const EXP_BITS: usize = 15;
}

type WideSingle = IeeeFloat<WideSingleS>;

fn round(rm: u8) -> Round {
    match rm {
        0 => Round::NearestTiesToEven,
        1 => Round::TowardZero,
        2 => Round::TowardNegative,
        3 => Round::TowardPositive,
        4 => Round::NearestTiesToAway,
        _ => panic!("bad rm {rm}"),
    }
}

/// RISC-V flags for an APFloat status, leaving out APFloat's underflow
/// (which it detects on the subnormal-rounded value).
fn flags_of(status: Status) -> u8 {
    let mut f = 0;
    for (s, bit) in [
        (Status::INVALID_OP, NV),
        (Status::DIV_BY_ZERO, DZ),
        (Status::OVERFLOW, OF),
        (Status::INEXACT, NX),
    ] {
        if status.contains(s) {
            f |= bit;
        }
    }
    f
}

fn unbox(reg: u64) -> u64 {
    if reg >> 32 == 0xffff_ffff {
        reg & 0xffff_ffff
    } else {
        0x7fc0_0000
    }
}

fn boxed(bits: u64) -> u64 {
    bits | 0xffff_ffff_0000_0000
}

#[derive(Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Fma(bool, bool),
}

fn apply<T: Float>(op: Arith, a: T, b: T, c: T, r: Round) -> StatusAnd<T> {
    match op {
        Arith::Add => a.add_r(b, r),
        Arith::Sub => a.sub_r(b, r),
        Arith::Mul => a.mul_r(b, r),
        Arith::Div => a.div_r(b, r),
        Arith::Fma(neg_product, neg_addend) => {
            let a = if neg_product { -a } else { a };
            let c = if neg_addend { -c } else { c };
            a.mul_add_r(b, c, r)
        }
    }
}

fn result_bits<S: Semantics>(v: IeeeFloat<S>) -> u64 {
    if v.is_nan() {
        IeeeFloat::<S>::qnan(None).to_bits() as u64
    } else {
        v.to_bits() as u64
    }
}

fn widen<S: Semantics, W: Semantics>(v: IeeeFloat<S>) -> IeeeFloat<W>
where
    IeeeFloat<S>: FloatConvert<IeeeFloat<W>>,
{
    v.convert(&mut false).value
}

/// Overflow and underflow as IEEE 754 defines them, from the result rounded
/// with an unbounded exponent range: APFloat detects tininess on the
/// subnormal-rounded value and reports no overflow when a directed mode
/// rounds to the largest finite number.
fn range_flags<S: Semantics, W: Semantics>(
    flags: u8,
    wide_result: impl FnOnce() -> IeeeFloat<W>,
) -> u8
where
    IeeeFloat<S>: FloatConvert<IeeeFloat<W>>,
{
    if flags & NX == 0 {
        return flags;
    }
    let wide = wide_result().abs();
    let min_normal: IeeeFloat<W> = widen(IeeeFloat::<S>::smallest_normalized());
    let largest: IeeeFloat<W> = widen(IeeeFloat::<S>::largest());
    if wide > largest {
        flags | OF
    } else if wide < min_normal {
        flags | UF
    } else {
        flags
    }
}

fn arith<S: Semantics, W: Semantics>(op: Arith, a: u64, b: u64, c: u64, rm: u8) -> (u64, u8)
where
    IeeeFloat<S>: FloatConvert<IeeeFloat<W>>,
{
    let f = |x: u64| IeeeFloat::<S>::from_bits(x as u128);
    let (x, y, z) = (f(a), f(b), f(c));
    let r = apply(op, x, y, z, round(rm));
    let flags = range_flags::<S, W>(flags_of(r.status), || {
        apply(op, widen::<S, W>(x), widen(y), widen(z), round(rm)).value
    });
    (result_bits(r.value), flags)
}

/// Square root by exact search: the candidates' squares (and the squares of
/// the midpoints between them) are exact in binary128.
fn sqrt<S: Semantics>(a: u64, rm: u8) -> (u64, u8)
where
    IeeeFloat<S>: FloatConvert<Quad> + FloatConvert<Double>,
    Double: FloatConvert<IeeeFloat<S>>,
{
    let x = IeeeFloat::<S>::from_bits(a as u128);
    if x.is_nan() {
        return (result_bits(x), if x.is_signaling() { NV } else { 0 });
    }
    if x.is_zero() || x.is_pos_infinity() {
        return (a, 0);
    }
    if x.is_negative() {
        return (IeeeFloat::<S>::qnan(None).to_bits() as u64, NV);
    }
    let q = |v: IeeeFloat<S>| -> Quad { widen(v) };
    let square = |v: IeeeFloat<S>| (q(v) * q(v)).value;
    let xq = q(x);
    let as_double: Double = widen(x);
    let guess = f64::from_bits(as_double.to_bits() as u64).sqrt();
    let mut lo: IeeeFloat<S> = Double::from_bits(guess.to_bits() as u128)
        .convert(&mut false)
        .value;
    while square(lo) > xq {
        lo = lo.next_down().value;
    }
    while square(lo.next_up().value) <= xq {
        lo = lo.next_up().value;
    }
    if square(lo) == xq {
        return (lo.to_bits() as u64, 0);
    }
    let hi = lo.next_up().value;
    let pick_hi = match rm {
        1 | 2 => false,
        3 => true,
        _ => {
            let mid = (q(lo) + q(hi)).value.scalbn(-1);
            xq > (mid * mid).value
        }
    };
    ((if pick_hi { hi } else { lo }).to_bits() as u64, NX)
}

/// Float to integer with the RISC-V saturation table.
fn to_int<S: Semantics>(a: u64, rm: u8, signed: bool, width: usize) -> (u64, u8) {
    let x = IeeeFloat::<S>::from_bits(a as u128);
    let narrow = |v: u128| {
        if width == 32 {
            v as u32 as i32 as i64 as u64
        } else {
            v as u64
        }
    };
    if x.is_nan() {
        let max = if signed {
            (1u128 << (width - 1)) - 1
        } else {
            (1u128 << width) - 1
        };
        return (narrow(max), NV);
    }
    let mut exact = false;
    let (value, status) = if signed {
        let r = x.to_i128_r(width, round(rm), &mut exact);
        (r.value as u128, r.status)
    } else {
        let r = x.to_u128_r(width, round(rm), &mut exact);
        (r.value, r.status)
    };
    (narrow(value), flags_of(status))
}

fn from_int<S: Semantics>(v: i128, rm: u8) -> (u64, u8) {
    let r = IeeeFloat::<S>::from_i128_r(v, round(rm));
    (r.value.to_bits() as u64, flags_of(r.status))
}

fn class<S: Semantics>(a: u64) -> u64 {
    let x = IeeeFloat::<S>::from_bits(a as u128);
    let n = x.is_negative();
    let bit = if x.is_signaling() {
        8
    } else if x.is_nan() {
        9
    } else if x.is_infinite() {
        if n { 0 } else { 7 }
    } else if x.is_zero() {
        if n { 3 } else { 4 }
    } else if x.is_denormal() {
        if n { 2 } else { 5 }
    } else if n {
        1
    } else {
        6
    };
    1 << bit
}

fn compare<S: Semantics>(name: &str, a: u64, b: u64) -> (u64, u8) {
    let (x, y) = (
        IeeeFloat::<S>::from_bits(a as u128),
        IeeeFloat::<S>::from_bits(b as u128),
    );
    let any_nan = x.is_nan() || y.is_nan();
    let any_snan = x.is_signaling() || y.is_signaling();
    match name {
        "eq" => ((x == y) as u64, if any_snan { NV } else { 0 }),
        "lt" => ((x < y) as u64, if any_nan { NV } else { 0 }),
        "le" => ((x <= y) as u64, if any_nan { NV } else { 0 }),
        "min" | "max" => {
            let flags = if any_snan { NV } else { 0 };
            let r = match (x.is_nan(), y.is_nan()) {
                (true, true) => IeeeFloat::<S>::qnan(None),
                (true, false) => y,
                (false, true) => x,
                _ if name == "min" => x.minimum(y),
                _ => x.maximum(y),
            };
            (r.to_bits() as u64, flags)
        }
        "sgnj" => (x.copy_sign(y).to_bits() as u64, 0),
        "sgnjn" => (x.copy_sign(-y).to_bits() as u64, 0),
        "sgnjx" => ((if y.is_negative() { -x } else { x }).to_bits() as u64, 0),
        _ => unreachable!("{name}"),
    }
}

/// Reference result and flags for `op` on register values `a`, `b`, `c`.
pub fn reference(op: &Op, a: u64, b: u64, c: u64, rm: u8) -> (u64, u8) {
    let (base, suffix) = op.name.rsplit_once('.').unwrap();
    let single = suffix == "s";
    let arith_op = match base {
        "add" => Some(Arith::Add),
        "sub" => Some(Arith::Sub),
        "mul" => Some(Arith::Mul),
        "div" => Some(Arith::Div),
        "madd" => Some(Arith::Fma(false, false)),
        "msub" => Some(Arith::Fma(false, true)),
        "nmsub" => Some(Arith::Fma(true, false)),
        "nmadd" => Some(Arith::Fma(true, true)),
        _ => None,
    };
    if let Some(k) = arith_op {
        return if single {
            let (r, f) = arith::<SingleS, WideSingleS>(k, unbox(a), unbox(b), unbox(c), rm);
            (boxed(r), f)
        } else {
            arith::<DoubleS, WideDoubleS>(k, a, b, c, rm)
        };
    }
    match op.name {
        "sqrt.s" => {
            let (r, f) = sqrt::<SingleS>(unbox(a), rm);
            (boxed(r), f)
        }
        "sqrt.d" => sqrt::<DoubleS>(a, rm),
        "class.s" => (class::<SingleS>(unbox(a)), 0),
        "class.d" => (class::<DoubleS>(a), 0),
        "cvt.w.s" => to_int::<SingleS>(unbox(a), rm, true, 32),
        "cvt.wu.s" => to_int::<SingleS>(unbox(a), rm, false, 32),
        "cvt.l.s" => to_int::<SingleS>(unbox(a), rm, true, 64),
        "cvt.lu.s" => to_int::<SingleS>(unbox(a), rm, false, 64),
        "cvt.w.d" => to_int::<DoubleS>(a, rm, true, 32),
        "cvt.wu.d" => to_int::<DoubleS>(a, rm, false, 32),
        "cvt.l.d" => to_int::<DoubleS>(a, rm, true, 64),
        "cvt.lu.d" => to_int::<DoubleS>(a, rm, false, 64),
        "cvt.s.w" => boxed_pair(from_int::<SingleS>(a as i32 as i128, rm)),
        "cvt.s.wu" => boxed_pair(from_int::<SingleS>(a as u32 as i128, rm)),
        "cvt.s.l" => boxed_pair(from_int::<SingleS>(a as i64 as i128, rm)),
        "cvt.s.lu" => boxed_pair(from_int::<SingleS>(a as i128, rm)),
        "cvt.d.w" => from_int::<DoubleS>(a as i32 as i128, rm),
        "cvt.d.wu" => from_int::<DoubleS>(a as u32 as i128, rm),
        "cvt.d.l" => from_int::<DoubleS>(a as i64 as i128, rm),
        "cvt.d.lu" => from_int::<DoubleS>(a as i128, rm),
        "cvt.s.d" => {
            let x = Double::from_bits(a as u128);
            let r: StatusAnd<Single> = x.convert_r(round(rm), &mut false);
            let flags =
                range_flags::<SingleS, WideSingleS>(flags_of(r.status), || -> WideSingle {
                    x.convert_r(round(rm), &mut false).value
                });
            (boxed(result_bits(r.value)), flags)
        }
        "cvt.d.s" => {
            let x = Single::from_bits(unbox(a) as u128);
            let r: StatusAnd<Double> = x.convert(&mut false);
            (result_bits(r.value), flags_of(r.status))
        }
        "mv.x.w" => (a as u32 as i32 as i64 as u64, 0),
        "mv.w.x" => (boxed(a & 0xffff_ffff), 0),
        _ => {
            if single {
                let (r, f) = compare::<SingleS>(base, unbox(a), unbox(b));
                let r = if matches!(base, "eq" | "lt" | "le") {
                    r
                } else {
                    boxed(r)
                };
                (r, f)
            } else {
                compare::<DoubleS>(base, a, b)
            }
        }
    }
}

fn boxed_pair((r, f): (u64, u8)) -> (u64, u8) {
    (boxed(r), f)
}
