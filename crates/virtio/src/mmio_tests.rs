//! The transport and virtio-blk driven the way a guest driver does, through the
//! register window and rings in guest memory.

use super::*;
use crate::blk::Block;
use oxemu_block::{BlockBackend, BlockError};
use std::sync::atomic::{AtomicUsize, Ordering};
use vm_memory::{Bytes, GuestAddress};

struct MemDisk(Vec<u8>);

impl BlockBackend for MemDisk {
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> oxemu_block::Result<()> {
        let o = offset as usize;
        buf.copy_from_slice(self.0.get(o..o + buf.len()).ok_or(BlockError::OutOfRange {
            offset,
            len: buf.len() as u64,
            size: self.0.len() as u64,
        })?);
        Ok(())
    }
    fn write_at(&mut self, buf: &[u8], offset: u64) -> oxemu_block::Result<()> {
        let o = offset as usize;
        self.0[o..o + buf.len()].copy_from_slice(buf);
        Ok(())
    }
    fn flush(&mut self) -> oxemu_block::Result<()> {
        Ok(())
    }
    fn discard(&mut self, _: u64, _: u64) -> oxemu_block::Result<()> {
        Ok(())
    }
    fn write_zeroes(&mut self, _: u64, _: u64) -> oxemu_block::Result<()> {
        Ok(())
    }
    fn size(&self) -> u64 {
        self.0.len() as u64
    }
    fn resize(&mut self, _: u64) -> oxemu_block::Result<()> {
        Err(BlockError::Unsupported("resize"))
    }
    fn format_name(&self) -> &'static str {
        "memory"
    }
}

#[derive(Default)]
struct Edges(AtomicUsize);
impl Interrupt for Edges {
    fn set_level(&self, level: bool) {
        if level {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

const DESC: u64 = 0x1000;
const AVAIL: u64 = 0x2000;
const USED: u64 = 0x3000;
const HDR: u64 = 0x4000;
const DATA: u64 = 0x5000;
const STATUS: u64 = 0x6000;

struct Driver {
    t: MmioTransport,
    mem: Arc<GuestMemoryMmap>,
    irq: Arc<Edges>,
    avail_idx: u16,
}

impl Driver {
    fn new(disk: Vec<u8>, read_only: bool) -> Driver {
        let mem = Arc::new(GuestMemoryMmap::from_ranges(&[(GuestAddress(0), 0x10_0000)]).unwrap());
        let irq = Arc::new(Edges::default());
        let blk = Block::new(Box::new(MemDisk(disk)), read_only, "d0");
        let t = MmioTransport::new(Box::new(blk), mem.clone(), irq.clone());
        let mut d = Driver {
            t,
            mem,
            irq,
            avail_idx: 0,
        };
        d.init();
        d
    }

    fn rd(&mut self, off: u64) -> u32 {
        let mut b = [0u8; 4];
        self.t.read(off, &mut b);
        u32::from_le_bytes(b)
    }

    fn wr(&mut self, off: u64, v: u32) {
        self.t.write(off, &v.to_le_bytes());
    }

    fn init(&mut self) {
        self.avail_idx = 0;
        self.mem
            .write_slice(&[0u8; 0x3000], GuestAddress(DESC))
            .unwrap();
        self.wr(0x70, 0);
        self.wr(0x70, 3);
        self.wr(0x24, 1);
        self.wr(0x20, 1); // VERSION_1
        self.wr(0x70, 3 | 8);
        assert_ne!(self.rd(0x70) & 8, 0, "FEATURES_OK kept");
        self.wr(0x30, 0);
        assert_eq!(self.rd(0x34), 256);
        self.wr(0x38, 8);
        for (reg, addr) in [(0x80, DESC), (0x90, AVAIL), (0xa0, USED)] {
            self.wr(reg, addr as u32);
            self.wr(reg + 4, 0);
        }
        self.wr(0x44, 1);
        self.wr(0x70, 3 | 8 | 4);
    }

    fn desc(&self, i: u64, addr: u64, len: u32, flags: u16, next: u16) {
        let mut b = [0u8; 16];
        b[0..8].copy_from_slice(&addr.to_le_bytes());
        b[8..12].copy_from_slice(&len.to_le_bytes());
        b[12..14].copy_from_slice(&flags.to_le_bytes());
        b[14..16].copy_from_slice(&next.to_le_bytes());
        self.mem
            .write_slice(&b, GuestAddress(DESC + i * 16))
            .unwrap();
    }

    /// Publishes chain head 0, kicks, and returns the used length if it was used.
    fn kick(&mut self) -> Option<u32> {
        let slot = u64::from(self.avail_idx % 8);
        self.mem
            .write_obj(0u16, GuestAddress(AVAIL + 4 + slot * 2))
            .unwrap();
        self.avail_idx = self.avail_idx.wrapping_add(1);
        self.mem
            .write_obj(self.avail_idx, GuestAddress(AVAIL + 2))
            .unwrap();
        let before: u16 = self.mem.read_obj(GuestAddress(USED + 2)).unwrap();
        self.wr(0x50, 0);
        let after: u16 = self.mem.read_obj(GuestAddress(USED + 2)).unwrap();
        (after != before).then(|| {
            let e = USED + 4 + u64::from(before % 8) * 8;
            self.mem.read_obj::<u32>(GuestAddress(e + 4)).unwrap()
        })
    }

    fn request(&mut self, kind: u32, sector: u64, len: u32) -> (Option<u32>, u8) {
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&kind.to_le_bytes());
        h[8..16].copy_from_slice(&sector.to_le_bytes());
        self.mem.write_slice(&h, GuestAddress(HDR)).unwrap();
        self.mem.write_obj(0xffu8, GuestAddress(STATUS)).unwrap();
        self.desc(0, HDR, 16, 1, 1);
        self.desc(1, DATA, len, if kind == 0 { 1 | 2 } else { 1 }, 2);
        self.desc(2, STATUS, 1, 2, 0);
        let used = self.kick();
        (used, self.mem.read_obj(GuestAddress(STATUS)).unwrap())
    }
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 512) as u8).collect()
}

