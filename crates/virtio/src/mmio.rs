//! The virtio-mmio register window (virtio 1.2 section 4.2.2, version 2).

use crate::{DeviceError, VIRTIO_F_VERSION_1, VirtioDevice};
use oxemu_devices::{BusDevice, Interrupt};
use std::sync::Arc;
use virtio_queue::{Queue, QueueT};
use vm_memory::GuestMemoryMmap;

const MAGIC: u32 = 0x7472_6976; // "virt"
const VENDOR: u32 = 0x554d_4551; // "QEMU", what guests already know

const STATUS_DRIVER_OK: u32 = 4;
const STATUS_FEATURES_OK: u32 = 8;
const STATUS_NEEDS_RESET: u32 = 0x40;

const INT_USED_RING: u32 = 1;
const INT_CONFIG: u32 = 2;

/// A virtio device in a virtio-mmio window.
pub struct MmioTransport {
    device: Box<dyn VirtioDevice>,
    mem: Arc<GuestMemoryMmap>,
    irq: Arc<dyn Interrupt>,
    queues: Vec<Queue>,
    queue_sel: u32,
    device_features_sel: u32,
    driver_features_sel: u32,
    driver_features: u64,
    status: u32,
    interrupt_status: u32,
    config_generation: u32,
}

impl MmioTransport {
    /// Wraps `device`; it reaches guest memory through `mem` and interrupts through `irq`.
    pub fn new(
        device: Box<dyn VirtioDevice>,
        mem: Arc<GuestMemoryMmap>,
        irq: Arc<dyn Interrupt>,
    ) -> Self {
        let queues = device
            .queue_max_sizes()
            .iter()
            .map(|&max| Queue::new(max).unwrap_or_else(|_| Queue::new(256).expect("valid size")))
            .collect();
        MmioTransport {
            device,
            mem,
            irq,
            queues,
            queue_sel: 0,
            device_features_sel: 0,
            driver_features_sel: 0,
            driver_features: 0,
            status: 0,
            interrupt_status: 0,
            config_generation: 0,
        }
    }

    fn queue(&mut self) -> Option<&mut Queue> {
        self.queues.get_mut(self.queue_sel as usize)
    }

    fn reset(&mut self) {
        for q in &mut self.queues {
            q.reset();
        }
        self.device.reset();
        self.status = 0;
        self.interrupt_status = 0;
        self.driver_features = 0;
        self.queue_sel = 0;
    }

    /// Sets interrupt causes and signals an edge: the line is an edge-triggered
    /// ISA interrupt, so each new cause must be a new edge.
    fn raise(&mut self, bits: u32) {
        self.interrupt_status |= bits;
        self.irq.pulse();
    }

    /// Processes queue `index` as if the driver had kicked it (for devices fed
    /// from outside the guest, such as network receive).
    pub fn kick(&mut self, index: u32) {
        self.notify(index);
    }

    fn notify(&mut self, index: u32) {
        if self.status & STATUS_DRIVER_OK == 0 || self.status & STATUS_NEEDS_RESET != 0 {
            return;
        }
        let Some(q) = self.queues.get_mut(index as usize) else {
            return;
        };
        if !q.ready() || !q.is_valid(&*self.mem) {
            return;
        }
        match self.device.process_queue(index as usize, q, &self.mem) {
            Ok(true) => {
                if q.needs_notification(&*self.mem).unwrap_or(true) {
                    self.raise(INT_USED_RING);
                }
            }
            Ok(false) => {}
            Err(DeviceError::Malformed(_) | DeviceError::Queue(_)) => {
                // virtio 1.2 2.1.2: tell the driver, which must reset the device.
                self.status |= STATUS_NEEDS_RESET;
                self.config_generation = self.config_generation.wrapping_add(1);
                self.raise(INT_CONFIG | INT_USED_RING);
            }
        }
    }

    fn write_status(&mut self, v: u32) {
        if v == 0 {
            self.reset();
            return;
        }
        let mut v = v;
        if v & STATUS_FEATURES_OK != 0 && self.status & STATUS_FEATURES_OK == 0 {
            // Only the modern interface is offered: a driver that did not accept
            // VERSION_1, or asked for bits we do not have, cannot proceed.
            let ok = self.driver_features & VIRTIO_F_VERSION_1 != 0
                && self.driver_features & !self.device.features() == 0;
            if !ok {
                v &= !STATUS_FEATURES_OK;
            }
        }
        self.status = v | (self.status & STATUS_NEEDS_RESET);
    }

    fn read_reg(&self, off: u64) -> u32 {
        let q = self.queues.get(self.queue_sel as usize);
        match off {
            0x000 => MAGIC,
            0x004 => 2,
            0x008 => self.device.device_type(),
            0x00c => VENDOR,
            0x010 => match self.device_features_sel {
                0 => self.device.features() as u32,
                1 => (self.device.features() >> 32) as u32,
                _ => 0,
            },
            0x034 => q.map_or(0, |q| u32::from(q.max_size())),
            0x044 => q.map_or(0, |q| u32::from(q.ready())),
            0x060 => self.interrupt_status,
            0x070 => self.status,
            0x0fc => self.config_generation,
            _ => 0,
        }
    }

    fn write_reg(&mut self, off: u64, v: u32) {
        // Queue layout may change only while the queue is not live.
        let can_configure = self.status & STATUS_DRIVER_OK == 0;
        match off {
            0x014 => self.device_features_sel = v,
            0x020 => {
                let shift = match self.driver_features_sel {
                    0 => 0,
                    1 => 32,
                    _ => return,
                };
                let keep = !(0xffff_ffffu64 << shift);
                self.driver_features = (self.driver_features & keep) | (u64::from(v) << shift);
            }
            0x024 => self.driver_features_sel = v,
            0x030 => self.queue_sel = v,
            0x038 if can_configure => {
                if let Some(q) = self.queue() {
                    q.set_size(v as u16);
                }
            }
            0x044 => {
                if let Some(q) = self.queue() {
                    q.set_ready(v == 1);
                }
            }
            0x050 => self.notify(v),
            0x064 => self.interrupt_status &= !v,
            0x070 => self.write_status(v),
            0x080..=0x0a4 if can_configure => {
                let Some(q) = self.queue() else { return };
                match off {
                    0x080 => q.set_desc_table_address(Some(v), None),
                    0x084 => q.set_desc_table_address(None, Some(v)),
                    0x090 => q.set_avail_ring_address(Some(v), None),
                    0x094 => q.set_avail_ring_address(None, Some(v)),
                    0x0a0 => q.set_used_ring_address(Some(v), None),
                    0x0a4 => q.set_used_ring_address(None, Some(v)),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

impl BusDevice for MmioTransport {
    fn read(&mut self, offset: u64, data: &mut [u8]) {
        if offset >= 0x100 {
            self.device.read_config(offset - 0x100, data);
            return;
        }
        let v = if data.len() == 4 && offset.is_multiple_of(4) {
            self.read_reg(offset)
        } else {
            0
        };
        for (i, b) in data.iter_mut().enumerate() {
            *b = v.to_le_bytes().get(i).copied().unwrap_or(0);
        }
    }

    fn write(&mut self, offset: u64, data: &[u8]) {
        if offset >= 0x100 {
            self.device.write_config(offset - 0x100, data);
            return;
        }
        // Registers are 32-bit; other widths are a driver bug and ignored.
        if let (Ok(bytes), true) = (<[u8; 4]>::try_from(data), offset.is_multiple_of(4)) {
            self.write_reg(offset, u32::from_le_bytes(bytes));
        }
    }
}

#[cfg(test)]
#[path = "mmio_tests.rs"]
mod tests;
