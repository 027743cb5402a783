//! A tiny RV64 encoder for the tests (checked against the GNU assembler in `rvc.rs`).

pub fn r(f7: u32, rs2: u8, rs1: u8, f3: u32, rd: u8, opc: u32) -> u32 {
    f7 << 25 | u32::from(rs2) << 20 | u32::from(rs1) << 15 | f3 << 12 | u32::from(rd) << 7 | opc
}

pub fn i(imm: i32, rs1: u8, f3: u32, rd: u8, opc: u32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | u32::from(rs1) << 15 | f3 << 12 | u32::from(rd) << 7 | opc
}

pub fn s(imm: i32, rs2: u8, rs1: u8, f3: u32, opc: u32) -> u32 {
    let imm = imm as u32;
    (imm >> 5 & 0x7f) << 25
        | u32::from(rs2) << 20
        | u32::from(rs1) << 15
        | f3 << 12
        | (imm & 0x1f) << 7
        | opc
}

pub fn b(imm: i32, rs2: u8, rs1: u8, f3: u32) -> u32 {
    let imm = imm as u32;
    (imm >> 12 & 1) << 31
        | (imm >> 5 & 0x3f) << 25
        | u32::from(rs2) << 20
        | u32::from(rs1) << 15
        | f3 << 12
        | (imm >> 1 & 0xf) << 8
        | (imm >> 11 & 1) << 7
        | 0x63
}

pub fn u(imm: u32, rd: u8, opc: u32) -> u32 {
    imm & 0xffff_f000 | u32::from(rd) << 7 | opc
}

pub fn j(imm: i32, rd: u8) -> u32 {
    let imm = imm as u32;
    (imm >> 20 & 1) << 31
        | (imm >> 1 & 0x3ff) << 21
        | (imm >> 11 & 1) << 20
        | (imm >> 12 & 0xff) << 12
        | u32::from(rd) << 7
        | 0x6f
}

pub const OP: u32 = 0x33;
pub const OP32: u32 = 0x3b;
pub const OPIMM: u32 = 0x13;
pub const OPIMM32: u32 = 0x1b;
pub const LOAD: u32 = 0x03;
pub const STORE: u32 = 0x23;
pub const AMO: u32 = 0x2f;
pub const SYSTEM: u32 = 0x73;

pub fn addi(rd: u8, rs1: u8, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, OPIMM)
}

pub fn jalr(rd: u8, rs1: u8, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x67)
}

/// An AMO: `f5` selects the operation, `f3` is 2 (.w) or 3 (.d).
pub fn amo(f5: u32, aqrl: u32, rs2: u8, rs1: u8, f3: u32, rd: u8) -> u32 {
    r(f5 << 2 | aqrl, rs2, rs1, f3, rd, AMO)
}

pub fn csr(f3: u32, csr: u16, rs1: u8, rd: u8) -> u32 {
    u32::from(csr) << 20 | u32::from(rs1) << 15 | f3 << 12 | u32::from(rd) << 7 | SYSTEM
}
