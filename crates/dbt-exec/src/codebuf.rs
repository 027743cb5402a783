//! A dual-mapped code buffer: the same memory is mapped once writable and once
//! executable, so code is written and patched without mprotect calls and no page is
//! ever writable and executable through the same mapping.

use std::io;

/// The code buffer. Allocation is a bump pointer; everything is dropped at once by
/// [`CodeBuffer::reset`].
pub struct CodeBuffer {
    rw: *mut u8,
    rx: *mut u8,
    size: usize,
    used: usize,
}

// SAFETY: the buffer is plain memory owned by this value; the raw pointers are not
// shared with anything that outlives it.
unsafe impl Send for CodeBuffer {}

impl CodeBuffer {
    /// Maps a buffer of `size` bytes (rounded up to pages).
    pub fn new(size: usize) -> io::Result<CodeBuffer> {
        let size = size.next_multiple_of(4096);
        // SAFETY: memfd_create takes a NUL-terminated name and flags; no memory is touched.
        let fd = unsafe { libc::memfd_create(c"oxemu-code".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a fresh memfd we own.
        if unsafe { libc::ftruncate(fd, size as libc::off_t) } != 0 {
            let e = io::Error::last_os_error();
            // SAFETY: closing the fd we own.
            unsafe { libc::close(fd) };
            return Err(e);
        }
        let map = |prot| {
            // SAFETY: a new shared mapping of our memfd at an address the kernel picks;
            // it does not alias any Rust object.
            let p =
                unsafe { libc::mmap(std::ptr::null_mut(), size, prot, libc::MAP_SHARED, fd, 0) };
            if p == libc::MAP_FAILED {
                Err(io::Error::last_os_error())
            } else {
                Ok(p as *mut u8)
            }
        };
        let rw = map(libc::PROT_READ | libc::PROT_WRITE);
        let rx = map(libc::PROT_READ | libc::PROT_EXEC);
        // SAFETY: the mappings keep the memory alive; the fd is no longer needed.
        unsafe { libc::close(fd) };
        Ok(CodeBuffer {
            rw: rw?,
            rx: rx?,
            size,
            used: 0,
        })
    }

    /// In the child of a fork: the two views still map the parent's memfd, so each
    /// process would write into the other's code. Gives this process its own copy
    /// at the same addresses (code holds absolute addresses into the buffer).
    pub fn unshare(&mut self) -> io::Result<()> {
        // SAFETY: as in `new`.
        let fd = unsafe { libc::memfd_create(c"oxemu-code".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let result = (|| {
            // SAFETY: fd is our fresh memfd.
            if unsafe { libc::ftruncate(fd, self.size as libc::off_t) } != 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: the used part of the RW view is initialized memory of this
            // process; write copies it into the new file.
            let written = unsafe { libc::write(fd, self.rw as *const libc::c_void, self.used) };
            if written != self.used as isize {
                return Err(io::Error::other("cannot copy the code buffer"));
            }
            for (view, prot) in [
                (self.rw, libc::PROT_READ | libc::PROT_WRITE),
                (self.rx, libc::PROT_READ | libc::PROT_EXEC),
            ] {
                // SAFETY: replaces our own mapping of `size` bytes at `view` with the
                // new file; no Rust reference points into the buffer and no
                // translated code runs during the call.
                let p = unsafe {
                    libc::mmap(
                        view as *mut libc::c_void,
                        self.size,
                        prot,
                        libc::MAP_SHARED | libc::MAP_FIXED,
                        fd,
                        0,
                    )
                };
                if p == libc::MAP_FAILED {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        })();
        // SAFETY: closing the fd we own; the mappings keep the memory.
        unsafe { libc::close(fd) };
        result
    }

    /// Executable address of the next allocation.
    pub fn next_addr(&self) -> usize {
        self.rx as usize + self.used
    }

    /// Whether `addr` lies in the executable view.
    pub fn contains(&self, addr: usize) -> bool {
        addr >= self.rx as usize && addr < self.rx as usize + self.used
    }

    /// Copies `code` to the next free position (which must be where it was compiled
    /// for) and returns its executable address, or None when the buffer is full.
    pub fn push(&mut self, code: &[u8]) -> Option<usize> {
        let aligned = self.used.next_multiple_of(16);
        if aligned + code.len() > self.size {
            return None;
        }
        let addr = self.rx as usize + aligned;
        // SAFETY: [aligned, aligned+len) is inside the writable view, which no Rust
        // reference points into; the executable view of these bytes is not running
        // yet (freshly allocated).
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), self.rw.add(aligned), code.len()) };
        self.used = aligned + code.len();
        Some(addr)
    }

    /// Aligns the next allocation to 16 bytes (call before compiling for `next_addr`).
    pub fn align(&mut self) {
        self.used = self.used.next_multiple_of(16).min(self.size);
    }

    /// Writes a 32-bit value at executable address `addr` (4-byte aligned, so the
    /// store is atomic with respect to instruction fetch of other threads).
    pub fn patch_u32(&mut self, addr: usize, value: u32) {
        assert!(self.contains(addr) && self.contains(addr + 3) && addr.is_multiple_of(4));
        let off = addr - self.rx as usize;
        // SAFETY: bounds checked above; aligned 4-byte volatile store into the
        // writable view.
        unsafe { std::ptr::write_volatile(self.rw.add(off) as *mut u32, value) };
    }

    /// Forgets every allocation after the first `keep` bytes.
    pub fn reset(&mut self, keep: usize) {
        self.used = keep.min(self.size);
    }

    /// Bytes in use.
    pub fn used(&self) -> usize {
        self.used
    }
}

impl Drop for CodeBuffer {
    fn drop(&mut self) {
        // SAFETY: both views were mapped by `new` with this size and are unmapped once.
        unsafe {
            libc::munmap(self.rw as *mut libc::c_void, self.size);
            libc::munmap(self.rx as *mut libc::c_void, self.size);
        }
    }
}
