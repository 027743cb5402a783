//! Instruction encoders for RV64GC and Zba/Zbb/Zbs.
//!
//! 32-bit instructions are returned as `u32`, compressed ones as `u16`.
//! Register numbers are 0..=31; compressed "prime" registers are given as
//! full register numbers (8..=15). Callers are responsible for immediates
//! being in range; encoders only mask.

/// Major opcodes.
pub mod opcode {
    pub const LOAD: u32 = 0x03;
    pub const LOAD_FP: u32 = 0x07;
    pub const MISC_MEM: u32 = 0x0f;
    pub const OP_IMM: u32 = 0x13;
    pub const AUIPC: u32 = 0x17;
    pub const OP_IMM_32: u32 = 0x1b;
    pub const STORE: u32 = 0x23;
    pub const STORE_FP: u32 = 0x27;
    pub const AMO: u32 = 0x2f;
    pub const OP: u32 = 0x33;
    pub const LUI: u32 = 0x37;
    pub const OP_32: u32 = 0x3b;
    pub const MADD: u32 = 0x43;
    pub const MSUB: u32 = 0x47;
    pub const NMSUB: u32 = 0x4b;
    pub const NMADD: u32 = 0x4f;
    pub const OP_FP: u32 = 0x53;
    pub const BRANCH: u32 = 0x63;
    pub const JALR: u32 = 0x67;
    pub const JAL: u32 = 0x6f;
    pub const SYSTEM: u32 = 0x73;
}

/// CSR numbers of the floating-point CSRs.
pub mod csr {
    pub const FFLAGS: u32 = 0x001;
    pub const FRM: u32 = 0x002;
    pub const FCSR: u32 = 0x003;
}

fn reg(r: u8) -> u32 {
    u32::from(r) & 31
}

/// Register-register form: `funct7 rs2 rs1 funct3 rd opcode`.
pub fn encode_r(opcode: u32, funct3: u32, funct7: u32, rd: u8, rs1: u8, rs2: u8) -> u32 {
    (funct7 & 0x7f) << 25
        | reg(rs2) << 20
        | reg(rs1) << 15
        | (funct3 & 7) << 12
        | reg(rd) << 7
        | opcode
}

/// Immediate form (loads, OP-IMM, JALR, SYSTEM): 12-bit signed `imm`.
pub fn encode_i(opcode: u32, funct3: u32, rd: u8, rs1: u8, imm: i32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | reg(rs1) << 15 | (funct3 & 7) << 12 | reg(rd) << 7 | opcode
}

/// Store form: 12-bit signed `imm`.
pub fn encode_s(opcode: u32, funct3: u32, rs1: u8, rs2: u8, imm: i32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25
        | reg(rs2) << 20
        | reg(rs1) << 15
        | (funct3 & 7) << 12
        | (imm & 0x1f) << 7
        | opcode
}

/// Conditional branch; `offset` is a byte offset (even, ±4 KiB).
pub fn encode_b(funct3: u32, rs1: u8, rs2: u8, offset: i32) -> u32 {
    let o = offset as u32;
    ((o >> 12) & 1) << 31
        | ((o >> 5) & 0x3f) << 25
        | reg(rs2) << 20
        | reg(rs1) << 15
        | (funct3 & 7) << 12
        | ((o >> 1) & 0xf) << 8
        | ((o >> 11) & 1) << 7
        | opcode::BRANCH
}

/// LUI/AUIPC: `imm20` is the value placed in bits 31:12.
pub fn encode_u(opcode: u32, rd: u8, imm20: u32) -> u32 {
    (imm20 & 0xfffff) << 12 | reg(rd) << 7 | opcode
}

/// JAL; `offset` is a byte offset (even, ±1 MiB).
pub fn encode_jal(rd: u8, offset: i32) -> u32 {
    let o = offset as u32;
    ((o >> 20) & 1) << 31
        | ((o >> 1) & 0x3ff) << 21
        | ((o >> 11) & 1) << 20
        | ((o >> 12) & 0xff) << 12
        | reg(rd) << 7
        | opcode::JAL
}

