//! Disk image backends shared by every machine (RISC-V virt, KVM x86-64, …).
//!
//! Devices such as virtio-blk talk to a [`BlockBackend`]; image formats (raw, qcow2)
//! implement it. Offsets and lengths are in bytes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::io;

/// Errors from a block backend.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// An I/O error from the host file.
    #[error("I/O error")]
    Io(#[from] io::Error),
    /// A request outside the disk.
    #[error("request at {offset:#x}+{len:#x} is beyond the end of the disk ({size:#x} bytes)")]
    OutOfRange {
        /// First byte of the request.
        offset: u64,
        /// Length of the request.
        len: u64,
        /// Disk size.
        size: u64,
    },
    /// The operation is not supported by this backend.
    #[error("operation not supported: {0}")]
    Unsupported(&'static str),
    /// The image is malformed.
    #[error("corrupt image: {0}")]
    Corrupt(String),
}

/// Result type of block operations.
pub type Result<T> = std::result::Result<T, BlockError>;

/// A virtual disk: what a disk device sees.
pub trait BlockBackend: Send {
    /// Reads `buf.len()` bytes at `offset`.
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> Result<()>;
    /// Writes `buf` at `offset`.
    fn write_at(&mut self, buf: &[u8], offset: u64) -> Result<()>;
    /// Makes every completed write durable.
    fn flush(&mut self) -> Result<()>;
    /// Tells the backend that a range is no longer needed (reads may return zeroes or old data).
    fn discard(&mut self, offset: u64, len: u64) -> Result<()>;
    /// Makes a range read as zeroes.
    fn write_zeroes(&mut self, offset: u64, len: u64) -> Result<()>;
    /// Size of the disk in bytes.
    fn size(&self) -> u64;
    /// Changes the size of the disk.
    fn resize(&mut self, new_size: u64) -> Result<()>;
}
