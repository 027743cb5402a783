//! Decoding of 32-bit encodings.

use super::opcode::Opcode::{self, *};
use super::{Insn, csr};

fn bits(w: u32, hi: u32, lo: u32) -> u32 {
    (w >> lo) & ((1 << (hi - lo + 1)) - 1)
}

fn imm_i(w: u32) -> i64 {
    (w as i32 >> 20) as i64
}

fn imm_s(w: u32) -> i64 {
    (((w & 0xfe00_0000) as i32 >> 20) | bits(w, 11, 7) as i32) as i64
}

fn imm_b(w: u32) -> i64 {
    let hi = (w & 0x8000_0000) as i32 >> 19; // imm[12] sign-extended
    (hi | (bits(w, 7, 7) << 11) as i32
        | (bits(w, 30, 25) << 5) as i32
        | (bits(w, 11, 8) << 1) as i32) as i64
}

fn imm_j(w: u32) -> i64 {
    let hi = (w & 0x8000_0000) as i32 >> 11; // imm[20] sign-extended
    (hi | (bits(w, 19, 12) << 12) as i32
        | (bits(w, 20, 20) << 11) as i32
        | (bits(w, 30, 21) << 1) as i32) as i64
}

/// Decodes a 32-bit instruction word; `None` for reserved or unimplemented encodings.
pub fn decode32(w: u32) -> Option<Insn> {
    if w & 3 != 3 {
        return None;
    }
    let rd = bits(w, 11, 7) as u8;
    let rs1 = bits(w, 19, 15) as u8;
    let rs2 = bits(w, 24, 20) as u8;
    let f3 = bits(w, 14, 12);
    let f7 = bits(w, 31, 25);
    let mk = |op: Opcode, imm: i64| Insn {
        rd,
        rs1,
        rs2,
        imm,
        ..Insn::new(op, 4)
    };
    let insn = match bits(w, 6, 0) {
        0x37 => mk(Lui, (w & 0xffff_f000) as i32 as i64),
        0x17 => mk(Auipc, (w & 0xffff_f000) as i32 as i64),
        0x6f => mk(Jal, imm_j(w)),
        0x67 if f3 == 0 => mk(Jalr, imm_i(w)),
        0x63 => {
            let op = [
                Some(Beq),
                Some(Bne),
                None,
                None,
                Some(Blt),
                Some(Bge),
                Some(Bltu),
                Some(Bgeu),
            ][f3 as usize]?;
            mk(op, imm_b(w))
        }
        0x03 => {
            let op = [Lb, Lh, Lw, Ld, Lbu, Lhu, Lwu].get(f3 as usize)?;
            mk(*op, imm_i(w))
        }
        0x23 => {
            let op = [Sb, Sh, Sw, Sd].get(f3 as usize)?;
            mk(*op, imm_s(w))
        }
        0x13 => mk(op_imm(w, f3)?, imm_i(w)),
        0x1b => mk(op_imm32(w, f3)?, imm_i(w)),
        0x33 => mk(op_reg(f7, f3)?, 0),
        0x3b => mk(op_reg32(f7, f3, rs2)?, 0),
        0x0f => match f3 {
            // Unused fence fields are reserved-for-hints: ignored, like hardware does.
            0 => mk(Fence, bits(w, 31, 20) as i64),
            1 => mk(FenceI, 0),
            _ => return None,
        },
        0x73 => system(w, f3, rd, rs1)?,
        0x2f => amo(w, f3, rs2).map(|op| Insn {
            rm: bits(w, 26, 25) as u8,
            ..mk(op, 0)
        })?,
        _ => super::fp::decode_fp(w)?,
    };
    // Clear register fields the format does not have (they hold immediate bits), so
    // that equal instructions decode equal whatever their encoding.
    let insn = match bits(w, 6, 0) {
        0x37 | 0x17 | 0x6f => Insn {
            rs1: 0,
            rs2: 0,
            ..insn
        },
        0x23 | 0x63 => Insn { rd: 0, ..insn },
        0x0f => Insn {
            rd: 0,
            rs1: 0,
            rs2: 0,
            ..insn
        },
        0x67 | 0x03 | 0x13 | 0x1b | 0x73 => Insn { rs2: 0, ..insn },
        _ => insn,
    };
    // Shift amounts live in the immediate; keep only the amount.
    let insn = match insn.op {
        Slli | Srli | Srai | Rori | Bclri | Bexti | Binvi | Bseti | SlliUw => Insn {
            imm: insn.imm & 63,
            ..insn
        },
        Slliw | Srliw | Sraiw | Roriw => Insn {
            imm: insn.imm & 31,
            ..insn
        },
        _ => insn,
    };
    Some(insn)
}

