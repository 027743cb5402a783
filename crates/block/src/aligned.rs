//! Heap buffers aligned for O_DIRECT, without unsafe code: over-allocate a `Vec` and
//! use the aligned window inside it (the allocation never moves afterwards).

/// Alignment that satisfies O_DIRECT on every common device (logical block ≤ 4 KiB).
pub const DIRECT_ALIGN: usize = 4096;

/// A zeroed byte buffer whose start is aligned to [`DIRECT_ALIGN`].
pub struct AlignedBuf {
    storage: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedBuf {
    /// A buffer of `len` bytes (rounded up to the alignment).
    pub fn new(len: usize) -> Self {
        let len = len.div_ceil(DIRECT_ALIGN) * DIRECT_ALIGN;
        let storage = vec![0u8; len + DIRECT_ALIGN];
        let misalign = storage.as_ptr() as usize % DIRECT_ALIGN;
        let start = (DIRECT_ALIGN - misalign) % DIRECT_ALIGN;
        AlignedBuf {
            storage,
            start,
            len,
        }
    }

    /// Capacity in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The aligned bytes, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_and_sized() {
        for n in [1, 4096, 5000, 1 << 20] {
            let mut b = AlignedBuf::new(n);
            assert!(b.len() >= n && b.len().is_multiple_of(DIRECT_ALIGN));
            assert_eq!(b.as_mut_slice().as_ptr() as usize % DIRECT_ALIGN, 0);
        }
    }
}
