//! Integer operations of the IR as Cranelift instructions, at the op's type, with the
//! IR's total semantics (division never traps, shift amounts are masked).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Type, Value, types};
use cranelift_frontend::FunctionBuilder;
use oxemu_dbt_ir::{BinOp, Cond, UnOp};

/// The Cranelift condition code of an IR comparison.
pub(crate) fn cc(c: Cond) -> IntCC {
    match c {
        Cond::Eq => IntCC::Equal,
        Cond::Ne => IntCC::NotEqual,
        Cond::LtS => IntCC::SignedLessThan,
        Cond::GeS => IntCC::SignedGreaterThanOrEqual,
        Cond::LeS => IntCC::SignedLessThanOrEqual,
        Cond::GtS => IntCC::SignedGreaterThan,
        Cond::LtU => IntCC::UnsignedLessThan,
        Cond::GeU => IntCC::UnsignedGreaterThanOrEqual,
        Cond::LeU => IntCC::UnsignedLessThanOrEqual,
        Cond::GtU => IntCC::UnsignedGreaterThan,
    }
}

/// A constant of type `t` (truncated to its width, as Cranelift wants).
fn imm(b: &mut FunctionBuilder, t: Type, v: u64) -> Value {
    let v = if t == types::I32 { v & 0xffff_ffff } else { v };
    b.ins().iconst(t, v as i64)
}

/// `op a` at type `t` (operand and result of type `t`).
pub(crate) fn unary(b: &mut FunctionBuilder, op: UnOp, t: Type, a: Value) -> Value {
    let ext = |b: &mut FunctionBuilder, from: Type| {
        let narrow = b.ins().ireduce(from, a);
        b.ins().sextend(t, narrow)
    };
    match op {
        UnOp::Neg => b.ins().ineg(a),
        UnOp::Not => b.ins().bnot(a),
        UnOp::Clz => b.ins().clz(a),
        UnOp::Ctz => b.ins().ctz(a),
        UnOp::Popcnt => b.ins().popcnt(a),
        UnOp::Bswap => b.ins().bswap(a),
        UnOp::Sext8 => ext(b, types::I8),
        UnOp::Sext16 => ext(b, types::I16),
        UnOp::Sext32 if t == types::I32 => a,
        UnOp::Sext32 => ext(b, types::I32),
        UnOp::Zext8 => {
            let m = imm(b, t, 0xff);
            b.ins().band(a, m)
        }
        UnOp::Zext16 => {
            let m = imm(b, t, 0xffff);
            b.ins().band(a, m)
        }
        UnOp::Zext32 if t == types::I32 => a,
        UnOp::Zext32 => {
            let m = imm(b, t, 0xffff_ffff);
            b.ins().band(a, m)
        }
        UnOp::OrcB => {
            // Bit 7 of each byte of `h` is set iff the byte is non-zero; no carry
            // crosses bytes because (b & 0x7f) + 0x7f <= 0xfe.
            let low7 = imm(b, t, 0x7f7f_7f7f_7f7f_7f7f);
            let m = b.ins().band(a, low7);
            let s = b.ins().iadd(m, low7);
            let s = b.ins().bor(s, a);
            let high = imm(b, t, 0x8080_8080_8080_8080);
            let h = b.ins().band(s, high);
            let seven = imm(b, t, 7);
            let ones = b.ins().ushr(h, seven);
            let ff = imm(b, t, 0xff);
            b.ins().imul(ones, ff)
        }
    }
}

/// `a op b` at type `t`.
pub(crate) fn binary(b: &mut FunctionBuilder, op: BinOp, t: Type, x: Value, y: Value) -> Value {
    match op {
        BinOp::Add => b.ins().iadd(x, y),
        BinOp::Sub => b.ins().isub(x, y),
        BinOp::Mul => b.ins().imul(x, y),
        BinOp::MulHS => b.ins().smulhi(x, y),
        BinOp::MulHU => b.ins().umulhi(x, y),
        BinOp::MulHSU => {
            // signed(x) = x - 2^bits * [x < 0], so the high half loses y when x < 0.
            let hi = b.ins().umulhi(x, y);
            let top = imm(b, t, u64::from(t.bits() - 1));
            let sign = b.ins().sshr(x, top);
            let fix = b.ins().band(sign, y);
            b.ins().isub(hi, fix)
        }
        BinOp::DivU | BinOp::RemU => {
            let z = imm(b, t, 0);
            let zero = b.ins().icmp(IntCC::Equal, y, z);
            let one = imm(b, t, 1);
            let d = b.ins().select(zero, one, y);
            if op == BinOp::DivU {
                let q = b.ins().udiv(x, d);
                let all = imm(b, t, u64::MAX);
                b.ins().select(zero, all, q)
            } else {
                let r = b.ins().urem(x, d);
                b.ins().select(zero, x, r)
            }
        }
        BinOp::DivS | BinOp::RemS => {
            let z = imm(b, t, 0);
            let zero = b.ins().icmp(IntCC::Equal, y, z);
            let m1 = imm(b, t, u64::MAX);
            let minus1 = b.ins().icmp(IntCC::Equal, y, m1);
            let bad = b.ins().bor(zero, minus1);
            let one = imm(b, t, 1);
            let d = b.ins().select(bad, one, y);
            if op == BinOp::DivS {
                let q = b.ins().sdiv(x, d);
                let neg = b.ins().ineg(x);
                let q = b.ins().select(minus1, neg, q);
                b.ins().select(zero, m1, q)
            } else {
                let r = b.ins().srem(x, d);
                let r = b.ins().select(minus1, z, r);
                b.ins().select(zero, x, r)
            }
        }
        BinOp::And => b.ins().band(x, y),
        BinOp::Or => b.ins().bor(x, y),
        BinOp::Xor => b.ins().bxor(x, y),
        BinOp::AndNot => b.ins().band_not(x, y),
        BinOp::OrNot => b.ins().bor_not(x, y),
        BinOp::XorNot => b.ins().bxor_not(x, y),
        BinOp::Shl => b.ins().ishl(x, y),
        BinOp::Shr => b.ins().ushr(x, y),
        BinOp::Sar => b.ins().sshr(x, y),
        BinOp::Rotl => b.ins().rotl(x, y),
        BinOp::Rotr => b.ins().rotr(x, y),
        BinOp::MinS => b.ins().smin(x, y),
        BinOp::MaxS => b.ins().smax(x, y),
        BinOp::MinU => b.ins().umin(x, y),
        BinOp::MaxU => b.ins().umax(x, y),
    }
}
