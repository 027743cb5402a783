//! Builds the code and data of a random test program: prologue (register
//! set-up), random body, epilogue (dump and exit).

use crate::elf::{DATA_BASE, Image};
use crate::encode::{self, csr, opcode::*};
use crate::{DUMP_SIZE, GenOptions, Rng, SCRATCH_SIZE};

/// s1: points at the scratch area; the random body never writes it.
const BASE: u8 = 9;
/// sp: scratch + 512 (for the c.*sp forms); never written either.
const SP: u8 = 2;
/// s2: counter of the bounded backward loops.
const COUNTER: u8 = 18;
/// Dump header (registers and fcsr) just below the scratch area.
const HEADER: i32 = 512;
/// Offsets from BASE of the initial register values (after the scratch).
const X_INIT: i32 = SCRATCH_SIZE as i32;
const F_INIT: i32 = X_INIT + 31 * 8;
const DATA_SIZE: usize = HEADER as usize + SCRATCH_SIZE + 63 * 8;
/// Registers the body may write (x0 included: writes are discarded).
const WRITABLE: [u8; 29] = [
    0, 1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
    29, 30, 31,
];
/// Compressed-register destinations (x8..x15 without BASE).
const WRITABLE_PRIME: [u8; 7] = [8, 10, 11, 12, 13, 14, 15];
/// Static rounding modes plus dyn (7); 5 and 6 are reserved.
const ROUNDING: [u32; 6] = [0, 1, 2, 3, 4, 7];

struct Code {
    bytes: Vec<u8>,
    count: usize,
}

impl Code {
    fn new() -> Self {
        Code {
            bytes: Vec::new(),
            count: 0,
        }
    }
    fn w(&mut self, insn: u32) {
        self.bytes.extend_from_slice(&insn.to_le_bytes());
        self.count += 1;
    }
    fn c(&mut self, insn: u16) {
        self.bytes.extend_from_slice(&insn.to_le_bytes());
        self.count += 1;
    }
    fn append(&mut self, other: Code) {
        self.bytes.extend_from_slice(&other.bytes);
        self.count += other.count;
    }
}

struct Gen<'a> {
    rng: Rng,
    opts: &'a GenOptions,
}

pub fn build(seed: u64, len: usize, opts: &GenOptions) -> Image {
    let mut g = Gen {
        rng: Rng::new(seed),
        opts,
    };
    let data = g.initial_data();
    let mut code = Code::new();
    g.prologue(&mut code);
    let start = code.count;
    while code.count - start < len {
        g.item(&mut code, true);
    }
    epilogue(&mut code);
    Image {
        code: code.bytes,
        data,
        data_mem_size: DATA_SIZE as u64,
    }
}

