//! Decoding of the F and D extensions.

use super::Insn;

/// Decodes an FP encoding (LOAD-FP, STORE-FP, the fused multiply-adds and OP-FP).
pub(super) fn decode_fp(_w: u32) -> Option<Insn> {
    None
}
