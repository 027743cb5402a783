//! RISC-V 64 frontend of the oxemu binary translator.
//!
//! ```text
//! guest parcels ─▶ decode (rv32 / rvc / fp) ─▶ Insn ─▶ translate (alu, mem, branch,
//!                                                        amo, csr, fp) ─▶ oxemu_dbt_ir::Block
//! ```
//!
//! It covers RV64GC (I, M, A, F, D, C, Zicsr, Zifencei) and Zba/Zbb/Zbs for user-mode
//! programs. The guest state is [`RvCpu`], a flat file of 64-bit globals described by
//! [`GUEST_DESC`]; see [`translate`] for the block and pc conventions.
//!
//! ```
//! use oxemu_isa_riscv64::{TranslateOptions, translate};
//!
//! // addi a0, a0, 1; ecall
//! let code = [0x0505u16, 0x0073, 0x0000];
//! let block = translate(0x1000, &mut |a| code.get(a.wrapping_sub(0x1000) as usize / 2).copied(),
//!                       &TranslateOptions::default());
//! assert_eq!(block.guest_insns, 2);
//! assert_eq!(block.exit, oxemu_dbt_ir::Exit::Trap(oxemu_dbt_ir::TrapKind::Syscall, 0x1002));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod decode;
mod disas;
mod helpers;
mod state;
mod translate;

#[cfg(test)]
mod tests;

pub use disas::{disassemble, disassemble_at};
pub use helpers::{GUEST_DESC, H, HELPER_NAMES, READ_COUNTER, ir_names};
pub use state::{
    F_NAMES, FFLAGS, FRM, GLOBAL_NAMES, GLOBALS, NO_RESERVATION, NUM_GLOBALS, PC, RES_ADDR,
    RES_VALUE, RvCpu, X_NAMES, f, x,
};
pub use translate::{TranslateOptions, translate};
