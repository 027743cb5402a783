//! IR optimizer: passes that rewrite a [`Block`] into an equivalent, cheaper one.
//!
//! - [`simplify`]: one forward pass doing constant folding, algebraic identities and
//!   copy propagation (a global read after a write or read of the same global reuses
//!   the known value).
//! - [`eliminate_dead_code`]: drops unused pure values and global writes that are
//!   overwritten before anything can observe them. A global is observed by a later read,
//!   by a block exit, by anything that can fault (precise exceptions need the state of
//!   the faulting instruction) and by helpers that may read it. For ISAs with condition
//!   flags this is flag liveness: flags computed eagerly into globals cost nothing when
//!   the next flag-setting instruction overwrites them first.
//!
//! The passes keep guest-visible behaviour exactly: the differential tests run every
//! block optimized and unoptimized and compare.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod dce;
mod simplify;

pub use dce::eliminate_dead_code;
pub use simplify::simplify;

use oxemu_dbt_ir::Block;
use oxemu_dbt_ir::desc::GuestDesc;

/// Runs the standard pipeline.
pub fn optimize<S>(block: &Block, desc: &GuestDesc<S>) -> Block {
    let b = simplify(block, desc);
    eliminate_dead_code(&b, desc)
}
