//! The lock-free page-state table: one `AtomicU8` per 4 KiB guest page.
//!
//! It lives in a `MAP_NORESERVE` host mapping so that only the parts covering
//! used guest memory are ever backed. Readers never lock; writers take a
//! per-page spin bit (`LOCK`) so that the JIT's code tracking (which may run
//! in a signal handler) and mapping changes do not interleave on one page.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::types::{Errno, Prot};

/// Page is readable (same bit as [`Prot::R`]).
pub const R: u8 = 1;
/// Page is writable.
pub const W: u8 = 2;
/// Page is executable.
pub const X: u8 = 4;
/// Page belongs to a mapping.
pub const MAPPED: u8 = 8;
/// Page holds translated code: host write permission is removed.
pub const CODE: u8 = 16;
/// File mapping page past the end of the file (access raises SIGBUS).
pub const PAST_EOF: u8 = 32;
/// Per-page spin lock.
const LOCK: u8 = 128;

/// One byte of state per guest page.
pub struct PageTable {
    ptr: *mut AtomicU8,
    pages: usize,
}

// SAFETY: the table is only accessed through atomics.
unsafe impl Send for PageTable {}
// SAFETY: the table is only accessed through atomics.
unsafe impl Sync for PageTable {}

impl PageTable {
    /// Reserves a zeroed table for `pages` pages.
    pub fn new(pages: usize) -> Result<PageTable, Errno> {
        // SAFETY: a fresh private anonymous mapping; zero-filled memory is a
        // valid array of AtomicU8.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                pages,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(Errno::last());
        }
        Ok(PageTable {
            ptr: p.cast(),
            pages,
        })
    }

    fn slot(&self, page: u64) -> Option<&AtomicU8> {
        let i = usize::try_from(page).ok().filter(|&i| i < self.pages)?;
        // SAFETY: `i` is in bounds of the mapping made in `new`, which lives
        // as long as `self`.
        Some(unsafe { &*self.ptr.add(i) })
    }

    /// State bits of `page` (0 for pages beyond the table), without the lock bit.
    pub fn get(&self, page: u64) -> u8 {
        self.slot(page)
            .map_or(0, |s| s.load(Ordering::Acquire) & !LOCK)
    }

    /// Locks `page` and returns its bits; `None` if beyond the table.
    /// Async-signal-safe as long as a lock holder never faults.
    pub fn lock(&self, page: u64) -> Option<u8> {
        let s = self.slot(page)?;
        loop {
            let old = s.fetch_or(LOCK, Ordering::Acquire);
            if old & LOCK == 0 {
                return Some(old);
            }
            std::hint::spin_loop();
        }
    }

    /// Stores `bits` and releases the lock taken by [`PageTable::lock`].
    pub fn unlock(&self, page: u64, bits: u8) {
        if let Some(s) = self.slot(page) {
            s.store(bits & !LOCK, Ordering::Release);
        }
    }

    /// Sets `page` to `bits` under its lock, skipping untouched zero pages.
    pub fn set(&self, page: u64, bits: u8) -> u8 {
        if bits == 0 && self.get(page) == 0 {
            return 0;
        }
        match self.lock(page) {
            Some(old) => {
                self.unlock(page, bits);
                old
            }
            None => 0,
        }
    }
}

impl Drop for PageTable {
    fn drop(&mut self) {
        // SAFETY: unmaps the table mapped in `new`; no references outlive self.
        unsafe { libc::munmap(self.ptr.cast(), self.pages) };
    }
}

/// Guest protection encoded in state bits.
pub fn prot_of(bits: u8) -> Prot {
    if bits & MAPPED == 0 {
        return Prot::NONE;
    }
    Prot::from_bits_truncate(bits & (R | W | X))
}

/// Host protection matching the state bits: execute is never given to guest
/// pages (the JIT reads them), and CODE pages lose host write permission.
pub fn host_prot(bits: u8) -> i32 {
    if bits & MAPPED == 0 {
        return libc::PROT_NONE;
    }
    let mut p = libc::PROT_NONE;
    if bits & (R | X) != 0 {
        p |= libc::PROT_READ;
    }
    if bits & W != 0 && bits & CODE == 0 {
        p |= libc::PROT_WRITE | libc::PROT_READ;
    }
    p
}
