//! Structural and type checks of a block.

use crate::desc::GuestDesc;
use crate::inst::{Block, Exit, Op};
use crate::types::{Ty, UnOp, Value};

/// A block that breaks an IR rule.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("instruction {inst}: {msg}")]
pub struct VerifyError {
    /// Index of the offending instruction (`insts.len()` for the final exit).
    pub inst: usize,
    /// What is wrong.
    pub msg: String,
}

/// Checks that `block` is well formed for the guest described by `desc`.
pub fn verify<S>(block: &Block, desc: &GuestDesc<S>) -> Result<(), VerifyError> {
    for (i, inst) in block.insts.iter().enumerate() {
        let err = |msg: String| VerifyError { inst: i, msg };
        let mut bad = None;
        inst.op.for_each_use(|v| {
            if v.index() >= i {
                bad = Some(format!("{v} used before its definition"));
            } else if !block.insts[v.index()].op.defines_value() {
                bad = Some(format!("{v} names an instruction that defines no value"));
            }
        });
        if let Some(msg) = bad {
            return Err(err(msg));
        }
        let ty = |v: Value| block.ty(v);
        let same = |a: Value, b: Value| -> Result<(), VerifyError> {
            if ty(a) != ty(b) {
                return Err(err(format!("{a} is {} but {b} is {}", ty(a), ty(b))));
            }
            Ok(())
        };
        let is = |v: Value, t: Ty| -> Result<(), VerifyError> {
            if ty(v) != t {
                return Err(err(format!("{v} is {} where {t} is needed", ty(v))));
            }
            Ok(())
        };
        match inst.op {
            Op::Get(g) | Op::Set(g, _) if g.0 as usize >= desc.globals.len() => {
                return Err(err(format!("no global {}", g.0)));
            }
            Op::Unary(op, a) => {
                let extends = matches!(
                    op,
                    UnOp::Sext8
                        | UnOp::Sext16
                        | UnOp::Sext32
                        | UnOp::Zext8
                        | UnOp::Zext16
                        | UnOp::Zext32
                );
                if !extends {
                    is(a, inst.ty)?;
                }
            }
            Op::Binary(_, a, b) => {
                is(a, inst.ty)?;
                is(b, inst.ty)?;
            }
            Op::SetCond(_, a, b) | Op::ExitIf(_, a, b, _) => same(a, b)?,
            Op::Select(_, a, b, t, f) => {
                same(a, b)?;
                is(t, inst.ty)?;
                is(f, inst.ty)?;
            }
            Op::Load { addr, .. } | Op::Store { addr, .. } => is(addr, Ty::I64)?,
            Op::Atomic { size, addr, .. } | Op::CmpXchg { size, addr, .. } => {
                is(addr, Ty::I64)?;
                if size.bytes() < 4 {
                    return Err(err("atomic accesses are 4 or 8 bytes".into()));
                }
            }
            Op::Call { helper, nargs, .. } => match desc.helpers.get(helper.0 as usize) {
                None => return Err(err(format!("no helper {}", helper.0))),
                Some(h) if h.nargs != nargs => {
                    return Err(err(format!(
                        "{} takes {} arguments, not {nargs}",
                        h.name, h.nargs
                    )));
                }
                Some(_) => {}
            },
            _ => {}
        }
        if let Op::ExitIf(_, _, _, Exit::Dynamic(v)) = inst.op {
            is(v, Ty::I64)?;
        }
    }
    if let Exit::Dynamic(v) = block.exit {
        let n = block.insts.len();
        if v.index() >= n || !block.insts[v.index()].op.defines_value() || block.ty(v) != Ty::I64 {
            return Err(VerifyError {
                inst: n,
                msg: format!("exit target {v} is not an i64 value of the block"),
            });
        }
    }
    Ok(())
}
