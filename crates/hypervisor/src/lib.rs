//! The hypervisor layer: what a machine needs from whatever runs its guest CPUs.
//!
//! [`Hypervisor`] makes a [`Vm`], a [`Vm`] owns guest memory mappings, interrupt
//! lines and [`Vcpu`]s, and a [`Vcpu`] runs until it needs the VMM ([`VcpuExit`]).
//! The traits speak in plain x86 register types ([`x86`]) so that the KVM backend
//! (feature `kvm`) and a binary-translating vCPU can stand behind the same API;
//! devices never see which one drives the CPU.
#![warn(missing_docs)]

mod exit;
#[cfg(feature = "kvm")]
pub mod kvm;
pub mod x86;

pub use exit::{SystemEvent, VcpuExit};
pub use vm_memory;

use std::sync::Arc;
use vm_memory::GuestMemoryMmap;
use x86::{CpuidEntry, Fpu, Msr, Regs, Sregs};

/// Errors of the hypervisor layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The accelerator device could not be opened.
    #[error("cannot open {path}")]
    Open {
        /// The device path.
        path: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// An accelerator call failed.
    #[error("{op} failed")]
    Call {
        /// The failed operation.
        op: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The accelerator lacks something this VMM needs.
    #[error("the accelerator does not support {0}")]
    Unsupported(&'static str),
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// An accelerator: creates virtual machines.
pub trait Hypervisor: Send + Sync {
    /// Creates an empty virtual machine.
    fn create_vm(&self) -> Result<Box<dyn Vm>>;
    /// The CPUID leaves the accelerator can present to a guest.
    fn supported_cpuid(&self) -> Result<Vec<CpuidEntry>>;
    /// Highest number of vCPUs a VM may have.
    fn max_vcpus(&self) -> usize;
}

/// A virtual machine: memory, interrupt controllers and vCPUs.
pub trait Vm: Send + Sync {
    /// Makes every region of `mem` guest-physical memory. The VM keeps its own
    /// reference to the regions, so the host mappings live as long as it does.
    fn set_memory(&self, mem: Arc<GuestMemoryMmap>) -> Result<()>;
    /// Creates the platform interrupt controllers (PIC, IOAPIC, local APICs) and
    /// routes ISA IRQ 0 to IOAPIC pin 2, as PC firmware reports it.
    fn create_irqchip(&self) -> Result<()>;
    /// Creates the platform interval timer (i8254) wired to ISA IRQ 0.
    fn create_pit(&self) -> Result<()>;
    /// Drives interrupt line `gsi` to `level`.
    fn set_irq_line(&self, gsi: u32, level: bool) -> Result<()>;
    /// Creates vCPU number `id` (its APIC ID). Must come after [`Vm::create_irqchip`].
    fn create_vcpu(&self, id: u32) -> Result<Box<dyn Vcpu>>;
}

/// One virtual CPU. Runs on the thread that calls [`Vcpu::run`].
pub trait Vcpu: Send {
    /// Runs the guest until it needs the VMM.
    fn run(&mut self) -> Result<VcpuExit<'_>>;
    /// General-purpose registers, rip and rflags.
    fn regs(&self) -> Result<Regs>;
    /// Sets the general-purpose registers, rip and rflags.
    fn set_regs(&mut self, regs: &Regs) -> Result<()>;
    /// Segment, descriptor-table and control registers.
    fn sregs(&self) -> Result<Sregs>;
    /// Sets segment, descriptor-table and control registers.
    fn set_sregs(&mut self, sregs: &Sregs) -> Result<()>;
    /// Sets the x87/SSE control state.
    fn set_fpu(&mut self, fpu: &Fpu) -> Result<()>;
    /// Sets the CPUID leaves the guest sees.
    fn set_cpuid(&mut self, entries: &[CpuidEntry]) -> Result<()>;
    /// Writes model-specific registers.
    fn set_msrs(&mut self, msrs: &[Msr]) -> Result<()>;
    /// Wires the local APIC's LINT0 to ExtINT (the PIC) and LINT1 to NMI, the
    /// virtual-wire setup firmware leaves for the OS.
    fn set_lint_virtual_wire(&mut self) -> Result<()>;
    /// Translates a guest-virtual address with the vCPU's current page tables.
    fn translate(&self, gva: u64) -> Result<Option<u64>>;
    /// Detail of the last internal-error exit: (suberror, extra data words).
    fn internal_error(&mut self) -> (u32, Vec<u64>);
}
