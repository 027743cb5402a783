//! Small value types shared by the address-space API.

use std::fmt;

bitflags::bitflags! {
    /// Guest page protection.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct Prot: u8 {
        /// Readable.
        const R = 1;
        /// Writable.
        const W = 2;
        /// Executable.
        const X = 4;
    }
}

impl Prot {
    /// No access.
    pub const NONE: Prot = Prot::empty();
    /// Read and write.
    pub const RW: Prot = Prot::R.union(Prot::W);
    /// Read and execute.
    pub const RX: Prot = Prot::R.union(Prot::X);
}

bitflags::bitflags! {
    /// Flags of a mapping request (the meaning of Linux's `MAP_*`, not its numbers).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct MapFlags: u32 {
        /// `MAP_SHARED` (or `MAP_SHARED_VALIDATE`).
        const SHARED = 1;
        /// `MAP_PRIVATE`.
        const PRIVATE = 2;
        /// `MAP_ANONYMOUS`: no file.
        const ANONYMOUS = 4;
        /// `MAP_FIXED`: place exactly at `addr`, replacing what is there.
        const FIXED = 8;
        /// `MAP_FIXED_NOREPLACE`: place exactly at `addr`, fail with `EEXIST` if occupied.
        const FIXED_NOREPLACE = 16;
        /// `MAP_NORESERVE`: do not reserve swap for the mapping.
        const NORESERVE = 32;
    }
}

bitflags::bitflags! {
    /// Flags of `mremap`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct RemapFlags: u32 {
        /// `MREMAP_MAYMOVE`.
        const MAYMOVE = 1;
        /// `MREMAP_FIXED`: move to `new_addr`.
        const FIXED = 2;
    }
}

/// Kind of guest memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Data load.
    Read,
    /// Data store (also atomics).
    Write,
    /// Instruction fetch.
    Exec,
}

/// Why a guest access failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// Nothing is mapped there (or the address is beyond the limit): `SEGV_MAPERR`.
    Unmapped,
    /// Mapped, but the protection forbids the access: `SEGV_ACCERR`.
    Protection,
    /// A file mapping page past the end of the file: `SIGBUS`.
    Bus,
    /// An atomic access that is not naturally aligned.
    Misaligned,
}

/// A failed guest access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("guest {access:?} fault at {addr:#x}: {kind:?}")]
pub struct Fault {
    /// First guest address that could not be accessed.
    pub addr: u64,
    /// Why.
    pub kind: FaultKind,
    /// What was attempted.
    pub access: Access,
}

/// A Linux error number (positive, host values; the generic Linux numbers
/// are the same on x86-64, riscv64 and aarch64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    /// The errno of the last failed host call.
    pub fn last() -> Errno {
        Errno(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        )
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", std::io::Error::from_raw_os_error(self.0))
    }
}

impl std::error::Error for Errno {}

/// Read-modify-write operation of [`crate::GuestSpace::atomic_rmw`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    /// Store `val`, return the old value.
    Swap,
    /// Wrapping add.
    Add,
    /// Bitwise and.
    And,
    /// Bitwise or.
    Or,
    /// Bitwise xor.
    Xor,
    /// Signed minimum.
    MinS,
    /// Signed maximum.
    MaxS,
    /// Unsigned minimum.
    MinU,
    /// Unsigned maximum.
    MaxU,
}

/// One guest mapping, as `/proc/self/maps` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// First guest address.
    pub start: u64,
    /// One past the last guest address.
    pub end: u64,
    /// Guest protection.
    pub prot: Prot,
    /// `MAP_SHARED` rather than private.
    pub shared: bool,
    /// File offset of `start` (0 for anonymous mappings).
    pub offset: u64,
    /// Host device number of the file (0 for anonymous mappings).
    pub dev: u64,
    /// Inode of the file (0 for anonymous mappings).
    pub inode: u64,
    /// Path of the mapped file, or a label such as `[stack]`.
    pub name: Option<String>,
}
