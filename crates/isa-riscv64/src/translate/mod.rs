//! Guest basic block → IR block.
//!
//! Pc conventions for the runtime:
//! - `Exit::Trap(Syscall, pc)`: `pc` is the `ecall`; the runtime handles the call and
//!   resumes at `pc + 4`.
//! - `Exit::Trap(FlushCode, pc)`: `pc` is the `fence.i`; the runtime drops stale
//!   translations and resumes at `pc + 4`.
//! - `Exit::Trap(Breakpoint | Illegal | FetchFault, pc)`: `pc` is the offending
//!   instruction (`c.ebreak` is 2 bytes, `ebreak` 4).
//! - Memory faults are reported by the backend at the faulting instruction's
//!   `insn_start` pc, with globals as earlier instructions left them.
//!
//! An illegal instruction is not translated: the block ends right before it with the
//! trap, but its bytes still count in `guest_len` so that writing them invalidates
//! the block.

mod alu;
mod amo;
mod branch;
mod csr;
mod fp;
mod mem;

use oxemu_dbt_ir::{Block, Builder, Exit, Global, TrapKind, Ty, Value};

use crate::decode::{Insn, Opcode, decode16, decode32, insn_len};
use crate::state::{f, x};

/// Limits on the size of a translated block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TranslateOptions {
    /// Maximum number of guest instructions in a block (at least one is translated).
    pub max_insns: u32,
    /// Translate a single instruction per block (single-stepping, `-singlestep`).
    pub one_insn_per_block: bool,
}

impl Default for TranslateOptions {
    fn default() -> TranslateOptions {
        TranslateOptions {
            max_insns: 128,
            one_insn_per_block: false,
        }
    }
}

/// Whether the block goes on after an instruction.
pub(crate) enum Flow {
    /// Fall through to the next instruction.
    Next,
    /// The instruction ends the block.
    End(Exit),
}

/// Translation state of a block, positioned at one instruction.
pub(crate) struct Ctx {
    pub b: Builder,
    /// Pc of the instruction being translated.
    pub pc: u64,
    /// Pc of the instruction after it.
    pub next_pc: u64,
    /// Current value of each x register, once read or written in this block. Only
    /// translated code writes x and f registers (no helper does), so a value stays
    /// valid until the block writes the register again.
    x_values: [Option<Value>; 32],
    /// The same for the f registers.
    f_values: [Option<Value>; 32],
}

impl Ctx {
    /// A 64-bit constant.
    pub fn c64(&mut self, v: u64) -> Value {
        self.b.iconst(Ty::I64, v)
    }

    /// Reads integer register `r`; `x0` is the constant zero.
    pub fn xr(&mut self, r: u8) -> Value {
        let r = usize::from(r & 31);
        if r == 0 {
            return self.c64(0);
        }
        if let Some(v) = self.x_values[r] {
            return v;
        }
        let v = self.b.get(x(r as u8));
        self.x_values[r] = Some(v);
        v
    }

    /// Writes integer register `r` (an `I64` value); writes to `x0` are dropped.
    pub fn xw(&mut self, r: u8, v: Value) {
        let r = usize::from(r & 31);
        if r != 0 {
            self.b.set(x(r as u8), v);
            self.x_values[r] = Some(v);
        }
    }

    /// Reads float register `r` (raw bits).
    pub fn fr(&mut self, r: u8) -> Value {
        let r = usize::from(r & 31);
        if let Some(v) = self.f_values[r] {
            return v;
        }
        let v = self.b.get(f(r as u8));
        self.f_values[r] = Some(v);
        v
    }

    /// Writes float register `r` (an `I64` value of raw bits).
    pub fn fw(&mut self, r: u8, v: Value) {
        let r = usize::from(r & 31);
        self.b.set(f(r as u8), v);
        self.f_values[r] = Some(v);
    }

    /// Reads a global that is not an integer register.
    pub fn get(&mut self, g: Global) -> Value {
        self.b.get(g)
    }

    /// `rs1 + imm`, the address of loads, stores and `jalr`.
    pub fn addr(&mut self, rs1: u8, imm: i64) -> Value {
        let base = self.xr(rs1);
        if imm == 0 {
            return base;
        }
        let off = self.c64(imm as u64);
        self.b.binary(Ty::I64, oxemu_dbt_ir::BinOp::Add, base, off)
    }
}

