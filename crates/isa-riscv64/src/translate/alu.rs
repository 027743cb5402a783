//! Integer computation: RV64I and M arithmetic, Zba, Zbb and Zbs.
//!
//! Immediate forms are translated as their register forms with a constant operand.

use oxemu_dbt_ir::{BinOp, Cond, Ty, UnOp, Value};

use super::Ctx;
use crate::decode::{Insn, Opcode};

/// The register form of an immediate instruction, or the instruction itself.
fn register_form(op: Opcode) -> (Opcode, bool) {
    use Opcode::*;
    let reg = match op {
        Addi => Add,
        Slti => Slt,
        Sltiu => Sltu,
        Xori => Xor,
        Ori => Or,
        Andi => And,
        Slli => Sll,
        Srli => Srl,
        Srai => Sra,
        Addiw => Addw,
        Slliw => Sllw,
        Srliw => Srlw,
        Sraiw => Sraw,
        Rori => Ror,
        Roriw => Rorw,
        Bclri => Bclr,
        Bseti => Bset,
        Binvi => Binv,
        Bexti => Bext,
        SlliUw => SlliUw,
        other => return (other, false),
    };
    (reg, true)
}

/// Operation on full 64-bit registers.
fn binop64(op: Opcode) -> Option<BinOp> {
    use Opcode::*;
    Some(match op {
        Add => BinOp::Add,
        Sub => BinOp::Sub,
        Sll => BinOp::Shl,
        Srl => BinOp::Shr,
        Sra => BinOp::Sar,
        Xor => BinOp::Xor,
        Or => BinOp::Or,
        And => BinOp::And,
        Mul => BinOp::Mul,
        Mulh => BinOp::MulHS,
        Mulhsu => BinOp::MulHSU,
        Mulhu => BinOp::MulHU,
        // The IR's division results are the RISC-V ones.
        Div => BinOp::DivS,
        Divu => BinOp::DivU,
        Rem => BinOp::RemS,
        Remu => BinOp::RemU,
        Andn => BinOp::AndNot,
        Orn => BinOp::OrNot,
        Xnor => BinOp::XorNot,
        Max => BinOp::MaxS,
        Maxu => BinOp::MaxU,
        Min => BinOp::MinS,
        Minu => BinOp::MinU,
        Rol => BinOp::Rotl,
        Ror => BinOp::Rotr,
        _ => return None,
    })
}

/// Operation on the low 32 bits, result sign-extended (the `*w` forms).
fn binop32(op: Opcode) -> Option<BinOp> {
    use Opcode::*;
    Some(match op {
        Addw => BinOp::Add,
        Subw => BinOp::Sub,
        Sllw => BinOp::Shl,
        Srlw => BinOp::Shr,
        Sraw => BinOp::Sar,
        Mulw => BinOp::Mul,
        Divw => BinOp::DivS,
        Divuw => BinOp::DivU,
        Remw => BinOp::RemS,
        Remuw => BinOp::RemU,
        Rolw => BinOp::Rotl,
        Rorw => BinOp::Rotr,
        _ => return None,
    })
}

/// One-operand operations: (type computed at, op, result sign-extended from 32 bits).
fn unop(op: Opcode) -> Option<(Ty, UnOp)> {
    use Opcode::*;
    Some(match op {
        Clz => (Ty::I64, UnOp::Clz),
        Ctz => (Ty::I64, UnOp::Ctz),
        Cpop => (Ty::I64, UnOp::Popcnt),
        Clzw => (Ty::I32, UnOp::Clz),
        Ctzw => (Ty::I32, UnOp::Ctz),
        Cpopw => (Ty::I32, UnOp::Popcnt),
        SextB => (Ty::I64, UnOp::Sext8),
        SextH => (Ty::I64, UnOp::Sext16),
        ZextH => (Ty::I64, UnOp::Zext16),
        OrcB => (Ty::I64, UnOp::OrcB),
        Rev8 => (Ty::I64, UnOp::Bswap),
        _ => return None,
    })
}

