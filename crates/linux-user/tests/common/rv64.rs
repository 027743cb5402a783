//! A small, slow RV64IMAC interpreter (plus the few F/D instructions glibc's
//! start-up code uses), only for driving real programs through the loader
//! and the system-call layer in tests.

use oxemu_linux_user::{Process, SyscallOutcome, SyscallRegs};
use oxemu_memory::{AtomicOp, GuestSpace};

/// Guest CPU state.
pub struct Cpu {
    pub x: [u64; 32],
    pub f: [u64; 32],
    pub pc: u64,
    pub fcsr: u32,
    reservation: Option<(u64, u64)>,
}

struct Ecall<'a>(&'a mut Cpu);

impl SyscallRegs for Ecall<'_> {
    fn number(&self) -> u64 {
        self.0.x[17]
    }
    fn arg(&self, i: usize) -> u64 {
        self.0.x[10 + i.min(5)]
    }
    fn set_return(&mut self, v: u64) {
        self.0.x[10] = v;
    }
    fn set_stack_pointer(&mut self, sp: u64) -> bool {
        self.0.x[2] = sp;
        true
    }
    fn set_thread_pointer(&mut self, tp: u64) -> bool {
        self.0.x[4] = tp;
        true
    }
}

fn sext(v: u64, bits: u32) -> u64 {
    let s = 64 - bits;
    (((v << s) as i64) >> s) as u64
}

fn w(v: u64) -> u64 {
    v as u32 as i32 as i64 as u64
}

impl Cpu {
    pub fn new(pc: u64, sp: u64) -> Cpu {
        let mut x = [0; 32];
        x[2] = sp;
        Cpu {
            x,
            f: [0; 32],
            pc,
            fcsr: 0,
            reservation: None,
        }
    }

    fn set(&mut self, rd: usize, v: u64) {
        if rd != 0 {
            self.x[rd] = v;
        }
    }

    /// Runs until the program exits; returns its status, or a description
    /// of what stopped it.
    pub fn run(
        &mut self,
        space: &GuestSpace,
        p: &mut Process,
        max_steps: u64,
    ) -> Result<i32, String> {
        for _ in 0..max_steps {
            let lo = space.fetch(self.pc, 2).map_err(|f| format!("fetch {f}"))?;
            let (inst, len) = if lo & 3 == 3 {
                (
                    space.fetch(self.pc, 4).map_err(|f| format!("fetch {f}"))?,
                    4,
                )
            } else {
                (lo, 2)
            };
            let next = self.pc + len;
            let r = if len == 2 {
                self.exec16(inst as u32, space, next)
            } else {
                self.exec32(inst as u32, space, next)
            };
            match r? {
                Step::Next(pc) => self.pc = pc,
                Step::Ecall => {
                    self.pc = next;
                    if let SyscallOutcome::Exit(code) = p.syscall(&mut Ecall(self)) {
                        return Ok(code);
                    }
                }
            }
        }
        Err(format!(
            "still running after {max_steps} steps at pc {:#x}",
            self.pc
        ))
    }

    fn load(&self, space: &GuestSpace, addr: u64, size: u8, signed: bool) -> Result<u64, String> {
        let v = space
            .load(addr, size)
            .map_err(|f| format!("load at pc {:#x}: {f}", self.pc))?;
        Ok(if signed { sext(v, size as u32 * 8) } else { v })
    }

    fn store(&self, space: &GuestSpace, addr: u64, size: u8, v: u64) -> Result<(), String> {
        space
            .store(addr, size, v)
            .map_err(|f| format!("store at pc {:#x}: {f}", self.pc))
    }

