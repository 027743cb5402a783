//! Bit-level layout of the binary32 and binary64 formats.

/// Shape of an IEEE 754 binary interchange format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// Number of stored significand (fraction) bits.
    pub man_bits: u32,
    /// Number of exponent bits.
    pub exp_bits: u32,
}

/// IEEE binary32 (`float`).
pub const F32: Format = Format {
    man_bits: 23,
    exp_bits: 8,
};

/// IEEE binary64 (`double`).
pub const F64: Format = Format {
    man_bits: 52,
    exp_bits: 11,
};

impl Format {
    /// Precision in bits, counting the hidden bit.
    #[inline]
    pub const fn precision(self) -> u32 {
        self.man_bits + 1
    }

    /// Exponent bias.
    #[inline]
    pub const fn bias(self) -> i32 {
        (1 << (self.exp_bits - 1)) - 1
    }

    /// Exponent of the smallest normal number.
    #[inline]
    pub const fn emin(self) -> i32 {
        1 - self.bias()
    }

    /// The sign bit.
    #[inline]
    pub const fn sign_bit(self) -> u64 {
        1 << (self.man_bits + self.exp_bits)
    }

    /// Mask of the fraction field.
    #[inline]
    pub const fn man_mask(self) -> u64 {
        (1 << self.man_bits) - 1
    }

    /// The exponent field with all bits set (positive infinity).
    #[inline]
    pub const fn inf(self) -> u64 {
        ((1 << self.exp_bits) - 1) << self.man_bits
    }

    /// Largest finite positive number.
    #[inline]
    pub const fn max_finite(self) -> u64 {
        self.inf() - 1
    }

    /// The quiet bit of a NaN's fraction.
    #[inline]
    pub const fn quiet_bit(self) -> u64 {
        1 << (self.man_bits - 1)
    }

    /// The RISC-V canonical NaN: positive, quiet, zero payload.
    #[inline]
    pub const fn canonical_nan(self) -> u64 {
        self.inf() | self.quiet_bit()
    }

    /// True for any NaN.
    #[inline]
    pub const fn is_nan(self, bits: u64) -> bool {
        bits & !self.sign_bit() > self.inf()
    }

    /// True for a signalling NaN.
    #[inline]
    pub const fn is_snan(self, bits: u64) -> bool {
        self.is_nan(bits) && bits & self.quiet_bit() == 0
    }
}

/// Upper half of a NaN-boxed single-precision value.
pub const BOX: u64 = 0xffff_ffff_0000_0000;

/// Reads a single-precision operand from a 64-bit register: a value that is
/// not properly NaN-boxed reads as the canonical NaN.
#[inline]
pub const fn unbox(reg: u64) -> u64 {
    if reg & BOX == BOX {
        reg & 0xffff_ffff
    } else {
        F32.canonical_nan()
    }
}

/// Writes a single-precision result into a 64-bit register.
#[inline]
pub const fn nan_box(bits: u64) -> u64 {
    bits | BOX
}
