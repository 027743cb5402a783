//! Table of every instruction the crate implements, callable by index, so
//! the differential and QEMU tests can iterate over all of them.

use oxemu_riscv_fpu as fpu;

/// Shape of an instruction's operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Two FP operands and a rounding mode.
    Binary,
    /// One FP operand and a rounding mode.
    Unary,
    /// Three FP operands and a rounding mode.
    Ternary,
    /// Two FP operands, no rounding mode.
    BinaryNoRm,
    /// One FP operand, no rounding mode, no flags.
    UnaryNoRm,
    /// An integer operand and a rounding mode.
    FromInt,
    /// One FP operand, no rounding mode, but flags (FCVT.D.S).
    Widen,
}

/// Precision of the FP operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prec {
    /// Single (NaN-boxed in 64-bit registers).
    S,
    /// Double.
    D,
}

/// One instruction.
#[derive(Clone, Copy)]
pub struct Op {
    /// Mnemonic without the `f` prefix, e.g. `add.s`.
    pub name: &'static str,
    /// Operand shape.
    pub shape: Shape,
    /// Precision of the FP inputs.
    pub prec: Prec,
    /// Calls the crate: `(a, b, c, rm, flags) -> result`.
    pub run: fn(u64, u64, u64, u8, &mut u8) -> u64,
}

macro_rules! op {
    ($name:literal, Binary, $p:ident, $f:path) => {
        Op {
            name: $name,
            shape: Shape::Binary,
            prec: Prec::$p,
            run: |a, b, _, rm, fl| $f(a, b, rm, fl),
        }
    };
    ($name:literal, Unary, $p:ident, $f:path) => {
        Op {
            name: $name,
            shape: Shape::Unary,
            prec: Prec::$p,
            run: |a, _, _, rm, fl| $f(a, rm, fl),
        }
    };
    ($name:literal, Ternary, $p:ident, $f:path) => {
        Op {
            name: $name,
            shape: Shape::Ternary,
            prec: Prec::$p,
            run: |a, b, c, rm, fl| $f(a, b, c, rm, fl),
        }
    };
    ($name:literal, BinaryNoRm, $p:ident, $f:path) => {
        Op {
            name: $name,
            shape: Shape::BinaryNoRm,
            prec: Prec::$p,
            run: |a, b, _, _, fl| $f(a, b, fl),
        }
    };
    ($name:literal, Sgnj, $p:ident, $f:path) => {
        Op {
            name: $name,
            shape: Shape::BinaryNoRm,
            prec: Prec::$p,
            run: |a, b, _, _, _| $f(a, b),
        }
    };
    ($name:literal, UnaryNoRm, $p:ident, $f:path) => {
        Op {
            name: $name,
            shape: Shape::UnaryNoRm,
            prec: Prec::$p,
            run: |a, _, _, _, _| $f(a),
        }
    };
    ($name:literal, FromInt, $p:ident, $f:path) => {
        Op {
            name: $name,
            shape: Shape::FromInt,
            prec: Prec::$p,
            run: |a, _, _, rm, fl| $f(a, rm, fl),
        }
    };
    ($name:literal, Widen, $p:ident, $f:path) => {
        Op {
            name: $name,
            shape: Shape::Widen,
            prec: Prec::$p,
            run: |a, _, _, _, fl| $f(a, fl),
        }
    };
}

