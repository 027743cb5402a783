//! Zicsr on the CSRs a user-mode program sees: fflags, frm, fcsr and the counters.

use oxemu_dbt_ir::{BinOp, Ty, Value};

use super::Ctx;
use crate::decode::{Insn, Opcode, csr};
use crate::helpers;
use crate::state::{FFLAGS, FRM};

const FFLAGS_MASK: u64 = 0x1f;
const FRM_MASK: u64 = 0x7;

pub(super) fn translate(ctx: &mut Ctx, insn: &Insn) {
    use Opcode::*;
    let num = insn.imm as u16;
    let old = read(ctx, num);
    let writes = matches!(insn.op, Csrrw | Csrrwi) || insn.rs1 != 0;
    if writes {
        let src = match insn.op {
            Csrrwi | Csrrsi | Csrrci => ctx.c64(u64::from(insn.rs1)),
            _ => ctx.xr(insn.rs1),
        };
        let new = match insn.op {
            Csrrw | Csrrwi => src,
            Csrrs | Csrrsi => ctx.b.binary(Ty::I64, BinOp::Or, old, src),
            _ => ctx.b.binary(Ty::I64, BinOp::AndNot, old, src),
        };
        write(ctx, num, new);
    }
    ctx.xw(insn.rd, old);
}

fn masked(ctx: &mut Ctx, v: Value, shift: u64, mask: u64) -> Value {
    let v = if shift == 0 {
        v
    } else {
        let s = ctx.c64(shift);
        ctx.b.binary(Ty::I64, BinOp::Shr, v, s)
    };
    let m = ctx.c64(mask);
    ctx.b.binary(Ty::I64, BinOp::And, v, m)
}

fn read(ctx: &mut Ctx, num: u16) -> Value {
    match num {
        csr::FFLAGS => ctx.get(FFLAGS),
        csr::FRM => ctx.get(FRM),
        csr::FCSR => {
            let flags = ctx.get(FFLAGS);
            let rm = ctx.get(FRM);
            let five = ctx.c64(5);
            let rm = ctx.b.binary(Ty::I64, BinOp::Shl, rm, five);
            ctx.b.binary(Ty::I64, BinOp::Or, rm, flags)
        }
        // cycle, time and instret all read the host's monotonic clock.
        _ => ctx.b.call(helpers::READ_COUNTER, &[]),
    }
}

fn write(ctx: &mut Ctx, num: u16, v: Value) {
    match num {
        csr::FFLAGS => {
            let flags = masked(ctx, v, 0, FFLAGS_MASK);
            ctx.b.set(FFLAGS, flags);
        }
        csr::FRM => {
            let rm = masked(ctx, v, 0, FRM_MASK);
            ctx.b.set(FRM, rm);
        }
        _ => {
            let flags = masked(ctx, v, 0, FFLAGS_MASK);
            let rm = masked(ctx, v, 5, FRM_MASK);
            ctx.b.set(FFLAGS, flags);
            ctx.b.set(FRM, rm);
        }
    }
}