/// Fused multiply-add family: `fmt` 0 = single, 1 = double.
pub fn encode_r4(opcode: u32, fmt: u32, rm: u32, rd: u8, rs1: u8, rs2: u8, rs3: u8) -> u32 {
    reg(rs3) << 27
        | (fmt & 3) << 25
        | reg(rs2) << 20
        | reg(rs1) << 15
        | (rm & 7) << 12
        | reg(rd) << 7
        | opcode
}

/// AMO, LR and SC: `funct5` selects the operation, `width` 2 = .w, 3 = .d.
pub fn encode_amo(funct5: u32, width: u32, aq: bool, rl: bool, rd: u8, rs1: u8, rs2: u8) -> u32 {
    let f7 = (funct5 & 0x1f) << 2 | u32::from(aq) << 1 | u32::from(rl);
    encode_r(opcode::AMO, width, f7, rd, rs1, rs2)
}

/// OP-FP: `funct5` with `fmt` (0 single, 1 double); funct3 is the rounding
/// mode or a sub-operation.
pub fn encode_fp(funct5: u32, fmt: u32, funct3: u32, rd: u8, rs1: u8, rs2: u8) -> u32 {
    encode_r(
        opcode::OP_FP,
        funct3,
        (funct5 << 2) | (fmt & 3),
        rd,
        rs1,
        rs2,
    )
}

/// CSR access: `funct3` 1..3 register forms, 5..7 immediate forms (then
/// `rs1_or_uimm` is the 5-bit immediate).
pub fn encode_csr(funct3: u32, rd: u8, csr: u32, rs1_or_uimm: u8) -> u32 {
    (csr & 0xfff) << 20
        | reg(rs1_or_uimm) << 15
        | (funct3 & 7) << 12
        | reg(rd) << 7
        | opcode::SYSTEM
}

/// `fence iorw, iorw` style fence with 4-bit predecessor/successor sets.
pub fn encode_fence(pred: u32, succ: u32) -> u32 {
    (pred & 0xf) << 24 | (succ & 0xf) << 20 | opcode::MISC_MEM
}

pub const FENCE_I: u32 = 0x0000_100f;
pub const ECALL: u32 = 0x0000_0073;

fn creg(r: u8) -> u16 {
    debug_assert!((8..16).contains(&r), "not a compressed register: x{r}");
    u16::from(r) & 7
}

fn bit(v: u32, n: u32) -> u16 {
    ((v >> n) & 1) as u16
}

/// CI format (c.addi, c.addiw, c.li, c.slli...): 6-bit immediate.
pub fn encode_ci(funct3: u16, op: u16, rd: u8, imm6: i32) -> u16 {
    let i = imm6 as u32;
    funct3 << 13 | bit(i, 5) << 12 | (u16::from(rd) & 31) << 7 | ((i & 0x1f) as u16) << 2 | op
}

/// c.lui: `imm6` is bits 17..12 of the immediate (sign-extended 6-bit
/// value, not 0).
pub fn encode_c_lui(rd: u8, imm6: i32) -> u16 {
    encode_ci(3, 1, rd, imm6)
}

/// c.srli / c.srai / c.andi: `kind` 0, 1, 2.
pub fn encode_cb_alu(kind: u16, rd: u8, imm6: i32) -> u16 {
    let i = imm6 as u32;
    4 << 13 | bit(i, 5) << 12 | kind << 10 | creg(rd) << 7 | ((i & 0x1f) as u16) << 2 | 1
}

/// c.sub/xor/or/and (`word` false, funct2 0..3), c.subw/addw (`word`
/// true, funct2 0..1).
pub fn encode_ca(word: bool, funct2: u16, rd: u8, rs2: u8) -> u16 {
    0x8c01 | u16::from(word) << 12 | creg(rd) << 7 | (funct2 & 3) << 5 | creg(rs2) << 2
}

