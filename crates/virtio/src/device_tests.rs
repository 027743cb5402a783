//! virtio-console and virtio-rng through the transport.

use crate::console::Console;
use crate::rng::Rng;
use crate::{MmioTransport, VirtioDevice};
use oxemu_devices::{BusDevice, Interrupt};
use std::io::Write;
use std::sync::{Arc, Mutex};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

struct NoIrq;
impl Interrupt for NoIrq {
    fn set_level(&self, _: bool) {}
}

#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);
impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn wr(t: &mut MmioTransport, off: u64, v: u32) {
    t.write(off, &v.to_le_bytes());
}

/// Queue q: descriptors at 0x1000*(1+3q), avail +0x1000, used +0x2000.
fn setup(dev: Box<dyn VirtioDevice>, queues: u32) -> (MmioTransport, Arc<GuestMemoryMmap>) {
    let mem = Arc::new(GuestMemoryMmap::from_ranges(&[(GuestAddress(0), 0x10_0000)]).unwrap());
    let mut t = MmioTransport::new(dev, mem.clone(), Arc::new(NoIrq));
    wr(&mut t, 0x70, 3);
    wr(&mut t, 0x24, 1);
    wr(&mut t, 0x20, 1);
    wr(&mut t, 0x70, 3 | 8);
    for q in 0..queues {
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
    (t, mem)
}

/// Posts a one-descriptor chain as avail entry `n - 1` of queue `q` and kicks.
fn post(
    t: &mut MmioTransport,
    mem: &GuestMemoryMmap,
    q: u32,
    addr: u64,
    len: u32,
    write: bool,
    n: u16,
) -> u32 {
    let base = 0x1000 * (1 + 3 * u64::from(q));
    let mut b = [0u8; 16];
    b[0..8].copy_from_slice(&addr.to_le_bytes());
    b[8..12].copy_from_slice(&len.to_le_bytes());
    b[12..14].copy_from_slice(&(if write { 2u16 } else { 0 }).to_le_bytes());
    mem.write_slice(&b, GuestAddress(base)).unwrap();
    mem.write_obj(
        0u16,
        GuestAddress(base + 0x1000 + 4 + 2 * u64::from((n - 1) % 8)),
    )
    .unwrap();
    mem.write_obj(n, GuestAddress(base + 0x1000 + 2)).unwrap();
    wr(t, 0x50, q);
    let used: u16 = mem.read_obj(GuestAddress(base + 0x2002)).unwrap();
    assert_eq!(used, n, "queue {q}: chain used");
    mem.read_obj(GuestAddress(
        base + 0x2000 + 4 + 8 * u64::from((n - 1) % 8) + 4,
    ))
    .unwrap()
}

#[test]
fn console_transmits_and_receives() {
    let sink = Sink::default();
    let mut console = Console::new(Box::new(sink.clone()));
    console.queue_input(b"typed");
    let (mut t, mem) = setup(Box::new(console), 2);
    mem.write_slice(b"to the host\n", GuestAddress(0x20000))
        .unwrap();
    post(&mut t, &mem, 1, 0x20000, 12, false, 1);
    assert_eq!(&*sink.0.lock().unwrap(), b"to the host\n");
    assert_eq!(post(&mut t, &mem, 0, 0x30000, 3, true, 1), 3);
    assert_eq!(post(&mut t, &mem, 0, 0x30003, 64, true, 2), 2);
    let mut got = [0u8; 5];
    mem.read_slice(&mut got, GuestAddress(0x30000)).unwrap();
    assert_eq!(&got, b"typed");
    // Output from outside RAM: device error, no host write.
    let base = 0x1000 * 4;
    let mut b = [0u8; 16];
    b[0..8].copy_from_slice(&0x7fff_0000_0000u64.to_le_bytes());
    b[8..12].copy_from_slice(&16u32.to_le_bytes());
    mem.write_slice(&b, GuestAddress(base)).unwrap();
    mem.write_obj(2u16, GuestAddress(base + 0x1000 + 2))
        .unwrap();
    wr(&mut t, 0x50, 1);
    let mut st = [0u8; 4];
    t.read(0x70, &mut st);
    assert_ne!(st[0] & 0x40, 0);
    assert_eq!(sink.0.lock().unwrap().len(), 12);
}

#[test]
fn rng_fills_buffers() {
    let (mut t, mem) = setup(Box::new(Rng::new().unwrap()), 1);
    assert_eq!(post(&mut t, &mem, 0, 0x20000, 256, true, 1), 256);
    let mut got = [0u8; 256];
    mem.read_slice(&mut got, GuestAddress(0x20000)).unwrap();
    // 256 random bytes are all zero with probability 2^-2048.
    assert!(got.iter().any(|&b| b != 0));
    // A huge buffer is served only up to the per-buffer limit.
    assert_eq!(post(&mut t, &mem, 0, 0x30000, 0xf0000, true, 2), 64 * 1024);
}
