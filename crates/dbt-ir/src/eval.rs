//! Exact semantics of the arithmetic ops, shared by the interpreter and the optimizer's
//! constant folder so the two can never disagree.

use crate::types::{AtomicOp, BinOp, Cond, Ty, UnOp};

fn sext(ty: Ty, v: u64) -> i64 {
    match ty {
        Ty::I32 => v as u32 as i32 as i64,
        Ty::I64 => v as i64,
    }
}

/// Evaluates a two-operand op at type `ty`; the result is canonical for `ty`.
pub fn binary(op: BinOp, ty: Ty, a: u64, b: u64) -> u64 {
    let bits = ty.bits();
    let (a, b) = (ty.canon(a), ty.canon(b));
    let (sa, sb) = (sext(ty, a), sext(ty, b));
    let sh = (b as u32) & (bits - 1);
    let r = match op {
        BinOp::Add => a.wrapping_add(b),
        BinOp::Sub => a.wrapping_sub(b),
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::MulHS => ((sa as i128 * sb as i128) >> bits) as u64,
        BinOp::MulHU => ((a as u128 * b as u128) >> bits) as u64,
        BinOp::MulHSU => ((sa as i128 * b as i128) >> bits) as u64,
        BinOp::DivS => match (sa, sb) {
            (_, 0) => u64::MAX,
            (x, -1) => x.wrapping_neg() as u64,
            (x, y) => (x / y) as u64,
        },
        BinOp::DivU => a.checked_div(b).unwrap_or(u64::MAX),
        BinOp::RemS => match (sa, sb) {
            (x, 0) => x as u64,
            (_, -1) => 0,
            (x, y) => (x % y) as u64,
        },
        BinOp::RemU => a.checked_rem(b).unwrap_or(a),
        BinOp::And => a & b,
        BinOp::Or => a | b,
        BinOp::Xor => a ^ b,
        BinOp::AndNot => a & !b,
        BinOp::OrNot => a | !b,
        BinOp::XorNot => !(a ^ b),
        BinOp::Shl => a << sh,
        BinOp::Shr => a >> sh,
        BinOp::Sar => (sa >> sh) as u64,
        BinOp::Rotl => match ty {
            Ty::I32 => (a as u32).rotate_left(sh) as u64,
            Ty::I64 => a.rotate_left(sh),
        },
        BinOp::Rotr => match ty {
            Ty::I32 => (a as u32).rotate_right(sh) as u64,
            Ty::I64 => a.rotate_right(sh),
        },
        BinOp::MinS => sa.min(sb) as u64,
        BinOp::MaxS => sa.max(sb) as u64,
        BinOp::MinU => a.min(b),
        BinOp::MaxU => a.max(b),
    };
    ty.canon(r)
}

/// Evaluates a one-operand op at type `ty`.
pub fn unary(op: UnOp, ty: Ty, a: u64) -> u64 {
    let bits = ty.bits();
    let a = ty.canon(a);
    let r = match op {
        UnOp::Neg => a.wrapping_neg(),
        UnOp::Not => !a,
        UnOp::Clz => (a.leading_zeros() - (64 - bits)) as u64,
        UnOp::Ctz => a.trailing_zeros().min(bits) as u64,
        UnOp::Popcnt => a.count_ones() as u64,
        UnOp::Bswap => match ty {
            Ty::I32 => (a as u32).swap_bytes() as u64,
            Ty::I64 => a.swap_bytes(),
        },
        UnOp::Sext8 => a as u8 as i8 as i64 as u64,
        UnOp::Sext16 => a as u16 as i16 as i64 as u64,
        UnOp::Sext32 => a as u32 as i32 as i64 as u64,
        UnOp::Zext8 => a as u8 as u64,
        UnOp::Zext16 => a as u16 as u64,
        UnOp::Zext32 => a as u32 as u64,
        UnOp::OrcB => (0..8).fold(0u64, |acc, i| {
            if (a >> (8 * i)) & 0xff != 0 {
                acc | (0xff << (8 * i))
            } else {
                acc
            }
        }),
    };
    ty.canon(r)
}

