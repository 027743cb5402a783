//! Disk image backends shared by every machine (RISC-V virt, KVM x86-64, …).
//!
//! Devices such as virtio-blk talk to a [`BlockBackend`]; image formats (raw, qcow2)
//! implement it. Offsets and lengths are in bytes.
//!
//! ```no_run
//! let mut disk = oxemu_block::open_image(std::path::Path::new("disk.img"), None, false)?;
//! let mut sector = [0u8; 512];
//! disk.read_at(&mut sector, 0)?;
//! # Ok::<(), oxemu_block::BlockError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aligned;
pub mod qcow2;
pub mod raw;
#[doc(hidden)]
pub mod testing;

use std::io;
use std::path::{Path, PathBuf};

/// Errors from a block backend.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// An I/O error from the host file.
    #[error("I/O error")]
    Io(#[from] io::Error),
    /// Opening or creating an image file failed.
    #[error("could not open '{}'", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
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
    /// The image uses a feature this implementation refuses (message names the file).
    #[error("{0}")]
    Feature(String),
    /// The image is malformed (message names the file and the problem).
    #[error("corrupt image: {0}")]
    Corrupt(String),
    /// Writing to an image opened read-only.
    #[error("image is opened read-only")]
    ReadOnly,
}

/// Result type of block operations.
pub type Result<T> = std::result::Result<T, BlockError>;

/// What a range of the disk holds, as reported by [`BlockBackend::block_status`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockStatus {
    /// Length of the run with this status, starting at the queried offset.
    pub len: u64,
    /// The range reads as zeroes without reading data.
    pub zero: bool,
    /// The range is backed by data in some layer of the chain.
    pub data: bool,
    /// Some layer of the chain allocates the range (data or zero flag).
    pub present: bool,
    /// Backing layers below this image where the answer came from (0 = this image).
    pub depth: u32,
    /// Offset of the data in the host file of that layer, when it is stored plainly.
    pub host_offset: Option<u64>,
}

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
    /// Describes the range starting at `offset` (at most `len` bytes): whether it is
    /// data, zeroes, or unallocated. Backends without the information call it data.
    fn block_status(&mut self, offset: u64, len: u64) -> Result<BlockStatus> {
        check_range(offset, len, self.size())?;
        Ok(BlockStatus {
            len,
            zero: false,
            data: true,
            present: true,
            depth: 0,
            host_offset: None,
        })
    }
    /// Writes whole clusters compressed, where the format can (qcow2).
    fn write_compressed(&mut self, buf: &[u8], offset: u64) -> Result<()> {
        let _ = (buf, offset);
        Err(BlockError::Unsupported("compressed writes"))
    }
    /// Name of the format ("raw", "qcow2").
    fn format_name(&self) -> &'static str;
}

/// Returns an error unless `offset..offset+len` lies within a disk of `size` bytes.
pub fn check_range(offset: u64, len: u64, size: u64) -> Result<()> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => Err(BlockError::OutOfRange { offset, len, size }),
    }
}

/// The qcow2 magic, "QFI\xfb".
pub const QCOW2_MAGIC: [u8; 4] = *b"QFI\xfb";

/// Guesses the format of an image file from its first bytes: "qcow2" or "raw".
pub fn probe_format(path: &Path) -> Result<&'static str> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|source| BlockError::Open {
        path: path.to_owned(),
        source,
    })?;
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match f.read(&mut magic[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(if got == 4 && magic == QCOW2_MAGIC {
        "qcow2"
    } else {
        "raw"
    })
}

/// Opens an image; `format` is "raw", "qcow2" or `None` to probe the file.
pub fn open_image(
    path: &Path,
    format: Option<&str>,
    read_only: bool,
) -> Result<Box<dyn BlockBackend>> {
    let format = match format {
        Some(f) => f,
        None => probe_format(path)?,
    };
    match format {
        "raw" => Ok(Box::new(raw::RawImage::open(path, read_only)?)),
        "qcow2" => Ok(Box::new(qcow2::Qcow2::open(path, read_only)?)),
        other => Err(BlockError::Feature(format!(
            "'{}': unknown image format '{other}'",
            path.display()
        ))),
    }
}
