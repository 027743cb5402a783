//! Tier 0 of the oxemu translator: IR blocks to x86-64 machine code with dynasm-rs
//! templates, in one pass, without an intermediate machine representation.
//!
//! This crate only produces bytes; placing them in executable memory, chaining and
//! running them is `oxemu-dbt-exec`'s job. Generated code is position independent
//! except for absolute addresses it is told about (helpers, the epilogue), so a block
//! can be compiled into a `Vec` and copied into the code buffer.
//!
//! Register conventions inside translated code:
//! - `r15`: pointer to the guest state (global `i` at `[r15 + 8*i]`), with the
//!   [`ExecCtx`] right below it (negative offsets);
//! - `r14`: host address of guest address 0 (user mode guest_base);
//! - `rsp`: a fixed frame of [`FRAME_SLOTS`] 8-byte slots holding IR temporaries;
//! - `rbx rbp r12 r13 rsi rdi r8 r9 r10`: guest globals cached for the block;
//! - `rax rcx rdx r11`: scratch.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// dynasm!'s expansion converts register operands with `.into()`.
#![allow(clippy::useless_conversion)]

mod block;
mod cc;
mod ctx;
mod operand;
mod regalloc;
mod trampoline;

pub use block::{
    CompileError, CompileParams, CompiledBlock, ExitSite, MemSite, compile_block, trap_kind,
    trap_number,
};
pub use ctx::{ExecCtx, HotRecord, JMP_CACHE_SIZE, JmpCacheEntry, exit_code};
pub use trampoline::{Trampoline, build_trampoline};

/// Number of 8-byte temporary slots in the frame of translated code.
pub const FRAME_SLOTS: usize = 2048;

/// Checks that the host CPU has the instructions tier 0 emits beyond baseline x86-64.
pub fn host_supported() -> Result<(), &'static str> {
    if !std::arch::is_x86_feature_detected!("popcnt") {
        return Err("the host CPU lacks POPCNT");
    }
    if !std::arch::is_x86_feature_detected!("lzcnt") || !std::arch::is_x86_feature_detected!("bmi1")
    {
        return Err("the host CPU lacks LZCNT/TZCNT (ABM, BMI1)");
    }
    Ok(())
}
