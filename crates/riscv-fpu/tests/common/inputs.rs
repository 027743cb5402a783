//! Deterministic random operands biased towards IEEE corner cases.

use super::ops::{Op, Prec, Shape};

/// SplitMix64: tiny, fast and good enough for test inputs.
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Field widths of a format.
fn layout(prec: Prec) -> (u32, u32) {
    match prec {
        Prec::S => (23, 8),
        Prec::D => (52, 11),
    }
}

fn make(prec: Prec, negative: bool, exp_field: u64, man: u64) -> u64 {
    let (m, e) = layout(prec);
    let bits = ((negative as u64) << (m + e)) | (exp_field << m) | (man & ((1 << m) - 1));
    match prec {
        Prec::S => bits | 0xffff_ffff_0000_0000,
        Prec::D => bits,
    }
}

/// Raw (unboxed) bits of a register value.
fn raw(prec: Prec, reg: u64) -> u64 {
    match prec {
        Prec::S => reg & 0xffff_ffff,
        Prec::D => reg,
    }
}

/// A random FP register value of precision `prec`. `near` (a previous
/// operand) lets some draws land close to it for cancellation and ties.
pub fn float(rng: &mut Rng, prec: Prec, near: Option<u64>) -> u64 {
    let (m, e) = layout(prec);
    let max_e = (1u64 << e) - 1;
    let bias = max_e / 2;
    let neg = rng.next() & 1 == 1;
    let man = rng.next();
    match rng.below(20) {
        0 => make(prec, neg, 0, 0),
        1 => make(prec, neg, max_e, 0),
        2 => make(prec, neg, max_e, (1 << (m - 1)) | man),
        3 => make(prec, neg, max_e, (man & ((1 << (m - 1)) - 1)) | 1),
        4 => make(prec, neg, 0, man | 1),
        5 => make(prec, neg, 1, man & rng.next() & rng.next()),
        6 => make(prec, neg, max_e - 1 - rng.below(3), man | (man >> 7)),
        7 => make(
            prec,
            neg,
            bias + rng.below(3) - 1,
            man & !(u64::MAX << rng.below(8)),
        ),
        8 | 9 => match near {
            Some(x) => {
                let mut bits = raw(prec, x).wrapping_add(rng.below(9)).wrapping_sub(4);
                if rng.next() & 1 == 1 {
                    bits ^= 1 << (m + e);
                }
                rebox(prec, bits)
            }
            None => make(prec, neg, bias + rng.below(40) - 20, man),
        },
        10 => {
            // Small integers and halves: exact results, ties in conversions.
            let v = (rng.below(1 << 12) as f64 - 2048.0) / 2f64.powi(rng.below(3) as i32);
            from_f64(prec, v)
        }
        11 => {
            // Near integer-conversion limits.
            let p = [31, 32, 63, 64][rng.below(4) as usize];
            let v = 2f64.powi(p) * if neg { -1.0 } else { 1.0 };
            rebox(
                prec,
                raw(prec, from_f64(prec, v))
                    .wrapping_add(rng.below(5))
                    .wrapping_sub(2),
            )
        }
        12 => make(prec, neg, rng.below(m as u64 + 3), man),
        13 => make(
            prec,
            neg,
            bias + rng.below(2 * bias) - bias / 2,
            man & (u64::MAX << rng.below(m as u64)),
        ),
        14 => match prec {
            // An improperly boxed single reads as the canonical NaN.
            Prec::S if rng.below(4) == 0 => {
                let upper = [0, 0xffff_fffe, 0x7fff_ffff, 0xefff_ffff, rng.next() >> 32];
                (upper[rng.below(5) as usize] << 32) | (rng.next() & 0xffff_ffff)
            }
            _ => make(prec, neg, 0, 1 << rng.below(m as u64)),
        },
        _ => make(prec, neg, rng.below(max_e + 1), man),
    }
}

/// `reg` moved by up to four ulps either way.
fn within_ulps(rng: &mut Rng, prec: Prec, reg: u64) -> u64 {
    rebox(
        prec,
        raw(prec, reg).wrapping_add(rng.below(9)).wrapping_sub(4),
    )
}

