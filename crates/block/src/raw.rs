//! Raw images: the disk is the file, byte for byte.
//!
//! Buffered by default; [`RawOptions::direct`] opens the file with O_DIRECT and moves
//! data through an aligned bounce buffer so callers may pass any buffer and offset.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rustix::fs::{FallocateFlags, SeekFrom};

use crate::aligned::{AlignedBuf, DIRECT_ALIGN};
use crate::{BlockBackend, BlockError, BlockStatus, Result, check_range};

/// How to open a raw image.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawOptions {
    /// Refuse writes and open the file read-only.
    pub read_only: bool,
    /// Bypass the host page cache (O_DIRECT).
    pub direct: bool,
}

/// A raw image file.
pub struct RawImage {
    file: File,
    path: PathBuf,
    size: u64,
    read_only: bool,
    /// Bounce buffer, present only with O_DIRECT.
    bounce: Option<AlignedBuf>,
    /// Cache mode "unsafe": flush does not reach the disk.
    unsafe_cache: bool,
}

/// Bounce buffer size for O_DIRECT transfers.
const BOUNCE_LEN: usize = 1 << 20;

impl RawImage {
    /// Opens `path` as a raw image.
    pub fn open(path: &Path, read_only: bool) -> Result<RawImage> {
        Self::open_with(
            path,
            RawOptions {
                read_only,
                direct: false,
            },
        )
    }

    /// Opens `path` as a raw image with options.
    pub fn open_with(path: &Path, opts: RawOptions) -> Result<RawImage> {
        let mut oo = OpenOptions::new();
        oo.read(true).write(!opts.read_only);
        if opts.direct {
            oo.custom_flags(libc::O_DIRECT);
        }
        let file = oo.open(path).map_err(|source| BlockError::Open {
            path: path.to_owned(),
            source,
        })?;
        let size = file.metadata()?.len();
        Ok(RawImage {
            file,
            path: path.to_owned(),
            size,
            read_only: opts.read_only,
            bounce: opts.direct.then(|| AlignedBuf::new(BOUNCE_LEN)),
            unsafe_cache: false,
        })
    }

    /// Creates (or truncates) `path` as a sparse raw image of `size` bytes.
    pub fn create(path: &Path, size: u64) -> Result<RawImage> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|source| BlockError::Open {
                path: path.to_owned(),
                source,
            })?;
        file.set_len(size)?;
        Self::open(path, false)
    }

    /// Cache mode "unsafe": no flush reaches the disk (qemu-img convert's default).
    pub fn set_unsafe_cache(&mut self, on: bool) {
        self.unsafe_cache = on;
    }

    /// The image file name.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes the file occupies on the host.
    pub fn allocated_bytes(&self) -> Result<u64> {
        use std::os::unix::fs::MetadataExt;
        Ok(self.file.metadata()?.blocks() * 512)
    }

    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(BlockError::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// O_DIRECT read: whole aligned blocks through the bounce buffer.
    fn read_direct(&mut self, mut buf: &mut [u8], mut offset: u64) -> Result<()> {
        let bounce = self
            .bounce
            .as_mut()
            .expect("direct mode has a bounce buffer");
        let align = DIRECT_ALIGN as u64;
        while !buf.is_empty() {
            let start = offset & !(align - 1);
            let head = (offset - start) as usize;
            let want = (head + buf.len()).min(bounce.len());
            let span = want.div_ceil(DIRECT_ALIGN) * DIRECT_ALIGN;
            let b = &mut bounce.as_mut_slice()[..span];
            pread_zero_fill(&self.file, b, start)?;
            let n = want - head;
            buf[..n].copy_from_slice(&b[head..want]);
            buf = &mut buf[n..];
            offset += n as u64;
        }
        Ok(())
    }

    /// O_DIRECT write: read-modify-write of partial blocks through the bounce buffer.
    fn write_direct(&mut self, mut buf: &[u8], mut offset: u64) -> Result<()> {
        let bounce = self
            .bounce
            .as_mut()
            .expect("direct mode has a bounce buffer");
        let align = DIRECT_ALIGN as u64;
        while !buf.is_empty() {
            let start = offset & !(align - 1);
            let head = (offset - start) as usize;
            let want = (head + buf.len()).min(bounce.len());
            let span = want.div_ceil(DIRECT_ALIGN) * DIRECT_ALIGN;
            let b = &mut bounce.as_mut_slice()[..span];
            if head != 0 || want != span {
                pread_zero_fill(&self.file, b, start)?;
            }
            let n = want - head;
            b[head..want].copy_from_slice(&buf[..n]);
            self.file.write_all_at(b, start)?;
            buf = &buf[n..];
            offset += n as u64;
        }
        // Whole-block writes may have run past a size that is not block aligned.
        if self.file.metadata()?.len() > self.size {
            self.file.set_len(self.size)?;
        }
        Ok(())
    }

    fn write_zero_bytes(&mut self, mut offset: u64, len: u64) -> Result<()> {
        let zeros = vec![0u8; len.min(BOUNCE_LEN as u64) as usize];
        let end = offset + len;
        while offset < end {
            let n = (end - offset).min(zeros.len() as u64) as usize;
            self.write_at(&zeros[..n], offset)?;
            offset += n as u64;
        }
        Ok(())
    }
}

