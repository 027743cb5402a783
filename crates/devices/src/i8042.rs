//! The i8042 keyboard controller, for its one PC job: resetting the CPU.

use crate::{BusDevice, PlatformEvents};
use std::sync::Arc;

struct ResetLine(Arc<dyn PlatformEvents>);

impl vm_superio::Trigger for ResetLine {
    type E = std::convert::Infallible;
    fn trigger(&self) -> Result<(), Self::E> {
        self.0.reset();
        Ok(())
    }
}

/// i8042 at ports 0x60-0x64 (window of 5; offset 4 is the command port).
pub struct I8042 {
    inner: vm_superio::I8042Device<ResetLine>,
}

impl I8042 {
    /// A controller that reports command 0xfe (pulse reset) to `events`.
    pub fn new(events: Arc<dyn PlatformEvents>) -> Self {
        I8042 {
            inner: vm_superio::I8042Device::new(ResetLine(events)),
        }
    }
}

impl BusDevice for I8042 {
    fn read(&mut self, offset: u64, data: &mut [u8]) {
        data.fill(0);
        if let (Ok(off), Some(first)) = (u8::try_from(offset), data.first_mut()) {
            *first = self.inner.read(off);
        }
    }

    fn write(&mut self, offset: u64, data: &[u8]) {
        if let (Ok(off), Some(&v)) = (u8::try_from(offset), data.first()) {
            let _ = self.inner.write(off, v);
        }
    }
}
