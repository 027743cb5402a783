//! Decoding of the F and D extensions.

use super::Insn;
use super::opcode::Opcode::{self, *};

fn bits(w: u32, hi: u32, lo: u32) -> u32 {
    (w >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Whether a static rounding-mode field is valid (5 and 6 are reserved; 7 is dynamic).
fn valid_rm(rm: u32) -> bool {
    rm != 5 && rm != 6
}

/// Decodes an FP encoding (LOAD-FP, STORE-FP, the fused multiply-adds and OP-FP).
pub(super) fn decode_fp(w: u32) -> Option<Insn> {
    let rd = bits(w, 11, 7) as u8;
    let rs1 = bits(w, 19, 15) as u8;
    let rs2 = bits(w, 24, 20) as u8;
    let f3 = bits(w, 14, 12);
    let base = |op: Opcode| Insn {
        rd,
        rs1,
        rs2,
        ..Insn::new(op, 4)
    };
    match bits(w, 6, 0) {
        0x07 => {
            let op = match f3 {
                2 => Flw,
                3 => Fld,
                _ => return None,
            };
            Some(Insn {
                rs2: 0,
                imm: (w as i32 >> 20) as i64,
                ..base(op)
            })
        }
        0x27 => {
            let op = match f3 {
                2 => Fsw,
                3 => Fsd,
                _ => return None,
            };
            let imm = ((w & 0xfe00_0000) as i32 >> 20) as i64 | i64::from(bits(w, 11, 7));
            Some(Insn {
                rd: 0,
                imm,
                ..base(op)
            })
        }
        0x43 | 0x47 | 0x4b | 0x4f => {
            if !valid_rm(f3) {
                return None;
            }
            let double = match bits(w, 26, 25) {
                0 => false,
                1 => true,
                _ => return None,
            };
            let op = match (bits(w, 6, 0), double) {
                (0x43, false) => FmaddS,
                (0x47, false) => FmsubS,
                (0x4b, false) => FnmsubS,
                (0x4f, false) => FnmaddS,
                (0x43, true) => FmaddD,
                (0x47, true) => FmsubD,
                (0x4b, true) => FnmsubD,
                _ => FnmaddD,
            };
            Some(Insn {
                rs3: bits(w, 31, 27) as u8,
                rm: f3 as u8,
                ..base(op)
            })
        }
        0x53 => op_fp(w, f3, rs2).map(|(op, uses_rm, uses_rs2)| Insn {
            rs2: if uses_rs2 { rs2 } else { 0 },
            rm: if uses_rm { f3 as u8 } else { 0 },
            ..base(op)
        }),
        _ => None,
    }
}

/// OP-FP: (opcode, has a rounding mode, reads rs2).
fn op_fp(w: u32, f3: u32, rs2: u8) -> Option<(Opcode, bool, bool)> {
    let f7 = bits(w, 31, 25);
    let rounded = |op| valid_rm(f3).then_some((op, true, true));
    let unary_rounded = |op| valid_rm(f3).then_some((op, true, false));
    let exact = |op| Some((op, false, true));
    let unary_exact = |op| Some((op, false, false));
    match (f7, rs2, f3) {
        (0x00, _, _) => rounded(FaddS),
        (0x04, _, _) => rounded(FsubS),
        (0x08, _, _) => rounded(FmulS),
        (0x0c, _, _) => rounded(FdivS),
        (0x2c, 0, _) => unary_rounded(FsqrtS),
        (0x01, _, _) => rounded(FaddD),
        (0x05, _, _) => rounded(FsubD),
        (0x09, _, _) => rounded(FmulD),
        (0x0d, _, _) => rounded(FdivD),
        (0x2d, 0, _) => unary_rounded(FsqrtD),
        (0x10, _, 0) => exact(FsgnjS),
        (0x10, _, 1) => exact(FsgnjnS),
        (0x10, _, 2) => exact(FsgnjxS),
        (0x11, _, 0) => exact(FsgnjD),
        (0x11, _, 1) => exact(FsgnjnD),
        (0x11, _, 2) => exact(FsgnjxD),
        (0x14, _, 0) => exact(FminS),
        (0x14, _, 1) => exact(FmaxS),
        (0x15, _, 0) => exact(FminD),
        (0x15, _, 1) => exact(FmaxD),
        (0x20, 1, _) => unary_rounded(FcvtSD),
        (0x21, 0, _) => unary_rounded(FcvtDS),
        (0x50, _, 2) => exact(FeqS),
        (0x50, _, 1) => exact(FltS),
        (0x50, _, 0) => exact(FleS),
        (0x51, _, 2) => exact(FeqD),
        (0x51, _, 1) => exact(FltD),
        (0x51, _, 0) => exact(FleD),
        (0x60, 0, _) => unary_rounded(FcvtWS),
        (0x60, 1, _) => unary_rounded(FcvtWuS),
        (0x60, 2, _) => unary_rounded(FcvtLS),
        (0x60, 3, _) => unary_rounded(FcvtLuS),
        (0x61, 0, _) => unary_rounded(FcvtWD),
        (0x61, 1, _) => unary_rounded(FcvtWuD),
        (0x61, 2, _) => unary_rounded(FcvtLD),
        (0x61, 3, _) => unary_rounded(FcvtLuD),
        (0x68, 0, _) => unary_rounded(FcvtSW),
        (0x68, 1, _) => unary_rounded(FcvtSWu),
        (0x68, 2, _) => unary_rounded(FcvtSL),
        (0x68, 3, _) => unary_rounded(FcvtSLu),
        (0x69, 0, _) => unary_rounded(FcvtDW),
        (0x69, 1, _) => unary_rounded(FcvtDWu),
        (0x69, 2, _) => unary_rounded(FcvtDL),
        (0x69, 3, _) => unary_rounded(FcvtDLu),
        (0x70, 0, 0) => unary_exact(FmvXW),
        (0x70, 0, 1) => unary_exact(FclassS),
        (0x71, 0, 0) => unary_exact(FmvXD),
        (0x71, 0, 1) => unary_exact(FclassD),
        (0x78, 0, 0) => unary_exact(FmvWX),
        (0x79, 0, 0) => unary_exact(FmvDX),
        _ => None,
    }
}