/// Evaluates a comparison of two values of type `ty`.
pub fn cond(c: Cond, ty: Ty, a: u64, b: u64) -> bool {
    let (a, b) = (ty.canon(a), ty.canon(b));
    let (sa, sb) = (sext(ty, a), sext(ty, b));
    match c {
        Cond::Eq => a == b,
        Cond::Ne => a != b,
        Cond::LtS => sa < sb,
        Cond::GeS => sa >= sb,
        Cond::LeS => sa <= sb,
        Cond::GtS => sa > sb,
        Cond::LtU => a < b,
        Cond::GeU => a >= b,
        Cond::LeU => a <= b,
        Cond::GtU => a > b,
    }
}

/// The new memory value of an atomic op on `bytes`-wide data (4 or 8).
pub fn atomic(op: AtomicOp, bytes: u8, old: u64, val: u64) -> u64 {
    let ty = if bytes == 4 { Ty::I32 } else { Ty::I64 };
    let bin = |b| binary(b, ty, old, val);
    match op {
        AtomicOp::Swap => ty.canon(val),
        AtomicOp::Add => bin(BinOp::Add),
        AtomicOp::And => bin(BinOp::And),
        AtomicOp::Or => bin(BinOp::Or),
        AtomicOp::Xor => bin(BinOp::Xor),
        AtomicOp::MinS => bin(BinOp::MinS),
        AtomicOp::MaxS => bin(BinOp::MaxS),
        AtomicOp::MinU => bin(BinOp::MinU),
        AtomicOp::MaxU => bin(BinOp::MaxU),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_is_total() {
        assert_eq!(binary(BinOp::DivS, Ty::I64, 7, 0), u64::MAX);
        assert_eq!(binary(BinOp::RemU, Ty::I64, 7, 0), 7);
        let min = i64::MIN as u64;
        assert_eq!(binary(BinOp::DivS, Ty::I64, min, u64::MAX), min);
        assert_eq!(binary(BinOp::RemS, Ty::I64, min, u64::MAX), 0);
        assert_eq!(
            binary(BinOp::DivS, Ty::I32, 0x8000_0000, 0xffff_ffff),
            0x8000_0000
        );
        assert_eq!(
            binary(BinOp::DivS, Ty::I64, (-7i64) as u64, 2),
            (-3i64) as u64
        );
        assert_eq!(
            binary(BinOp::RemS, Ty::I64, (-7i64) as u64, 2),
            (-1i64) as u64
        );
    }

    #[test]
    fn high_multiplies() {
        assert_eq!(
            binary(BinOp::MulHU, Ty::I64, u64::MAX, u64::MAX),
            u64::MAX - 1
        );
        assert_eq!(binary(BinOp::MulHS, Ty::I64, u64::MAX, u64::MAX), 0);
        assert_eq!(binary(BinOp::MulHSU, Ty::I64, u64::MAX, 2), u64::MAX);
        assert_eq!(binary(BinOp::MulHU, Ty::I32, 0xffff_ffff, 2), 1);
    }

    #[test]
    fn shifts_mask_their_amount() {
        assert_eq!(binary(BinOp::Shl, Ty::I64, 1, 65), 2);
        assert_eq!(binary(BinOp::Shl, Ty::I32, 1, 33), 2);
        assert_eq!(binary(BinOp::Sar, Ty::I32, 0x8000_0000, 31), 0xffff_ffff);
        assert_eq!(binary(BinOp::Rotr, Ty::I32, 1, 1), 0x8000_0000);
    }

    #[test]
    fn counts_and_extensions() {
        assert_eq!(unary(UnOp::Clz, Ty::I32, 1), 31);
        assert_eq!(unary(UnOp::Clz, Ty::I64, 0), 64);
        assert_eq!(unary(UnOp::Ctz, Ty::I32, 0), 32);
        assert_eq!(unary(UnOp::Sext8, Ty::I64, 0x80), 0xffff_ffff_ffff_ff80);
        assert_eq!(unary(UnOp::Sext8, Ty::I32, 0x80), 0xffff_ff80);
        assert_eq!(
            unary(UnOp::OrcB, Ty::I64, 0x0100_0000_0000_2000),
            0xff00_0000_0000_ff00
        );
        assert!(cond(Cond::LtS, Ty::I32, 0xffff_ffff, 0));
        assert!(!cond(Cond::LtU, Ty::I32, 0xffff_ffff, 0));
    }
}
