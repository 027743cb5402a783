//! Why a vCPU stopped running guest code.

/// A guest-requested platform event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemEvent {
    /// The guest asked to power off.
    Shutdown,
    /// The guest asked to reset.
    Reset,
    /// The guest reported a crash.
    Crash,
    /// Another event, with its accelerator-specific type.
    Other(u32),
}

/// The reason [`crate::Vcpu::run`] returned.
#[derive(Debug)]
pub enum VcpuExit<'a> {
    /// `in` on a port: fill the slice before the next run.
    IoIn(u16, &'a mut [u8]),
    /// `out` to a port with the data.
    IoOut(u16, &'a [u8]),
    /// A load from an address without memory: fill the slice before the next run.
    MmioRead(u64, &'a mut [u8]),
    /// A store to an address without memory.
    MmioWrite(u64, &'a [u8]),
    /// `hlt` with interrupts handled outside the accelerator.
    Halt,
    /// A triple fault: the CPU reset itself.
    Shutdown,
    /// A platform event.
    SystemEvent(SystemEvent),
    /// The accelerator could not run or emulate an instruction; see
    /// [`crate::Vcpu::internal_error`].
    InternalError,
    /// The hardware refused to enter the guest.
    FailEntry(u64),
    /// A signal interrupted the run.
    Interrupted,
    /// Any other exit, by the accelerator's number.
    Other(u32),
}
