//! Conversions between the crate's x86 types and KVM's structures.

use crate::x86::{CpuidEntry, DescTable, Regs, Segment, Sregs};
use kvm_bindings::{kvm_cpuid_entry2, kvm_dtable, kvm_regs, kvm_segment, kvm_sregs};

pub fn cpuid_from_kvm(e: &kvm_cpuid_entry2) -> CpuidEntry {
    CpuidEntry {
        function: e.function,
        index: e.index,
        flags: e.flags,
        eax: e.eax,
        ebx: e.ebx,
        ecx: e.ecx,
        edx: e.edx,
    }
}

pub fn cpuid_to_kvm(e: &CpuidEntry) -> kvm_cpuid_entry2 {
    kvm_cpuid_entry2 {
        function: e.function,
        index: e.index,
        flags: e.flags,
        eax: e.eax,
        ebx: e.ebx,
        ecx: e.ecx,
        edx: e.edx,
        ..Default::default()
    }
}

pub fn regs_from_kvm(r: &kvm_regs) -> Regs {
    Regs {
        rax: r.rax,
        rbx: r.rbx,
        rcx: r.rcx,
        rdx: r.rdx,
        rsi: r.rsi,
        rdi: r.rdi,
        rsp: r.rsp,
        rbp: r.rbp,
        r8: r.r8,
        r9: r.r9,
        r10: r.r10,
        r11: r.r11,
        r12: r.r12,
        r13: r.r13,
        r14: r.r14,
        r15: r.r15,
        rip: r.rip,
        rflags: r.rflags,
    }
}

pub fn regs_to_kvm(r: &Regs) -> kvm_regs {
    kvm_regs {
        rax: r.rax,
        rbx: r.rbx,
        rcx: r.rcx,
        rdx: r.rdx,
        rsi: r.rsi,
        rdi: r.rdi,
        rsp: r.rsp,
        rbp: r.rbp,
        r8: r.r8,
        r9: r.r9,
        r10: r.r10,
        r11: r.r11,
        r12: r.r12,
        r13: r.r13,
        r14: r.r14,
        r15: r.r15,
        rip: r.rip,
        rflags: r.rflags,
    }
}

fn seg_from_kvm(s: &kvm_segment) -> Segment {
    Segment {
        base: s.base,
        limit: s.limit,
        selector: s.selector,
        type_: s.type_,
        present: s.present != 0,
        dpl: s.dpl,
        db: s.db != 0,
        s: s.s != 0,
        l: s.l != 0,
        g: s.g != 0,
        avl: s.avl != 0,
        unusable: s.unusable != 0,
    }
}

fn seg_to_kvm(s: &Segment) -> kvm_segment {
    kvm_segment {
        base: s.base,
        limit: s.limit,
        selector: s.selector,
        type_: s.type_,
        present: s.present.into(),
        dpl: s.dpl,
        db: s.db.into(),
        s: s.s.into(),
        l: s.l.into(),
        g: s.g.into(),
        avl: s.avl.into(),
        unusable: s.unusable.into(),
        padding: 0,
    }
}

fn dt_from_kvm(d: &kvm_dtable) -> DescTable {
    DescTable {
        base: d.base,
        limit: d.limit,
    }
}

fn dt_to_kvm(d: &DescTable) -> kvm_dtable {
    kvm_dtable {
        base: d.base,
        limit: d.limit,
        ..Default::default()
    }
}

pub fn sregs_from_kvm(s: &kvm_sregs) -> Sregs {
    Sregs {
        cs: seg_from_kvm(&s.cs),
        ds: seg_from_kvm(&s.ds),
        es: seg_from_kvm(&s.es),
        fs: seg_from_kvm(&s.fs),
        gs: seg_from_kvm(&s.gs),
        ss: seg_from_kvm(&s.ss),
        tr: seg_from_kvm(&s.tr),
        ldt: seg_from_kvm(&s.ldt),
        gdt: dt_from_kvm(&s.gdt),
        idt: dt_from_kvm(&s.idt),
        cr0: s.cr0,
        cr2: s.cr2,
        cr3: s.cr3,
        cr4: s.cr4,
        cr8: s.cr8,
        efer: s.efer,
        apic_base: s.apic_base,
    }
}

/// Fills `out` (read back from KVM so the interrupt bitmap is kept) from `s`.
pub fn sregs_to_kvm(s: &Sregs, out: &mut kvm_sregs) {
    out.cs = seg_to_kvm(&s.cs);
    out.ds = seg_to_kvm(&s.ds);
    out.es = seg_to_kvm(&s.es);
    out.fs = seg_to_kvm(&s.fs);
    out.gs = seg_to_kvm(&s.gs);
    out.ss = seg_to_kvm(&s.ss);
    out.tr = seg_to_kvm(&s.tr);
    out.ldt = seg_to_kvm(&s.ldt);
    out.gdt = dt_to_kvm(&s.gdt);
    out.idt = dt_to_kvm(&s.idt);
    out.cr0 = s.cr0;
    out.cr2 = s.cr2;
    out.cr3 = s.cr3;
    out.cr4 = s.cr4;
    out.cr8 = s.cr8;
    out.efer = s.efer;
    out.apic_base = s.apic_base;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_round_trip() {
        let r = Regs {
            rax: 1,
            rsi: 0x7000,
            r15: u64::MAX,
            rip: 0x10_0200,
            rflags: 2,
            ..Regs::default()
        };
        assert_eq!(regs_from_kvm(&regs_to_kvm(&r)), r);
        let seg = Segment {
            base: 0x1_0000,
            limit: 0xffff,
            selector: 0x1000,
            type_: 3,
            present: true,
            s: true,
            l: true,
            ..Segment::default()
        };
        let s = Sregs {
            cs: seg,
            ss: seg,
            gdt: DescTable {
                base: 0x500,
                limit: 39,
            },
            cr0: 0x8000_0011,
            efer: 0x500,
            ..Sregs::default()
        };
        let mut k = kvm_sregs {
            interrupt_bitmap: [7, 0, 0, 0],
            ..Default::default()
        };
        sregs_to_kvm(&s, &mut k);
        assert_eq!(k.interrupt_bitmap[0], 7, "pending interrupts kept");
        assert_eq!(sregs_from_kvm(&k), s);
    }
}
