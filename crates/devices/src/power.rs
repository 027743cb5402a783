//! The hardware-reduced ACPI sleep and reset registers of QEMU's microvm GED
//! (sleep control at offset 0, sleep status at 1, reset at 2).

use crate::{BusDevice, PlatformEvents};
use std::sync::Arc;

/// The sleep-control value for S5 (SLP_EN | SLP_TYP=5), what the guest writes
/// to power off.
pub const SLEEP_CTL_S5: u8 = (1 << 5) | (5 << 2);
/// Value of the reset register that resets the machine.
const RESET_VALUE: u8 = 0x42;

/// The GED register block: powers off on S5, resets on 0x42.
pub struct GedPower {
    events: Arc<dyn PlatformEvents>,
}

impl GedPower {
    /// A register block reporting to `events`.
    pub fn new(events: Arc<dyn PlatformEvents>) -> Self {
        GedPower { events }
    }
}

impl BusDevice for GedPower {
    fn read(&mut self, _offset: u64, data: &mut [u8]) {
        data.fill(0);
    }

    fn write(&mut self, offset: u64, data: &[u8]) {
        let Some(&v) = data.first() else { return };
        match offset {
            0 if v & (1 << 5) != 0 && (v >> 2) & 7 == 5 => self.events.power_off(),
            2 if v == RESET_VALUE => self.events.reset(),
            _ => {}
        }
    }
}
