//! A KVM vCPU.

use super::{call, convert};
use crate::x86::{CpuidEntry, Fpu, Msr, Regs, Sregs};
use crate::{Result, SystemEvent, Vcpu, VcpuExit};
use kvm_bindings::{
    CpuId, KVM_EXIT_INTERNAL_ERROR, KVM_SYSTEM_EVENT_CRASH, KVM_SYSTEM_EVENT_RESET,
    KVM_SYSTEM_EVENT_SHUTDOWN, Msrs, kvm_fpu, kvm_msr_entry,
};
use kvm_ioctls::{VcpuExit as KvmExit, VcpuFd};

/// Local APIC register offsets and delivery modes for the LINT pins.
const APIC_LVT_LINT0: usize = 0x350;
const APIC_LVT_LINT1: usize = 0x360;
const APIC_MODE_NMI: u32 = 0x4;
const APIC_MODE_EXTINT: u32 = 0x7;

/// A vCPU on /dev/kvm.
pub struct KvmVcpu {
    fd: VcpuFd,
}

impl KvmVcpu {
    pub(super) fn new(fd: VcpuFd) -> Self {
        KvmVcpu { fd }
    }
}

fn lapic_reg(regs: &[std::os::raw::c_char; 1024], off: usize) -> u32 {
    let b: [u8; 4] = std::array::from_fn(|i| regs[off + i] as u8);
    u32::from_le_bytes(b)
}

fn set_lapic_reg(regs: &mut [std::os::raw::c_char; 1024], off: usize, v: u32) {
    for (i, b) in v.to_le_bytes().into_iter().enumerate() {
        regs[off + i] = b as std::os::raw::c_char;
    }
}

/// Sets the delivery-mode field (bits 8-10) of an LVT entry.
fn lvt_mode(v: u32, mode: u32) -> u32 {
    (v & !0x700) | (mode << 8)
}

