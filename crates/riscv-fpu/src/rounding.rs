//! Rounding of exact intermediate results into a binary format.

use crate::flags::{NX, OF, UF};
use crate::format::Format;
use crate::rm::{RDN, RMM, RTZ, RUP};

/// Whether dropping `rest` (out of `1 << shift`) from a value whose kept part
/// is `kept` must increment the kept part.
#[inline]
fn round_up(kept: u128, rest: u128, half: u128, negative: bool, rm: u8) -> bool {
    match rm {
        RTZ => false,
        RDN => negative && rest != 0,
        RUP => !negative && rest != 0,
        RMM => rest >= half,
        // RNE, and anything else the caller should have rejected.
        _ => rest > half || (rest == half && kept & 1 == 1),
    }
}

/// Divides `sig` by `2^shift` (`shift >= 1`) and rounds to an integer with
/// `rm`; returns the rounded magnitude and whether it is inexact.
#[inline]
pub fn shift_round(sig: u128, shift: u32, negative: bool, rm: u8) -> (u128, bool) {
    debug_assert!(shift >= 1);
    // Far-away bits only matter as a sticky bit; folding them into bit 0
    // keeps every shift below 128 without changing the rounding.
    let (sig, shift) = if shift > 64 {
        let s = shift - 64;
        let jammed = if s >= 128 {
            (sig != 0) as u128
        } else {
            (sig >> s) | (sig & ((1 << s) - 1) != 0) as u128
        };
        (jammed, 64)
    } else {
        (sig, shift)
    };
    let rest = sig & ((1u128 << shift) - 1);
    let kept = sig >> shift;
    let half = 1u128 << (shift - 1);
    let up = round_up(kept, rest, half, negative, rm);
    (kept + up as u128, rest != 0)
}

/// Encodes the overflowed result for rounding mode `rm`.
#[inline]
pub fn overflow(negative: bool, rm: u8, f: Format, flags: &mut u8) -> u64 {
    *flags |= OF | NX;
    let to_inf = match rm {
        RTZ => false,
        RDN => negative,
        RUP => !negative,
        _ => true,
    };
    let mag = if to_inf { f.inf() } else { f.max_finite() };
    mag | if negative { f.sign_bit() } else { 0 }
}

/// Rounds the nonzero value `sig * 2^exp` into format `f` with mode `rm`,
/// raising NX/UF/OF as RISC-V does (tininess detected after rounding).
///
/// A caller that has discarded nonzero bits must have OR-ed a sticky 1 into
/// bit 0 of `sig` and kept at least `precision + 2` significant bits, so that
/// the sticky bit lies below the rounding position.
pub fn round_pack(negative: bool, exp: i32, sig: u128, rm: u8, f: Format, flags: &mut u8) -> u64 {
    debug_assert!(sig != 0);
    let p = f.precision() as i32;
    let msb = 127 - sig.leading_zeros() as i32;
    // Exponent of the leading bit of the exact value.
    let top = exp + msb;
    let emin = f.emin();
    // Weight of the result's last bit; subnormals share the smallest one.
    let min_quantum = emin - (p - 1);
    let quantum = (top - (p - 1)).max(min_quantum);
    let shift = quantum - exp;
    let (kept, inexact) = if shift <= 0 {
        (sig << (-shift) as u32, false)
    } else {
        shift_round(sig, shift as u32, negative, rm)
    };
    if inexact {
        *flags |= NX;
        if top < emin && is_tiny_after_rounding(top, shift, sig, negative, rm, f) {
            *flags |= UF;
        }
    }
    // Adding the (possibly carried) significand to the exponent field makes
    // subnormal -> normal and binade carries come out right by themselves.
    let field = (((quantum - min_quantum) as u128) << f.man_bits) + kept;
    if field >= f.inf() as u128 {
        return overflow(negative, rm, f, flags);
    }
    field as u64 | if negative { f.sign_bit() } else { 0 }
}

/// For an inexact value below `2^emin`: would rounding it to full precision
/// with an unbounded exponent range still leave it below `2^emin`?
#[inline]
fn is_tiny_after_rounding(
    top: i32,
    shift: i32,
    sig: u128,
    negative: bool,
    rm: u8,
    f: Format,
) -> bool {
    if top < f.emin() - 1 {
        return true;
    }
    // top == emin - 1: the unbounded quantum is one bit finer.
    let unbounded_shift = shift - 1;
    if unbounded_shift <= 0 {
        return true;
    }
    let (kept, _) = shift_round(sig, unbounded_shift as u32, negative, rm);
    kept >> f.precision() == 0
}
