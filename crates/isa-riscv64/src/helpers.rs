//! Helpers called from translated code, and the guest description that lists them.
//!
//! FP helpers take raw register bits and the instruction's rounding-mode field; they
//! resolve the dynamic mode (7) from `frm` and OR the exception flags into `fflags`,
//! both through the state (the two globals are helper-visible). Translated code has
//! already trapped when the dynamic mode is invalid.

use std::sync::OnceLock;
use std::time::Instant;

use oxemu_dbt_ir::desc::{Effects, FpFast, FpOp, GuestDesc, HelperDesc};
use oxemu_dbt_ir::{GlobalNames, HelperId};
use oxemu_riscv_fpu as fpu;

use crate::state::{FFLAGS, FRM, GLOBAL_NAMES, GLOBALS, RvCpu};

/// The dynamic rounding-mode encoding.
pub(crate) const RM_DYNAMIC: u8 = 7;

/// The rounding mode an FP op runs with.
fn rounding(cpu: &RvCpu, rm: u64) -> u8 {
    let rm = if rm == u64::from(RM_DYNAMIC) {
        cpu.get(FRM)
    } else {
        rm
    };
    // Invalid modes trapped before the call; stay total anyway.
    if rm <= 4 { rm as u8 } else { fpu::rm::RNE }
}

fn accrue(cpu: &mut RvCpu, flags: u8) {
    let old = cpu.get(FFLAGS);
    cpu.set(FFLAGS, old | u64::from(flags & 0x1f));
}

extern "C" fn read_counter(_: &mut RvCpu, _: u64, _: u64, _: u64, _: u64) -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// `op(a, b, c, rm)`: fused multiply-adds.
macro_rules! rounded3 {
    ($name:ident, $f:path) => {
        pub(crate) extern "C" fn $name(cpu: &mut RvCpu, a: u64, b: u64, c: u64, rm: u64) -> u64 {
            let mut flags = 0;
            let r = $f(a, b, c, rounding(cpu, rm), &mut flags);
            accrue(cpu, flags);
            r
        }
    };
}

/// `op(a, b, rm)`: arithmetic.
macro_rules! rounded2 {
    ($name:ident, $f:path) => {
        pub(crate) extern "C" fn $name(cpu: &mut RvCpu, a: u64, b: u64, rm: u64, _: u64) -> u64 {
            let mut flags = 0;
            let r = $f(a, b, rounding(cpu, rm), &mut flags);
            accrue(cpu, flags);
            r
        }
    };
}

/// `op(a, rm)`: square roots and conversions.
macro_rules! rounded1 {
    ($name:ident, $f:path) => {
        pub(crate) extern "C" fn $name(cpu: &mut RvCpu, a: u64, rm: u64, _: u64, _: u64) -> u64 {
            let mut flags = 0;
            let r = $f(a, rounding(cpu, rm), &mut flags);
            accrue(cpu, flags);
            r
        }
    };
}

/// `op(a, b)` raising flags: comparisons, min and max.
macro_rules! flagged2 {
    ($name:ident, $f:path) => {
        pub(crate) extern "C" fn $name(cpu: &mut RvCpu, a: u64, b: u64, _: u64, _: u64) -> u64 {
            let mut flags = 0;
            let r = $f(a, b, &mut flags);
            accrue(cpu, flags);
            r
        }
    };
}

/// `op(a)` raising flags and exact: fcvt.d.s.
macro_rules! flagged1 {
    ($name:ident, $f:path) => {
        pub(crate) extern "C" fn $name(cpu: &mut RvCpu, a: u64, _: u64, _: u64, _: u64) -> u64 {
            let mut flags = 0;
            let r = $f(a, &mut flags);
            accrue(cpu, flags);
            r
        }
    };
}

/// `op(a, b)` with no flags: sign injection.
macro_rules! pure2 {
    ($name:ident, $f:path) => {
        pub(crate) extern "C" fn $name(_: &mut RvCpu, a: u64, b: u64, _: u64, _: u64) -> u64 {
            $f(a, b)
        }
    };
}

/// `op(a)` with no flags: classification.
macro_rules! pure1 {
    ($name:ident, $f:path) => {
        pub(crate) extern "C" fn $name(_: &mut RvCpu, a: u64, _: u64, _: u64, _: u64) -> u64 {
            $f(a)
        }
    };
}

