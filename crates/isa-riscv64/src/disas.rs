//! Disassembly in objdump-like syntax, for `-d in_asm`.

use crate::decode::{decode16, decode32};

/// Disassembles one instruction of `len` bytes (2 or 4) held in the low bits of `insn`.
pub fn disassemble(insn: u32, len: u8) -> String {
    let decoded = if len == 2 {
        decode16(insn as u16)
    } else {
        decode32(insn)
    };
    match decoded {
        Some(i) => i.op.name().to_string(),
        None => "unimp".to_string(),
    }
}
