//! vCPU configuration: CPUID, MSRs and the register state of each entry mode.

use crate::boot::Entry;
use crate::layout::*;
use oxemu_hypervisor::x86::{CpuidEntry, DescTable, Fpu, Msr, Regs, Segment, Sregs};
use oxemu_hypervisor::{Result, Vcpu};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

/// CPUID for vCPU `id` of `ncpu`: the accelerator's leaves with the topology,
/// APIC ID and hypervisor bit set, and what no device here backs removed.
pub fn cpuid(supported: &[CpuidEntry], id: u32, ncpu: u32) -> Vec<CpuidEntry> {
    let bits = 32 - (ncpu.max(1) - 1).leading_zeros(); // ceil(log2(ncpu))
    supported
        .iter()
        .map(|&e| {
            let mut e = e;
            match e.function {
                1 => {
                    e.ebx = (e.ebx & 0xffff) | (ncpu.min(255) << 16) | (id << 24);
                    e.ecx |= 1 << 31; // running under a hypervisor
                    e.ecx &= !(1 << 3); // no MONITOR/MWAIT
                    if ncpu > 1 {
                        e.edx |= 1 << 28;
                    }
                }
                4 => {
                    // Cores per package - 1 in bits 31:26, one thread per cache.
                    e.eax = (e.eax & 0x3ff_ffff & !(0xfff << 14)) | ((ncpu - 1) << 26);
                }
                6 | 0xa => {
                    // No thermal/power management, no architectural PMU.
                    e.eax = 0;
                    e.ebx = 0;
                    e.ecx = 0;
                    e.edx = 0;
                }
                0xb | 0x1f => {
                    // Level 0: threads (one per core); level 1: cores; then none.
                    e.edx = id;
                    match e.index {
                        0 => {
                            e.eax = 0;
                            e.ebx = 1;
                            e.ecx = (1 << 8) | e.index;
                        }
                        1 => {
                            e.eax = bits;
                            e.ebx = ncpu;
                            e.ecx = (2 << 8) | e.index;
                        }
                        _ => {
                            e.eax = 0;
                            e.ebx = 0;
                            e.ecx = e.index;
                        }
                    }
                }
                _ => {}
            }
            e
        })
        .collect()
}

/// MSRs as firmware leaves them: fast strings on, MTRRs enabled with
/// write-back default, SYSCALL/SYSENTER cleared.
pub fn boot_msrs() -> Vec<Msr> {
    [
        (0x174, 0),             // SYSENTER_CS
        (0x175, 0),             // SYSENTER_ESP
        (0x176, 0),             // SYSENTER_EIP
        (0xc000_0081, 0),       // STAR
        (0xc000_0082, 0),       // LSTAR
        (0xc000_0084, 0),       // SYSCALL_MASK
        (0xc000_0102, 0),       // KERNEL_GS_BASE
        (0x1a0, 1),             // MISC_ENABLE: fast strings
        (0x2ff, (1 << 11) | 6), // MTRR_DEF_TYPE: enabled, write-back
    ]
    .into_iter()
    .map(|(index, data)| Msr { index, data })
    .collect()
}

const GDT_CODE64: u64 = 0x00af_9b00_0000_ffff;
const GDT_CODE32: u64 = 0x00cf_9b00_0000_ffff;
const GDT_DATA: u64 = 0x00cf_9300_0000_ffff;
const GDT_TSS: u64 = 0x008f_8b00_0000_ffff;

fn flat(selector: u16, code: bool, long: bool) -> Segment {
    Segment {
        base: 0,
        limit: 0xffff_ffff,
        selector,
        type_: if code { 0xb } else { 0x3 },
        present: true,
        dpl: 0,
        db: !long || !code,
        s: true,
        l: long && code,
        g: true,
        avl: false,
        unusable: false,
    }
}

fn real(selector: u16, base: u64, code: bool) -> Segment {
    Segment {
        base,
        limit: 0xffff,
        selector,
        type_: if code { 0xb } else { 0x3 },
        present: true,
        s: true,
        ..Segment::default()
    }
}

