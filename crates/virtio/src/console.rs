//! virtio-console (virtio 1.2 section 5.3), one port without multiport:
//! queue 0 receives (input from the host), queue 1 transmits to a writer.

use crate::{DeviceError, VIRTIO_F_VERSION_1, VirtioDevice, read_config_bytes};
use std::collections::VecDeque;
use std::io::Write;
use virtio_queue::{Queue, QueueT};
use vm_memory::{Address, Bytes, GuestMemoryMmap};

/// Bytes taken from one transmit descriptor at most per step.
const CHUNK: usize = 4096;

/// A console port: guest output goes to `out`, host input waits in `input`.
pub struct Console {
    out: Box<dyn Write + Send>,
    input: VecDeque<u8>,
    config: [u8; 8],
}

impl Console {
    /// A console writing what the guest sends to `out`; 80x25 in its config.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        let mut config = [0u8; 8];
        config[0..2].copy_from_slice(&80u16.to_le_bytes());
        config[2..4].copy_from_slice(&25u16.to_le_bytes());
        Console {
            out,
            input: VecDeque::new(),
            config,
        }
    }

    /// Queues bytes for the guest; they are delivered on the next receive kick.
    pub fn queue_input(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }
}

impl VirtioDevice for Console {
    fn device_type(&self) -> u32 {
        3
    }

    fn features(&self) -> u64 {
        VIRTIO_F_VERSION_1
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[64, 64]
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        read_config_bytes(&self.config, offset, data);
    }

    fn process_queue(
        &mut self,
        index: usize,
        queue: &mut Queue,
        mem: &GuestMemoryMmap,
    ) -> Result<bool, DeviceError> {
        let mut used = false;
        if index == 0 {
            while !self.input.is_empty() {
                let Some(chain) = queue.pop_descriptor_chain(mem) else {
                    break;
                };
                let head = chain.head_index();
                let mut written = 0u32;
                for d in chain.writable() {
                    let n = (d.len() as usize).min(self.input.len());
                    let bytes: Vec<u8> = self.input.drain(..n).collect();
                    if mem.write_slice(&bytes, d.addr()).is_err() {
                        return Err(DeviceError::Malformed(
                            "receive buffer outside guest memory",
                        ));
                    }
                    written += n as u32;
                }
                queue
                    .add_used(mem, head, written)
                    .map_err(|e| DeviceError::Queue(e.to_string()))?;
                used = true;
            }
        } else if index == 1 {
            while let Some(chain) = queue.pop_descriptor_chain(mem) {
                let head = chain.head_index();
                let mut buf = vec![0u8; CHUNK];
                for d in chain.readable() {
                    let mut done = 0usize;
                    while done < d.len() as usize {
                        let n = (d.len() as usize - done).min(CHUNK);
                        let at = d.addr().checked_add(done as u64);
                        let ok = at.is_some_and(|a| mem.read_slice(&mut buf[..n], a).is_ok());
                        if !ok {
                            return Err(DeviceError::Malformed(
                                "transmit buffer outside guest memory",
                            ));
                        }
                        // Host output errors cannot be reported to the guest.
                        let _ = self.out.write_all(&buf[..n]);
                        done += n;
                    }
                }
                let _ = self.out.flush();
                queue
                    .add_used(mem, head, 0)
                    .map_err(|e| DeviceError::Queue(e.to_string()))?;
                used = true;
            }
        }
        Ok(used)
    }
}
