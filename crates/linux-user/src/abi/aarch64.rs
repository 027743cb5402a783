//! The aarch64 Linux ABI: asm-generic numbers, but its own `O_DIRECTORY`,
//! `O_NOFOLLOW`, `O_DIRECT` and `O_LARGEFILE` bits and an `sa_restorer`.

use super::{Abi, generic};

/// (aarch64 bit, x86-64 host bit) pairs that differ.
const DIFFERENT: [(u64, i32); 4] = [
    (0o40000, libc::O_DIRECTORY),
    (0o100000, libc::O_NOFOLLOW),
    (0o200000, libc::O_DIRECT),
    (0o400000, libc::O_LARGEFILE),
];

fn to_host(f: u64) -> i32 {
    let mask: u64 = DIFFERENT.iter().map(|d| d.0).sum();
    let mut h = (f & !mask) as i32;
    for (g, host) in DIFFERENT {
        if f & g != 0 {
            h |= host;
        }
    }
    h
}

fn from_host(f: i32) -> u64 {
    let mask: i32 = DIFFERENT.iter().map(|d| d.1).fold(0, |a, b| a | b);
    let mut g = (f & !mask) as u32 as u64;
    for (guest, h) in DIFFERENT {
        if f & h != 0 {
            g |= guest;
        }
    }
    g
}

/// The aarch64 ABI.
pub static AARCH64: Abi = Abi {
    machine: "aarch64",
    sysno: generic::sysno,
    sigaction_has_restorer: true,
    open_flags_to_host: to_host,
    open_flags_from_host: from_host,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_flag_round_trip() {
        assert_eq!(to_host(0o40000 | 2), libc::O_DIRECTORY | libc::O_RDWR);
        assert_eq!(
            from_host(libc::O_DIRECTORY | libc::O_CLOEXEC),
            0o40000 | libc::O_CLOEXEC as u64
        );
    }
}