/// c.mv (`add` false) and c.add (`add` true).
pub fn encode_cr(add: bool, rd: u8, rs2: u8) -> u16 {
    0x8002 | u16::from(add) << 12 | (u16::from(rd) & 31) << 7 | (u16::from(rs2) & 31) << 2
}

pub const C_NOP: u16 = 0x0001;

/// c.lw (funct3 2, word offset) and c.sw (funct3 6).
pub fn encode_c_lw_sw(funct3: u16, rs1: u8, rd_or_rs2: u8, offset: u32) -> u16 {
    funct3 << 13
        | (((offset >> 3) & 7) as u16) << 10
        | creg(rs1) << 7
        | bit(offset, 2) << 6
        | bit(offset, 6) << 5
        | creg(rd_or_rs2) << 2
}

/// c.ld (3), c.fld (1), c.sd (7), c.fsd (5): doubleword offset.
pub fn encode_c_ld_sd(funct3: u16, rs1: u8, rd_or_rs2: u8, offset: u32) -> u16 {
    funct3 << 13
        | (((offset >> 3) & 7) as u16) << 10
        | creg(rs1) << 7
        | (((offset >> 6) & 3) as u16) << 5
        | creg(rd_or_rs2) << 2
}

/// c.lwsp.
pub fn encode_c_lwsp(rd: u8, offset: u32) -> u16 {
    2 << 13
        | bit(offset, 5) << 12
        | (u16::from(rd) & 31) << 7
        | (((offset >> 2) & 7) as u16) << 4
        | (((offset >> 6) & 3) as u16) << 2
        | 2
}

/// c.ldsp (funct3 3) and c.fldsp (funct3 1).
pub fn encode_c_ldsp(funct3: u16, rd: u8, offset: u32) -> u16 {
    funct3 << 13
        | bit(offset, 5) << 12
        | (u16::from(rd) & 31) << 7
        | (((offset >> 3) & 3) as u16) << 5
        | (((offset >> 6) & 7) as u16) << 2
        | 2
}

/// c.swsp.
pub fn encode_c_swsp(rs2: u8, offset: u32) -> u16 {
    6 << 13
        | (((offset >> 2) & 0xf) as u16) << 9
        | (((offset >> 6) & 3) as u16) << 7
        | (u16::from(rs2) & 31) << 2
        | 2
}

/// c.sdsp (funct3 7) and c.fsdsp (funct3 5).
pub fn encode_c_sdsp(funct3: u16, rs2: u8, offset: u32) -> u16 {
    funct3 << 13
        | (((offset >> 3) & 7) as u16) << 10
        | (((offset >> 6) & 7) as u16) << 7
        | (u16::from(rs2) & 31) << 2
        | 2
}

/// c.addi4spn: rd' = sp + nzuimm (multiple of 4, 4..=1020).
pub fn encode_c_addi4spn(rd: u8, imm: u32) -> u16 {
    (((imm >> 4) & 3) as u16) << 11
        | (((imm >> 6) & 0xf) as u16) << 7
        | bit(imm, 2) << 6
        | bit(imm, 3) << 5
        | creg(rd) << 2
}

/// c.beqz (`bnez` false) / c.bnez: byte offset, even, ±256.
pub fn encode_cb_branch(bnez: bool, rs1: u8, offset: i32) -> u16 {
    let o = offset as u32;
    (6 | u16::from(bnez)) << 13
        | bit(o, 8) << 12
        | (((o >> 3) & 3) as u16) << 10
        | creg(rs1) << 7
        | (((o >> 6) & 3) as u16) << 5
        | (((o >> 1) & 3) as u16) << 3
        | bit(o, 5) << 2
        | 1
}

/// c.j: byte offset, even, ±2 KiB.
pub fn encode_c_j(offset: i32) -> u16 {
    let o = offset as u32;
    5 << 13
        | bit(o, 11) << 12
        | bit(o, 4) << 11
        | (((o >> 8) & 3) as u16) << 9
        | bit(o, 10) << 8
        | bit(o, 6) << 7
        | bit(o, 7) << 6
        | (((o >> 1) & 7) as u16) << 3
        | bit(o, 5) << 2
        | 1
}
