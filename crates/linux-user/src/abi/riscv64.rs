//! The riscv64 Linux ABI: asm-generic numbers, flags and layouts.

use super::{Abi, Sysno, generic};

fn sysno(n: u64) -> Option<Sysno> {
    match n {
        258 => Some(Sysno::RiscvHwprobe),
        259 => Some(Sysno::RiscvFlushIcache),
        _ => generic::sysno(n),
    }
}

/// riscv64 uses the asm-generic `O_*` values, which are the x86-64 ones.
fn same_flags_to_host(f: u64) -> i32 {
    f as i32
}

fn same_flags_from_host(f: i32) -> u64 {
    f as u32 as u64
}

/// The riscv64 ABI.
pub static RISCV64: Abi = Abi {
    machine: "riscv64",
    sysno,
    sigaction_has_restorer: false,
    open_flags_to_host: same_flags_to_host,
    open_flags_from_host: same_flags_from_host,
};
