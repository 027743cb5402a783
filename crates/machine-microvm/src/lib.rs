//! The x86-64 `microvm` machine: QEMU's microvm memory map and devices (8250,
//! i8042, GED power registers, virtio-mmio blk/net/rng) on any [`oxemu_hypervisor::Hypervisor`].
//!
//! ```text
//! config ─▶ memory + kernel/initrd/cmdline (boot.rs) ─▶ MP table, boot tables
//!        ─▶ in-kernel irqchip + PIT, devices on the PIO/MMIO buses
//!        ─▶ one host thread per vCPU (vcpu_loop.rs) ─▶ first event ends the run
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod boot;
mod cpu;
pub mod layout;
mod mptable;
mod vcpu_loop;
mod wiring;

pub use wiring::{DiskConfig, MachineConfig, NetConfig, SerialOut};

use std::sync::mpsc;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The guest powered off.
    PowerOff,
    /// The guest asked for a reset (or triple-faulted).
    Reset,
    /// The VMM could not go on (a KVM error, an unhandled exit).
    Error(String),
}

/// Errors setting a machine up.
#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    /// The accelerator refused something.
    #[error(transparent)]
    Hypervisor(#[from] oxemu_hypervisor::Error),
    /// The guest could not be loaded.
    #[error(transparent)]
    Boot(#[from] boot::BootError),
    /// A disk image could not be opened.
    #[error("drive '{id}'")]
    Disk {
        /// The -drive id.
        id: String,
        /// Why.
        #[source]
        source: oxemu_block::BlockError,
    },
    /// A configuration the machine cannot build.
    #[error("{0}")]
    Config(String),
}

/// Builds the machine and runs it until the first platform event.
pub fn run(
    hv: &dyn oxemu_hypervisor::Hypervisor,
    cfg: &MachineConfig,
) -> Result<Outcome, MachineError> {
    let (tx, rx) = mpsc::channel();
    let _machine = wiring::build(hv, cfg, tx)?;
    Ok(rx
        .recv()
        .unwrap_or_else(|_| Outcome::Error("every vCPU thread ended".into())))
}