/// The inline description of the helpers whose common case backends may run on
/// the host FPU.
const fn fp_fast(name: &str) -> Option<FpFast> {
    let (op, double) = match name.as_bytes() {
        b"fadd_d" => (FpOp::Add, true),
        b"fsub_d" => (FpOp::Sub, true),
        b"fmul_d" => (FpOp::Mul, true),
        b"fdiv_d" => (FpOp::Div, true),
        b"fsqrt_d" => (FpOp::Sqrt, true),
        b"fadd_s" => (FpOp::Add, false),
        b"fsub_s" => (FpOp::Sub, false),
        b"fmul_s" => (FpOp::Mul, false),
        b"fdiv_s" => (FpOp::Div, false),
        b"fsqrt_s" => (FpOp::Sqrt, false),
        _ => return None,
    };
    Some(FpFast {
        op,
        double,
        flags: FFLAGS,
        inexact: fpu::flags::NX as u64,
        frm: FRM,
        rm_nearest: fpu::rm::RNE as u64,
        rm_dynamic: RM_DYNAMIC as u64,
    })
}

/// Defines the helper functions, the [`H`] enum and the table in one order.
macro_rules! helpers {
    ($($id:ident = $name:literal: $kind:ident($f:path), $nargs:literal, $effects:ident;)*) => {
        /// Helpers by name; `H::X as u16` is the index in [`GUEST_DESC`]`.helpers`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u16)]
        #[allow(missing_docs)]
        pub enum H {
            ReadCounter,
            $($id,)*
        }

        mod funcs {
            use super::*;
            $($kind!($id, $f);)*
        }

        /// Helper names, indexed like the table.
        pub static HELPER_NAMES: &[&str] = &["read_counter", $($name,)*];

        pub(super) static HELPERS: &[HelperDesc<RvCpu>] = &[
            HelperDesc {
                name: "read_counter",
                func: read_counter,
                nargs: 0,
                // Not pure: two reads must not be merged.
                effects: Effects::HelperGlobals,
                fp: None,
            },
            $(HelperDesc {
                name: $name,
                func: funcs::$id,
                nargs: $nargs,
                effects: Effects::$effects,
                fp: fp_fast($name),
            },)*
        ];
    };
}

#[allow(non_snake_case)]
mod table {
    use super::*;

