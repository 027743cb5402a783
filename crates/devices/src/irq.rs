//! How devices reach the interrupt controller and the platform.

/// One interrupt line, as wired by the machine.
pub trait Interrupt: Send + Sync {
    /// Drives the line to `level`.
    fn set_level(&self, level: bool);
    /// Signals an edge (a high then low pulse).
    fn pulse(&self) {
        self.set_level(true);
        self.set_level(false);
    }
}

/// Platform-wide requests a device can make.
pub trait PlatformEvents: Send + Sync {
    /// The guest asked to power off.
    fn power_off(&self);
    /// The guest asked to reset the machine.
    fn reset(&self);
}