    fn exec32(&mut self, i: u32, space: &GuestSpace, next: u64) -> Result<Step, String> {
        let rd = ((i >> 7) & 31) as usize;
        let rs1 = ((i >> 15) & 31) as usize;
        let rs2 = ((i >> 20) & 31) as usize;
        let f3 = (i >> 12) & 7;
        let f7 = i >> 25;
        let a = self.x[rs1];
        let b = self.x[rs2];
        let imm_i = sext((i >> 20) as u64, 12);
        let imm_s = sext((((i >> 25) << 5) | ((i >> 7) & 31)) as u64, 12);
        let pc = self.pc;
        let bad = || Err(format!("unsupported instruction {i:#010x} at {pc:#x}"));
        match i & 0x7f {
            0x37 => self.set(rd, sext((i & 0xffff_f000) as u64, 32)),
            0x17 => self.set(rd, self.pc.wrapping_add(sext((i & 0xffff_f000) as u64, 32))),
            0x6f => {
                let off = ((i >> 11) & 0x10_0000)
                    | (i & 0xff000)
                    | ((i >> 9) & 0x800)
                    | ((i >> 20) & 0x7fe);
                self.set(rd, next);
                return Ok(Step::Next(self.pc.wrapping_add(sext(off as u64, 21))));
            }
            0x67 => {
                let t = a.wrapping_add(imm_i) & !1;
                self.set(rd, next);
                return Ok(Step::Next(t));
            }
            0x63 => {
                let off = ((i >> 19) & 0x1000)
                    | ((i << 4) & 0x800)
                    | ((i >> 20) & 0x7e0)
                    | ((i >> 7) & 0x1e);
                let take = match f3 {
                    0 => a == b,
                    1 => a != b,
                    4 => (a as i64) < (b as i64),
                    5 => (a as i64) >= (b as i64),
                    6 => a < b,
                    7 => a >= b,
                    _ => return bad(),
                };
                if take {
                    return Ok(Step::Next(self.pc.wrapping_add(sext(off as u64, 13))));
                }
            }
            0x03 => {
                let addr = a.wrapping_add(imm_i);
                let v = match f3 {
                    0 => self.load(space, addr, 1, true)?,
                    1 => self.load(space, addr, 2, true)?,
                    2 => self.load(space, addr, 4, true)?,
                    3 => self.load(space, addr, 8, false)?,
                    4 => self.load(space, addr, 1, false)?,
                    5 => self.load(space, addr, 2, false)?,
                    6 => self.load(space, addr, 4, false)?,
                    _ => return bad(),
                };
                self.set(rd, v);
            }
            0x23 => {
                let addr = a.wrapping_add(imm_s);
                if f3 > 3 {
                    return bad();
                }
                self.store(space, addr, 1 << f3, b)?;
            }
            0x07 => {
                let addr = a.wrapping_add(imm_i);
                match f3 {
                    2 => self.f[rd] = self.load(space, addr, 4, false)? | 0xffff_ffff_0000_0000,
                    3 => self.f[rd] = self.load(space, addr, 8, false)?,
                    _ => return bad(),
                }
            }
            0x27 => {
                let addr = a.wrapping_add(imm_s);
                match f3 {
                    2 => self.store(space, addr, 4, self.f[rs2])?,
                    3 => self.store(space, addr, 8, self.f[rs2])?,
                    _ => return bad(),
                }
            }
            0x13 => {
                let sh = (i >> 20) & 63;
                let v = match f3 {
                    0 => a.wrapping_add(imm_i),
                    1 => a << sh,
                    2 => ((a as i64) < (imm_i as i64)) as u64,
                    3 => (a < imm_i) as u64,
                    4 => a ^ imm_i,
                    5 if i >> 26 == 0 => a >> sh,
                    5 if i >> 26 == 0x10 => ((a as i64) >> sh) as u64,
                    6 => a | imm_i,
                    7 => a & imm_i,
                    _ => return bad(),
                };
                self.set(rd, v);
            }
            0x1b => {
                let sh = (i >> 20) & 31;
                let v = match (f3, f7) {
                    (0, _) => w(a.wrapping_add(imm_i)),
                    (1, 0) => w(a << sh),
                    (5, 0) => w(((a as u32) >> sh) as u64),
                    (5, 0x20) => ((a as i32) >> sh) as i64 as u64,
                    _ => return bad(),
                };
                self.set(rd, v);
            }
            0x33 => {
                let v = match (f7, f3) {
                    (0, 0) => a.wrapping_add(b),
                    (0x20, 0) => a.wrapping_sub(b),
                    (0, 1) => a << (b & 63),
                    (0, 2) => ((a as i64) < (b as i64)) as u64,
                    (0, 3) => (a < b) as u64,
                    (0, 4) => a ^ b,
                    (0, 5) => a >> (b & 63),
                    (0x20, 5) => ((a as i64) >> (b & 63)) as u64,
                    (0, 6) => a | b,
                    (0, 7) => a & b,
                    (1, 0) => a.wrapping_mul(b),
                    (1, 1) => ((a as i64 as i128 * b as i64 as i128) >> 64) as u64,
                    (1, 2) => ((a as i64 as i128 * b as i128) >> 64) as u64,
                    (1, 3) => ((a as u128 * b as u128) >> 64) as u64,
                    (1, 4) => {
                        if b == 0 {
                            u64::MAX
                        } else {
                            (a as i64).wrapping_div(b as i64) as u64
                        }
                    }
                    (1, 5) => a.checked_div(b).unwrap_or(u64::MAX),
                    (1, 6) => {
                        if b == 0 {
                            a
                        } else {
                            (a as i64).wrapping_rem(b as i64) as u64
                        }
                    }
                    (1, 7) => {
                        if b == 0 {
                            a
                        } else {
                            a % b
                        }
                    }
                    _ => return bad(),
                };
                self.set(rd, v);
            }
            0x3b => {
                let (x, y) = (a as u32, b as u32);
                let v = match (f7, f3) {
                    (0, 0) => w(x.wrapping_add(y) as u64),
                    (0x20, 0) => w(x.wrapping_sub(y) as u64),
                    (0, 1) => w((x << (y & 31)) as u64),
                    (0, 5) => w((x >> (y & 31)) as u64),
                    (0x20, 5) => ((x as i32) >> (y & 31)) as i64 as u64,
                    (1, 0) => w(x.wrapping_mul(y) as u64),
                    (1, 4) => {
                        if y == 0 {
                            u64::MAX
                        } else {
                            (x as i32).wrapping_div(y as i32) as i64 as u64
                        }
                    }
                    (1, 5) => w(x.checked_div(y).unwrap_or(u32::MAX) as u64),
                    (1, 6) => {
                        if y == 0 {
                            w(x as u64)
                        } else {
                            (x as i32).wrapping_rem(y as i32) as i64 as u64
                        }
                    }
                    (1, 7) => w(if y == 0 { x } else { x % y } as u64),
                    _ => return bad(),
                };
                self.set(rd, v);
            }
            0x0f => {}
            0x2f => return self.amo(i, space, rd, a, b),
            0x73 => {
                if i == 0x73 {
                    return Ok(Step::Ecall);
                }
                if f3 == 0 {
                    return bad();
                }
                let csr = i >> 20;
                let old = match csr {
                    1 => (self.fcsr & 0x1f) as u64,
                    2 => ((self.fcsr >> 5) & 7) as u64,
                    3 => self.fcsr as u64,
                    0xc00..=0xc02 => std::time::UNIX_EPOCH
                        .elapsed()
                        .map(|d| d.as_nanos() as u64)
                        .unwrap_or(0),
                    _ => return bad(),
                };
                let src = if f3 & 4 != 0 { rs1 as u64 } else { a };
                let new = match f3 & 3 {
                    1 => src,
                    2 => old | src,
                    _ => old & !src,
                };
                match csr {
                    1 => self.fcsr = (self.fcsr & !0x1f) | (new as u32 & 0x1f),
                    2 => self.fcsr = (self.fcsr & 0x1f) | ((new as u32 & 7) << 5),
                    3 => self.fcsr = new as u32 & 0xff,
                    _ => {}
                }
                self.set(rd, old);
            }
            0x53 => {
                if !self.fp_op(i, rd, rs1, rs2, a) {
                    return bad();
                }
            }
            0x43 | 0x47 | 0x4b | 0x4f => {
                let rs3 = (i >> 27) as usize;
                let dbl = (i >> 25) & 3 == 1;
                let (x, y, z) = (
                    self.fget(rs1, dbl),
                    self.fget(rs2, dbl),
                    self.fget(rs3, dbl),
                );
                let r = match i & 0x7f {
                    0x43 => x.mul_add(y, z),
                    0x47 => x.mul_add(y, -z),
                    0x4b => (-x).mul_add(y, z),
                    _ => (-x).mul_add(y, -z),
                };
                self.fset(rd, r, dbl);
            }
            _ => return bad(),
        }
        Ok(Step::Next(next))
    }