/// Every instruction, in a fixed order shared with `tests/riscv/fpu_exec.c`.
pub const OPS: &[Op] = &[
    op!("add.s", Binary, S, fpu::add_s),
    op!("sub.s", Binary, S, fpu::sub_s),
    op!("mul.s", Binary, S, fpu::mul_s),
    op!("div.s", Binary, S, fpu::div_s),
    op!("sqrt.s", Unary, S, fpu::sqrt_s),
    op!("min.s", BinaryNoRm, S, fpu::min_s),
    op!("max.s", BinaryNoRm, S, fpu::max_s),
    op!("madd.s", Ternary, S, fpu::madd_s),
    op!("msub.s", Ternary, S, fpu::msub_s),
    op!("nmsub.s", Ternary, S, fpu::nmsub_s),
    op!("nmadd.s", Ternary, S, fpu::nmadd_s),
    op!("eq.s", BinaryNoRm, S, fpu::eq_s),
    op!("lt.s", BinaryNoRm, S, fpu::lt_s),
    op!("le.s", BinaryNoRm, S, fpu::le_s),
    op!("class.s", UnaryNoRm, S, fpu::class_s),
    op!("sgnj.s", Sgnj, S, fpu::sgnj_s),
    op!("sgnjn.s", Sgnj, S, fpu::sgnjn_s),
    op!("sgnjx.s", Sgnj, S, fpu::sgnjx_s),
    op!("cvt.w.s", Unary, S, fpu::cvt_w_s),
    op!("cvt.wu.s", Unary, S, fpu::cvt_wu_s),
    op!("cvt.l.s", Unary, S, fpu::cvt_l_s),
    op!("cvt.lu.s", Unary, S, fpu::cvt_lu_s),
    op!("cvt.s.w", FromInt, S, fpu::cvt_s_w),
    op!("cvt.s.wu", FromInt, S, fpu::cvt_s_wu),
    op!("cvt.s.l", FromInt, S, fpu::cvt_s_l),
    op!("cvt.s.lu", FromInt, S, fpu::cvt_s_lu),
    op!("add.d", Binary, D, fpu::add_d),
    op!("sub.d", Binary, D, fpu::sub_d),
    op!("mul.d", Binary, D, fpu::mul_d),
    op!("div.d", Binary, D, fpu::div_d),
    op!("sqrt.d", Unary, D, fpu::sqrt_d),
    op!("min.d", BinaryNoRm, D, fpu::min_d),
    op!("max.d", BinaryNoRm, D, fpu::max_d),
    op!("madd.d", Ternary, D, fpu::madd_d),
    op!("msub.d", Ternary, D, fpu::msub_d),
    op!("nmsub.d", Ternary, D, fpu::nmsub_d),
    op!("nmadd.d", Ternary, D, fpu::nmadd_d),
    op!("eq.d", BinaryNoRm, D, fpu::eq_d),
    op!("lt.d", BinaryNoRm, D, fpu::lt_d),
    op!("le.d", BinaryNoRm, D, fpu::le_d),
    op!("class.d", UnaryNoRm, D, fpu::class_d),
    op!("sgnj.d", Sgnj, D, fpu::sgnj_d),
    op!("sgnjn.d", Sgnj, D, fpu::sgnjn_d),
    op!("sgnjx.d", Sgnj, D, fpu::sgnjx_d),
    op!("cvt.w.d", Unary, D, fpu::cvt_w_d),
    op!("cvt.wu.d", Unary, D, fpu::cvt_wu_d),
    op!("cvt.l.d", Unary, D, fpu::cvt_l_d),
    op!("cvt.lu.d", Unary, D, fpu::cvt_lu_d),
    op!("cvt.d.w", FromInt, D, fpu::cvt_d_w),
    op!("cvt.d.wu", FromInt, D, fpu::cvt_d_wu),
    op!("cvt.d.l", FromInt, D, fpu::cvt_d_l),
    op!("cvt.d.lu", FromInt, D, fpu::cvt_d_lu),
    op!("cvt.s.d", Unary, D, fpu::cvt_s_d),
    op!("cvt.d.s", Widen, S, fpu::cvt_d_s),
    op!("mv.x.w", UnaryNoRm, S, fpu::mv_x_w),
    op!("mv.w.x", UnaryNoRm, D, fpu::mv_w_x),
];

/// Looks an instruction up by mnemonic.
pub fn by_name(name: &str) -> &'static Op {
    OPS.iter()
        .find(|op| op.name == name)
        .unwrap_or_else(|| panic!("no op {name}"))
}
