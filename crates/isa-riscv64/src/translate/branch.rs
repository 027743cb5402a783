//! Jumps and conditional branches: they all end the block.

use oxemu_dbt_ir::{BinOp, Cond, Exit, Ty};

use super::{Ctx, Flow};
use crate::decode::{Insn, Opcode};

pub(super) fn translate(ctx: &mut Ctx, insn: &Insn) -> Flow {
    let target = ctx.pc.wrapping_add(insn.imm as u64);
    let cond = match insn.op {
        Opcode::Jal => {
            let link = ctx.c64(ctx.next_pc);
            ctx.xw(insn.rd, link);
            return Flow::End(Exit::Chain(target));
        }
        Opcode::Jalr => {
            // rs1 is read before rd is written: `jalr ra, 0(ra)` jumps to the old ra.
            let sum = ctx.addr(insn.rs1, insn.imm);
            let mask = ctx.c64(!1);
            let dest = ctx.b.binary(Ty::I64, BinOp::And, sum, mask);
            let link = ctx.c64(ctx.next_pc);
            ctx.xw(insn.rd, link);
            return Flow::End(Exit::Dynamic(dest));
        }
        Opcode::Beq => Cond::Eq,
        Opcode::Bne => Cond::Ne,
        Opcode::Blt => Cond::LtS,
        Opcode::Bge => Cond::GeS,
        Opcode::Bltu => Cond::LtU,
        _ => Cond::GeU,
    };
    let a = ctx.xr(insn.rs1);
    let b = ctx.xr(insn.rs2);
    ctx.b.exit_if(cond, a, b, Exit::Chain(target));
    Flow::End(Exit::Chain(ctx.next_pc))
}
