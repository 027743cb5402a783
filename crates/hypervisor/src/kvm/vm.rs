//! A KVM virtual machine.

use super::call;
use super::vcpu::KvmVcpu;
use crate::{Result, Vcpu, Vm};
use kvm_bindings::{
    KVM_IRQ_ROUTING_IRQCHIP, KVM_PIT_SPEAKER_DUMMY, kvm_irq_routing_entry, kvm_pit_config,
    kvm_userspace_memory_region,
};
use kvm_ioctls::VmFd;
use std::sync::{Arc, Mutex};
use vm_memory::{GuestMemoryBackend, GuestMemoryMmap, GuestMemoryRegion};

/// Where KVM may put the TSS and identity map it needs on Intel (just below 4 GiB,
/// in the hole no machine maps).
const TSS_ADDRESS: usize = 0xfffb_d000;

/// A VM on /dev/kvm.
pub struct KvmVm {
    fd: VmFd,
    /// Keeps the mapped guest memory alive while KVM may touch it.
    memory: Mutex<Vec<Arc<GuestMemoryMmap>>>,
}

impl KvmVm {
    pub(super) fn new(fd: VmFd) -> Self {
        KvmVm {
            fd,
            memory: Mutex::new(Vec::new()),
        }
    }

    /// GSI routing of a PC: ISA IRQs to both PICs and the IOAPIC, IRQ 0 on IOAPIC
    /// pin 2 (the override every PC's tables report), GSIs 16-23 on the IOAPIC.
    fn set_pc_routing(&self) -> Result<()> {
        let mut entries = Vec::new();
        let route = |gsi: u32, chip: u32, pin: u32| {
            let mut e = kvm_irq_routing_entry {
                gsi,
                type_: KVM_IRQ_ROUTING_IRQCHIP,
                ..Default::default()
            };
            e.u.irqchip.irqchip = chip;
            e.u.irqchip.pin = pin;
            e
        };
        for gsi in 0..24u32 {
            if gsi < 16 && gsi != 2 {
                let (chip, pin) = if gsi < 8 { (0, gsi) } else { (1, gsi - 8) };
                entries.push(route(gsi, chip, pin));
            }
            match gsi {
                0 => entries.push(route(0, 2, 2)),
                2 => {}
                _ => entries.push(route(gsi, 2, gsi)),
            }
        }
        let routing = kvm_bindings::KvmIrqRouting::from_entries(&entries)
            .map_err(|_| crate::Error::Unsupported("this many IRQ routes"))?;
        self.fd
            .set_gsi_routing(&routing)
            .map_err(|e| call("KVM_SET_GSI_ROUTING", e))
    }
}

impl Vm for KvmVm {
    fn set_memory(&self, mem: Arc<GuestMemoryMmap>) -> Result<()> {
        let mut kept = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        let first_slot = kept.iter().map(|m| m.num_regions()).sum::<usize>();
        for (i, region) in mem.iter().enumerate() {
            let host = region
                .get_host_address(vm_memory::MemoryRegionAddress(0))
                .map_err(|_| crate::Error::Unsupported("guest memory without a host mapping"))?;
            let desc = kvm_userspace_memory_region {
                slot: (first_slot + i) as u32,
                flags: 0,
                guest_phys_addr: region.start_addr().0,
                memory_size: region.len(),
                userspace_addr: host as u64,
            };
            // SAFETY: the range is one mmap()ed region of `mem`; we keep `mem` (and
            // so the mapping) alive in `self.memory` for the life of the VM fd.
            unsafe { self.fd.set_user_memory_region(desc) }
                .map_err(|e| call("KVM_SET_USER_MEMORY_REGION", e))?;
        }
        kept.push(mem);
        Ok(())
    }

    fn create_irqchip(&self) -> Result<()> {
        self.fd
            .set_tss_address(TSS_ADDRESS)
            .map_err(|e| call("KVM_SET_TSS_ADDR", e))?;
        self.fd
            .create_irq_chip()
            .map_err(|e| call("KVM_CREATE_IRQCHIP", e))?;
        self.set_pc_routing()
    }

    fn create_pit(&self) -> Result<()> {
        let cfg = kvm_pit_config {
            flags: KVM_PIT_SPEAKER_DUMMY,
            ..Default::default()
        };
        self.fd
            .create_pit2(cfg)
            .map_err(|e| call("KVM_CREATE_PIT2", e))
    }

    fn set_irq_line(&self, gsi: u32, level: bool) -> Result<()> {
        self.fd
            .set_irq_line(gsi, level)
            .map_err(|e| call("KVM_IRQ_LINE", e))
    }

    fn create_vcpu(&self, id: u32) -> Result<Box<dyn Vcpu>> {
        let fd = self
            .fd
            .create_vcpu(u64::from(id))
            .map_err(|e| call("KVM_CREATE_VCPU", e))?;
        Ok(Box::new(KvmVcpu::new(fd)))
    }
}
