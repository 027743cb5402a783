//! Helpers called from translated code, and the guest description that lists them.

use std::sync::OnceLock;
use std::time::Instant;

use oxemu_dbt_ir::HelperId;
use oxemu_dbt_ir::desc::{Effects, GuestDesc, HelperDesc};

use crate::state::{GLOBALS, RvCpu};

/// Reads the cycle/time/instret counter: nanoseconds of the host monotonic clock since
/// the first read.
pub const READ_COUNTER: HelperId = HelperId(0);

extern "C" fn read_counter(_: &mut RvCpu, _: u64, _: u64, _: u64, _: u64) -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

static HELPERS: &[HelperDesc<RvCpu>] = &[HelperDesc {
    name: "read_counter",
    func: read_counter,
    nargs: 0,
    // Not pure: two reads must not be merged.
    effects: Effects::HelperGlobals,
}];

/// The RISC-V guest: its globals and helpers.
pub static GUEST_DESC: GuestDesc<RvCpu> = GuestDesc {
    globals: &GLOBALS,
    helpers: HELPERS,
};
