//! Linux user-mode emulation: running a guest Linux program as a host
//! process. This crate loads the ELF program into a [`GuestSpace`], builds
//! its initial stack, and implements the system calls on top of the host's.
//!
//! The system-call numbers and structure layouts are those of the guest
//! architecture ([`abi`]); riscv64 and aarch64 share the asm-generic table.
#![warn(missing_docs)]

pub mod auxv;
pub mod elf;
mod error;
mod loader;
pub mod stack;

pub use error::LoadError;
pub use loader::{
    DEFAULT_STACK_SIZE, LoadOptions, LoadedProgram, load_program, load_program_bytes,
};
pub use oxemu_memory::GuestSpace;

pub mod abi;
mod process;
pub mod signal;
pub mod strace;
mod syscall;

pub use process::{ExecCommand, Process, ProcessInit, ProcessOptions};
pub use syscall::{SysResult, SyscallOutcome, SyscallRegs, encode};
