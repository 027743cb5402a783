//! virtio-blk (virtio 1.2 section 5.2) on a [`BlockBackend`].

use crate::{DeviceError, VIRTIO_F_VERSION_1, VirtioDevice, read_config_bytes};
use oxemu_block::BlockBackend;
use virtio_queue::desc::split::Descriptor;
use virtio_queue::{Queue, QueueT};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

const F_SEG_MAX: u64 = 1 << 2;
const F_RO: u64 = 1 << 5;
const F_BLK_SIZE: u64 = 1 << 6;
const F_FLUSH: u64 = 1 << 9;

const T_IN: u32 = 0;
const T_OUT: u32 = 1;
const T_FLUSH: u32 = 4;
const T_GET_ID: u32 = 8;

const S_OK: u8 = 0;
const S_IOERR: u8 = 1;
const S_UNSUPP: u8 = 2;

const SECTOR: u64 = 512;
const QUEUE_SIZE: u16 = 256;
/// Data descriptors per request we accept (advertised as seg_max).
const SEG_MAX: u32 = 126;
/// Bytes copied per step, so a huge descriptor never means a huge host buffer.
const CHUNK: usize = 64 * 1024;

/// A virtio block device.
pub struct Block {
    disk: Box<dyn BlockBackend>,
    read_only: bool,
    id: [u8; 20],
    config: [u8; 24],
}

impl Block {
    /// A device serving `disk`; `id` is what GET_ID returns (the -drive id).
    pub fn new(disk: Box<dyn BlockBackend>, read_only: bool, id: &str) -> Self {
        let mut config = [0u8; 24];
        config[0..8].copy_from_slice(&(disk.size() / SECTOR).to_le_bytes());
        config[12..16].copy_from_slice(&SEG_MAX.to_le_bytes());
        config[20..24].copy_from_slice(&(SECTOR as u32).to_le_bytes());
        let mut idb = [0u8; 20];
        for (d, s) in idb.iter_mut().zip(id.bytes()) {
            *d = s;
        }
        Block {
            disk,
            read_only,
            id: idb,
            config,
        }
    }

    /// Serves one request: data descriptors between a header and a status byte.
    /// Returns the status and the bytes written into the guest's buffers.
    fn request(
        &mut self,
        mem: &GuestMemoryMmap,
        hdr: &Descriptor,
        data: &[Descriptor],
    ) -> (u8, u32) {
        let mut h = [0u8; 16];
        if hdr.is_write_only() || hdr.len() < 16 || mem.read_slice(&mut h, hdr.addr()).is_err() {
            return (S_IOERR, 0);
        }
        let kind = u32::from_le_bytes(h[0..4].try_into().unwrap());
        let sector = u64::from_le_bytes(h[8..16].try_into().unwrap());
        let total: u64 = data.iter().map(|d| u64::from(d.len())).sum();
        let in_disk = |len: u64| {
            sector
                .checked_mul(SECTOR)
                .and_then(|o| o.checked_add(len))
                .is_some_and(|end| end <= self.disk.size())
        };
        match kind {
            T_IN | T_OUT => {
                let write = kind == T_OUT;
                if !in_disk(total) || (write && self.read_only) {
                    return (S_IOERR, 0);
                }
                if data.iter().any(|d| d.is_write_only() == write) {
                    return (S_IOERR, 0);
                }
                let mut off = sector * SECTOR;
                let mut buf = vec![0u8; CHUNK];
                for d in data {
                    let mut done = 0u64;
                    while done < u64::from(d.len()) {
                        let n = (u64::from(d.len()) - done).min(CHUNK as u64) as usize;
                        let Some(at) = d.addr().0.checked_add(done) else {
                            return (S_IOERR, 0);
                        };
                        let ok = if write {
                            mem.read_slice(&mut buf[..n], GuestAddress(at)).is_ok()
                                && self.disk.write_at(&buf[..n], off).is_ok()
                        } else {
                            self.disk.read_at(&mut buf[..n], off).is_ok()
                                && mem.write_slice(&buf[..n], GuestAddress(at)).is_ok()
                        };
                        if !ok {
                            return (S_IOERR, 0);
                        }
                        done += n as u64;
                        off += n as u64;
                    }
                }
                (S_OK, if write { 0 } else { total as u32 })
            }
            T_FLUSH => match self.disk.flush() {
                Ok(()) => (S_OK, 0),
                Err(_) => (S_IOERR, 0),
            },
            T_GET_ID => match data.first() {
                Some(d) if d.is_write_only() => {
                    let n = (d.len() as usize).min(self.id.len());
                    match mem.write_slice(&self.id[..n], d.addr()) {
                        Ok(()) => (S_OK, n as u32),
                        Err(_) => (S_IOERR, 0),
                    }
                }
                _ => (S_IOERR, 0),
            },
            _ => (S_UNSUPP, 0),
        }
    }
}

impl VirtioDevice for Block {
    fn device_type(&self) -> u32 {
        2
    }

    fn features(&self) -> u64 {
        let ro = if self.read_only { F_RO } else { 0 };
        VIRTIO_F_VERSION_1 | F_SEG_MAX | F_BLK_SIZE | F_FLUSH | ro
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[QUEUE_SIZE]
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        read_config_bytes(&self.config, offset, data);
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
            let descs: Vec<Descriptor> = chain.collect();
            // The iterator stops early on loops, bad indices or unreadable tables:
            // then the last descriptor it gave still says "next".
            let truncated = descs.last().is_none_or(|d| d.has_next());
            let well_formed = !truncated && descs.len() >= 2 && descs.len() <= SEG_MAX as usize + 2;
            let status = descs.last().filter(|d| d.is_write_only() && d.len() >= 1);
            let (Some(status), true) = (status, well_formed) else {
                queue
                    .add_used(mem, head, 0)
                    .map_err(|e| DeviceError::Queue(e.to_string()))?;
                return Err(DeviceError::Malformed("no header, status or end"));
            };
            let (st, written) = self.request(mem, &descs[0], &descs[1..descs.len() - 1]);
            // An unwritable status byte leaves the driver nothing to read: the
            // request is still completed so the ring does not stall.
            let ok = mem.write_obj(st, status.addr()).is_ok();
            queue
                .add_used(mem, head, written + u32::from(ok))
                .map_err(|e| DeviceError::Queue(e.to_string()))?;
            used = true;
        }
        Ok(used)
    }
}
