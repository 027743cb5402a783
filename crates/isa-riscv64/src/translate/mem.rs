//! Integer and FP loads and stores.

use oxemu_dbt_ir::{BinOp, MemSize, Ty};

use super::Ctx;
use crate::decode::{Insn, Opcode};

/// Upper half of a NaN-boxed single.
const NAN_BOX: u64 = 0xffff_ffff_0000_0000;

pub(super) fn translate(ctx: &mut Ctx, insn: &Insn) {
    use Opcode::*;
    let addr = ctx.addr(insn.rs1, insn.imm);
    let load = |size, signed| Some((size, signed));
    let int_load = match insn.op {
        Lb => load(MemSize::B1, true),
        Lh => load(MemSize::B2, true),
        Lw => load(MemSize::B4, true),
        Ld => load(MemSize::B8, false),
        Lbu => load(MemSize::B1, false),
        Lhu => load(MemSize::B2, false),
        Lwu => load(MemSize::B4, false),
        _ => None,
    };
    if let Some((size, signed)) = int_load {
        // Loads into x0 still access memory: they can fault.
        let v = ctx.b.load(Ty::I64, size, signed, addr);
        ctx.xw(insn.rd, v);
        return;
    }
    match insn.op {
        Flw => {
            let v = ctx.b.load(Ty::I64, MemSize::B4, false, addr);
            let boxed = ctx.c64(NAN_BOX);
            let v = ctx.b.binary(Ty::I64, BinOp::Or, v, boxed);
            ctx.fw(insn.rd, v);
        }
        Fld => {
            let v = ctx.b.load(Ty::I64, MemSize::B8, false, addr);
            ctx.fw(insn.rd, v);
        }
        Fsw | Fsd => {
            let v = ctx.fr(insn.rs2);
            let size = if insn.op == Fsw {
                MemSize::B4
            } else {
                MemSize::B8
            };
            ctx.b.store(size, addr, v);
        }
        op => {
            let size = match op {
                Sb => MemSize::B1,
                Sh => MemSize::B2,
                Sw => MemSize::B4,
                _ => MemSize::B8,
            };
            let v = ctx.xr(insn.rs2);
            ctx.b.store(size, addr, v);
        }
    }
}
