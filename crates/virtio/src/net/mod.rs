//! virtio-net (virtio 1.2 section 5.1) on a frame backend such as a TAP device.
//!
//! Queue 0 receives, queue 1 transmits. Frames from the backend wait in a
//! bounded queue until the driver posts receive buffers; the machine's receive
//! thread pushes them and kicks queue 0 through the transport.

mod tap;

pub use tap::Tap;

use crate::{DeviceError, VIRTIO_F_VERSION_1, VirtioDevice, read_config_bytes};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use virtio_queue::{Queue, QueueT};
use vm_memory::{Bytes, GuestMemoryMmap};

const F_MAC: u64 = 1 << 5;
/// virtio_net_hdr of the modern interface (with num_buffers).
const HDR_LEN: usize = 12;
/// Largest frame we move: a 64 KiB packet and its Ethernet header.
pub const MAX_FRAME: usize = 65536 + 14;
/// Frames kept while the guest has no receive buffers; older ones are dropped.
const RX_BACKLOG: usize = 256;

/// Where transmitted frames go and received ones come from.
pub trait NetBackend: Send + Sync {
    /// Sends one Ethernet frame.
    fn send(&self, frame: &[u8]) -> std::io::Result<()>;
    /// Blocks until a frame arrives; returns its length.
    fn recv(&self, buf: &mut [u8]) -> std::io::Result<usize>;
}

/// Frames received from the backend, not yet given to the guest.
#[derive(Clone, Default)]
pub struct RxBacklog(Arc<Mutex<VecDeque<Vec<u8>>>>);

impl RxBacklog {
    /// Queues a frame, dropping the oldest when the backlog is full.
    pub fn push(&self, frame: Vec<u8>) {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() >= RX_BACKLOG {
            q.pop_front();
        }
        q.push_back(frame);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Vec<u8>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A virtio network device.
pub struct Net {
    backend: Arc<dyn NetBackend>,
    rx: RxBacklog,
    config: [u8; 6],
}

impl Net {
    /// A device with MAC address `mac` on `backend`; `rx` is filled by the receive thread.
    pub fn new(backend: Arc<dyn NetBackend>, mac: [u8; 6], rx: RxBacklog) -> Self {
        Net {
            backend,
            rx,
            config: mac,
        }
    }

    fn receive(&mut self, queue: &mut Queue, mem: &GuestMemoryMmap) -> Result<bool, DeviceError> {
        let mut used = false;
        loop {
            let Some(frame) = self.rx.lock().pop_front() else {
                break;
            };
            let Some(chain) = queue.pop_descriptor_chain(mem) else {
                self.rx.lock().push_front(frame);
                break;
            };
            let head = chain.head_index();
            let mut hdr = [0u8; HDR_LEN];
            hdr[10] = 1; // num_buffers
            let mut data = hdr.iter().chain(frame.iter()).copied();
            let mut written = 0u32;
            for d in chain.writable() {
                let chunk: Vec<u8> = data.by_ref().take(d.len() as usize).collect();
                if chunk.is_empty() {
                    break;
                }
                if mem.write_slice(&chunk, d.addr()).is_err() {
                    return Err(DeviceError::Malformed(
                        "receive buffer outside guest memory",
                    ));
                }
                written += chunk.len() as u32;
            }
            // A frame that does not fit is cut short, as the header cannot say otherwise.
            queue
                .add_used(mem, head, written)
                .map_err(|e| DeviceError::Queue(e.to_string()))?;
            used = true;
        }
        Ok(used)
    }

    fn transmit(&mut self, queue: &mut Queue, mem: &GuestMemoryMmap) -> Result<bool, DeviceError> {
        let mut used = false;
        while let Some(chain) = queue.pop_descriptor_chain(mem) {
            let head = chain.head_index();
            let mut frame = Vec::new();
            for d in chain.readable() {
                let room = (HDR_LEN + MAX_FRAME).saturating_sub(frame.len());
                let n = (d.len() as usize).min(room);
                let at = frame.len();
                frame.resize(at + n, 0);
                if mem.read_slice(&mut frame[at..], d.addr()).is_err() {
                    return Err(DeviceError::Malformed(
                        "transmit buffer outside guest memory",
                    ));
                }
            }
            if frame.len() > HDR_LEN {
                // The host side decides; a failed send is a dropped frame, as on a wire.
                let _ = self.backend.send(&frame[HDR_LEN..]);
            }
            queue
                .add_used(mem, head, 0)
                .map_err(|e| DeviceError::Queue(e.to_string()))?;
            used = true;
        }
        Ok(used)
    }
}

impl VirtioDevice for Net {
    fn device_type(&self) -> u32 {
        1
    }

    fn features(&self) -> u64 {
        VIRTIO_F_VERSION_1 | F_MAC
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[256, 256]
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
        match index {
            0 => self.receive(queue, mem),
            1 => self.transmit(queue, mem),
            _ => Ok(false),
        }
    }
}

/// Moves frames from `backend` to `rx` and calls `kick` after each, until the
/// backend fails.
pub fn spawn_receiver(
    backend: Arc<dyn NetBackend>,
    rx: RxBacklog,
    kick: impl Fn() + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("net-rx".into())
        .spawn(move || {
            let mut buf = vec![0u8; MAX_FRAME];
            while let Ok(n) = backend.recv(&mut buf) {
                rx.push(buf[..n].to_vec());
                kick();
            }
        })
}

#[cfg(test)]
mod tests;
