//! virtio devices (block, console, net, entropy) and the virtio-mmio transport (virtio 1.2, modern interface).
//!
//! A device implements [`VirtioDevice`]: its type, features, configuration space
//! and what to do when the driver kicks a queue. [`MmioTransport`] turns it into
//! an [`oxemu_devices::BusDevice`] register window. Everything in a ring comes from
//! the guest and is treated as hostile: a malformed chain fails the request or
//! puts the device in DEVICE_NEEDS_RESET, never panics or touches host memory
//! outside the guest's RAM.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod blk;
pub mod console;
mod mmio;
pub mod net;
pub mod rng;

pub use mmio::MmioTransport;

#[cfg(test)]
mod device_tests;

use virtio_queue::Queue;
use vm_memory::GuestMemoryMmap;

/// Feature bit: the modern (virtio 1.x) interface.
pub const VIRTIO_F_VERSION_1: u64 = 1 << 32;

/// Why a device gave up on a queue.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The driver built a descriptor chain the device cannot use.
    #[error("malformed descriptor chain: {0}")]
    Malformed(&'static str),
    /// The rings themselves could not be accessed.
    #[error("queue access failed: {0}")]
    Queue(String),
}

/// A virtio device behind a transport.
pub trait VirtioDevice: Send {
    /// virtio device ID (2 = block, 4 = entropy, ...).
    fn device_type(&self) -> u32;
    /// Feature bits offered to the driver.
    fn features(&self) -> u64;
    /// Maximum size of each queue; the length is the number of queues.
    fn queue_max_sizes(&self) -> &[u16];
    /// Reads device-specific configuration at `offset`.
    fn read_config(&self, offset: u64, data: &mut [u8]);
    /// Writes device-specific configuration (ignored by default).
    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}
    /// Handles a kick of queue `index`; returns whether any buffer was used.
    fn process_queue(
        &mut self,
        index: usize,
        queue: &mut Queue,
        mem: &GuestMemoryMmap,
    ) -> Result<bool, DeviceError>;
    /// The driver reset the device.
    fn reset(&mut self) {}
}

/// Reads `data.len()` bytes of a little-endian configuration structure at `offset`;
/// bytes past its end read as zero.
pub fn read_config_bytes(config: &[u8], offset: u64, data: &mut [u8]) {
    for (i, b) in data.iter_mut().enumerate() {
        *b = usize::try_from(offset)
            .ok()
            .and_then(|o| o.checked_add(i))
            .and_then(|o| config.get(o))
            .copied()
            .unwrap_or(0);
    }
}