    fn fget(&self, r: usize, dbl: bool) -> f64 {
        if dbl {
            f64::from_bits(self.f[r])
        } else {
            f32::from_bits(self.f[r] as u32) as f64
        }
    }

    fn fset(&mut self, r: usize, v: f64, dbl: bool) {
        self.f[r] = if dbl {
            v.to_bits()
        } else {
            (v as f32).to_bits() as u64 | 0xffff_ffff_0000_0000
        };
    }

    fn round(&self, v: f64, rm: u32) -> f64 {
        let rm = if rm == 7 { (self.fcsr >> 5) & 7 } else { rm };
        match rm {
            1 => v.trunc(),
            2 => v.floor(),
            3 => v.ceil(),
            4 => v.round(),
            _ => v.round_ties_even(),
        }
    }

    /// The F/D operations glibc and simple programs use; false if unknown.
    fn fp_op(&mut self, i: u32, rd: usize, rs1: usize, rs2: usize, a: u64) -> bool {
        let f5 = i >> 27;
        let dbl = (i >> 25) & 3 == 1;
        let rm = (i >> 12) & 7;
        let (x, y) = (self.fget(rs1, dbl), self.fget(rs2, dbl));
        match f5 {
            0x00 => self.fset(rd, x + y, dbl),
            0x01 => self.fset(rd, x - y, dbl),
            0x02 => self.fset(rd, x * y, dbl),
            0x03 => self.fset(rd, x / y, dbl),
            0x0b => self.fset(rd, x.sqrt(), dbl),
            0x04 => {
                let (sa, sb) = if dbl {
                    (self.f[rs1], self.f[rs2])
                } else {
                    (self.f[rs1] & 0xffff_ffff, self.f[rs2] & 0xffff_ffff)
                };
                let sign = if dbl { 1u64 << 63 } else { 1 << 31 };
                let v = match rm {
                    0 => (sa & !sign) | (sb & sign),
                    1 => (sa & !sign) | (!sb & sign),
                    _ => sa ^ (sb & sign),
                };
                self.f[rd] = if dbl { v } else { v | 0xffff_ffff_0000_0000 };
            }
            0x05 => self.fset(rd, if rm == 0 { x.min(y) } else { x.max(y) }, dbl),
            0x08 => {
                let v = self.fget(rs1, !dbl);
                self.fset(rd, v, dbl);
            }
            0x14 => {
                let r = match rm {
                    2 => x == y,
                    1 => x < y,
                    _ => x <= y,
                };
                self.set(rd, r as u64);
            }
            0x18 => {
                let v = self.round(x, rm);
                let r = match rs2 {
                    0 => v as i32 as i64 as u64,
                    1 => v as u32 as i32 as i64 as u64,
                    2 => v as i64 as u64,
                    _ => v as u64,
                };
                self.set(rd, r);
            }
            0x1a => {
                let v = match rs2 {
                    0 => a as i32 as f64,
                    1 => a as u32 as f64,
                    2 => a as i64 as f64,
                    _ => a as f64,
                };
                self.fset(rd, v, dbl);
            }
            0x1c if rm == 0 => self.set(rd, if dbl { self.f[rs1] } else { w(self.f[rs1]) }),
            0x1c if rm == 1 => {
                let c = if x.is_nan() {
                    1 << 9
                } else if x == f64::NEG_INFINITY {
                    1
                } else if x == f64::INFINITY {
                    1 << 7
                } else if x == 0.0 {
                    if x.is_sign_negative() { 1 << 3 } else { 1 << 4 }
                } else if x.is_sign_negative() {
                    1 << 1
                } else {
                    1 << 6
                };
                self.set(rd, c);
            }
            0x1e => self.f[rd] = if dbl { a } else { a | 0xffff_ffff_0000_0000 },
            _ => return false,
        }
        true
    }