#[test]
fn identifies_as_virtio_mmio_v2_block() {
    let mut d = Driver::new(pattern(4096), false);
    assert_eq!(d.rd(0), 0x7472_6976);
    assert_eq!(d.rd(4), 2);
    assert_eq!(d.rd(8), 2);
    let mut cap = [0u8; 8];
    d.t.read(0x100, &mut cap);
    assert_eq!(u64::from_le_bytes(cap), 8);
}

#[test]
fn refuses_drivers_without_version_1() {
    let mut d = Driver::new(pattern(4096), false);
    d.wr(0x70, 0);
    d.wr(0x70, 3);
    d.wr(0x24, 1);
    d.wr(0x20, 0);
    d.wr(0x70, 3 | 8);
    assert_eq!(d.rd(0x70) & 8, 0);
}

#[test]
fn reads_and_writes_sectors() {
    let disk = pattern(8 * 512);
    let mut d = Driver::new(disk.clone(), false);
    let (used, st) = d.request(0, 2, 1024);
    assert_eq!((used, st), (Some(1025), 0));
    let mut got = vec![0u8; 1024];
    d.mem.read_slice(&mut got, GuestAddress(DATA)).unwrap();
    assert_eq!(got, &disk[1024..2048]);
    assert!(d.irq.0.load(Ordering::SeqCst) >= 1);
    assert_eq!(d.rd(0x60) & 1, 1);
    d.wr(0x64, 1);
    assert_eq!(d.rd(0x60), 0);

    d.mem.write_slice(&[0xab; 512], GuestAddress(DATA)).unwrap();
    assert_eq!(d.request(1, 7, 512), (Some(1), 0));
    assert_eq!(d.request(0, 7, 512), (Some(513), 0));
    let mut got = [0u8; 512];
    d.mem.read_slice(&mut got, GuestAddress(DATA)).unwrap();
    assert_eq!(got, [0xab; 512]);
}

#[test]
fn bad_requests_get_an_error_status() {
    let mut d = Driver::new(pattern(8 * 512), true);
    // Past the end, a huge sector, a write to a read-only disk, an unknown type.
    assert_eq!(d.request(0, 8, 512).1, 1);
    assert_eq!(d.request(0, u64::MAX / 256, 512).1, 1);
    assert_eq!(d.request(1, 0, 512).1, 1);
    assert_eq!(d.request(99, 0, 512).1, 2);
    // A data buffer outside guest memory.
    d.desc(1, 0x7fff_ffff_0000, 512, 1 | 2, 2);
    d.mem.write_obj(0u32, GuestAddress(HDR)).unwrap();
    assert_eq!(d.kick(), Some(1));
    assert_eq!(d.mem.read_obj::<u8>(GuestAddress(STATUS)).unwrap(), 1);
    assert_eq!(d.rd(0x70) & 0x40, 0, "still usable");
    assert_eq!(d.request(0, 0, 512), (Some(513), 0));
}

#[test]
fn malformed_chains_need_a_reset() {
    for case in 0..4 {
        let mut d = Driver::new(pattern(8 * 512), false);
        match case {
            0 => {
                // A loop.
                d.desc(0, HDR, 16, 1, 1);
                d.desc(1, DATA, 512, 1 | 2, 0);
            }
            1 => d.desc(0, HDR, 16, 1, 200), // next past the queue
            2 => d.desc(0, HDR, 16, 0, 0),   // no status descriptor
            _ => {
                // A huge header length and a status that is not writable.
                d.desc(0, HDR, u32::MAX, 1, 1);
                d.desc(1, STATUS, 1, 0, 0);
            }
        }
        assert_eq!(d.kick(), Some(0), "case {case}: returned unused");
        assert_ne!(d.rd(0x70) & 0x40, 0, "case {case}: DEVICE_NEEDS_RESET");
        assert_ne!(d.rd(0x60) & 2, 0, "case {case}: config interrupt");
        // Ignored until reset, then fine.
        assert_eq!(d.request(0, 0, 512).0, None);
        d.init();
        assert_eq!(d.rd(0x70) & 0x40, 0);
        assert_eq!(d.request(0, 0, 512), (Some(513), 0), "case {case}");
    }
}

#[test]
fn a_wild_avail_index_does_not_panic() {
    let mut d = Driver::new(pattern(8 * 512), false);
    d.mem.write_obj(0x7777u16, GuestAddress(AVAIL + 2)).unwrap();
    d.wr(0x50, 0);
    d.wr(0x50, 12345); // a queue that does not exist
    // Odd-sized and unaligned register accesses are ignored.
    d.t.write(0x70, &[0]);
    d.t.write(0x71, &[0, 0, 0, 0]);
    let mut b = [0u8; 2];
    d.t.read(0x00, &mut b);
    assert_eq!(b, [0, 0]);
}
