//! Compressed clusters: raw deflate with a 4 KiB window (what QEMU's zlib type reads)
//! and Zstandard. Stored data is rounded up to 512-byte sectors, so decoders stop when
//! the cluster is full and ignore what follows.

use flate2::{Compress, Decompress, FlushCompress, FlushDecompress, Status};
use zstd::stream::raw::{InBuffer, Operation, OutBuffer};

use super::header::Compression;

/// Compresses one cluster; `None` when the result would not be smaller than
/// `src.len() - 512` (such clusters are stored plainly).
pub fn compress(kind: Compression, src: &[u8]) -> Option<Vec<u8>> {
    let limit = src.len().checked_sub(512)?;
    let mut out = vec![0u8; limit];
    let n = match kind {
        Compression::Zlib => {
            let mut c = Compress::new_with_window_bits(flate2::Compression::default(), false, 12);
            match c.compress(src, &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => c.total_out() as usize,
                _ => return None,
            }
        }
        Compression::Zstd => zstd::bulk::compress_to_buffer(src, &mut out[..], 3).ok()?,
    };
    out.truncate(n);
    Some(out)
}

/// Decompresses `src` into exactly `out.len()` bytes; `false` when the data is
/// malformed or too short.
pub fn decompress(kind: Compression, src: &[u8], out: &mut [u8]) -> bool {
    match kind {
        Compression::Zlib => {
            let mut d = Decompress::new(false);
            match d.decompress(src, out, FlushDecompress::Finish) {
                Ok(_) => d.total_out() as usize == out.len(),
                Err(_) => false,
            }
        }
        Compression::Zstd => {
            let Ok(mut d) = zstd::stream::raw::Decoder::new() else {
                return false;
            };
            let mut input = InBuffer::around(src);
            let mut output = OutBuffer::around(out);
            let want = output.capacity();
            // Each call makes progress or fails; bounded by input plus output size.
            for _ in 0..(src.len() + want + 2) {
                if output.pos() == want {
                    return true;
                }
                let before = (input.pos(), output.pos());
                match d.run(&mut input, &mut output) {
                    Ok(0) if output.pos() < want && input.pos() == src.len() => return false,
                    Ok(_) => {}
                    Err(_) => return false,
                }
                if (input.pos(), output.pos()) == before {
                    return false;
                }
            }
            output.pos() == want
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_with_trailing_garbage() {
        let src: Vec<u8> = (0..65536u32).map(|i| (i / 100) as u8).collect();
        for kind in [Compression::Zlib, Compression::Zstd] {
            let mut c = compress(kind, &src).expect("compressible");
            assert!(c.len() < src.len() / 4);
            c.extend_from_slice(&[0xa5; 300]);
            let mut out = vec![0u8; src.len()];
            assert!(decompress(kind, &c, &mut out), "{kind:?}");
            assert_eq!(out, src);
            assert!(!decompress(kind, &c[..c.len() / 2 - 300], &mut out));
            assert!(!decompress(kind, &[0xff; 64], &mut out));
        }
    }

    #[test]
    fn incompressible_is_none() {
        let mut x = 0x1234_5678u32;
        let src: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        assert!(compress(Compression::Zlib, &src).is_none());
        assert!(compress(Compression::Zstd, &src).is_none());
    }
}