pub(super) fn translate(ctx: &mut Ctx, insn: &Insn) {
    if insn.rd == 0 {
        return; // no side effects: a write to x0 is a no-op (and a HINT)
    }
    let (op, imm) = register_form(insn.op);
    let a = ctx.xr(insn.rs1);
    let result = if let Some((ty, uop)) = unop(op) {
        let a = narrow(ctx, ty, a);
        let r = ctx.b.unary(ty, uop, a);
        widen_zero(ctx, ty, r)
    } else {
        let b = if imm {
            ctx.c64(insn.imm as u64)
        } else {
            ctx.xr(insn.rs2)
        };
        binary(ctx, op, a, b)
    };
    ctx.xw(insn.rd, result);
}

fn binary(ctx: &mut Ctx, op: Opcode, a: Value, b: Value) -> Value {
    use Opcode::*;
    if let Some(bop) = binop64(op) {
        return ctx.b.binary(Ty::I64, bop, a, b);
    }
    if let Some(bop) = binop32(op) {
        let a = narrow(ctx, Ty::I32, a);
        let b = narrow(ctx, Ty::I32, b);
        let r = ctx.b.binary(Ty::I32, bop, a, b);
        return ctx.b.unary(Ty::I64, UnOp::Sext32, r);
    }
    match op {
        Slt => ctx.b.setcond(Ty::I64, Cond::LtS, a, b),
        Sltu => ctx.b.setcond(Ty::I64, Cond::LtU, a, b),
        Sh1add | Sh2add | Sh3add | AddUw | Sh1addUw | Sh2addUw | Sh3addUw => {
            let shift = match op {
                Sh1add | Sh1addUw => 1,
                Sh2add | Sh2addUw => 2,
                Sh3add | Sh3addUw => 3,
                _ => 0,
            };
            let a = if matches!(op, AddUw | Sh1addUw | Sh2addUw | Sh3addUw) {
                ctx.b.unary(Ty::I64, UnOp::Zext32, a)
            } else {
                a
            };
            let a = if shift == 0 {
                a
            } else {
                let s = ctx.c64(shift);
                ctx.b.binary(Ty::I64, BinOp::Shl, a, s)
            };
            ctx.b.binary(Ty::I64, BinOp::Add, a, b)
        }
        SlliUw => {
            let a = ctx.b.unary(Ty::I64, UnOp::Zext32, a);
            ctx.b.binary(Ty::I64, BinOp::Shl, a, b)
        }
        Bext => {
            let shifted = ctx.b.binary(Ty::I64, BinOp::Shr, a, b);
            let one = ctx.c64(1);
            ctx.b.binary(Ty::I64, BinOp::And, shifted, one)
        }
        // Bclr, Bset, Binv: the shift is masked to 6 bits by the IR.
        _ => {
            let one = ctx.c64(1);
            let mask = ctx.b.binary(Ty::I64, BinOp::Shl, one, b);
            let bop = match op {
                Bclr => BinOp::AndNot,
                Bset => BinOp::Or,
                _ => BinOp::Xor,
            };
            ctx.b.binary(Ty::I64, bop, a, mask)
        }
    }
}

/// The low 32 bits of `v` as an `I32` when `ty` is `I32`.
fn narrow(ctx: &mut Ctx, ty: Ty, v: Value) -> Value {
    match ty {
        Ty::I32 => ctx.b.unary(Ty::I32, UnOp::Zext32, v),
        Ty::I64 => v,
    }
}

/// An `I32` result (a count, at most 32) as an `I64` register value.
fn widen_zero(ctx: &mut Ctx, ty: Ty, v: Value) -> Value {
    match ty {
        Ty::I32 => ctx.b.unary(Ty::I64, UnOp::Zext32, v),
        Ty::I64 => v,
    }
}
