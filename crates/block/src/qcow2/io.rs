//! Small helpers for reading metadata from the image file with clear errors.

use std::fs::File;

use crate::raw::pread_zero_fill;
use crate::{BlockError, Result};

/// A corruption error naming the image.
pub fn corrupt(name: &str, msg: impl std::fmt::Display) -> BlockError {
    BlockError::Corrupt(format!("'{name}': {msg}"))
}

/// Reads `buf.len()` bytes of metadata `what` at `offset`; the range must lie inside
/// the file (metadata past the end means the image is truncated or corrupt).
pub fn pread_exact(file: &File, buf: &mut [u8], offset: u64, name: &str, what: &str) -> Result<()> {
    check_inside(file, offset, buf.len() as u64, name, what)?;
    pread_zero_fill(file, buf, offset)?;
    Ok(())
}

/// Fails unless `offset..offset+len` lies inside the file.
pub fn check_inside(file: &File, offset: u64, len: u64, name: &str, what: &str) -> Result<()> {
    let size = file.metadata()?.len();
    if offset.checked_add(len).is_none_or(|end| end > size) {
        return Err(corrupt(
            name,
            format!("{what} at {offset:#x} lies beyond the end of the file"),
        ));
    }
    Ok(())
}

/// Reads a table of `n` big-endian u64 entries.
pub fn read_be64_table(
    file: &File,
    offset: u64,
    n: usize,
    name: &str,
    what: &str,
) -> Result<Vec<u64>> {
    check_inside(file, offset, n as u64 * 8, name, what)?;
    let mut raw = vec![0u8; n * 8];
    pread_exact(file, &mut raw, offset, name, what)?;
    Ok(raw
        .chunks_exact(8)
        .map(|c| u64::from_be_bytes(c.try_into().expect("8 bytes")))
        .collect())
}

/// Big-endian bytes of a table.
pub fn be64_bytes(t: &[u64]) -> Vec<u8> {
    let mut v = Vec::with_capacity(t.len() * 8);
    for e in t {
        v.extend_from_slice(&e.to_be_bytes());
    }
    v
}
