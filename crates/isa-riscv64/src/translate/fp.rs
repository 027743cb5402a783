//! The F and D extensions: register moves inline, everything else through helpers.

use oxemu_dbt_ir::{BinOp, Cond, Exit, TrapKind, Ty, UnOp, Value};

use super::{Ctx, Flow};
use crate::decode::{Insn, Opcode};
use crate::helpers::{H, RM_DYNAMIC};
use crate::state::FRM;

/// Upper half of a NaN-boxed single.
const NAN_BOX: u64 = 0xffff_ffff_0000_0000;

/// How a helper-backed FP instruction takes its operands and where its result goes.
#[derive(Clone, Copy)]
struct Shape {
    /// Number of FP source registers (rs1, rs2, rs3 in order).
    fp_srcs: u8,
    /// The only source is the integer register rs1.
    int_src: bool,
    /// The helper takes the rounding-mode field as its last argument.
    rounded: bool,
    /// The result goes to the integer register rd.
    int_dest: bool,
}

const fn shape(fp_srcs: u8, int_src: bool, rounded: bool, int_dest: bool) -> Shape {
    Shape {
        fp_srcs,
        int_src,
        rounded,
        int_dest,
    }
}

const FMA: Shape = shape(3, false, true, false);
const ARITH: Shape = shape(2, false, true, false);
const UNARY: Shape = shape(1, false, true, false);
const TO_INT: Shape = shape(1, false, true, true);
const FROM_INT: Shape = shape(0, true, true, false);
const EXACT: Shape = shape(2, false, false, false);
const EXACT_UNARY: Shape = shape(1, false, false, false);
const COMPARE: Shape = shape(2, false, false, true);
const CLASSIFY: Shape = shape(1, false, false, true);

fn helper(op: Opcode) -> Option<(H, Shape)> {
    use Opcode::*;
    Some(match op {
        FmaddS => (H::FmaddS, FMA),
        FmsubS => (H::FmsubS, FMA),
        FnmsubS => (H::FnmsubS, FMA),
        FnmaddS => (H::FnmaddS, FMA),
        FmaddD => (H::FmaddD, FMA),
        FmsubD => (H::FmsubD, FMA),
        FnmsubD => (H::FnmsubD, FMA),
        FnmaddD => (H::FnmaddD, FMA),
        FaddS => (H::FaddS, ARITH),
        FsubS => (H::FsubS, ARITH),
        FmulS => (H::FmulS, ARITH),
        FdivS => (H::FdivS, ARITH),
        FaddD => (H::FaddD, ARITH),
        FsubD => (H::FsubD, ARITH),
        FmulD => (H::FmulD, ARITH),
        FdivD => (H::FdivD, ARITH),
        FsqrtS => (H::FsqrtS, UNARY),
        FsqrtD => (H::FsqrtD, UNARY),
        FcvtSD => (H::FcvtSD, UNARY),
        FcvtDS => (H::FcvtDS, EXACT_UNARY),
        FcvtWS => (H::FcvtWS, TO_INT),
        FcvtWuS => (H::FcvtWuS, TO_INT),
        FcvtLS => (H::FcvtLS, TO_INT),
        FcvtLuS => (H::FcvtLuS, TO_INT),
        FcvtWD => (H::FcvtWD, TO_INT),
        FcvtWuD => (H::FcvtWuD, TO_INT),
        FcvtLD => (H::FcvtLD, TO_INT),
        FcvtLuD => (H::FcvtLuD, TO_INT),
        FcvtSW => (H::FcvtSW, FROM_INT),
        FcvtSWu => (H::FcvtSWu, FROM_INT),
        FcvtSL => (H::FcvtSL, FROM_INT),
        FcvtSLu => (H::FcvtSLu, FROM_INT),
        FcvtDW => (H::FcvtDW, FROM_INT),
        FcvtDWu => (H::FcvtDWu, FROM_INT),
        FcvtDL => (H::FcvtDL, FROM_INT),
        FcvtDLu => (H::FcvtDLu, FROM_INT),
        FminS => (H::FminS, EXACT),
        FmaxS => (H::FmaxS, EXACT),
        FminD => (H::FminD, EXACT),
        FmaxD => (H::FmaxD, EXACT),
        FsgnjS => (H::FsgnjS, EXACT),
        FsgnjnS => (H::FsgnjnS, EXACT),
        FsgnjxS => (H::FsgnjxS, EXACT),
        FsgnjD => (H::FsgnjD, EXACT),
        FsgnjnD => (H::FsgnjnD, EXACT),
        FsgnjxD => (H::FsgnjxD, EXACT),
        FeqS => (H::FeqS, COMPARE),
        FltS => (H::FltS, COMPARE),
        FleS => (H::FleS, COMPARE),
        FeqD => (H::FeqD, COMPARE),
        FltD => (H::FltD, COMPARE),
        FleD => (H::FleD, COMPARE),
        FclassS => (H::FclassS, CLASSIFY),
        FclassD => (H::FclassD, CLASSIFY),
        _ => return None,
    })
}

