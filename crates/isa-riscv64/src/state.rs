//! The RISC-V CPU state as the translator sees it: a flat file of 64-bit globals.

use oxemu_dbt_ir::Global;
use oxemu_dbt_ir::desc::{GlobalDesc, GuestState};

/// First float register global (`f0`).
const F_BASE: u16 = 32;
/// Guest pc (written by the runtime when a block exits; blocks carry pcs in exits).
pub const PC: Global = Global(64);
/// Accrued floating-point exception flags (`fflags`, 5 bits).
pub const FFLAGS: Global = Global(65);
/// Dynamic rounding mode (`frm`, 3 bits; values 5..=7 are stored but invalid).
pub const FRM: Global = Global(66);
/// Address reserved by the last `lr`, or [`NO_RESERVATION`].
pub const RES_ADDR: Global = Global(67);
/// Value loaded by the last `lr`, compared again by `sc`.
pub const RES_VALUE: Global = Global(68);
/// Number of globals.
pub const NUM_GLOBALS: usize = 69;

/// Reservation address meaning "none": odd, so no aligned `sc` can ever match it.
pub const NO_RESERVATION: u64 = u64::MAX;

/// Integer register `x{i}` (`i` is taken modulo 32).
pub const fn x(i: u8) -> Global {
    Global((i & 31) as u16)
}

/// Float register `f{i}` (`i` is taken modulo 32).
pub const fn f(i: u8) -> Global {
    Global(F_BASE + (i & 31) as u16)
}

/// The guest CPU state. The register file comes first and is `repr(C)`: backends
/// address global `i` at byte offset `8 * i`.
#[repr(C)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RvCpu {
    /// All globals, indexed by [`Global`]: x0..x31, f0..f31, pc, fflags, frm,
    /// reservation address, reserved value.
    pub regs: [u64; NUM_GLOBALS],
}

impl RvCpu {
    /// A state with every register zero and no reservation.
    pub fn new() -> RvCpu {
        let mut regs = [0; NUM_GLOBALS];
        regs[RES_ADDR.0 as usize] = NO_RESERVATION;
        RvCpu { regs }
    }

    /// Reads a global.
    pub fn get(&self, g: Global) -> u64 {
        self.regs[g.0 as usize]
    }

    /// Writes a global.
    pub fn set(&mut self, g: Global, v: u64) {
        self.regs[g.0 as usize] = v;
    }
}

impl Default for RvCpu {
    fn default() -> RvCpu {
        RvCpu::new()
    }
}

impl GuestState for RvCpu {
    fn globals(&self) -> &[u64] {
        &self.regs
    }
    fn globals_mut(&mut self) -> &mut [u64] {
        &mut self.regs
    }
}

/// ABI names of the integer registers.
pub const X_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// ABI names of the float registers.
pub const F_NAMES: [&str; 32] = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

const fn global_names() -> [&'static str; NUM_GLOBALS] {
    let mut out = [""; NUM_GLOBALS];
    let mut i = 0;
    while i < 32 {
        out[i] = X_NAMES[i];
        out[i + F_BASE as usize] = F_NAMES[i];
        i += 1;
    }
    out[PC.0 as usize] = "pc";
    out[FFLAGS.0 as usize] = "fflags";
    out[FRM.0 as usize] = "frm";
    out[RES_ADDR.0 as usize] = "res_addr";
    out[RES_VALUE.0 as usize] = "res_value";
    out
}

/// Name of every global, indexed by [`Global`].
pub static GLOBAL_NAMES: [&str; NUM_GLOBALS] = global_names();

const fn global_descs() -> [GlobalDesc; NUM_GLOBALS] {
    let names = global_names();
    let mut out = [GlobalDesc {
        name: "",
        helper_visible: false,
    }; NUM_GLOBALS];
    let mut i = 0;
    while i < NUM_GLOBALS {
        out[i].name = names[i];
        i += 1;
    }
    // FP helpers read frm and accumulate fflags through the state.
    out[FFLAGS.0 as usize].helper_visible = true;
    out[FRM.0 as usize].helper_visible = true;
    out
}

/// Names and helper visibility of every global.
pub static GLOBALS: [GlobalDesc; NUM_GLOBALS] = global_descs();
