//! Moving values between their locations and scratch registers.

use dynasm::dynasm;
use dynasmrt::{DynasmApi, VecAssembler, x64::X64Relocation};

use crate::regalloc::{Loc, R15, RSP};

pub(crate) type Asm = VecAssembler<X64Relocation>;

/// A second operand of a two-operand instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Opnd {
    /// A sign-extended 32-bit immediate.
    Imm(i32),
    /// A host register.
    Reg(u8),
    /// Memory at `[base + disp]`.
    Mem(u8, i32),
}

/// Whether `c` survives as a sign-extended 32-bit immediate at 64 bits.
pub(crate) fn fits_i32(c: u64) -> bool {
    c as i64 == c as i32 as i64
}

/// Loads a constant into a register (all 64 bits).
pub(crate) fn load_imm(a: &mut Asm, r: u8, c: u64) {
    if c == 0 {
        dynasm!(a ; .arch x64 ; xor Rd(r), Rd(r));
    } else if c <= u32::MAX as u64 {
        dynasm!(a ; .arch x64 ; mov Rd(r), c as u32 as i32);
    } else if fits_i32(c) {
        dynasm!(a ; .arch x64 ; mov Rq(r), c as i32);
    } else {
        dynasm!(a ; .arch x64 ; mov Rq(r), QWORD c as i64);
    }
}

/// Loads a value into register `r` (all 64 bits).
pub(crate) fn load(a: &mut Asm, r: u8, loc: Loc) {
    match loc {
        Loc::Imm(c) => load_imm(a, r, c),
        Loc::Reg(h, _) => {
            if h != r {
                dynasm!(a ; .arch x64 ; mov Rq(r), Rq(h));
            }
        }
        Loc::Env(d) => dynasm!(a ; .arch x64 ; mov Rq(r), QWORD [Rq(R15) + d]),
        Loc::Slot(d) => dynasm!(a ; .arch x64 ; mov Rq(r), QWORD [Rq(RSP) + d]),
        Loc::Temp(h) => {
            if h != r {
                dynasm!(a ; .arch x64 ; mov Rq(r), Rq(h));
            }
        }
        Loc::None => {}
    }
}

/// Turns a location into a second operand, materializing wide constants in `tmp`.
pub(crate) fn opnd(a: &mut Asm, loc: Loc, tmp: u8) -> Opnd {
    match loc {
        Loc::Imm(c) if fits_i32(c) => Opnd::Imm(c as i32),
        Loc::Imm(c) => {
            load_imm(a, tmp, c);
            Opnd::Reg(tmp)
        }
        Loc::Reg(h, _) => Opnd::Reg(h),
        Loc::Env(d) => Opnd::Mem(R15, d),
        Loc::Slot(d) => Opnd::Mem(RSP, d),
        Loc::Temp(h) => Opnd::Reg(h),
        Loc::None => Opnd::Imm(0),
    }
}

/// Stores a 64-bit register into a value's home (frame slot or temp register).
pub(crate) fn store_home(a: &mut Asm, r: u8, loc: Loc) {
    match loc {
        Loc::Slot(d) => dynasm!(a ; .arch x64 ; mov QWORD [Rq(RSP) + d], Rq(r)),
        Loc::Temp(h) if h != r => dynasm!(a ; .arch x64 ; mov Rq(h), Rq(r)),
        _ => {}
    }
}

/// `dst <op>= src` at 32 or 64 bits, for the ALU instructions with r/m and imm32 forms.
macro_rules! alu {
    ($a:expr, $mn:ident, $wide:expr, $dst:expr, $src:expr) => {{
        use $crate::operand::Opnd;
        let (a, dst) = ($a, $dst);
        match ($wide, $src) {
            (true, Opnd::Imm(i)) => dynasm!(a ; .arch x64 ; $mn Rq(dst), i),
            (false, Opnd::Imm(i)) => dynasm!(a ; .arch x64 ; $mn Rd(dst), i),
            (true, Opnd::Reg(r)) => dynasm!(a ; .arch x64 ; $mn Rq(dst), Rq(r)),
            (false, Opnd::Reg(r)) => dynasm!(a ; .arch x64 ; $mn Rd(dst), Rd(r)),
            (true, Opnd::Mem(b, d)) => dynasm!(a ; .arch x64 ; $mn Rq(dst), QWORD [Rq(b) + d]),
            (false, Opnd::Mem(b, d)) => dynasm!(a ; .arch x64 ; $mn Rd(dst), DWORD [Rq(b) + d]),
        }
    }};
}
pub(crate) use alu;
