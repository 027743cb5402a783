//! The intermediate representation (IR) of the oxemu binary translator.
//!
//! A guest basic block is translated by a frontend into a [`Block`]: a straight-line
//! list of typed operations in SSA form (every instruction defines at most one
//! [`Value`], used only after its definition), ending in exactly one [`Exit`].
//! Guest architectural state (registers, flags, pc) lives in *globals*: 64-bit slots of
//! the guest state's register file, read with `get` and written with `set`.
//!
//! The IR knows nothing about guest ISAs or host CPUs:
//! - frontends build it through [`Builder`],
//! - the optimizer rewrites it,
//! - backends (tier-0 x86-64, the [`interp`] reference interpreter) consume it.
//!
//! Condition flags of ISAs that have them (AArch64 NZCV, x86 EFLAGS) are modelled as
//! ordinary globals written by ordinary ops; the optimizer's dead-global-store
//! elimination removes flag computations that are overwritten before being read, so a
//! frontend can compute flags eagerly and pay only for those that are live.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod builder;
pub mod desc;
pub mod eval;
mod inst;
pub mod interp;
pub mod testgen;
mod text;
mod types;
mod verify;

pub use builder::Builder;
pub use inst::{Block, Exit, Inst, Op};
pub use text::{GlobalNames, display_block};
pub use types::{AtomicOp, BinOp, Cond, Global, HelperId, MemSize, TrapKind, Ty, UnOp, Value};
pub use verify::{VerifyError, verify};