/// Writes the GDT, IDT and (for 64-bit entry) identity page tables the entry needs.
pub fn write_tables(mem: &GuestMemoryMmap, entry: Entry) -> std::result::Result<(), String> {
    let code = if matches!(entry, Entry::Linux64 { .. }) {
        GDT_CODE64
    } else {
        GDT_CODE32
    };
    let gdt = [0, 0, code, GDT_DATA, GDT_TSS];
    let mut bytes = Vec::new();
    for d in gdt {
        bytes.extend_from_slice(&u64::to_le_bytes(d));
    }
    let put = |at: u64, b: &[u8]| {
        mem.write_slice(b, GuestAddress(at))
            .map_err(|e| format!("boot tables: {e}"))
    };
    put(BOOT_GDT, &bytes)?;
    put(BOOT_IDT, &[0u8; 8])?;
    if matches!(entry, Entry::Linux64 { .. }) {
        let (pdpt, pd) = (PML4 + 0x1000, PML4 + 0x2000);
        put(PML4, &(pdpt | 3).to_le_bytes())?;
        put(pdpt, &(pd | 3).to_le_bytes())?;
        let mut pde = Vec::with_capacity(4096);
        for i in 0..512u64 {
            pde.extend_from_slice(&((i << 21) | 0x83).to_le_bytes());
        }
        put(pd, &pde)?;
    }
    Ok(())
}

/// Registers of the boot vCPU for `entry`.
pub fn set_boot_state(vcpu: &mut dyn Vcpu, entry: Entry) -> Result<()> {
    let mut s: Sregs = vcpu.sregs()?;
    let mut r = Regs {
        rflags: 2,
        ..Regs::default()
    };
    match entry {
        Entry::RealMode => {
            let seg = (REAL_MODE_SETUP >> 4) as u16;
            s.cs = real(seg + 0x20, REAL_MODE_SETUP + 0x200, true);
            for d in [&mut s.ds, &mut s.es, &mut s.fs, &mut s.gs, &mut s.ss] {
                *d = real(seg, REAL_MODE_SETUP, false);
            }
            r.rsp = 0xfe00;
        }
        Entry::Pvh { rip } | Entry::Linux64 { rip } => {
            let long = matches!(entry, Entry::Linux64 { .. });
            s.gdt = DescTable {
                base: BOOT_GDT,
                limit: 5 * 8 - 1,
            };
            s.idt = DescTable {
                base: BOOT_IDT,
                limit: 7,
            };
            s.cs = flat(0x10, true, long);
            for d in [&mut s.ds, &mut s.es, &mut s.fs, &mut s.gs, &mut s.ss] {
                *d = flat(0x18, false, long);
            }
            s.tr = Segment {
                selector: 0x20,
                limit: 0xfffff,
                type_: 0xb,
                present: true,
                ..Segment::default()
            };
            s.cr0 = 0x11; // PE, ET
            s.cr4 = 0;
            s.efer = 0;
            r.rip = rip;
            if long {
                s.cr0 |= 0x8000_0000 | 0x2; // PG, MP
                s.cr3 = PML4;
                s.cr4 = 0x20; // PAE
                s.efer = 0x500; // LME, LMA
                r.rsi = ZERO_PAGE;
                r.rsp = BOOT_STACK;
                r.rbp = BOOT_STACK;
            } else {
                r.rbx = PVH_INFO;
            }
        }
    }
    vcpu.set_sregs(&s)?;
    vcpu.set_regs(&r)?;
    vcpu.set_fpu(&Fpu::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topology_leaves_follow_smp() {
        let leaves = [
            CpuidEntry {
                function: 1,
                ebx: 0xdead_0800,
                ..Default::default()
            },
            CpuidEntry {
                function: 0xb,
                index: 1,
                ..Default::default()
            },
        ];
        let c = cpuid(&leaves, 2, 3);
        assert_eq!(c[0].ebx >> 24, 2, "APIC ID");
        assert_eq!((c[0].ebx >> 16) & 0xff, 3, "logical CPUs");
        assert_eq!(c[0].ebx & 0xffff, 0x0800, "low bits kept");
        assert_ne!(c[0].ecx & (1 << 31), 0, "hypervisor bit");
        assert_eq!((c[1].eax, c[1].ebx, c[1].edx), (2, 3, 2));
    }
}