fn is_move(op: Opcode) -> bool {
    matches!(
        op,
        Opcode::FmvXW | Opcode::FmvWX | Opcode::FmvXD | Opcode::FmvDX
    )
}

/// Whether `op` is an FP computation translated here (FP loads and stores are in `mem`).
pub(super) fn is_fp(op: Opcode) -> bool {
    is_move(op) || helper(op).is_some()
}

pub(super) fn translate(ctx: &mut Ctx, insn: &Insn) -> Flow {
    if is_move(insn.op) {
        translate_move(ctx, insn);
        return Flow::Next;
    }
    let Some((h, shape)) = helper(insn.op) else {
        return Flow::End(Exit::Trap(TrapKind::Illegal, ctx.pc));
    };
    if insn.rm == RM_DYNAMIC {
        // frm values 5..=7 make dynamic-rounding instructions illegal.
        let frm = ctx.get(FRM);
        let max = ctx.c64(4);
        let trap = Exit::Trap(TrapKind::Illegal, ctx.pc);
        ctx.b.exit_if(Cond::GtU, frm, max, trap);
    }
    let mut args = [Value(0); 4];
    let mut n = 0;
    let mut push = |v| {
        args[n] = v;
        n += 1;
    };
    if shape.int_src {
        push(ctx.xr(insn.rs1));
    }
    for reg in [insn.rs1, insn.rs2, insn.rs3]
        .into_iter()
        .take(shape.fp_srcs.into())
    {
        push(ctx.fr(reg));
    }
    if shape.rounded {
        push(ctx.c64(insn.rm.into()));
    }
    let result = ctx.b.call(h.id(), &args[..n]);
    if shape.int_dest {
        ctx.xw(insn.rd, result);
    } else {
        ctx.fw(insn.rd, result);
    }
    Flow::Next
}

fn translate_move(ctx: &mut Ctx, insn: &Insn) {
    match insn.op {
        Opcode::FmvXW => {
            let v = ctx.fr(insn.rs1);
            let v = ctx.b.unary(Ty::I64, UnOp::Sext32, v);
            ctx.xw(insn.rd, v);
        }
        Opcode::FmvXD => {
            let v = ctx.fr(insn.rs1);
            ctx.xw(insn.rd, v);
        }
        Opcode::FmvWX => {
            let v = ctx.xr(insn.rs1);
            let v = ctx.b.unary(Ty::I64, UnOp::Zext32, v);
            let boxed = ctx.c64(NAN_BOX);
            let v = ctx.b.binary(Ty::I64, BinOp::Or, v, boxed);
            ctx.fw(insn.rd, v);
        }
        _ => {
            let v = ctx.xr(insn.rs1);
            ctx.fw(insn.rd, v);
        }
    }
}
