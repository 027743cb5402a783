//! Guest system-call ABIs: numbers and the few layouts that differ.
//!
//! riscv64 and aarch64 both use the asm-generic system-call table; they
//! differ in `struct sigaction` (aarch64 has `sa_restorer`), in some open
//! flags, and in a few architecture-specific calls.

mod aarch64;
mod generic;
mod riscv64;

pub use aarch64::AARCH64;
pub use generic::Sysno;
pub use riscv64::RISCV64;

/// A guest architecture's Linux ABI as the system-call layer needs it.
#[derive(Debug)]
pub struct Abi {
    /// Architecture name for `uname` (`machine`).
    pub machine: &'static str,
    /// Maps a system-call number to the call.
    pub sysno: fn(u64) -> Option<Sysno>,
    /// Whether `struct sigaction` has an `sa_restorer` field after `sa_flags`.
    pub sigaction_has_restorer: bool,
    /// Converts guest `O_*` flags to host flags.
    pub open_flags_to_host: fn(u64) -> i32,
    /// Converts host `O_*` flags to guest flags (for `F_GETFL`).
    pub open_flags_from_host: fn(i32) -> u64,
}
