//! An address bus: ranges of addresses, each served by one device.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A device on a bus. Offsets are relative to the start of its window.
pub trait BusDevice: Send {
    /// A guest load of `data.len()` bytes at `offset`.
    fn read(&mut self, offset: u64, data: &mut [u8]);
    /// A guest store of `data` at `offset`.
    fn write(&mut self, offset: u64, data: &[u8]);
}

/// Errors building a bus.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The new window overlaps one already on the bus.
    #[error("window {base:#x}+{len:#x} overlaps another device")]
    Overlap {
        /// Start of the new window.
        base: u64,
        /// Its length.
        len: u64,
    },
    /// A window of length zero or past the end of the address space.
    #[error("window {base:#x}+{len:#x} is empty or wraps")]
    BadWindow {
        /// Start of the window.
        base: u64,
        /// Its length.
        len: u64,
    },
}

type Shared = Arc<Mutex<dyn BusDevice>>;

/// Maps address windows to devices.
#[derive(Default, Clone)]
pub struct Bus {
    /// base -> (length, device)
    windows: BTreeMap<u64, (u64, Shared)>,
}

impl Bus {
    /// An empty bus.
    pub fn new() -> Self {
        Bus::default()
    }

    /// Puts `dev` at `[base, base+len)`.
    pub fn insert(&mut self, base: u64, len: u64, dev: Shared) -> Result<(), BusError> {
        let end = base.checked_add(len).filter(|_| len > 0);
        let Some(end) = end else {
            return Err(BusError::BadWindow { base, len });
        };
        let before = self.windows.range(..end).next_back();
        if let Some((&b, &(l, _))) = before
            && b + l > base
        {
            return Err(BusError::Overlap { base, len });
        }
        self.windows.insert(base, (len, dev));
        Ok(())
    }

    /// The device whose window holds `[addr, addr+size)`, and the offset in it.
    fn find(&self, addr: u64, size: usize) -> Option<(&Shared, u64)> {
        let (&base, (len, dev)) = self.windows.range(..=addr).next_back()?;
        let off = addr - base;
        (off.checked_add(size as u64)? <= *len).then_some((dev, off))
    }

    /// Forwards a load; false when no device is there (the data is left as is).
    pub fn read(&self, addr: u64, data: &mut [u8]) -> bool {
        match self.find(addr, data.len()) {
            Some((dev, off)) => {
                dev.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .read(off, data);
                true
            }
            None => false,
        }
    }

    /// Forwards a store; false when no device is there.
    pub fn write(&self, addr: u64, data: &[u8]) -> bool {
        match self.find(addr, data.len()) {
            Some((dev, off)) => {
                dev.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .write(off, data);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Remembers the last access.
    struct Probe(Vec<(u64, Vec<u8>)>);
    impl BusDevice for Probe {
        fn read(&mut self, offset: u64, data: &mut [u8]) {
            data.fill(offset as u8);
        }
        fn write(&mut self, offset: u64, data: &[u8]) {
            self.0.push((offset, data.to_vec()));
        }
    }

    #[test]
    fn routes_by_window_and_offset() {
        let mut bus = Bus::new();
        let a = Arc::new(Mutex::new(Probe(Vec::new())));
        bus.insert(0x100, 0x10, a.clone()).unwrap();
        bus.insert(0x110, 0x10, Arc::new(Mutex::new(Probe(Vec::new()))))
            .unwrap();
        let mut d = [0u8; 2];
        assert!(bus.read(0x104, &mut d));
        assert_eq!(d, [4, 4]);
        assert!(bus.write(0x10e, &[1, 2]));
        assert_eq!(a.lock().unwrap().0, vec![(0xe, vec![1, 2])]);
        // Straddling the end of a window or outside every window: nobody.
        assert!(!bus.write(0x10f, &[1, 2]));
        assert!(!bus.read(0xff, &mut d));
        assert!(!bus.read(0x120, &mut d));
    }

    #[test]
    fn rejects_overlaps_and_bad_windows() {
        let mut bus = Bus::new();
        let dev = || Arc::new(Mutex::new(Probe(Vec::new())));
        bus.insert(0x100, 0x10, dev()).unwrap();
        assert!(bus.insert(0x108, 0x10, dev()).is_err());
        assert!(bus.insert(0xf8, 0x10, dev()).is_err());
        assert!(bus.insert(0x200, 0, dev()).is_err());
        assert!(bus.insert(u64::MAX, 2, dev()).is_err());
        bus.insert(0xf0, 0x10, dev()).unwrap();
    }
}
