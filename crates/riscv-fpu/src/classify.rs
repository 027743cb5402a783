//! FCLASS and the sign-injection instructions (FSGNJ, FSGNJN, FSGNJX).

use crate::format::{F32, F64, Format, nan_box, unbox};

/// FCLASS bit for each category, as a 10-bit mask.
#[inline]
fn class(bits: u64, f: Format) -> u64 {
    let negative = bits & f.sign_bit() != 0;
    let mag = bits & !f.sign_bit();
    let bit = if mag > f.inf() {
        if bits & f.quiet_bit() != 0 { 9 } else { 8 }
    } else if mag == f.inf() {
        if negative { 0 } else { 7 }
    } else if mag >= 1 << f.man_bits {
        if negative { 1 } else { 6 }
    } else if mag != 0 {
        if negative { 2 } else { 5 }
    } else if negative {
        3
    } else {
        4
    };
    1 << bit
}

/// FCLASS.S
#[inline]
pub fn class_s(a: u64) -> u64 {
    class(unbox(a), F32)
}

/// FCLASS.D
#[inline]
pub fn class_d(a: u64) -> u64 {
    class(a, F64)
}

#[inline]
fn with_sign(a: u64, negative: bool, f: Format) -> u64 {
    (a & !f.sign_bit()) | if negative { f.sign_bit() } else { 0 }
}

/// FSGNJ.S: magnitude of `a`, sign of `b`.
#[inline]
pub fn sgnj_s(a: u64, b: u64) -> u64 {
    let (a, b) = (unbox(a), unbox(b));
    nan_box(with_sign(a, b & F32.sign_bit() != 0, F32))
}

/// FSGNJN.S: magnitude of `a`, opposite sign of `b`.
#[inline]
pub fn sgnjn_s(a: u64, b: u64) -> u64 {
    let (a, b) = (unbox(a), unbox(b));
    nan_box(with_sign(a, b & F32.sign_bit() == 0, F32))
}

/// FSGNJX.S: `a` with its sign XOR-ed by the sign of `b`.
#[inline]
pub fn sgnjx_s(a: u64, b: u64) -> u64 {
    let (a, b) = (unbox(a), unbox(b));
    nan_box(a ^ (b & F32.sign_bit()))
}

/// FSGNJ.D: magnitude of `a`, sign of `b`.
#[inline]
pub fn sgnj_d(a: u64, b: u64) -> u64 {
    with_sign(a, b & F64.sign_bit() != 0, F64)
}

/// FSGNJN.D: magnitude of `a`, opposite sign of `b`.
#[inline]
pub fn sgnjn_d(a: u64, b: u64) -> u64 {
    with_sign(a, b & F64.sign_bit() == 0, F64)
}

/// FSGNJX.D: `a` with its sign XOR-ed by the sign of `b`.
#[inline]
pub fn sgnjx_d(a: u64, b: u64) -> u64 {
    a ^ (b & F64.sign_bit())
}
