//! virtio-rng (virtio 1.2 section 5.4): fills the driver's buffers from the
//! host's /dev/urandom.

use crate::{DeviceError, VIRTIO_F_VERSION_1, VirtioDevice};
use std::fs::File;
use std::io::Read;
use virtio_queue::{Queue, QueueT};
use vm_memory::{Bytes, GuestMemoryMmap};

/// Bytes served per buffer at most, so one request cannot make a huge host buffer.
const MAX_PER_BUFFER: usize = 64 * 1024;

/// An entropy device.
pub struct Rng {
    source: File,
}

impl Rng {
    /// Opens the host's entropy source.
    pub fn new() -> std::io::Result<Self> {
        Ok(Rng {
            source: File::open("/dev/urandom")?,
        })
    }
}

impl VirtioDevice for Rng {
    fn device_type(&self) -> u32 {
        4
    }

    fn features(&self) -> u64 {
        VIRTIO_F_VERSION_1
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[256]
    }

    fn read_config(&self, _offset: u64, data: &mut [u8]) {
        data.fill(0);
    }

    fn process_queue(
        &mut self,
        _index: usize,
        queue: &mut Queue,
        mem: &GuestMemoryMmap,
    ) -> Result<bool, DeviceError> {
        let mut used = false;
        while let Some(chain) = queue.pop_descriptor_chain(mem) {
            let head = chain.head_index();
            let mut written = 0u32;
            for d in chain.writable() {
                let n = (d.len() as usize).min(MAX_PER_BUFFER);
                let mut buf = vec![0u8; n];
                if self.source.read_exact(&mut buf).is_err()
                    || mem.write_slice(&buf, d.addr()).is_err()
                {
                    break;
                }
                written = written.saturating_add(n as u32);
            }
            queue
                .add_used(mem, head, written)
                .map_err(|e| DeviceError::Queue(e.to_string()))?;
            used = true;
        }
        Ok(used)
    }
}