/// Fetches and decodes the instruction at `pc`. `Err(None)` when it cannot be fetched,
/// `Err(Some(len))` when it is illegal.
fn fetch_decode(pc: u64, fetch: &mut dyn FnMut(u64) -> Option<u16>) -> Result<Insn, Option<u8>> {
    let lo = fetch(pc).ok_or(None)?;
    if insn_len(lo) == 2 {
        return decode16(lo).ok_or(Some(2));
    }
    let hi = fetch(pc.wrapping_add(2)).ok_or(None)?;
    decode32(u32::from(hi) << 16 | u32::from(lo)).ok_or(Some(4))
}

/// Translates the guest block starting at `pc`.
///
/// `fetch` returns the 16-bit instruction parcel at a guest address, or `None` where
/// code is not mapped or not executable. Any byte sequence translates into a block
/// that passes `oxemu_dbt_ir::verify`; nothing in the instruction stream can panic.
pub fn translate(
    pc: u64,
    fetch: &mut dyn FnMut(u64) -> Option<u16>,
    opts: &TranslateOptions,
) -> Block {
    let max = if opts.one_insn_per_block {
        1
    } else {
        opts.max_insns.max(1)
    };
    let mut ctx = Ctx {
        b: Builder::new(pc),
        pc,
        next_pc: pc,
        x_values: [None; 32],
        f_values: [None; 32],
    };
    let mut insns = 0u32;
    let mut len = 0u64;
    loop {
        let at = pc.wrapping_add(len);
        let insn = match fetch_decode(at, fetch) {
            Ok(insn) => insn,
            Err(None) if insns == 0 => {
                return ctx.b.finish(Exit::Trap(TrapKind::FetchFault, at), 0, 0);
            }
            // The next block starts at the unfetchable pc and reports the fault there.
            Err(None) => return ctx.b.finish(Exit::Chain(at), len, insns),
            Err(Some(n)) => {
                let exit = Exit::Trap(TrapKind::Illegal, at);
                return ctx.b.finish(exit, len + u64::from(n), insns);
            }
        };
        ctx.pc = at;
        ctx.next_pc = at.wrapping_add(u64::from(insn.len));
        ctx.b.insn_start(at);
        let flow = translate_insn(&mut ctx, &insn);
        insns += 1;
        len += u64::from(insn.len);
        match flow {
            Flow::End(exit) => return ctx.b.finish(exit, len, insns),
            Flow::Next if insns >= max => {
                let next = ctx.next_pc;
                return ctx.b.finish(Exit::Chain(next), len, insns);
            }
            Flow::Next => {}
        }
    }
}

/// Emits the IR of one decoded instruction.
pub(crate) fn translate_insn(ctx: &mut Ctx, insn: &Insn) -> Flow {
    use Opcode::*;
    match insn.op {
        Lui => {
            let v = ctx.c64(insn.imm as u64);
            ctx.xw(insn.rd, v);
            Flow::Next
        }
        Auipc => {
            let v = ctx.c64(ctx.pc.wrapping_add(insn.imm as u64));
            ctx.xw(insn.rd, v);
            Flow::Next
        }
        Jal | Jalr | Beq | Bne | Blt | Bge | Bltu | Bgeu => branch::translate(ctx, insn),
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu | Sb | Sh | Sw | Sd | Flw | Fsw | Fld | Fsd => {
            mem::translate(ctx, insn);
            Flow::Next
        }
        Fence => {
            ctx.b.fence();
            Flow::Next
        }
        FenceI => Flow::End(Exit::Trap(TrapKind::FlushCode, ctx.pc)),
        Ecall => Flow::End(Exit::Trap(TrapKind::Syscall, ctx.pc)),
        Ebreak => Flow::End(Exit::Trap(TrapKind::Breakpoint, ctx.pc)),
        Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci => {
            csr::translate(ctx, insn);
            Flow::Next
        }
        LrW | ScW | AmoswapW | AmoaddW | AmoxorW | AmoandW | AmoorW | AmominW | AmomaxW
        | AmominuW | AmomaxuW | LrD | ScD | AmoswapD | AmoaddD | AmoxorD | AmoandD | AmoorD
        | AmominD | AmomaxD | AmominuD | AmomaxuD => {
            amo::translate(ctx, insn);
            Flow::Next
        }
        op if fp::is_fp(op) => fp::translate(ctx, insn),
        _ => {
            alu::translate(ctx, insn);
            Flow::Next
        }
    }
}
