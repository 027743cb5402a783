//! The 8250/16550 UART (vm-superio's model) as a bus device.

use crate::{BusDevice, Interrupt};
use std::io::Write;
use std::sync::Arc;

/// Adapts an [`Interrupt`] to vm-superio's trigger: the UART signals edges.
struct Edge(Arc<dyn Interrupt>);

impl vm_superio::Trigger for Edge {
    type E = std::convert::Infallible;
    fn trigger(&self) -> Result<(), Self::E> {
        self.0.pulse();
        Ok(())
    }
}

/// A UART with eight registers; output goes to a writer.
pub struct Serial {
    inner: vm_superio::Serial<Edge, vm_superio::serial::NoEvents, Box<dyn Write + Send>>,
}

impl Serial {
    /// A UART writing what the guest transmits to `out`.
    pub fn new(irq: Arc<dyn Interrupt>, out: Box<dyn Write + Send>) -> Self {
        Serial {
            inner: vm_superio::Serial::new(Edge(irq), out),
        }
    }

    /// Queues bytes for the guest to receive; returns how many fit.
    pub fn enqueue_input(&mut self, bytes: &[u8]) -> usize {
        self.inner.enqueue_raw_bytes(bytes).unwrap_or(0)
    }
}

impl BusDevice for Serial {
    fn read(&mut self, offset: u64, data: &mut [u8]) {
        data.fill(0xff);
        if let (Ok(off), Some(first)) = (u8::try_from(offset), data.first_mut())
            && off < 8
        {
            *first = self.inner.read(off);
        }
    }

    fn write(&mut self, offset: u64, data: &[u8]) {
        if let (Ok(off), Some(&v)) = (u8::try_from(offset), data.first())
            && off < 8
        {
            // The only error is a failed host write; the guest cannot act on it.
            let _ = self.inner.write(off, v);
            let _ = self.inner.writer_mut().flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Count(AtomicUsize);
    impl Interrupt for Count {
        fn set_level(&self, level: bool) {
            if level {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
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

    #[test]
    fn transmits_and_interrupts_when_enabled() {
        let irq = Arc::new(Count::default());
        let sink = Sink::default();
        let mut s = Serial::new(irq.clone(), Box::new(sink.clone()));
        s.write(0, b"h");
        s.write(0, b"i");
        assert_eq!(&*sink.0.lock().unwrap(), b"hi");
        assert_eq!(irq.0.load(Ordering::SeqCst), 0);
        s.write(1, &[0x02]); // IER: transmitter empty
        s.write(0, b"!");
        assert!(irq.0.load(Ordering::SeqCst) >= 1);
        let mut lsr = [0u8];
        s.read(5, &mut lsr);
        assert_ne!(lsr[0] & 0x20, 0, "THR empty");
        // Offsets past the eight registers are ignored, not a panic.
        s.write(100, b"x");
        s.read(u64::MAX, &mut lsr);
        assert_eq!(lsr[0], 0xff);
    }
}
