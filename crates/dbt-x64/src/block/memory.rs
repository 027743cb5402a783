//! Guest memory accesses: `[r14 + guest address]`, with addresses at or above the
//! address-space limit redirected to the guard area at the limit, so no guest address
//! can reach host memory outside the reservation.

use dynasm::dynasm;
use dynasmrt::{DynasmApi, DynasmLabelApi};
use oxemu_dbt_ir::{AtomicOp, MemSize, Ty, Value};

use super::{Emitter, MemSite, ctx_field};
use crate::regalloc::{RAX, RCX};

impl<S> Emitter<'_, S> {
    /// Loads the guest address into rax, clamped to the limit.
    fn guest_addr(&mut self, addr: Value) {
        self.load(RAX, addr);
        let limit = ctx_field!(mem_limit);
        dynasm!(self.a
            ; .arch x64
            ; cmp rax, QWORD [r15 + limit]
            ; cmovae rax, QWORD [r15 + limit]
        );
        self.rax_holds = None;
    }

    /// Records that the next instruction may fault, for the current guest pc.
    fn mem_site(&mut self) {
        let valid = self
            .alloc
            .cached_list
            .iter()
            .enumerate()
            .filter(|(_, (g, _))| self.valid[g.0 as usize])
            .fold(0u16, |m, (i, _)| m | 1 << i);
        self.mem_sites.push(MemSite {
            offset: self.a.offset().0 as u32,
            pc: self.pc,
            valid,
        });
    }

    pub(super) fn emit_load(&mut self, i: usize, ty: Ty, size: MemSize, signed: bool, addr: Value) {
        self.guest_addr(addr);
        self.mem_site();
        let a = &mut self.a;
        match (size, signed, ty) {
            (MemSize::B1, true, Ty::I64) => dynasm!(a ; .arch x64 ; movsx rax, BYTE [r14 + rax]),
            (MemSize::B1, true, Ty::I32) => dynasm!(a ; .arch x64 ; movsx eax, BYTE [r14 + rax]),
            (MemSize::B1, false, _) => dynasm!(a ; .arch x64 ; movzx eax, BYTE [r14 + rax]),
            (MemSize::B2, true, Ty::I64) => dynasm!(a ; .arch x64 ; movsx rax, WORD [r14 + rax]),
            (MemSize::B2, true, Ty::I32) => dynasm!(a ; .arch x64 ; movsx eax, WORD [r14 + rax]),
            (MemSize::B2, false, _) => dynasm!(a ; .arch x64 ; movzx eax, WORD [r14 + rax]),
            (MemSize::B4, true, Ty::I64) => dynasm!(a ; .arch x64 ; movsxd rax, DWORD [r14 + rax]),
            (MemSize::B4, _, _) => dynasm!(a ; .arch x64 ; mov eax, DWORD [r14 + rax]),
            (MemSize::B8, _, Ty::I64) => dynasm!(a ; .arch x64 ; mov rax, QWORD [r14 + rax]),
            (MemSize::B8, _, Ty::I32) => {
                dynasm!(a ; .arch x64 ; mov rax, QWORD [r14 + rax] ; mov eax, eax)
            }
        }
        self.result(i);
    }

    pub(super) fn emit_store(&mut self, size: MemSize, addr: Value, value: Value) {
        self.load(RCX, value);
        self.guest_addr(addr);
        self.mem_site();
        let a = &mut self.a;
        match size {
            MemSize::B1 => dynasm!(a ; .arch x64 ; mov BYTE [r14 + rax], cl),
            MemSize::B2 => dynasm!(a ; .arch x64 ; mov WORD [r14 + rax], cx),
            MemSize::B4 => dynasm!(a ; .arch x64 ; mov DWORD [r14 + rax], ecx),
            MemSize::B8 => dynasm!(a ; .arch x64 ; mov QWORD [r14 + rax], rcx),
        }
    }

    pub(super) fn emit_atomic(
        &mut self,
        i: usize,
        op: AtomicOp,
        size: MemSize,
        addr: Value,
        value: Value,
    ) {
        let wide = size == MemSize::B8;
        self.load(RCX, value);
        self.guest_addr(addr);
        dynasm!(self.a ; .arch x64 ; lea rdx, [r14 + rax]);
        match op {
            AtomicOp::Swap | AtomicOp::Add => {
                self.mem_site();
                let a = &mut self.a;
                match (op, wide) {
                    (AtomicOp::Swap, true) => dynasm!(a ; .arch x64 ; xchg QWORD [rdx], rcx),
                    (AtomicOp::Swap, false) => dynasm!(a ; .arch x64 ; xchg DWORD [rdx], ecx),
                    (_, true) => dynasm!(a ; .arch x64 ; lock xadd QWORD [rdx], rcx),
                    (_, false) => dynasm!(a ; .arch x64 ; lock xadd DWORD [rdx], ecx),
                }
                dynasm!(self.a ; .arch x64 ; mov rax, rcx);
            }
            _ => {
                self.mem_site();
                if wide {
                    dynasm!(self.a ; .arch x64 ; mov rax, QWORD [rdx]);
                } else {
                    dynasm!(self.a ; .arch x64 ; mov eax, DWORD [rdx]);
                }
                dynasm!(self.a ; .arch x64 ; retry: ; mov r11, rax);
                let a = &mut self.a;
                match (op, wide) {
                    (AtomicOp::And, _) => dynasm!(a ; .arch x64 ; and r11, rcx),
                    (AtomicOp::Or, _) => dynasm!(a ; .arch x64 ; or r11, rcx),
                    (AtomicOp::Xor, _) => dynasm!(a ; .arch x64 ; xor r11, rcx),
                    (_, true) => dynasm!(a ; .arch x64 ; cmp r11, rcx),
                    (_, false) => dynasm!(a ; .arch x64 ; cmp r11d, ecx),
                }
                match op {
                    AtomicOp::MinS => dynasm!(a ; .arch x64 ; cmovg r11, rcx),
                    AtomicOp::MaxS => dynasm!(a ; .arch x64 ; cmovl r11, rcx),
                    AtomicOp::MinU => dynasm!(a ; .arch x64 ; cmova r11, rcx),
                    AtomicOp::MaxU => dynasm!(a ; .arch x64 ; cmovb r11, rcx),
                    _ => {}
                }
                self.mem_site();
                if wide {
                    dynasm!(self.a ; .arch x64 ; lock cmpxchg QWORD [rdx], r11 ; jne <retry);
                } else {
                    dynasm!(self.a ; .arch x64 ; lock cmpxchg DWORD [rdx], r11d ; jne <retry);
                }
            }
        }
        if !wide {
            dynasm!(self.a ; .arch x64 ; mov eax, eax);
        }
        self.result(i);
    }

    pub(super) fn emit_cmpxchg(
        &mut self,
        i: usize,
        size: MemSize,
        addr: Value,
        expected: Value,
        new: Value,
    ) {
        self.guest_addr(addr);
        dynasm!(self.a ; .arch x64 ; lea rdx, [r14 + rax]);
        self.load(RAX, expected);
        self.load(RCX, new);
        self.mem_site();
        if size == MemSize::B8 {
            dynasm!(self.a ; .arch x64 ; lock cmpxchg QWORD [rdx], rcx);
        } else {
            // On success eax is not written: canonicalize the upper half either way.
            dynasm!(self.a ; .arch x64 ; lock cmpxchg DWORD [rdx], ecx ; mov eax, eax);
        }
        self.result(i);
    }
}