fn op_imm(w: u32, f3: u32) -> Option<Opcode> {
    let imm12 = bits(w, 31, 20);
    let f6 = bits(w, 31, 26);
    Some(match f3 {
        0 => Addi,
        2 => Slti,
        3 => Sltiu,
        4 => Xori,
        6 => Ori,
        7 => Andi,
        1 => match (f6, imm12) {
            (0x00, _) => Slli,
            (0x0a, _) => Bseti,
            (0x12, _) => Bclri,
            (0x1a, _) => Binvi,
            (_, 0x600) => Clz,
            (_, 0x601) => Ctz,
            (_, 0x602) => Cpop,
            (_, 0x604) => SextB,
            (_, 0x605) => SextH,
            _ => return None,
        },
        _ => match (f6, imm12) {
            (0x00, _) => Srli,
            (0x10, _) => Srai,
            (0x12, _) => Bexti,
            (0x18, _) => Rori,
            (_, 0x287) => OrcB,
            (_, 0x6b8) => Rev8,
            _ => return None,
        },
    })
}

fn op_imm32(w: u32, f3: u32) -> Option<Opcode> {
    let f7 = bits(w, 31, 25);
    Some(match (f3, f7) {
        (0, _) => Addiw,
        (1, 0x00) => Slliw,
        (1, 0x04 | 0x05) => SlliUw,
        (1, 0x30) => match bits(w, 24, 20) {
            0 => Clzw,
            1 => Ctzw,
            2 => Cpopw,
            _ => return None,
        },
        (5, 0x00) => Srliw,
        (5, 0x20) => Sraiw,
        (5, 0x30) => Roriw,
        _ => return None,
    })
}

fn op_reg(f7: u32, f3: u32) -> Option<Opcode> {
    Some(match (f7, f3) {
        (0x00, 0) => Add,
        (0x20, 0) => Sub,
        (0x00, 1) => Sll,
        (0x00, 2) => Slt,
        (0x00, 3) => Sltu,
        (0x00, 4) => Xor,
        (0x00, 5) => Srl,
        (0x20, 5) => Sra,
        (0x00, 6) => Or,
        (0x00, 7) => And,
        (0x01, _) => [Mul, Mulh, Mulhsu, Mulhu, Div, Divu, Rem, Remu][f3 as usize],
        (0x10, 2) => Sh1add,
        (0x10, 4) => Sh2add,
        (0x10, 6) => Sh3add,
        (0x20, 7) => Andn,
        (0x20, 6) => Orn,
        (0x20, 4) => Xnor,
        (0x05, 4) => Min,
        (0x05, 5) => Minu,
        (0x05, 6) => Max,
        (0x05, 7) => Maxu,
        (0x30, 1) => Rol,
        (0x30, 5) => Ror,
        (0x24, 1) => Bclr,
        (0x24, 5) => Bext,
        (0x34, 1) => Binv,
        (0x14, 1) => Bset,
        _ => return None,
    })
}

fn op_reg32(f7: u32, f3: u32, rs2: u8) -> Option<Opcode> {
    Some(match (f7, f3) {
        (0x00, 0) => Addw,
        (0x20, 0) => Subw,
        (0x00, 1) => Sllw,
        (0x00, 5) => Srlw,
        (0x20, 5) => Sraw,
        (0x01, 0) => Mulw,
        (0x01, 4) => Divw,
        (0x01, 5) => Divuw,
        (0x01, 6) => Remw,
        (0x01, 7) => Remuw,
        (0x04, 0) => AddUw,
        (0x04, 4) if rs2 == 0 => ZextH,
        (0x10, 2) => Sh1addUw,
        (0x10, 4) => Sh2addUw,
        (0x10, 6) => Sh3addUw,
        (0x30, 1) => Rolw,
        (0x30, 5) => Rorw,
        _ => return None,
    })
}

fn system(w: u32, f3: u32, rd: u8, rs1: u8) -> Option<Insn> {
    if f3 == 0 {
        return match w {
            0x0000_0073 => Some(Insn::new(Ecall, 4)),
            0x0010_0073 => Some(Insn::new(Ebreak, 4)),
            _ => None,
        };
    }
    let op = [
        None,
        Some(Csrrw),
        Some(Csrrs),
        Some(Csrrc),
        None,
        Some(Csrrwi),
        Some(Csrrsi),
        Some(Csrrci),
    ][f3 as usize]?;
    let num = bits(w, 31, 20) as u16;
    csr::name(num)?;
    // csrrs/csrrc (and the immediate forms) with a zero source only read.
    let writes = matches!(op, Csrrw | Csrrwi) || rs1 != 0;
    if writes && !csr::writable(num) {
        return None;
    }
    Some(Insn {
        rd,
        rs1,
        imm: num as i64,
        ..Insn::new(op, 4)
    })
}

fn amo(w: u32, f3: u32, rs2: u8) -> Option<Opcode> {
    let word = match f3 {
        2 => true,
        3 => false,
        _ => return None,
    };
    let (w_op, d_op) = match bits(w, 31, 27) {
        0x02 if rs2 == 0 => (LrW, LrD),
        0x03 => (ScW, ScD),
        0x01 => (AmoswapW, AmoswapD),
        0x00 => (AmoaddW, AmoaddD),
        0x04 => (AmoxorW, AmoxorD),
        0x0c => (AmoandW, AmoandD),
        0x08 => (AmoorW, AmoorD),
        0x10 => (AmominW, AmominD),
        0x14 => (AmomaxW, AmomaxD),
        0x18 => (AmominuW, AmominuD),
        0x1c => (AmomaxuW, AmomaxuD),
        _ => return None,
    };
    Some(if word { w_op } else { d_op })
}