/// Register value holding the raw bits of `prec`.
pub fn rebox(prec: Prec, bits: u64) -> u64 {
    match prec {
        Prec::S => (bits & 0xffff_ffff) | 0xffff_ffff_0000_0000,
        Prec::D => bits,
    }
}

fn from_f64(prec: Prec, v: f64) -> u64 {
    match prec {
        Prec::S => (v as f32).to_bits() as u64 | 0xffff_ffff_0000_0000,
        Prec::D => v.to_bits(),
    }
}

/// A random integer register value for int-to-float conversions.
pub fn int(rng: &mut Rng) -> u64 {
    let x = rng.next();
    match rng.below(8) {
        0 => x >> rng.below(64),
        1 => (x >> rng.below(64)).wrapping_neg(),
        2 => 1u64 << rng.below(64),
        3 => (1u64 << rng.below(64)).wrapping_sub(rng.below(3)),
        4 => (x as i32 as i64 >> rng.below(32)) as u64,
        5 => x & !((1u64 << rng.below(40)) - 1),
        _ => x,
    }
}

/// Whether the instruction takes a rounding mode.
pub fn uses_rm(op: &Op) -> bool {
    matches!(
        op.shape,
        Shape::Binary | Shape::Unary | Shape::Ternary | Shape::FromInt
    )
}

/// Values at which range flags change: results near them exercise
/// overflow and tininess-after-rounding boundaries.
fn boundary(rng: &mut Rng, prec: Prec) -> f64 {
    let (min_normal, max) = match prec {
        Prec::S => (f32::MIN_POSITIVE as f64, f32::MAX as f64),
        Prec::D => (f64::MIN_POSITIVE, f64::MAX),
    };
    let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
    sign * [min_normal, max, min_normal / 2.0, 1.0][rng.below(4) as usize]
}

fn as_reg(prec: Prec, v: f64) -> u64 {
    match prec {
        Prec::S => rebox(prec, (v as f32).to_bits() as u64),
        Prec::D => v.to_bits(),
    }
}

fn as_value(prec: Prec, reg: u64) -> f64 {
    match prec {
        Prec::S => f32::from_bits(reg as u32) as f64,
        Prec::D => f64::from_bits(reg),
    }
}

/// Operands for one case. Some are steered: the second operand so that the
/// result lands within a few ulps of a range boundary, and the addend of
/// fused ops near `-(a * b)` (or a boundary minus it) to provoke
/// cancellation.
pub fn operands(rng: &mut Rng, op: &Op) -> (u64, u64, u64) {
    if op.shape == Shape::FromInt {
        return (int(rng), 0, 0);
    }
    let p = op.prec;
    let mut a = float(rng, p, None);
    if op.name == "cvt.s.d" && rng.below(3) == 0 {
        // Doubles near the single-precision range limits.
        let target = boundary(rng, Prec::S);
        let nudge = rng.below(1 << 31).wrapping_sub(1 << 30);
        a = target.to_bits().wrapping_add(nudge);
    }
    let mut b = float(rng, p, Some(a));
    let steerable = matches!(op.shape, Shape::Binary | Shape::Ternary);
    if steerable && rng.below(4) == 0 {
        let target = boundary(rng, p);
        let x = as_value(p, a);
        let y = match op.name.split('.').next() {
            Some("add") => target - x,
            Some("sub") => x - target,
            Some("div") => x / target,
            _ => target / x,
        };
        if y.is_finite() && y != 0.0 {
            b = within_ulps(rng, p, as_reg(p, y));
        }
    }
    let mut c = float(rng, p, Some(b));
    if op.shape == Shape::Ternary && rng.below(3) == 0 {
        let product = as_value(p, a) * as_value(p, b);
        let product = if rng.below(2) == 0 {
            product
        } else {
            boundary(rng, p) - product
        };
        // Either sign: whichever of the four fused ops it suits.
        let addend = if rng.below(2) == 0 { product } else { -product };
        c = within_ulps(rng, p, as_reg(p, addend));
    }
    (a, b, c)
}