    fn amo(
        &mut self,
        i: u32,
        space: &GuestSpace,
        rd: usize,
        a: u64,
        b: u64,
    ) -> Result<Step, String> {
        let size: u8 = if (i >> 12) & 7 == 2 { 4 } else { 8 };
        let fix = |v: u64| if size == 4 { w(v) } else { v };
        let fault = |f: oxemu_memory::Fault| format!("atomic at pc {:#x}: {f}", self.pc);
        let op = i >> 27;
        let v = match op {
            2 => {
                let v = space.load(a, size).map_err(fault)?;
                self.reservation = Some((a, v));
                fix(v)
            }
            3 => {
                let ok = match self.reservation.take() {
                    Some((addr, old)) if addr == a => {
                        space.cmpxchg(a, size, old, b).map_err(fault)? == old
                    }
                    _ => false,
                };
                (!ok) as u64
            }
            _ => {
                let op = match op {
                    1 => AtomicOp::Swap,
                    0 => AtomicOp::Add,
                    4 => AtomicOp::Xor,
                    12 => AtomicOp::And,
                    8 => AtomicOp::Or,
                    16 => AtomicOp::MinS,
                    20 => AtomicOp::MaxS,
                    24 => AtomicOp::MinU,
                    28 => AtomicOp::MaxU,
                    _ => return Err(format!("unsupported atomic {i:#010x}")),
                };
                fix(space.atomic_rmw(a, size, op, b).map_err(fault)?)
            }
        };
        self.set(rd, v);
        Ok(Step::Next(self.pc + 4))
    }

