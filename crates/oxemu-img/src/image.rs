//! Opening images for the commands, with qemu-img's error wording.

use std::path::Path;

use anyhow::{Result, bail};
use oxemu_block::qcow2::{Qcow2, Qcow2Options};
use oxemu_block::{BlockBackend, raw::RawImage};

/// An open image of a known format.
pub enum Image {
    /// A raw file.
    Raw(RawImage),
    /// A qcow2 file.
    Qcow2(Box<Qcow2>),
}

impl Image {
    /// The image as a block device.
    pub fn dev(&mut self) -> &mut dyn BlockBackend {
        match self {
            Image::Raw(r) => r,
            Image::Qcow2(q) => q.as_mut(),
        }
    }

    /// The image as a boxed block device.
    pub fn into_backend(self) -> Box<dyn BlockBackend> {
        match self {
            Image::Raw(r) => Box::new(r),
            Image::Qcow2(q) => q,
        }
    }

    /// Format name.
    pub fn format(&self) -> &'static str {
        match self {
            Image::Raw(_) => "raw",
            Image::Qcow2(_) => "qcow2",
        }
    }
}

/// Checks a format name given with -f / -O / -F.
pub fn check_format(f: &str) -> Result<&'static str> {
    match f {
        "raw" => Ok("raw"),
        "qcow2" => Ok("qcow2"),
        other => bail!("Unknown file format '{other}'"),
    }
}

/// Adds "Could not open 'path'" unless the error already names the file.
fn opening(path: &str) -> impl FnOnce(oxemu_block::BlockError) -> anyhow::Error + '_ {
    move |e| match e {
        oxemu_block::BlockError::Io(_) => {
            anyhow::Error::new(e).context(format!("Could not open '{path}'"))
        }
        e => anyhow::Error::new(e),
    }
}

/// Opens `path` as `format` (probing when `None`); `no_backing` leaves a qcow2
/// image's backing file closed.
pub fn open(path: &str, format: Option<&str>, read_only: bool, no_backing: bool) -> Result<Image> {
    let p = Path::new(path);
    let fmt = match format {
        Some(f) => check_format(f)?,
        None => oxemu_block::probe_format(p).map_err(opening(path))?,
    };
    Ok(match fmt {
        "raw" => Image::Raw(RawImage::open(p, read_only).map_err(opening(path))?),
        _ => Image::Qcow2(Box::new(
            Qcow2::open_with(
                p,
                Qcow2Options {
                    read_only,
                    no_backing,
                },
            )
            .map_err(opening(path))?,
        )),
    })
}

/// Whether `buf` is all zeroes (16 bytes at a time).
pub fn is_zero(buf: &[u8]) -> bool {
    let (a, b) = buf.split_at(buf.len() - buf.len() % 16);
    a.chunks_exact(16)
        .all(|c| u128::from_ne_bytes(c.try_into().expect("16 bytes")) == 0)
        && b.iter().all(|&x| x == 0)
}