/// Reads `buf.len()` bytes at `offset`; bytes past the end of the file read as zero.
pub(crate) fn pread_zero_fill(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => {
                buf[done..].fill(0);
                return Ok(());
            }
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl BlockBackend for RawImage {
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> Result<()> {
        check_range(offset, buf.len() as u64, self.size)?;
        if self.bounce.is_some() {
            return self.read_direct(buf, offset);
        }
        Ok(pread_zero_fill(&self.file, buf, offset)?)
    }

    fn write_at(&mut self, buf: &[u8], offset: u64) -> Result<()> {
        self.writable()?;
        check_range(offset, buf.len() as u64, self.size)?;
        if self.bounce.is_some() {
            return self.write_direct(buf, offset);
        }
        Ok(self.file.write_all_at(buf, offset)?)
    }

    fn flush(&mut self) -> Result<()> {
        if self.read_only || self.unsafe_cache {
            return Ok(());
        }
        Ok(self.file.sync_data()?)
    }

    fn discard(&mut self, offset: u64, len: u64) -> Result<()> {
        self.writable()?;
        check_range(offset, len, self.size)?;
        // Advisory: a file system without hole punching keeps the data.
        let _ = rustix::fs::fallocate(
            &self.file,
            FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE,
            offset,
            len,
        );
        Ok(())
    }

    fn write_zeroes(&mut self, offset: u64, len: u64) -> Result<()> {
        self.writable()?;
        check_range(offset, len, self.size)?;
        let punched = rustix::fs::fallocate(
            &self.file,
            FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE,
            offset,
            len,
        );
        match punched {
            Ok(()) => Ok(()),
            Err(_) => self.write_zero_bytes(offset, len),
        }
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn resize(&mut self, new_size: u64) -> Result<()> {
        self.writable()?;
        self.file.set_len(new_size)?;
        self.size = new_size;
        Ok(())
    }

    fn block_status(&mut self, offset: u64, len: u64) -> Result<BlockStatus> {
        check_range(offset, len, self.size)?;
        let end = offset + len;
        // SEEK_DATA/SEEK_HOLE: a hole reads as zeroes; without support, all is data.
        let status = |len, data: bool| BlockStatus {
            len,
            zero: !data,
            data,
            present: true,
            depth: 0,
            host_offset: Some(offset),
        };
        match rustix::fs::seek(&self.file, SeekFrom::Data(offset)) {
            Ok(d) if d > offset => Ok(status(d.min(end) - offset, false)),
            Ok(_) => match rustix::fs::seek(&self.file, SeekFrom::Hole(offset)) {
                Ok(h) if h > offset => Ok(status(h.min(end) - offset, true)),
                _ => Ok(status(len, true)),
            },
            Err(rustix::io::Errno::NXIO) => Ok(status(len, false)),
            Err(_) => Ok(status(len, true)),
        }
    }

    fn format_name(&self) -> &'static str {
        "raw"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("oxemu-block-raw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    fn roundtrip(direct: bool) {
        let path = tmp(if direct { "direct.img" } else { "buffered.img" });
        // A size that is not block aligned exercises the O_DIRECT tail.
        let size = 3 * 1024 * 1024 + 1000;
        RawImage::create(&path, size).unwrap();
        let mut img = RawImage::open_with(
            &path,
            RawOptions {
                read_only: false,
                direct,
            },
        )
        .unwrap();
        let data: Vec<u8> = (0..1_500_000u32).map(|i| (i * 7 + 3) as u8).collect();
        img.write_at(&data, 12345).unwrap();
        img.write_at(b"tail", size - 4).unwrap();
        img.flush().unwrap();
        let mut back = vec![0u8; data.len()];
        img.read_at(&mut back, 12345).unwrap();
        assert_eq!(back, data);
        let mut t = [0u8; 4];
        img.read_at(&mut t, size - 4).unwrap();
        assert_eq!(&t, b"tail");
        assert_eq!(img.size(), size);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), size);
        assert!(matches!(
            img.read_at(&mut t, size - 2),
            Err(BlockError::OutOfRange { .. })
        ));
        img.write_zeroes(12345, 100).unwrap();
        img.read_at(&mut back[..200], 12345).unwrap();
        assert!(back[..100].iter().all(|&b| b == 0));
        assert_eq!(&back[100..200], &data[100..200]);
        drop(img);
        let whole = std::fs::read(&path).unwrap();
        assert_eq!(&whole[12345 + 100..12345 + data.len()], &data[100..]);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn buffered_roundtrip() {
        roundtrip(false);
    }

    #[test]
    fn direct_roundtrip() {
        // tmpfs refuses O_DIRECT; the buffered path covers the logic there.
        let probe = tmp("probe.img");
        std::fs::write(&probe, [0u8; 4096]).unwrap();
        let ok = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECT)
            .open(&probe)
            .is_ok();
        std::fs::remove_file(&probe).unwrap();
        if !ok {
            eprintln!("skipping: the temporary directory does not support O_DIRECT");
            return;
        }
        roundtrip(true);
    }

    #[test]
    fn read_only_and_probe() {
        let path = tmp("ro.img");
        RawImage::create(&path, 65536).unwrap();
        let mut img = crate::open_image(&path, None, true).unwrap();
        assert_eq!(img.format_name(), "raw");
        assert!(matches!(img.write_at(&[1], 0), Err(BlockError::ReadOnly)));
        let st = img.block_status(0, 65536).unwrap();
        assert_eq!(st.len, 65536);
        assert!(crate::open_image(&tmp("missing.img"), None, false).is_err());
        std::fs::remove_file(&path).unwrap();
    }
}
