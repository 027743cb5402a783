//! Decoding of the compressed (C) encodings into their 32-bit equivalents.

use super::Insn;
use super::opcode::Opcode::{self, *};

fn bit(p: u16, i: u32) -> u32 {
    ((p >> i) & 1) as u32
}

fn bits(p: u16, hi: u32, lo: u32) -> u32 {
    ((p as u32) >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Sign-extends the low `n` bits of `v`.
fn sext(v: u32, n: u32) -> i64 {
    ((v << (32 - n)) as i32 >> (32 - n)) as i64
}

/// The 3-bit register fields name x8..x15.
fn creg(v: u32) -> u8 {
    8 + v as u8
}

fn insn(op: Opcode, rd: u8, rs1: u8, rs2: u8, imm: i64) -> Insn {
    Insn {
        rd,
        rs1,
        rs2,
        imm,
        ..Insn::new(op, 2)
    }
}

/// Decodes a 16-bit compressed instruction; `None` for reserved encodings (including
/// the all-zero parcel) and for parcels that are not compressed.
pub fn decode16(p: u16) -> Option<Insn> {
    match p & 3 {
        0 => quadrant0(p),
        1 => quadrant1(p),
        2 => quadrant2(p),
        _ => None,
    }
}

fn quadrant0(p: u16) -> Option<Insn> {
    let rd = creg(bits(p, 4, 2));
    let rs1 = creg(bits(p, 9, 7));
    // Offsets scaled by 8 (ld/sd/fld/fsd) and by 4 (lw/sw).
    let off8 = (bits(p, 12, 10) << 3 | bits(p, 6, 5) << 6) as i64;
    let off4 = (bits(p, 12, 10) << 3 | bit(p, 6) << 2 | bit(p, 5) << 6) as i64;
    Some(match bits(p, 15, 13) {
        0 => {
            let imm = bits(p, 12, 11) << 4 | bits(p, 10, 7) << 6 | bit(p, 6) << 2 | bit(p, 5) << 3;
            if imm == 0 {
                return None; // includes the all-zero parcel
            }
            insn(Addi, rd, 2, 0, imm as i64)
        }
        1 => insn(Fld, rd, rs1, 0, off8),
        2 => insn(Lw, rd, rs1, 0, off4),
        3 => insn(Ld, rd, rs1, 0, off8),
        5 => insn(Fsd, 0, rs1, rd, off8),
        6 => insn(Sw, 0, rs1, rd, off4),
        7 => insn(Sd, 0, rs1, rd, off8),
        _ => return None,
    })
}

fn quadrant1(p: u16) -> Option<Insn> {
    let rd = bits(p, 11, 7) as u8;
    let imm6 = sext(bit(p, 12) << 5 | bits(p, 6, 2), 6);
    let rdc = creg(bits(p, 9, 7));
    let rs2c = creg(bits(p, 4, 2));
    Some(match bits(p, 15, 13) {
        0 => insn(Addi, rd, rd, 0, imm6),
        1 if rd != 0 => insn(Addiw, rd, rd, 0, imm6),
        1 => return None,
        2 => insn(Addi, rd, 0, 0, imm6),
        3 if rd == 2 => {
            let v = bit(p, 12) << 9
                | bit(p, 6) << 4
                | bit(p, 5) << 6
                | bits(p, 4, 3) << 7
                | bit(p, 2) << 5;
            let imm = sext(v, 10);
            if imm == 0 {
                return None;
            }
            insn(Addi, 2, 2, 0, imm)
        }
        3 => {
            if imm6 == 0 {
                return None;
            }
            insn(Lui, rd, 0, 0, imm6 << 12)
        }
        4 => match bits(p, 11, 10) {
            0 => insn(Srli, rdc, rdc, 0, (bit(p, 12) << 5 | bits(p, 6, 2)) as i64),
            1 => insn(Srai, rdc, rdc, 0, (bit(p, 12) << 5 | bits(p, 6, 2)) as i64),
            2 => insn(Andi, rdc, rdc, 0, imm6),
            _ => {
                let op = match (bit(p, 12), bits(p, 6, 5)) {
                    (0, 0) => Sub,
                    (0, 1) => Xor,
                    (0, 2) => Or,
                    (0, 3) => And,
                    (1, 0) => Subw,
                    (1, 1) => Addw,
                    _ => return None,
                };
                insn(op, rdc, rdc, rs2c, 0)
            }
        },
        5 => {
            let v = bit(p, 12) << 11
                | bit(p, 11) << 4
                | bits(p, 10, 9) << 8
                | bit(p, 8) << 10
                | bit(p, 7) << 6
                | bit(p, 6) << 7
                | bits(p, 5, 3) << 1
                | bit(p, 2) << 5;
            insn(Jal, 0, 0, 0, sext(v, 12))
        }
        f3 => {
            let v = bit(p, 12) << 8
                | bits(p, 11, 10) << 3
                | bits(p, 6, 5) << 6
                | bits(p, 4, 3) << 1
                | bit(p, 2) << 5;
            let op = if f3 == 6 { Beq } else { Bne };
            insn(op, 0, rdc, 0, sext(v, 9))
        }
    })
}

fn quadrant2(p: u16) -> Option<Insn> {
    let rd = bits(p, 11, 7) as u8;
    let rs2 = bits(p, 6, 2) as u8;
    let ldsp = (bit(p, 12) << 5 | bits(p, 6, 5) << 3 | bits(p, 4, 2) << 6) as i64;
    let lwsp = (bit(p, 12) << 5 | bits(p, 6, 4) << 2 | bits(p, 3, 2) << 6) as i64;
    let sdsp = (bits(p, 12, 10) << 3 | bits(p, 9, 7) << 6) as i64;
    let swsp = (bits(p, 12, 9) << 2 | bits(p, 8, 7) << 6) as i64;
    Some(match bits(p, 15, 13) {
        0 => insn(Slli, rd, rd, 0, (bit(p, 12) << 5 | bits(p, 6, 2)) as i64),
        1 => insn(Fld, rd, 2, 0, ldsp),
        2 if rd != 0 => insn(Lw, rd, 2, 0, lwsp),
        3 if rd != 0 => insn(Ld, rd, 2, 0, ldsp),
        2 | 3 => return None,
        4 => match (bit(p, 12), rd, rs2) {
            (0, 0, 0) => return None,
            (0, _, 0) => insn(Jalr, 0, rd, 0, 0),
            (0, _, _) => insn(Add, rd, 0, rs2, 0),
            (_, 0, 0) => Insn::new(Ebreak, 2),
            (_, _, 0) => insn(Jalr, 1, rd, 0, 0),
            _ => insn(Add, rd, rd, rs2, 0),
        },
        5 => insn(Fsd, 0, 2, rs2, sdsp),
        6 => insn(Sw, 0, 2, rs2, swsp),
        _ => insn(Sd, 0, 2, rs2, sdsp),
    })
}
