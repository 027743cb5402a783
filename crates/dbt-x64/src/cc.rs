//! Condition codes: `jcc`, `setcc` and `cmovcc` for each IR condition.

use dynasm::dynasm;
use dynasmrt::{DynamicLabel, DynasmLabelApi};
use oxemu_dbt_ir::Cond;

use crate::operand::Asm;

/// Jumps to `l` when the flags of the last `cmp a, b` satisfy `c`.
pub(crate) fn jcc(a: &mut Asm, c: Cond, l: DynamicLabel) {
    match c {
        Cond::Eq => dynasm!(a ; .arch x64 ; je =>l),
        Cond::Ne => dynasm!(a ; .arch x64 ; jne =>l),
        Cond::LtS => dynasm!(a ; .arch x64 ; jl =>l),
        Cond::GeS => dynasm!(a ; .arch x64 ; jge =>l),
        Cond::LeS => dynasm!(a ; .arch x64 ; jle =>l),
        Cond::GtS => dynasm!(a ; .arch x64 ; jg =>l),
        Cond::LtU => dynasm!(a ; .arch x64 ; jb =>l),
        Cond::GeU => dynasm!(a ; .arch x64 ; jae =>l),
        Cond::LeU => dynasm!(a ; .arch x64 ; jbe =>l),
        Cond::GtU => dynasm!(a ; .arch x64 ; ja =>l),
    }
}

/// Sets `al` to 1 when the flags satisfy `c`, else 0.
pub(crate) fn setcc_al(a: &mut Asm, c: Cond) {
    match c {
        Cond::Eq => dynasm!(a ; .arch x64 ; sete al),
        Cond::Ne => dynasm!(a ; .arch x64 ; setne al),
        Cond::LtS => dynasm!(a ; .arch x64 ; setl al),
        Cond::GeS => dynasm!(a ; .arch x64 ; setge al),
        Cond::LeS => dynasm!(a ; .arch x64 ; setle al),
        Cond::GtS => dynasm!(a ; .arch x64 ; setg al),
        Cond::LtU => dynasm!(a ; .arch x64 ; setb al),
        Cond::GeU => dynasm!(a ; .arch x64 ; setae al),
        Cond::LeU => dynasm!(a ; .arch x64 ; setbe al),
        Cond::GtU => dynasm!(a ; .arch x64 ; seta al),
    }
}

/// `rax = rdx` when the flags satisfy `c`.
pub(crate) fn cmov_rax_rdx(a: &mut Asm, c: Cond) {
    match c {
        Cond::Eq => dynasm!(a ; .arch x64 ; cmove rax, rdx),
        Cond::Ne => dynasm!(a ; .arch x64 ; cmovne rax, rdx),
        Cond::LtS => dynasm!(a ; .arch x64 ; cmovl rax, rdx),
        Cond::GeS => dynasm!(a ; .arch x64 ; cmovge rax, rdx),
        Cond::LeS => dynasm!(a ; .arch x64 ; cmovle rax, rdx),
        Cond::GtS => dynasm!(a ; .arch x64 ; cmovg rax, rdx),
        Cond::LtU => dynasm!(a ; .arch x64 ; cmovb rax, rdx),
        Cond::GeU => dynasm!(a ; .arch x64 ; cmovae rax, rdx),
        Cond::LeU => dynasm!(a ; .arch x64 ; cmovbe rax, rdx),
        Cond::GtU => dynasm!(a ; .arch x64 ; cmova rax, rdx),
    }
}
