//! RISC-V F and D extension arithmetic for a dynamic binary translator.
//!
//! Every function works on raw IEEE 754 bit patterns held in `u64` register
//! values and ORs RISC-V exception flags into `*flags`. Single-precision
//! operands are NaN-unboxed (an improperly boxed register reads as the
//! canonical NaN) and single-precision results are NaN-boxed. NaN results
//! are always canonical. Tininess is detected after rounding.
//!
//! `rm` is an already resolved static rounding mode (see [`rm`]); the caller
//! replaces the dynamic mode by `frm` and rejects the reserved encodings
//! (any other value behaves as RNE).
//!
//! Results come from the host's native round-to-nearest-even arithmetic;
//! error-free transformations and integer significand checks yield the
//! exact flags and, for RTZ/RDN/RUP, on which side of the nearest result the
//! exact value lies, which picks the directed result. RMM and the rare cases
//! (NaN, infinity, overflow, results near the subnormal range) use the exact
//! integer implementation in [`soft`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod classify;
mod compare;
mod convert;
mod directed;
mod exact;
pub mod format;
mod ops_d;
mod ops_s;
mod rounding;
pub mod soft;

pub use classify::{class_d, class_s, sgnj_d, sgnj_s, sgnjn_d, sgnjn_s, sgnjx_d, sgnjx_s};
pub use compare::{eq_d, eq_s, le_d, le_s, lt_d, lt_s, max_d, max_s, min_d, min_s};
pub use convert::{
    cvt_d_l, cvt_d_lu, cvt_d_s, cvt_d_w, cvt_d_wu, cvt_l_d, cvt_l_s, cvt_lu_d, cvt_lu_s, cvt_s_d,
    cvt_s_l, cvt_s_lu, cvt_s_w, cvt_s_wu, cvt_w_d, cvt_w_s, cvt_wu_d, cvt_wu_s, mv_w_x, mv_x_w,
};
pub use ops_d::{add_d, div_d, madd_d, msub_d, mul_d, nmadd_d, nmsub_d, sqrt_d, sub_d};
pub use ops_s::{add_s, div_s, madd_s, msub_s, mul_s, nmadd_s, nmsub_s, sqrt_s, sub_s};

/// RISC-V `fflags` exception bits.
pub mod flags {
    /// Inexact.
    pub const NX: u8 = 1;
    /// Underflow.
    pub const UF: u8 = 2;
    /// Overflow.
    pub const OF: u8 = 4;
    /// Divide by zero.
    pub const DZ: u8 = 8;
    /// Invalid operation.
    pub const NV: u8 = 16;
}

/// RISC-V rounding-mode encodings accepted as `rm`.
pub mod rm {
    /// Round to nearest, ties to even.
    pub const RNE: u8 = 0;
    /// Round towards zero.
    pub const RTZ: u8 = 1;
    /// Round down (towards negative infinity).
    pub const RDN: u8 = 2;
    /// Round up (towards positive infinity).
    pub const RUP: u8 = 3;
    /// Round to nearest, ties to max magnitude.
    pub const RMM: u8 = 4;
}
