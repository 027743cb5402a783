//! Integer arithmetic.

use dynasm::dynasm;
use dynasmrt::{DynasmApi, DynasmLabelApi};
use oxemu_dbt_ir::{BinOp, Ty, UnOp, Value};

use super::Emitter;
use crate::operand::{Opnd, alu};
use crate::regalloc::{RAX, RCX};

macro_rules! shift {
    ($a:expr, $mn:ident, $wide:expr, $imm:expr) => {{
        let a = $a;
        match ($wide, $imm) {
            (true, Some(n)) => dynasm!(a ; .arch x64 ; $mn rax, n),
            (false, Some(n)) => dynasm!(a ; .arch x64 ; $mn eax, n),
            (true, None) => dynasm!(a ; .arch x64 ; $mn rax, cl),
            (false, None) => dynasm!(a ; .arch x64 ; $mn eax, cl),
        }
    }};
}

impl<S> Emitter<'_, S> {
    pub(super) fn emit_unary(&mut self, i: usize, ty: Ty, op: UnOp, x: Value) {
        let wide = ty == Ty::I64;
        self.load(RAX, x);
        let a = &mut self.a;
        match (op, wide) {
            (UnOp::Neg, true) => dynasm!(a ; .arch x64 ; neg rax),
            (UnOp::Neg, false) => dynasm!(a ; .arch x64 ; neg eax),
            (UnOp::Not, true) => dynasm!(a ; .arch x64 ; not rax),
            (UnOp::Not, false) => dynasm!(a ; .arch x64 ; not eax),
            (UnOp::Clz, true) => dynasm!(a ; .arch x64 ; lzcnt rax, rax),
            (UnOp::Clz, false) => dynasm!(a ; .arch x64 ; lzcnt eax, eax),
            (UnOp::Ctz, true) => dynasm!(a ; .arch x64 ; tzcnt rax, rax),
            (UnOp::Ctz, false) => dynasm!(a ; .arch x64 ; tzcnt eax, eax),
            (UnOp::Popcnt, true) => dynasm!(a ; .arch x64 ; popcnt rax, rax),
            (UnOp::Popcnt, false) => dynasm!(a ; .arch x64 ; popcnt eax, eax),
            (UnOp::Bswap, true) => dynasm!(a ; .arch x64 ; bswap rax),
            (UnOp::Bswap, false) => dynasm!(a ; .arch x64 ; bswap eax),
            (UnOp::Sext8, true) => dynasm!(a ; .arch x64 ; movsx rax, al),
            (UnOp::Sext8, false) => dynasm!(a ; .arch x64 ; movsx eax, al),
            (UnOp::Sext16, true) => dynasm!(a ; .arch x64 ; movsx rax, ax),
            (UnOp::Sext16, false) => dynasm!(a ; .arch x64 ; movsx eax, ax),
            (UnOp::Sext32, true) => dynasm!(a ; .arch x64 ; movsxd rax, eax),
            (UnOp::Zext8, _) => dynasm!(a ; .arch x64 ; movzx eax, al),
            (UnOp::Zext16, _) => dynasm!(a ; .arch x64 ; movzx eax, ax),
            (UnOp::Sext32 | UnOp::Zext32, _) => dynasm!(a ; .arch x64 ; mov eax, eax),
            (UnOp::OrcB, _) => {
                // Per byte: high bit of ((b & 0x7f) + 0x7f) | b says "non-zero";
                // spread it to the whole byte by multiplying 0x01 by 0xff.
                dynasm!(a
                    ; .arch x64
                    ; mov rcx, QWORD 0x7f7f_7f7f_7f7f_7f7f
                    ; mov rdx, rax
                    ; and rdx, rcx
                    ; add rdx, rcx
                    ; or rdx, rax
                    ; mov rcx, QWORD 0x8080_8080_8080_8080u64 as i64
                    ; and rdx, rcx
                    ; shr rdx, 7
                    ; imul rax, rdx, 0xff
                );
                if !wide {
                    dynasm!(a ; .arch x64 ; mov eax, eax);
                }
            }
        }
        self.result(i);
    }

    pub(super) fn emit_binary(&mut self, i: usize, ty: Ty, op: BinOp, x: Value, y: Value) {
        let wide = ty == Ty::I64;
        match op {
            BinOp::Add | BinOp::Sub | BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Mul => {
                self.load(RAX, x);
                let mut b = self.opnd(y, RCX);
                let a = &mut self.a;
                match op {
                    BinOp::Add => alu!(a, add, wide, RAX, b),
                    BinOp::Sub => alu!(a, sub, wide, RAX, b),
                    BinOp::And => alu!(a, and, wide, RAX, b),
                    BinOp::Or => alu!(a, or, wide, RAX, b),
                    BinOp::Xor => alu!(a, xor, wide, RAX, b),
                    _ => {
                        if let Opnd::Imm(c) = b {
                            dynasm!(a ; .arch x64 ; mov rcx, c);
                            b = Opnd::Reg(RCX);
                        }
                        match (wide, b) {
                            (true, Opnd::Reg(r)) => dynasm!(a ; .arch x64 ; imul rax, Rq(r)),
                            (false, Opnd::Reg(r)) => dynasm!(a ; .arch x64 ; imul eax, Rd(r)),
                            (true, Opnd::Mem(r, d)) => {
                                dynasm!(a ; .arch x64 ; imul rax, QWORD [Rq(r) + d])
                            }
                            (false, Opnd::Mem(r, d)) => {
                                dynasm!(a ; .arch x64 ; imul eax, DWORD [Rq(r) + d])
                            }
                            (_, Opnd::Imm(_)) => unreachable!("immediates were moved to rcx"),
                        }
                    }
                }
            }
            BinOp::AndNot | BinOp::OrNot => {
                self.load(RCX, y);
                self.load(RAX, x);
                let a = &mut self.a;
                dynasm!(a ; .arch x64 ; not rcx);
                match (op, wide) {
                    (BinOp::AndNot, true) => dynasm!(a ; .arch x64 ; and rax, rcx),
                    (BinOp::AndNot, false) => dynasm!(a ; .arch x64 ; and eax, ecx),
                    (_, true) => dynasm!(a ; .arch x64 ; or rax, rcx),
                    (_, false) => dynasm!(a ; .arch x64 ; or eax, ecx),
                }
            }
            BinOp::XorNot => {
                self.load(RAX, x);
                let b = self.opnd(y, RCX);
                alu!(&mut self.a, xor, wide, RAX, b);
                if wide {
                    dynasm!(self.a ; .arch x64 ; not rax);
                } else {
                    dynasm!(self.a ; .arch x64 ; not eax);
                }
            }
            BinOp::Shl | BinOp::Shr | BinOp::Sar | BinOp::Rotl | BinOp::Rotr => {
                self.load(RAX, x);
                let imm = match self.loc(y) {
                    crate::regalloc::Loc::Imm(c) => Some((c & (ty.bits() as u64 - 1)) as i8),
                    _ => {
                        self.load(RCX, y);
                        None
                    }
                };
                let a = &mut self.a;
                match op {
                    BinOp::Shl => shift!(a, shl, wide, imm),
                    BinOp::Shr => shift!(a, shr, wide, imm),
                    BinOp::Sar => shift!(a, sar, wide, imm),
                    BinOp::Rotl => shift!(a, rol, wide, imm),
                    _ => shift!(a, ror, wide, imm),
                }
            }
            BinOp::MinS | BinOp::MaxS | BinOp::MinU | BinOp::MaxU => {
                self.load(RAX, x);
                self.load(crate::regalloc::RDX, y);
                let a = &mut self.a;
                if wide {
                    dynasm!(a ; .arch x64 ; cmp rax, rdx);
                } else {
                    dynasm!(a ; .arch x64 ; cmp eax, edx);
                }
                match op {
                    BinOp::MinS => dynasm!(a ; .arch x64 ; cmovg rax, rdx),
                    BinOp::MaxS => dynasm!(a ; .arch x64 ; cmovl rax, rdx),
                    BinOp::MinU => dynasm!(a ; .arch x64 ; cmova rax, rdx),
                    _ => dynasm!(a ; .arch x64 ; cmovb rax, rdx),
                }
            }
            BinOp::MulHS | BinOp::MulHU | BinOp::MulHSU => self.emit_mulh(op, wide, x, y),
            BinOp::DivS | BinOp::DivU | BinOp::RemS | BinOp::RemU => self.emit_div(op, wide, x, y),
        }
        self.result(i);
    }

    fn emit_mulh(&mut self, op: BinOp, wide: bool, x: Value, y: Value) {
        self.load(RAX, x);
        self.load(RCX, y);
        let a = &mut self.a;
        match (op, wide) {
            (BinOp::MulHS, true) => dynasm!(a ; .arch x64 ; imul rcx ; mov rax, rdx),
            (BinOp::MulHU, true) => dynasm!(a ; .arch x64 ; mul rcx ; mov rax, rdx),
            (_, true) => dynasm!(a
                ; .arch x64
                ; mov r11, rax
                ; mul rcx
                ; sar r11, 63
                ; and r11, rcx
                ; sub rdx, r11
                ; mov rax, rdx
            ),
            (BinOp::MulHS, false) => dynasm!(a
                ; .arch x64 ; movsxd rax, eax ; movsxd rcx, ecx ; imul rax, rcx ; shr rax, 32),
            (BinOp::MulHU, false) => dynasm!(a
                ; .arch x64 ; mov eax, eax ; mov ecx, ecx ; imul rax, rcx ; shr rax, 32),
            (_, false) => dynasm!(a
                ; .arch x64 ; movsxd rax, eax ; mov ecx, ecx ; imul rax, rcx ; shr rax, 32),
        }
    }

    /// Total division: x/0 = all ones, x%0 = x, x/-1 = -x (covers MIN/-1), x%-1 = 0.
    fn emit_div(&mut self, op: BinOp, wide: bool, x: Value, y: Value) {
        self.load(RAX, x);
        self.load(RCX, y);
        let signed = matches!(op, BinOp::DivS | BinOp::RemS);
        let rem = matches!(op, BinOp::RemS | BinOp::RemU);
        let a = &mut self.a;
        if wide {
            dynasm!(a ; .arch x64 ; test rcx, rcx ; jz >zero);
        } else {
            dynasm!(a ; .arch x64 ; test ecx, ecx ; jz >zero);
        }
        if signed {
            if wide {
                dynasm!(a ; .arch x64 ; cmp rcx, -1 ; jne >divide ; neg rax ; xor edx, edx ; jmp >done);
            } else {
                dynasm!(a ; .arch x64 ; cmp ecx, -1 ; jne >divide ; neg eax ; xor edx, edx ; jmp >done);
            }
        }
        dynasm!(a ; .arch x64 ; divide:);
        match (signed, wide) {
            (true, true) => dynasm!(a ; .arch x64 ; cqo ; idiv rcx),
            (true, false) => dynasm!(a ; .arch x64 ; cdq ; idiv ecx),
            (false, true) => dynasm!(a ; .arch x64 ; xor edx, edx ; div rcx),
            (false, false) => dynasm!(a ; .arch x64 ; xor edx, edx ; div ecx),
        }
        dynasm!(a ; .arch x64 ; jmp >done ; zero: ; mov rdx, rax);
        if wide {
            dynasm!(a ; .arch x64 ; mov rax, -1);
        } else {
            dynasm!(a ; .arch x64 ; mov eax, -1);
        }
        dynasm!(a ; .arch x64 ; done:);
        if rem {
            dynasm!(a ; .arch x64 ; mov rax, rdx);
        }
    }
}
