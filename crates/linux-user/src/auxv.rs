//! The ELF auxiliary vector handed to a new program.

/// End of the vector.
pub const AT_NULL: u64 = 0;
/// Program headers of the executable.
pub const AT_PHDR: u64 = 3;
/// Size of one program header.
pub const AT_PHENT: u64 = 4;
/// Number of program headers.
pub const AT_PHNUM: u64 = 5;
/// Page size.
pub const AT_PAGESZ: u64 = 6;
/// Load address of the interpreter.
pub const AT_BASE: u64 = 7;
/// Flags (always 0).
pub const AT_FLAGS: u64 = 8;
/// Entry point of the executable.
pub const AT_ENTRY: u64 = 9;
/// Real user id.
pub const AT_UID: u64 = 11;
/// Effective user id.
pub const AT_EUID: u64 = 12;
/// Real group id.
pub const AT_GID: u64 = 13;
/// Effective group id.
pub const AT_EGID: u64 = 14;
/// CPU features.
pub const AT_HWCAP: u64 = 16;
/// Clock ticks per second (`times`).
pub const AT_CLKTCK: u64 = 17;
/// Secure mode (setuid).
pub const AT_SECURE: u64 = 23;
/// Address of 16 random bytes.
pub const AT_RANDOM: u64 = 25;
/// Address of the executable's file name.
pub const AT_EXECFN: u64 = 31;

/// `AT_HWCAP` bit for a single-letter RISC-V extension, as Linux reports it.
pub const fn riscv_isa_bit(letter: u8) -> u64 {
    1 << (letter - b'A')
}

/// `AT_HWCAP` of an RV64IMAFDC ("GC") processor.
pub const RISCV_HWCAP_IMAFDC: u64 = riscv_isa_bit(b'I')
    | riscv_isa_bit(b'M')
    | riscv_isa_bit(b'A')
    | riscv_isa_bit(b'F')
    | riscv_isa_bit(b'D')
    | riscv_isa_bit(b'C');

/// What the auxiliary vector describes.
#[derive(Clone, Copy, Debug)]
pub struct AuxvInput {
    /// Guest address of the executable's program headers.
    pub phdr: u64,
    /// Number of program headers.
    pub phnum: u64,
    /// Interpreter load address (0 without interpreter).
    pub interp_base: u64,
    /// Executable entry point (after load bias).
    pub entry: u64,
    /// `AT_HWCAP`.
    pub hwcap: u64,
    /// Guest address of the 16 random bytes.
    pub random: u64,
    /// Guest address of the executable name string.
    pub execfn: u64,
}

/// The vector in the order Linux writes it, ending with `AT_NULL`.
pub fn build(i: &AuxvInput) -> Vec<(u64, u64)> {
    // SAFETY: these id getters cannot fail and have no preconditions.
    let (uid, euid, gid, egid) = unsafe {
        (
            libc::getuid(),
            libc::geteuid(),
            libc::getgid(),
            libc::getegid(),
        )
    };
    vec![
        (AT_HWCAP, i.hwcap),
        (AT_PAGESZ, 4096),
        (AT_CLKTCK, 100),
        (AT_PHDR, i.phdr),
        (AT_PHENT, 56),
        (AT_PHNUM, i.phnum),
        (AT_BASE, i.interp_base),
        (AT_FLAGS, 0),
        (AT_ENTRY, i.entry),
        (AT_UID, uid.into()),
        (AT_EUID, euid.into()),
        (AT_GID, gid.into()),
        (AT_EGID, egid.into()),
        (AT_SECURE, 0),
        (AT_RANDOM, i.random),
        (AT_EXECFN, i.execfn),
        (AT_NULL, 0),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hwcap_letters() {
        assert_eq!(RISCV_HWCAP_IMAFDC, 0x112d);
    }
}