    fn exec16(&mut self, i: u32, space: &GuestSpace, next: u64) -> Result<Step, String> {
        let f3 = (i >> 13) & 7;
        let rd = ((i >> 7) & 31) as usize;
        let rs2 = ((i >> 2) & 31) as usize;
        let rdp = 8 + ((i >> 2) & 7) as usize;
        let rs1p = 8 + ((i >> 7) & 7) as usize;
        let imm6 = sext((((i >> 7) & 0x20) | ((i >> 2) & 0x1f)) as u64, 6);
        let bad = || {
            Err(format!(
                "unsupported compressed instruction {i:#06x} at {:#x}",
                self.pc
            ))
        };
        let sp = self.x[2];
        match (i & 3, f3) {
            (0, 0) => {
                let imm =
                    ((i >> 7) & 0x30) | ((i >> 1) & 0x3c0) | ((i >> 4) & 0x4) | ((i >> 2) & 0x8);
                if imm == 0 {
                    return bad();
                }
                self.set(rdp, sp.wrapping_add(imm as u64));
            }
            (0, 1) | (0, 3) | (0, 5) | (0, 7) => {
                let imm = (((i >> 7) & 0x38) | ((i << 1) & 0xc0)) as u64;
                let addr = self.x[rs1p].wrapping_add(imm);
                match f3 {
                    1 => self.f[rdp] = self.load(space, addr, 8, false)?,
                    3 => {
                        let v = self.load(space, addr, 8, false)?;
                        self.set(rdp, v);
                    }
                    5 => self.store(space, addr, 8, self.f[rdp])?,
                    _ => self.store(space, addr, 8, self.x[rdp])?,
                }
            }
            (0, 2) | (0, 6) => {
                let imm = (((i >> 7) & 0x38) | ((i >> 4) & 0x4) | ((i << 1) & 0x40)) as u64;
                let addr = self.x[rs1p].wrapping_add(imm);
                if f3 == 2 {
                    let v = self.load(space, addr, 4, true)?;
                    self.set(rdp, v);
                } else {
                    self.store(space, addr, 4, self.x[rdp])?;
                }
            }
            (1, 0) => self.set(rd, self.x[rd].wrapping_add(imm6)),
            (1, 1) => self.set(rd, w(self.x[rd].wrapping_add(imm6))),
            (1, 2) => self.set(rd, imm6),
            (1, 3) if rd == 2 => {
                let imm = ((i >> 3) & 0x200)
                    | ((i >> 2) & 0x10)
                    | ((i << 1) & 0x40)
                    | ((i << 4) & 0x180)
                    | ((i << 3) & 0x20);
                self.set(2, sp.wrapping_add(sext(imm as u64, 10)));
            }
            (1, 3) => self.set(rd, sext(imm6 << 12, 18)),
            (1, 4) => {
                let sh = (((i >> 7) & 0x20) | ((i >> 2) & 0x1f)) as u64;
                let v = self.x[rs1p];
                let r = match (i >> 10) & 3 {
                    0 => v >> sh,
                    1 => ((v as i64) >> sh) as u64,
                    2 => v & imm6,
                    _ => {
                        let b = self.x[rdp];
                        match ((i >> 12) & 1, (i >> 5) & 3) {
                            (0, 0) => v.wrapping_sub(b),
                            (0, 1) => v ^ b,
                            (0, 2) => v | b,
                            (0, 3) => v & b,
                            (1, 0) => w(v.wrapping_sub(b)),
                            (1, 1) => w(v.wrapping_add(b)),
                            _ => return bad(),
                        }
                    }
                };
                self.set(rs1p, r);
            }
            (1, 5) => {
                let off = ((i >> 1) & 0x800)
                    | ((i >> 7) & 0x10)
                    | ((i >> 1) & 0x300)
                    | ((i << 2) & 0x400)
                    | ((i >> 1) & 0x40)
                    | ((i << 1) & 0x80)
                    | ((i >> 2) & 0xe)
                    | ((i << 3) & 0x20);
                return Ok(Step::Next(self.pc.wrapping_add(sext(off as u64, 12))));
            }
            (1, 6) | (1, 7) => {
                let off = ((i >> 4) & 0x100)
                    | ((i >> 7) & 0x18)
                    | ((i << 1) & 0xc0)
                    | ((i >> 2) & 0x6)
                    | ((i << 3) & 0x20);
                let z = self.x[rs1p] == 0;
                if z == (f3 == 6) {
                    return Ok(Step::Next(self.pc.wrapping_add(sext(off as u64, 9))));
                }
            }
            (2, 0) => {
                let sh = ((i >> 7) & 0x20) | ((i >> 2) & 0x1f);
                self.set(rd, self.x[rd] << sh);
            }
            (2, 1) | (2, 3) => {
                let imm = (((i >> 7) & 0x20) | ((i >> 2) & 0x18) | ((i << 4) & 0x1c0)) as u64;
                let v = self.load(space, sp.wrapping_add(imm), 8, false)?;
                if f3 == 1 {
                    self.f[rd] = v;
                } else {
                    self.set(rd, v);
                }
            }
            (2, 2) => {
                let imm = (((i >> 7) & 0x20) | ((i >> 2) & 0x1c) | ((i << 4) & 0xc0)) as u64;
                let v = self.load(space, sp.wrapping_add(imm), 4, true)?;
                self.set(rd, v);
            }
            (2, 4) => {
                let bit12 = (i >> 12) & 1;
                match (bit12, rd, rs2) {
                    (0, _, 0) => return Ok(Step::Next(self.x[rd] & !1)),
                    (0, _, _) => self.set(rd, self.x[rs2]),
                    (1, 0, 0) => return bad(),
                    (1, _, 0) => {
                        let t = self.x[rd] & !1;
                        self.set(1, next);
                        return Ok(Step::Next(t));
                    }
                    _ => self.set(rd, self.x[rd].wrapping_add(self.x[rs2])),
                }
            }
            (2, 5) | (2, 7) => {
                let imm = (((i >> 7) & 0x38) | ((i >> 1) & 0x1c0)) as u64;
                let v = if f3 == 5 { self.f[rs2] } else { self.x[rs2] };
                self.store(space, sp.wrapping_add(imm), 8, v)?;
            }
            (2, 6) => {
                let imm = (((i >> 7) & 0x3c) | ((i >> 1) & 0xc0)) as u64;
                self.store(space, sp.wrapping_add(imm), 4, self.x[rs2])?;
            }
            _ => return bad(),
        }
        Ok(Step::Next(next))
    }
}

/// What an instruction asks of the loop.
pub enum Step {
    /// Continue at this pc.
    Next(u64),
    /// System call (pc already advanced).
    Ecall,
}