    helpers! {
        FmaddS = "fmadd_s": rounded3(fpu::madd_s), 4, HelperGlobals;
        FmsubS = "fmsub_s": rounded3(fpu::msub_s), 4, HelperGlobals;
        FnmsubS = "fnmsub_s": rounded3(fpu::nmsub_s), 4, HelperGlobals;
        FnmaddS = "fnmadd_s": rounded3(fpu::nmadd_s), 4, HelperGlobals;
        FmaddD = "fmadd_d": rounded3(fpu::madd_d), 4, HelperGlobals;
        FmsubD = "fmsub_d": rounded3(fpu::msub_d), 4, HelperGlobals;
        FnmsubD = "fnmsub_d": rounded3(fpu::nmsub_d), 4, HelperGlobals;
        FnmaddD = "fnmadd_d": rounded3(fpu::nmadd_d), 4, HelperGlobals;
        FaddS = "fadd_s": rounded2(fpu::add_s), 3, HelperGlobals;
        FsubS = "fsub_s": rounded2(fpu::sub_s), 3, HelperGlobals;
        FmulS = "fmul_s": rounded2(fpu::mul_s), 3, HelperGlobals;
        FdivS = "fdiv_s": rounded2(fpu::div_s), 3, HelperGlobals;
        FaddD = "fadd_d": rounded2(fpu::add_d), 3, HelperGlobals;
        FsubD = "fsub_d": rounded2(fpu::sub_d), 3, HelperGlobals;
        FmulD = "fmul_d": rounded2(fpu::mul_d), 3, HelperGlobals;
        FdivD = "fdiv_d": rounded2(fpu::div_d), 3, HelperGlobals;
        FsqrtS = "fsqrt_s": rounded1(fpu::sqrt_s), 2, HelperGlobals;
        FsqrtD = "fsqrt_d": rounded1(fpu::sqrt_d), 2, HelperGlobals;
        FcvtWS = "fcvt_w_s": rounded1(fpu::cvt_w_s), 2, HelperGlobals;
        FcvtWuS = "fcvt_wu_s": rounded1(fpu::cvt_wu_s), 2, HelperGlobals;
        FcvtLS = "fcvt_l_s": rounded1(fpu::cvt_l_s), 2, HelperGlobals;
        FcvtLuS = "fcvt_lu_s": rounded1(fpu::cvt_lu_s), 2, HelperGlobals;
        FcvtWD = "fcvt_w_d": rounded1(fpu::cvt_w_d), 2, HelperGlobals;
        FcvtWuD = "fcvt_wu_d": rounded1(fpu::cvt_wu_d), 2, HelperGlobals;
        FcvtLD = "fcvt_l_d": rounded1(fpu::cvt_l_d), 2, HelperGlobals;
        FcvtLuD = "fcvt_lu_d": rounded1(fpu::cvt_lu_d), 2, HelperGlobals;
        FcvtSW = "fcvt_s_w": rounded1(fpu::cvt_s_w), 2, HelperGlobals;
        FcvtSWu = "fcvt_s_wu": rounded1(fpu::cvt_s_wu), 2, HelperGlobals;
        FcvtSL = "fcvt_s_l": rounded1(fpu::cvt_s_l), 2, HelperGlobals;
        FcvtSLu = "fcvt_s_lu": rounded1(fpu::cvt_s_lu), 2, HelperGlobals;
        FcvtDW = "fcvt_d_w": rounded1(fpu::cvt_d_w), 2, HelperGlobals;
        FcvtDWu = "fcvt_d_wu": rounded1(fpu::cvt_d_wu), 2, HelperGlobals;
        FcvtDL = "fcvt_d_l": rounded1(fpu::cvt_d_l), 2, HelperGlobals;
        FcvtDLu = "fcvt_d_lu": rounded1(fpu::cvt_d_lu), 2, HelperGlobals;
        FcvtSD = "fcvt_s_d": rounded1(fpu::cvt_s_d), 2, HelperGlobals;
        FcvtDS = "fcvt_d_s": flagged1(fpu::cvt_d_s), 1, HelperGlobals;
        FminS = "fmin_s": flagged2(fpu::min_s), 2, HelperGlobals;
        FmaxS = "fmax_s": flagged2(fpu::max_s), 2, HelperGlobals;
        FminD = "fmin_d": flagged2(fpu::min_d), 2, HelperGlobals;
        FmaxD = "fmax_d": flagged2(fpu::max_d), 2, HelperGlobals;
        FeqS = "feq_s": flagged2(fpu::eq_s), 2, HelperGlobals;
        FltS = "flt_s": flagged2(fpu::lt_s), 2, HelperGlobals;
        FleS = "fle_s": flagged2(fpu::le_s), 2, HelperGlobals;
        FeqD = "feq_d": flagged2(fpu::eq_d), 2, HelperGlobals;
        FltD = "flt_d": flagged2(fpu::lt_d), 2, HelperGlobals;
        FleD = "fle_d": flagged2(fpu::le_d), 2, HelperGlobals;
        FsgnjS = "fsgnj_s": pure2(fpu::sgnj_s), 2, Pure;
        FsgnjnS = "fsgnjn_s": pure2(fpu::sgnjn_s), 2, Pure;
        FsgnjxS = "fsgnjx_s": pure2(fpu::sgnjx_s), 2, Pure;
        FsgnjD = "fsgnj_d": pure2(fpu::sgnj_d), 2, Pure;
        FsgnjnD = "fsgnjn_d": pure2(fpu::sgnjn_d), 2, Pure;
        FsgnjxD = "fsgnjx_d": pure2(fpu::sgnjx_d), 2, Pure;
        FclassS = "fclass_s": pure1(fpu::class_s), 1, Pure;
        FclassD = "fclass_d": pure1(fpu::class_d), 1, Pure;
    }
}

pub use table::{H, HELPER_NAMES};

impl H {
    /// The helper's id in [`GUEST_DESC`].
    pub fn id(self) -> HelperId {
        HelperId(self as u16)
    }
}

/// Reads the cycle/time/instret counter: nanoseconds of the host monotonic clock since
/// the first read.
pub const READ_COUNTER: HelperId = HelperId(H::ReadCounter as u16);

/// Names of the globals and helpers, for the IR text form (`-d op`).
pub fn ir_names() -> GlobalNames<'static> {
    GlobalNames {
        globals: &GLOBAL_NAMES,
        helpers: HELPER_NAMES,
    }
}

/// The RISC-V guest: its globals and helpers.
pub static GUEST_DESC: GuestDesc<RvCpu> = GuestDesc {
    globals: &GLOBALS,
    helpers: table::HELPERS,
};
