//! The F and D extensions, through helpers.

use super::{Ctx, Flow};
use crate::decode::{Insn, Opcode};

/// Whether `op` is an FP computation translated here (FP loads and stores are in `mem`).
pub(super) fn is_fp(_op: Opcode) -> bool {
    false
}

pub(super) fn translate(_ctx: &mut Ctx, _insn: &Insn) -> Flow {
    super::Flow::Next
}
