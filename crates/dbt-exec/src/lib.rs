//! Execution engine of the oxemu translator: the dual-mapped code buffer, the block
//! cache keyed by (guest pc, mode) with page-granular invalidation, block chaining by
//! patched direct jumps, the indirect-jump cache, and precise guest faults recovered
//! from host signals.
//!
//! ```text
//! run(pc) ─▶ lookup (pc, mode) ─miss─▶ frontend ─▶ optimizer ─▶ tier 0 ─▶ code buffer
//!              │ hit                                                        │
//!              ▼                                                            ▼
//!          trampoline ─▶ block ─chained jmp─▶ block ─▶ … ─▶ exit stub ─▶ Event
//! ```
#![warn(missing_docs)]

mod cache;
mod codebuf;
mod fault;
mod jit;
mod tier1;

pub use cache::PAGE;
pub use fault::GUARD_BYTES;
pub use jit::{DEFAULT_HOT_THRESHOLD, Jit, JitFrame, JitOptions, JitStats, Observer};
pub use tier1::{RegionCompiler, TierPolicy};

use oxemu_dbt_ir::{Block, TrapKind};

/// Why `Jit::run` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A trap at this guest pc.
    Trap(TrapKind, u64),
    /// A guest memory fault in the instruction at `pc`, accessing guest `addr`.
    Fault {
        /// Guest pc of the faulting instruction.
        pc: u64,
        /// Guest address of the access.
        addr: u64,
    },
    /// An exit was requested (signal, code invalidation); resume at this pc.
    Request(u64),
}

/// What an observer (`-d` logging) is told.
pub enum Observe<'a, S> {
    /// A block was compiled to `code` at host address `addr`.
    Compiled {
        /// The optimized IR.
        block: &'a Block,
        /// Host address of the code.
        addr: usize,
        /// The machine code.
        code: &'a [u8],
    },
    /// A tier-1 region was published at host address `addr`.
    Region {
        /// Guest pcs of its blocks, the entry first.
        pcs: &'a [u64],
        /// Host address of the code.
        addr: usize,
        /// The machine code.
        code: &'a [u8],
    },
    /// A block is about to run.
    Exec {
        /// Guest pc.
        pc: u64,
        /// Guest state before it runs.
        state: &'a S,
    },
}
