//! The guest address space of a user-mode emulated process.
//!
//! Guest memory is one host reservation at an offset ("guest base"): guest
//! address `a` lives at host address `host_base() + a`, so translated code
//! reaches memory with a single add. A lock-free table keeps one state byte
//! per 4 KiB guest page (guest protection, "holds translated code"), and a
//! mutex-protected list of mappings gives `mmap`/`munmap`/`mprotect`/`mremap`
//! their Linux semantics.
#![warn(missing_docs)]

mod codelog;
mod host;
mod space;
mod table;
mod types;
mod vma;

pub use host::PAGE_SIZE;
pub use space::{GuestSpace, MMAP_MIN_ADDR, MemError};
pub use types::{Access, AtomicOp, Errno, Fault, FaultKind, MapFlags, Mapping, Prot, RemapFlags};

#[cfg(test)]
mod tests;
