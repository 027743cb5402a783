//! Platform devices and the bus they sit on.
//!
//! A device implements [`BusDevice`] and sees only offsets inside its own window;
//! the [`Bus`] maps absolute addresses (MMIO or port numbers) to devices. Devices
//! raise interrupts through an [`Interrupt`] handed to them and report platform
//! events (power off, reset) through a [`PlatformEvents`]; they never know which
//! accelerator runs the CPU.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bus;
mod i8042;
mod irq;
mod power;
mod serial;

pub use bus::{Bus, BusDevice, BusError};
pub use i8042::I8042;
pub use irq::{Interrupt, PlatformEvents};
pub use power::{GedPower, SLEEP_CTL_S5};
pub use serial::Serial;