impl Gen<'_> {
    fn rd(&mut self) -> u8 {
        *self.rng.pick(&WRITABLE)
    }
    fn rd_nonzero(&mut self) -> u8 {
        *self.rng.pick(&WRITABLE[1..])
    }
    fn rs(&mut self) -> u8 {
        self.rng.below(32) as u8
    }
    fn freg(&mut self) -> u8 {
        self.rng.below(32) as u8
    }
    fn rm(&mut self) -> u32 {
        *self.rng.pick(&ROUNDING)
    }

    fn int_value(&mut self) -> u64 {
        const SPECIAL: [u64; 10] = [
            0,
            1,
            u64::MAX,
            i64::MAX as u64,
            i64::MIN as u64,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0xffff_ffff_8000_0000,
            0x1_0000_0000,
        ];
        match self.rng.below(4) {
            0 => *self.rng.pick(&SPECIAL),
            1 => self.rng.range_i32(-2048, 2047) as i64 as u64,
            _ => self.rng.next_u64(),
        }
    }

    fn fp_value(&mut self) -> u64 {
        const DOUBLES: [u64; 12] = [
            0,
            0x8000_0000_0000_0000,
            0x3ff0_0000_0000_0000,
            0xbff8_0000_0000_0000,
            0x7ff0_0000_0000_0000,
            0xfff0_0000_0000_0000,
            0x7ff8_0000_0000_0000,
            0x7ff0_0000_0000_0001,
            0x0000_0000_0000_0001,
            0x7fef_ffff_ffff_ffff,
            0x0010_0000_0000_0000,
            0x41e0_0000_0000_0000,
        ];
        const SINGLES: [u32; 10] = [
            0,
            0x8000_0000,
            0x3f80_0000,
            0xc0a0_0000,
            0x7f80_0000,
            0x7fc0_0000,
            0x7f80_0001,
            0x0000_0001,
            0x7f7f_ffff,
            0x4f00_0000,
        ];
        let boxed = |v: u32| 0xffff_ffff_0000_0000 | u64::from(v);
        match self.rng.below(6) {
            0 => *self.rng.pick(&DOUBLES),
            1 => boxed(*self.rng.pick(&SINGLES)),
            2 => boxed(self.rng.next_u64() as u32),
            // a double with a modest exponent: arithmetic stays finite
            3 => (self.rng.next_u64() & 0x800f_ffff_ffff_ffff) | (0x3f0 + self.rng.below(32)) << 52,
            // a single in a register that is not properly NaN-boxed
            4 => (self.rng.next_u64() & 0xffff_fffe_ffff_ffff) ^ (self.rng.below(2) << 63),
            _ => self.rng.next_u64(),
        }
    }

    fn initial_data(&mut self) -> Vec<u8> {
        let mut data = vec![0u8; DATA_SIZE];
        let scratch = HEADER as usize;
        for b in &mut data[scratch..scratch + SCRATCH_SIZE] {
            *b = self.rng.next_u64() as u8;
        }
        for i in 0..31 {
            let v = self.int_value();
            let at = scratch + X_INIT as usize + 8 * i;
            data[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        for i in 0..32 {
            let v = self.fp_value();
            let at = scratch + F_INIT as usize + 8 * i;
            data[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        data
    }

    fn prologue(&mut self, code: &mut Code) {
        let scratch = DATA_BASE + HEADER as u64;
        // DATA_BASE is page aligned and HEADER < 2048: no carry into lui
        code.w(encode::encode_u(LUI, BASE, (scratch >> 12) as u32));
        code.w(encode::encode_i(
            OP_IMM,
            0,
            BASE,
            BASE,
            (scratch & 0xfff) as i32,
        ));
        for f in 0..32u8 {
            code.w(encode::encode_i(
                LOAD_FP,
                3,
                f,
                BASE,
                F_INIT + 8 * i32::from(f),
            ));
        }
        for x in 1..32u8 {
            match x {
                BASE => {}
                SP => code.w(encode::encode_i(OP_IMM, 0, SP, BASE, 512)),
                COUNTER => code.w(encode::encode_i(OP_IMM, 0, COUNTER, 0, 0)),
                _ => code.w(encode::encode_i(
                    LOAD,
                    3,
                    x,
                    BASE,
                    X_INIT + 8 * (i32::from(x) - 1),
                )),
            }
        }
        let frm = self.rng.below(5) as u8;
        code.w(encode::encode_csr(5, 0, csr::FRM, frm));
    }

    /// One random item; control flow only when `top` (no nesting).
    fn item(&mut self, code: &mut Code, top: bool) {
        loop {
            let kind = self.rng.below(100);
            let done = match kind {
                0..=24 => self.int_op(code),
                25..=32 => self.opts.muldiv && self.muldiv(code),
                33..=40 => self.opts.bitmanip && self.bitmanip(code),
                41..=52 => self.opts.memory && self.memory(code),
                53..=58 => self.opts.atomics && self.opts.memory && self.atomic(code),
                59..=76 => self.opts.fp && self.fp(code),
                77..=80 => self.opts.csr && self.csr(code),
                81..=92 => self.opts.compressed && self.compressed(code),
                _ => top && self.opts.control_flow && self.control(code),
            };
            if done {
                return;
            }
        }
    }

    fn int_op(&mut self, code: &mut Code) -> bool {
        // (opcode, funct3, funct7) register-register forms
        const RR: [(u32, u32, u32); 15] = [
            (OP, 0, 0),
            (OP, 0, 0x20),
            (OP, 1, 0),
            (OP, 2, 0),
            (OP, 3, 0),
            (OP, 4, 0),
            (OP, 5, 0),
            (OP, 5, 0x20),
            (OP, 6, 0),
            (OP, 7, 0),
            (OP_32, 0, 0),
            (OP_32, 0, 0x20),
            (OP_32, 1, 0),
            (OP_32, 5, 0),
            (OP_32, 5, 0x20),
        ];
        let rd = self.rd();
        match self.rng.below(5) {
            0 | 1 => {
                let &(op, f3, f7) = self.rng.pick(&RR);
                let (a, b) = (self.rs(), self.rs());
                code.w(encode::encode_r(op, f3, f7, rd, a, b));
            }
            2 => {
                // addi slti sltiu xori ori andi, addiw
                let f3 = *self.rng.pick(&[0u32, 2, 3, 4, 6, 7]);
                let imm = self.rng.range_i32(-2048, 2047);
                let a = self.rs();
                if self.rng.chance(1, 4) {
                    code.w(encode::encode_i(OP_IMM_32, 0, rd, a, imm));
                } else {
                    code.w(encode::encode_i(OP_IMM, f3, rd, a, imm));
                }
            }
            3 => {
                let a = self.rs();
                let w = self.rng.chance(1, 3);
                let sh = self.rng.below(if w { 32 } else { 64 }) as i32;
                let (f3, hi) = *self.rng.pick(&[(1u32, 0), (5, 0), (5, 0x400)]);
                let op = if w { OP_IMM_32 } else { OP_IMM };
                code.w(encode::encode_i(op, f3, rd, a, hi | sh));
            }
            _ => {
                let op = if self.rng.chance(1, 2) { LUI } else { AUIPC };
                let imm = self.rng.next_u64() as u32;
                code.w(encode::encode_u(op, rd, imm));
            }
        }
        if self.rng.chance(1, 50) {
            // fences change no register; fence.i ends a translation block
            if self.rng.chance(1, 2) {
                let (pred, succ) = (self.rng.below(16) as u32, self.rng.below(16) as u32);
                code.w(encode::encode_fence(pred, succ));
            } else {
                code.w(encode::FENCE_I);
            }
        }
        true
    }

    fn muldiv(&mut self, code: &mut Code) -> bool {
        let (rd, a, b) = (self.rd(), self.rs(), self.rs());
        if self.rng.chance(1, 3) {
            let f3 = *self.rng.pick(&[0u32, 4, 5, 6, 7]);
            code.w(encode::encode_r(OP_32, f3, 1, rd, a, b));
        } else {
            code.w(encode::encode_r(OP, self.rng.below(8) as u32, 1, rd, a, b));
        }
        true
    }

    fn bitmanip(&mut self, code: &mut Code) -> bool {
        const RR: [(u32, u32, u32); 22] = [
            (OP_32, 0, 0x04),
            (OP, 2, 0x10),
            (OP, 4, 0x10),
            (OP, 6, 0x10),
            (OP_32, 2, 0x10),
            (OP_32, 4, 0x10),
            (OP_32, 6, 0x10),
            (OP, 7, 0x20),
            (OP, 6, 0x20),
            (OP, 4, 0x20),
            (OP, 6, 0x05),
            (OP, 7, 0x05),
            (OP, 4, 0x05),
            (OP, 5, 0x05),
            (OP, 1, 0x30),
            (OP, 5, 0x30),
            (OP_32, 1, 0x30),
            (OP_32, 5, 0x30),
            (OP, 1, 0x24),
            (OP, 5, 0x24),
            (OP, 1, 0x34),
            (OP, 1, 0x14),
        ];
        // (opcode, funct3, imm) unary forms
        const UN: [(u32, u32, i32); 11] = [
            (OP_IMM, 1, 0x600),
            (OP_IMM, 1, 0x601),
            (OP_IMM, 1, 0x602),
            (OP_IMM, 1, 0x604),
            (OP_IMM, 1, 0x605),
            (OP_IMM_32, 1, 0x600),
            (OP_IMM_32, 1, 0x601),
            (OP_IMM_32, 1, 0x602),
            (OP_IMM, 5, 0x287),
            (OP_IMM, 5, 0x6b8),
            (OP_32, 4, 0x080),
        ];
        // (opcode, funct3, high bits, shamt bits) immediate shifts
        const SH: [(u32, u32, i32, u64); 7] = [
            (OP_IMM_32, 1, 0x080, 64), // slli.uw
            (OP_IMM, 5, 0x600, 64),    // rori
            (OP_IMM_32, 5, 0x600, 32), // roriw
            (OP_IMM, 1, 0x480, 64),    // bclri
            (OP_IMM, 5, 0x480, 64),    // bexti
            (OP_IMM, 1, 0x680, 64),    // binvi
            (OP_IMM, 1, 0x280, 64),    // bseti
        ];
        let (rd, a) = (self.rd(), self.rs());
        match self.rng.below(3) {
            0 => {
                let &(op, f3, f7) = self.rng.pick(&RR);
                let b = self.rs();
                code.w(encode::encode_r(op, f3, f7, rd, a, b));
            }
            1 => {
                let &(op, f3, imm) = self.rng.pick(&UN);
                if (op, imm) == (OP_IMM_32, 0x601) && !self.opts.ctzw {
                    return false;
                }
                code.w(encode::encode_i(op, f3, rd, a, imm));
            }
            _ => {
                let &(op, f3, hi, n) = self.rng.pick(&SH);
                let sh = self.rng.below(n) as i32;
                code.w(encode::encode_i(op, f3, rd, a, hi | sh));
            }
        }
        true
    }

    /// Base register and an offset keeping `size` bytes inside the scratch.
    fn address(&mut self, size: i32, aligned: bool) -> (u8, i32) {
        let align = if aligned || self.rng.chance(3, 4) {
            size
        } else {
            1
        };
        let slot = self.rng.range_i32(0, (SCRATCH_SIZE as i32 - size) / align) * align;
        if self.rng.chance(1, 2) {
            (BASE, slot)
        } else {
            (SP, slot - 512)
        }
    }

    fn memory(&mut self, code: &mut Code) -> bool {
        let fp = self.opts.fp && self.rng.chance(1, 4);
        let store = self.rng.chance(1, 2);
        if fp {
            let f3 = *self.rng.pick(&[2u32, 3]);
            let (base, off) = self.address(1 << f3, false);
            let f = self.freg();
            if store {
                code.w(encode::encode_s(STORE_FP, f3, base, f, off));
            } else {
                code.w(encode::encode_i(LOAD_FP, f3, f, base, off));
            }
        } else if store {
            let f3 = self.rng.below(4) as u32;
            let (base, off) = self.address(1 << f3, false);
            let v = self.rs();
            code.w(encode::encode_s(STORE, f3, base, v, off));
        } else {
            let f3 = *self.rng.pick(&[0u32, 1, 2, 3, 4, 5, 6]);
            let (base, off) = self.address(1 << (f3 & 3), false);
            let rd = self.rd();
            code.w(encode::encode_i(LOAD, f3, rd, base, off));
        }
        true
    }

    fn atomic(&mut self, code: &mut Code) -> bool {
        const AMOS: [u32; 9] = [0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c];
        let width = *self.rng.pick(&[2u32, 3]);
        let (base, off) = self.address(1 << width, true);
        let addr = self.rd_nonzero();
        code.w(encode::encode_i(OP_IMM, 0, addr, base, off));
        let (aq, rl) = (self.rng.chance(1, 2), self.rng.chance(1, 2));
        match self.rng.below(4) {
            0 => {
                // LR/SC pair on the same address: succeeds
                let mut rd = self.rd();
                while rd == addr {
                    rd = self.rd();
                }
                code.w(encode::encode_amo(0x02, width, aq, rl, rd, addr, 0));
                let (rd2, v) = (self.rd(), self.rs());
                code.w(encode::encode_amo(0x03, width, aq, rl, rd2, addr, v));
            }
            1 => {
                // SC without a reservation: fails, memory unchanged
                let (rd, v) = (self.rd(), self.rs());
                code.w(encode::encode_amo(0x03, width, aq, rl, rd, addr, v));
            }
            _ => {
                let f5 = *self.rng.pick(&AMOS);
                let (rd, v) = (self.rd(), self.rs());
                code.w(encode::encode_amo(f5, width, aq, rl, rd, addr, v));
            }
        }
        true
    }

    fn fp(&mut self, code: &mut Code) -> bool {
        let fmt = self.rng.below(2) as u32;
        let (fd, f1, f2, f3) = (self.freg(), self.freg(), self.freg(), self.freg());
        let rm = self.rm();
        match self.rng.below(12) {
            0..=2 => {
                // fadd fsub fmul fdiv
                let f5 = self.rng.below(4) as u32;
                code.w(encode::encode_fp(f5, fmt, rm, fd, f1, f2));
            }
            3 => code.w(encode::encode_fp(0x0b, fmt, rm, fd, f1, 0)),
            4 => {
                let op = *self.rng.pick(&[MADD, MSUB, NMSUB, NMADD]);
                code.w(encode::encode_r4(op, fmt, rm, fd, f1, f2, f3));
            }
            5 => {
                // fsgnj/fsgnjn/fsgnjx, fmin/fmax
                if self.rng.chance(1, 2) {
                    let sub = self.rng.below(3) as u32;
                    code.w(encode::encode_fp(0x04, fmt, sub, fd, f1, f2));
                } else {
                    let sub = self.rng.below(2) as u32;
                    code.w(encode::encode_fp(0x05, fmt, sub, fd, f1, f2));
                }
            }
            6 => {
                // feq flt fle, fclass
                let rd = self.rd();
                if self.rng.chance(3, 4) {
                    let sub = self.rng.below(3) as u32;
                    code.w(encode::encode_fp(0x14, fmt, sub, rd, f1, f2));
                } else {
                    code.w(encode::encode_fp(0x1c, fmt, 1, rd, f1, 0));
                }
            }
            7 => {
                // fcvt.{w,wu,l,lu}.fmt
                let rd = self.rd();
                let kind = self.rng.below(4) as u8;
                code.w(encode::encode_fp(0x18, fmt, rm, rd, f1, kind));
            }
            8 => {
                // fcvt.fmt.{w,wu,l,lu}
                let src = self.rs();
                let kind = self.rng.below(4) as u8;
                code.w(encode::encode_fp(0x1a, fmt, rm, fd, src, kind));
            }
            9 => {
                // fcvt.s.d / fcvt.d.s
                if fmt == 0 {
                    code.w(encode::encode_fp(0x08, 0, rm, fd, f1, 1));
                } else {
                    code.w(encode::encode_fp(0x08, 1, rm, fd, f1, 0));
                }
            }
            10 => {
                let rd = self.rd();
                code.w(encode::encode_fp(0x1c, fmt, 0, rd, f1, 0));
            }
            _ => {
                let src = self.rs();
                code.w(encode::encode_fp(0x1e, fmt, 0, fd, src, 0));
            }
        }
        true
    }

    fn csr(&mut self, code: &mut Code) -> bool {
        let rd = self.rd();
        let csr = *self.rng.pick(&[csr::FFLAGS, csr::FRM, csr::FCSR]);
        match self.rng.below(7) {
            0 => code.w(encode::encode_csr(2, rd, csr, 0)),
            1 => {
                // any value into fflags: only 5 bits are kept
                let v = self.rs();
                let f3 = *self.rng.pick(&[1u32, 2, 3]);
                code.w(encode::encode_csr(f3, rd, csr::FFLAGS, v));
            }
            2 => {
                let frm = self.rng.below(5) as u8;
                code.w(encode::encode_csr(5, rd, csr::FRM, frm));
            }
            3 => {
                let imm = self.rng.below(32) as u8;
                let f3 = *self.rng.pick(&[5u32, 6, 7]);
                code.w(encode::encode_csr(f3, rd, csr::FFLAGS, imm));
            }
            4 => {
                // clearing bits of a valid frm leaves a valid frm
                let imm = self.rng.below(32) as u8;
                let which = *self.rng.pick(&[csr::FRM, csr::FCSR]);
                code.w(encode::encode_csr(7, rd, which, imm));
            }
            5 => {
                // 5-bit immediate into fcsr: frm becomes 0 (rne)
                let imm = self.rng.below(32) as u8;
                code.w(encode::encode_csr(5, rd, csr::FCSR, imm));
            }
            _ => {
                let v = self.rs();
                code.w(encode::encode_csr(3, rd, csr::FCSR, v));
            }
        }
        true
    }

    fn prime(&mut self) -> u8 {
        *self.rng.pick(&WRITABLE_PRIME)
    }
    fn any_prime(&mut self) -> u8 {
        8 + self.rng.below(8) as u8
    }
    fn nonzero_imm6(&mut self) -> i32 {
        let v = self.rng.range_i32(-32, 30);
        if v >= 0 { v + 1 } else { v }
    }

    fn compressed(&mut self, code: &mut Code) -> bool {
        use encode::*;
        let fp = self.opts.fp;
        let mem = self.opts.memory;
        match self.rng.below(14) {
            0 => {
                let (rd, imm) = (self.rd_nonzero(), self.nonzero_imm6());
                code.c(encode_ci(0, 1, rd, imm)); // c.addi
            }
            1 => {
                let (rd, imm) = (self.rd_nonzero(), self.rng.range_i32(-32, 31));
                code.c(encode_ci(1, 1, rd, imm)); // c.addiw
            }
            2 => {
                let (rd, imm) = (self.rd_nonzero(), self.rng.range_i32(-32, 31));
                code.c(encode_ci(2, 1, rd, imm)); // c.li
            }
            3 => {
                let (rd, imm) = (self.rd_nonzero(), self.nonzero_imm6());
                code.c(encode_c_lui(rd, imm));
            }
            4 => {
                let (rd, sh) = (self.rd_nonzero(), self.rng.range_i32(1, 63));
                code.c(encode_ci(0, 2, rd, sh)); // c.slli
            }
            5 => {
                let rd = self.prime();
                let kind = self.rng.below(3) as u16;
                let imm = if kind == 2 {
                    self.rng.range_i32(-32, 31)
                } else {
                    self.rng.range_i32(1, 63)
                };
                code.c(encode_cb_alu(kind, rd, imm));
            }
            6 => {
                let (rd, rs2) = (self.prime(), self.any_prime());
                let word = self.rng.chance(1, 3);
                let f2 = self.rng.below(if word { 2 } else { 4 }) as u16;
                code.c(encode_ca(word, f2, rd, rs2));
            }
            7 => {
                let rd = self.rd_nonzero();
                let rs2 = 1 + self.rng.below(31) as u8;
                let add = self.rng.chance(1, 2);
                code.c(encode_cr(add, rd, rs2));
            }
            8 => code.c(C_NOP),
            9 => {
                let rd = self.prime();
                let imm = 4 * self.rng.range_i32(1, 255) as u32;
                code.c(encode_c_addi4spn(rd, imm));
            }
            10 if mem => {
                // c.lw/c.ld/c.fld via BASE
                let rd = self.prime();
                match self.rng.below(if fp { 3 } else { 2 }) {
                    0 => code.c(encode_c_lw_sw(2, BASE, rd, 4 * self.rng.below(32) as u32)),
                    1 => code.c(encode_c_ld_sd(3, BASE, rd, 8 * self.rng.below(32) as u32)),
                    _ => code.c(encode_c_ld_sd(1, BASE, rd, 8 * self.rng.below(32) as u32)),
                }
            }
            11 if mem => {
                // c.sw/c.sd/c.fsd via BASE (any source register)
                let rs2 = self.any_prime();
                match self.rng.below(if fp { 3 } else { 2 }) {
                    0 => code.c(encode_c_lw_sw(6, BASE, rs2, 4 * self.rng.below(32) as u32)),
                    1 => code.c(encode_c_ld_sd(7, BASE, rs2, 8 * self.rng.below(32) as u32)),
                    _ => code.c(encode_c_ld_sd(5, BASE, rs2, 8 * self.rng.below(32) as u32)),
                }
            }
            12 if mem => {
                // c.lwsp/c.ldsp/c.fldsp
                match self.rng.below(if fp { 3 } else { 2 }) {
                    0 => {
                        let rd = self.rd_nonzero();
                        code.c(encode_c_lwsp(rd, 4 * self.rng.below(64) as u32));
                    }
                    1 => {
                        let rd = self.rd_nonzero();
                        code.c(encode_c_ldsp(3, rd, 8 * self.rng.below(64) as u32));
                    }
                    _ => {
                        let f = self.freg();
                        code.c(encode_c_ldsp(1, f, 8 * self.rng.below(64) as u32));
                    }
                }
            }
            13 if mem => {
                let rs2 = self.rs();
                match self.rng.below(if fp { 3 } else { 2 }) {
                    0 => code.c(encode_c_swsp(rs2, 4 * self.rng.below(64) as u32)),
                    1 => code.c(encode_c_sdsp(7, rs2, 8 * self.rng.below(64) as u32)),
                    _ => code.c(encode_c_sdsp(5, rs2, 8 * self.rng.below(64) as u32)),
                }
            }
            _ => return false,
        }
        true
    }

    /// 1..=`max` non-control items in their own buffer.
    fn block(&mut self, max: u64) -> Code {
        let mut b = Code::new();
        for _ in 0..1 + self.rng.below(max) {
            self.item(&mut b, false);
        }
        b
    }

    fn control(&mut self, code: &mut Code) -> bool {
        match self.rng.below(4) {
            0 | 1 => {
                // conditional forward branch over a block
                let body = self.block(4);
                let len = body.bytes.len() as i32;
                if self.opts.compressed && self.rng.chance(1, 4) {
                    let r = self.any_prime();
                    let bnez = self.rng.chance(1, 2);
                    code.c(encode::encode_cb_branch(bnez, r, 2 + len));
                } else {
                    let f3 = *self.rng.pick(&[0u32, 1, 4, 5, 6, 7]);
                    let (a, b) = (self.rs(), self.rs());
                    code.w(encode::encode_b(f3, a, b, 4 + len));
                }
                code.append(body);
            }
            2 => {
                // unconditional jump over a block (the block is dead code)
                let body = self.block(3);
                let len = body.bytes.len() as i32;
                if self.opts.compressed && self.rng.chance(1, 2) {
                    code.c(encode::encode_c_j(2 + len));
                } else {
                    let rd = self.rd();
                    code.w(encode::encode_jal(rd, 4 + len));
                }
                code.append(body);
            }
            _ => {
                // counted loop: COUNTER = n; body; COUNTER -= 1; bnez back
                let n = 1 + self.rng.below(4) as i32;
                code.w(encode::encode_i(OP_IMM, 0, COUNTER, 0, n));
                let body = self.block(5);
                let len = body.bytes.len() as i32;
                code.append(body);
                code.w(encode::encode_i(OP_IMM, 0, COUNTER, COUNTER, -1));
                code.w(encode::encode_b(1, COUNTER, 0, -(len + 4)));
            }
        }
        true
    }
}

/// Stores x1..x31, f0..f31 and fcsr below the scratch area, writes header
/// and scratch to stdout, exits 0.
fn epilogue(code: &mut Code) {
    use encode::*;
    for x in 1..32u8 {
        code.w(encode_s(
            STORE,
            3,
            BASE,
            x,
            -HEADER + 8 * (i32::from(x) - 1),
        ));
    }
    for f in 0..32u8 {
        code.w(encode_s(
            STORE_FP,
            3,
            BASE,
            f,
            -HEADER + 248 + 8 * i32::from(f),
        ));
    }
    code.w(encode_csr(2, 5, csr::FCSR, 0));
    code.w(encode_s(STORE, 3, BASE, 5, -HEADER + 504));
    code.w(encode_i(OP_IMM, 0, 10, 0, 1)); // a0 = stdout
    code.w(encode_i(OP_IMM, 0, 11, BASE, -HEADER)); // a1 = dump
    code.w(encode_i(OP_IMM, 0, 12, 0, DUMP_SIZE as i32)); // a2 = size
    code.w(encode_i(OP_IMM, 0, 17, 0, 64)); // a7 = write
    code.w(ECALL);
    code.w(encode_i(OP_IMM, 0, 10, 0, 0));
    code.w(encode_i(OP_IMM, 0, 17, 0, 94)); // exit_group
    code.w(ECALL);
}
