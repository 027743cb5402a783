//! virtio-net through the transport with a recording backend.

use super::*;
use crate::MmioTransport;
use oxemu_devices::{BusDevice, Interrupt};
use vm_memory::GuestAddress;

#[derive(Default)]
struct Wire(Mutex<Vec<Vec<u8>>>);
impl NetBackend for Wire {
    fn send(&self, frame: &[u8]) -> std::io::Result<()> {
        self.0.lock().unwrap().push(frame.to_vec());
        Ok(())
    }
    fn recv(&self, _: &mut [u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::UnexpectedEof.into())
    }
}

struct NoIrq;
impl Interrupt for NoIrq {
    fn set_level(&self, _: bool) {}
}

fn wr(t: &mut MmioTransport, off: u64, v: u32) {
    t.write(off, &v.to_le_bytes());
}

/// Queue q: descriptors at 0x1000*(1+3q), avail +0x1000, used +0x2000.
fn setup() -> (MmioTransport, Arc<GuestMemoryMmap>, Arc<Wire>, RxBacklog) {
    let mem = Arc::new(GuestMemoryMmap::from_ranges(&[(GuestAddress(0), 0x10_0000)]).unwrap());
    let wire = Arc::new(Wire::default());
    let rx = RxBacklog::default();
    let net = Net::new(wire.clone(), [0x52, 0x54, 0, 0x12, 0x34, 0x56], rx.clone());
    let mut t = MmioTransport::new(Box::new(net), mem.clone(), Arc::new(NoIrq));
    wr(&mut t, 0x70, 3);
    wr(&mut t, 0x24, 1);
    wr(&mut t, 0x20, 1);
    wr(&mut t, 0x70, 3 | 8);
    for q in 0..2u32 {
        let base = 0x1000 * (1 + 3 * u64::from(q));
        wr(&mut t, 0x30, q);
        wr(&mut t, 0x38, 8);
        for (i, reg) in [0x80, 0x90, 0xa0].into_iter().enumerate() {
            wr(&mut t, reg, (base + 0x1000 * i as u64) as u32);
            wr(&mut t, reg + 4, 0);
        }
        wr(&mut t, 0x44, 1);
    }
    wr(&mut t, 0x70, 3 | 8 | 4);
    (t, mem, wire, rx)
}

fn post(mem: &GuestMemoryMmap, q: u64, descs: &[(u64, u32, u16)], n: u16) {
    let base = 0x1000 * (1 + 3 * q);
    for (i, &(addr, len, flags)) in descs.iter().enumerate() {
        let next = if i + 1 < descs.len() { 1 } else { 0 };
        let mut b = [0u8; 16];
        b[0..8].copy_from_slice(&addr.to_le_bytes());
        b[8..12].copy_from_slice(&len.to_le_bytes());
        b[12..14].copy_from_slice(&(flags | next).to_le_bytes());
        b[14..16].copy_from_slice(&((i + 1) as u16).to_le_bytes());
        mem.write_slice(&b, GuestAddress(base + 16 * i as u64))
            .unwrap();
    }
    mem.write_obj(
        0u16,
        GuestAddress(base + 0x1000 + 4 + 2 * u64::from(n - 1) % 16),
    )
    .unwrap();
    mem.write_obj(n, GuestAddress(base + 0x1000 + 2)).unwrap();
}

#[test]
fn mac_in_config() {
    let (mut t, ..) = setup();
    let mut mac = [0u8; 6];
    t.read(0x100, &mut mac);
    assert_eq!(mac, [0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    let mut id = [0u8; 4];
    t.read(8, &mut id);
    assert_eq!(u32::from_le_bytes(id), 1);
}

#[test]
fn transmits_without_the_header() {
    let (mut t, mem, wire, _) = setup();
    mem.write_slice(&[0u8; 12], GuestAddress(0x20000)).unwrap();
    mem.write_slice(b"frame-bytes", GuestAddress(0x30000))
        .unwrap();
    post(&mem, 1, &[(0x20000, 12, 0), (0x30000, 11, 0)], 1);
    wr(&mut t, 0x50, 1);
    assert_eq!(*wire.0.lock().unwrap(), vec![b"frame-bytes".to_vec()]);
    // A buffer outside guest RAM: the device stops (needs reset), nothing is sent.
    post(&mem, 1, &[(0x20000, 12, 0), (0x7fff_0000_0000, 64, 0)], 2);
    wr(&mut t, 0x50, 1);
    assert_eq!(wire.0.lock().unwrap().len(), 1);
    let mut st = [0u8; 4];
    t.read(0x70, &mut st);
    assert_ne!(st[0] & 0x40, 0);
}

#[test]
fn receives_into_posted_buffers() {
    let (mut t, mem, _, rx) = setup();
    rx.push(b"hello-guest".to_vec());
    t.kick(0); // no buffers yet: the frame waits
    post(&mem, 0, &[(0x40000, 8, 2), (0x50000, 100, 2)], 1);
    wr(&mut t, 0x50, 0);
    let mut hdr = [0u8; 8];
    mem.read_slice(&mut hdr, GuestAddress(0x40000)).unwrap();
    let mut rest = [0u8; 15];
    mem.read_slice(&mut rest, GuestAddress(0x50000)).unwrap();
    assert_eq!(hdr, [0; 8]);
    assert_eq!(&rest[..4], &[0, 0, 1, 0], "num_buffers = 1");
    assert_eq!(&rest[4..], b"hello-guest");
    let used_len: u32 = mem.read_obj(GuestAddress(0x1000 + 0x2000 + 8)).unwrap();
    assert_eq!(used_len, 12 + 11);
}