impl Vcpu for KvmVcpu {
    fn run(&mut self) -> Result<VcpuExit<'_>> {
        let exit = match self.fd.run() {
            Ok(exit) => exit,
            Err(e) if e.errno() == libc::EINTR || e.errno() == libc::EAGAIN => {
                return Ok(VcpuExit::Interrupted);
            }
            Err(e) => return Err(call("KVM_RUN", e)),
        };
        Ok(match exit {
            KvmExit::IoIn(port, data) => VcpuExit::IoIn(port, data),
            KvmExit::IoOut(port, data) => VcpuExit::IoOut(port, data),
            KvmExit::MmioRead(addr, data) => VcpuExit::MmioRead(addr, data),
            KvmExit::MmioWrite(addr, data) => VcpuExit::MmioWrite(addr, data),
            KvmExit::Hlt => VcpuExit::Halt,
            KvmExit::Shutdown => VcpuExit::Shutdown,
            KvmExit::Intr => VcpuExit::Interrupted,
            KvmExit::FailEntry(reason, _) => VcpuExit::FailEntry(reason),
            KvmExit::InternalError => VcpuExit::InternalError,
            KvmExit::SystemEvent(kind, _) => VcpuExit::SystemEvent(match kind {
                KVM_SYSTEM_EVENT_SHUTDOWN => SystemEvent::Shutdown,
                KVM_SYSTEM_EVENT_RESET => SystemEvent::Reset,
                KVM_SYSTEM_EVENT_CRASH => SystemEvent::Crash,
                other => SystemEvent::Other(other),
            }),
            KvmExit::Unknown => VcpuExit::Other(kvm_bindings::KVM_EXIT_UNKNOWN),
            KvmExit::Exception => VcpuExit::Other(kvm_bindings::KVM_EXIT_EXCEPTION),
            KvmExit::Debug(_) => VcpuExit::Other(kvm_bindings::KVM_EXIT_DEBUG),
            KvmExit::IrqWindowOpen => VcpuExit::Other(kvm_bindings::KVM_EXIT_IRQ_WINDOW_OPEN),
            KvmExit::Nmi => VcpuExit::Other(kvm_bindings::KVM_EXIT_NMI),
            KvmExit::X86Rdmsr(_) => VcpuExit::Other(kvm_bindings::KVM_EXIT_X86_RDMSR),
            KvmExit::X86Wrmsr(_) => VcpuExit::Other(kvm_bindings::KVM_EXIT_X86_WRMSR),
            // The rest do not occur on x86 without capabilities we never enable.
            _ => VcpuExit::Other(u32::MAX),
        })
    }

    fn regs(&self) -> Result<Regs> {
        let r = self.fd.get_regs().map_err(|e| call("KVM_GET_REGS", e))?;
        Ok(convert::regs_from_kvm(&r))
    }

    fn set_regs(&mut self, regs: &Regs) -> Result<()> {
        self.fd
            .set_regs(&convert::regs_to_kvm(regs))
            .map_err(|e| call("KVM_SET_REGS", e))
    }

    fn sregs(&self) -> Result<Sregs> {
        let s = self.fd.get_sregs().map_err(|e| call("KVM_GET_SREGS", e))?;
        Ok(convert::sregs_from_kvm(&s))
    }

    fn set_sregs(&mut self, sregs: &Sregs) -> Result<()> {
        let mut s = self.fd.get_sregs().map_err(|e| call("KVM_GET_SREGS", e))?;
        convert::sregs_to_kvm(sregs, &mut s);
        self.fd.set_sregs(&s).map_err(|e| call("KVM_SET_SREGS", e))
    }

    fn set_fpu(&mut self, fpu: &Fpu) -> Result<()> {
        let f = kvm_fpu {
            fcw: fpu.fcw,
            mxcsr: fpu.mxcsr,
            ..Default::default()
        };
        self.fd.set_fpu(&f).map_err(|e| call("KVM_SET_FPU", e))
    }

    fn set_cpuid(&mut self, entries: &[CpuidEntry]) -> Result<()> {
        let kvm: Vec<_> = entries.iter().map(convert::cpuid_to_kvm).collect();
        let cpuid = CpuId::from_entries(&kvm)
            .map_err(|_| crate::Error::Unsupported("this many CPUID leaves"))?;
        self.fd
            .set_cpuid2(&cpuid)
            .map_err(|e| call("KVM_SET_CPUID2", e))
    }

    fn set_msrs(&mut self, msrs: &[Msr]) -> Result<()> {
        let kvm: Vec<_> = msrs
            .iter()
            .map(|m| kvm_msr_entry {
                index: m.index,
                data: m.data,
                ..Default::default()
            })
            .collect();
        let list =
            Msrs::from_entries(&kvm).map_err(|_| crate::Error::Unsupported("this many MSRs"))?;
        let set = self
            .fd
            .set_msrs(&list)
            .map_err(|e| call("KVM_SET_MSRS", e))?;
        if set != msrs.len() {
            return Err(crate::Error::Unsupported("one of the boot MSRs"));
        }
        Ok(())
    }

    fn set_lint_virtual_wire(&mut self) -> Result<()> {
        let mut lapic = self.fd.get_lapic().map_err(|e| call("KVM_GET_LAPIC", e))?;
        let lint0 = lapic_reg(&lapic.regs, APIC_LVT_LINT0);
        set_lapic_reg(
            &mut lapic.regs,
            APIC_LVT_LINT0,
            lvt_mode(lint0, APIC_MODE_EXTINT),
        );
        let lint1 = lapic_reg(&lapic.regs, APIC_LVT_LINT1);
        set_lapic_reg(
            &mut lapic.regs,
            APIC_LVT_LINT1,
            lvt_mode(lint1, APIC_MODE_NMI),
        );
        self.fd
            .set_lapic(&lapic)
            .map_err(|e| call("KVM_SET_LAPIC", e))
    }

    fn translate(&self, gva: u64) -> Result<Option<u64>> {
        let t = self
            .fd
            .translate_gva(gva)
            .map_err(|e| call("KVM_TRANSLATE", e))?;
        Ok((t.valid != 0).then_some(t.physical_address))
    }

    fn internal_error(&mut self) -> (u32, Vec<u64>) {
        let run = self.fd.get_kvm_run();
        if run.exit_reason != KVM_EXIT_INTERNAL_ERROR {
            return (0, Vec::new());
        }
        // SAFETY: exit_reason says the kernel filled the `internal` member of the
        // union; every bit pattern is a valid pair of u32s and array of u64s.
        let internal = unsafe { run.__bindgen_anon_1.internal };
        let n = (internal.ndata as usize).min(internal.data.len());
        (internal.suberror, internal.data[..n].to_vec())
    }
}
