//! The A extension: lr/sc and the AMOs.
//!
//! `lr` records the address and the loaded value in two globals; `sc` succeeds iff
//! its address is the reserved one and memory still holds the reserved value, checked
//! and written by one compare-and-exchange. An `sc` to another address exchanges the
//! reserved value with itself, so memory never changes; every `sc` clears the
//! reservation.

use oxemu_dbt_ir::{AtomicOp, BinOp, Cond, MemSize, Ty, UnOp, Value};

use super::Ctx;
use crate::decode::{Insn, Opcode};
use crate::state::{NO_RESERVATION, RES_ADDR, RES_VALUE};

pub(super) fn translate(ctx: &mut Ctx, insn: &Insn) {
    use Opcode::*;
    let word = matches!(
        insn.op,
        LrW | ScW
            | AmoswapW
            | AmoaddW
            | AmoxorW
            | AmoandW
            | AmoorW
            | AmominW
            | AmomaxW
            | AmominuW
            | AmomaxuW
    );
    let size = if word { MemSize::B4 } else { MemSize::B8 };
    let (aq, rl) = (insn.rm & 2 != 0, insn.rm & 1 != 0);
    if rl {
        ctx.b.fence();
    }
    let addr = ctx.xr(insn.rs1);
    let result = match insn.op {
        LrW | LrD => {
            let v = ctx.b.load(Ty::I64, size, word, addr);
            ctx.b.set(RES_ADDR, addr);
            ctx.b.set(RES_VALUE, v);
            v
        }
        ScW | ScD => store_conditional(ctx, insn, size, addr),
        op => {
            let aop = match op {
                AmoswapW | AmoswapD => AtomicOp::Swap,
                AmoaddW | AmoaddD => AtomicOp::Add,
                AmoxorW | AmoxorD => AtomicOp::Xor,
                AmoandW | AmoandD => AtomicOp::And,
                AmoorW | AmoorD => AtomicOp::Or,
                AmominW | AmominD => AtomicOp::MinS,
                AmomaxW | AmomaxD => AtomicOp::MaxS,
                AmominuW | AmominuD => AtomicOp::MinU,
                _ => AtomicOp::MaxU,
            };
            let src = ctx.xr(insn.rs2);
            let old = ctx.b.atomic(Ty::I64, aop, size, addr, src);
            sext_word(ctx, word, old)
        }
    };
    ctx.xw(insn.rd, result);
    if aq {
        ctx.b.fence();
    }
}

fn sext_word(ctx: &mut Ctx, word: bool, v: Value) -> Value {
    if word {
        ctx.b.unary(Ty::I64, UnOp::Sext32, v)
    } else {
        v
    }
}

/// Emits `sc`; yields 0 on success, 1 on failure.
fn store_conditional(ctx: &mut Ctx, insn: &Insn, size: MemSize, addr: Value) -> Value {
    let res_addr = ctx.get(RES_ADDR);
    let res_value = ctx.get(RES_VALUE);
    let src = ctx.xr(insn.rs2);
    let new = ctx
        .b
        .select(Ty::I64, Cond::Eq, addr, res_addr, src, res_value);
    let old = ctx.b.cmpxchg(Ty::I64, size, addr, res_value, new);
    let expected = if size == MemSize::B4 {
        ctx.b.unary(Ty::I64, UnOp::Zext32, res_value)
    } else {
        res_value
    };
    let same_addr = ctx.b.setcond(Ty::I64, Cond::Eq, addr, res_addr);
    let same_value = ctx.b.setcond(Ty::I64, Cond::Eq, old, expected);
    let ok = ctx.b.binary(Ty::I64, BinOp::And, same_addr, same_value);
    let one = ctx.c64(1);
    let none = ctx.c64(NO_RESERVATION);
    ctx.b.set(RES_ADDR, none);
    ctx.b.binary(Ty::I64, BinOp::Xor, ok, one)
}
