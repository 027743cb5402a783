//! [`GuestSpace`]: the guest address space of a user-mode process.

use std::os::fd::RawFd;
use std::sync::atomic::{
    AtomicBool, AtomicI8, AtomicI16, AtomicI32, AtomicI64, AtomicU8, AtomicU16, AtomicU32,
    AtomicU64, Ordering,
};
use std::sync::{Mutex, MutexGuard};

use crate::codelog::CodeLog;
use crate::host::{self, PAGE_SIZE};
use crate::table::{self, CODE, MAPPED, PAST_EOF, PageTable};
use crate::types::{
    Access, AtomicOp, Errno, Fault, FaultKind, MapFlags, Mapping, Prot, RemapFlags,
};
use crate::vma::{Vma, VmaList};

/// Inaccessible host bytes after the reservation, so that a JIT access that
/// starts just below the limit and runs past it faults instead of reaching
/// host memory.
const GUARD: u64 = 64 * 1024;
/// Lowest address `mmap` hands out or accepts with `MAP_FIXED` (Linux's
/// default `vm.mmap_min_addr`).
pub const MMAP_MIN_ADDR: u64 = 0x1_0000;

/// Why an address space could not be created.
#[derive(Debug, thiserror::Error)]
pub enum MemError {
    /// `va_bits` outside 16..=47.
    #[error("unsupported guest address size: {0} bits")]
    BadVaBits(u32),
    /// The host page size is not 4 KiB.
    #[error("host page size {0} is not supported (need 4096)")]
    HostPageSize(i64),
    /// The host refused the reservation.
    #[error("cannot reserve {size:#x} bytes of host address space: {errno}")]
    Reserve {
        /// Bytes asked for.
        size: u64,
        /// Host error.
        errno: Errno,
    },
}

/// A guest address space: guest address `a` lives at host address `host_base() + a`.
///
/// The page-state table (guest protection, code tracking) is lock-free; the
/// list of mappings is behind a mutex. Checked accessors consult the table,
/// never the host protection, so code pages write-protected on the host for
/// the JIT stay writable through [`GuestSpace::write`] and friends.
pub struct GuestSpace {
    base: usize,
    reserved: usize,
    limit: u64,
    table: PageTable,
    vmas: Mutex<VmaList>,
    code_log: CodeLog,
    any_code: AtomicBool,
    mmap_base: AtomicU64,
}

// SAFETY: the raw host memory is only reached through atomics, host system
// calls or byte copies of guest data (which the guest may race on, as on
// real hardware); all bookkeeping is atomic or behind a mutex.
unsafe impl Send for GuestSpace {}
// SAFETY: see `Send`.
unsafe impl Sync for GuestSpace {}

fn page_of(addr: u64) -> u64 {
    addr / PAGE_SIZE
}

fn page_up(len: u64) -> Option<u64> {
    len.checked_add(PAGE_SIZE - 1).map(|v| v & !(PAGE_SIZE - 1))
}

fn needed_bit(access: Access) -> u8 {
    match access {
        Access::Read => table::R,
        Access::Write => table::W,
        Access::Exec => table::X,
    }
}

fn fault_kind(bits: u8, access: Access) -> Option<FaultKind> {
    if bits & MAPPED == 0 {
        Some(FaultKind::Unmapped)
    } else if bits & needed_bit(access) == 0 {
        Some(FaultKind::Protection)
    } else if bits & PAST_EOF != 0 {
        Some(FaultKind::Bus)
    } else {
        None
    }
}

fn state_bits(prot: Prot) -> u8 {
    MAPPED | prot.bits()
}

fn einval() -> Errno {
    Errno(libc::EINVAL)
}

impl GuestSpace {
    /// Reserves `1 << va_bits` bytes of guest space (plus a guard) as
    /// inaccessible, unbacked host memory.
    pub fn new(va_bits: u32) -> Result<Self, MemError> {
        if !(16..=47).contains(&va_bits) {
            return Err(MemError::BadVaBits(va_bits));
        }
        // SAFETY: sysconf has no memory-safety preconditions.
        let ps = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if ps != PAGE_SIZE as i64 {
            return Err(MemError::HostPageSize(ps));
        }
        let limit = 1u64 << va_bits;
        let size = limit + GUARD;
        // SAFETY: a fresh inaccessible reservation chosen by the host kernel.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size as usize,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(MemError::Reserve {
                size,
                errno: Errno::last(),
            });
        }
        let table = PageTable::new((limit / PAGE_SIZE) as usize).map_err(|errno| {
            // SAFETY: undoes the reservation made above.
            unsafe { libc::munmap(p, size as usize) };
            MemError::Reserve {
                size: limit / PAGE_SIZE,
                errno,
            }
        })?;
        let mmap_base = limit.min(1 << 38) - (256 << 20).min(limit / 4);
        Ok(GuestSpace {
            base: p as usize,
            reserved: size as usize,
            limit,
            table,
            vmas: Mutex::new(VmaList::default()),
            code_log: CodeLog::new(),
            any_code: AtomicBool::new(false),
            mmap_base: AtomicU64::new(mmap_base),
        })
    }

    /// Host address of guest address 0 (for the JIT).
    pub fn host_base(&self) -> usize {
        self.base
    }

    /// First invalid guest address (`1 << va_bits`).
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Top of the area searched first (downwards) by non-fixed `mmap`.
    pub fn mmap_base(&self) -> u64 {
        self.mmap_base.load(Ordering::Relaxed)
    }

    /// Moves the top of the top-down `mmap` search area (e.g. below the stack).
    pub fn set_mmap_base(&self, addr: u64) {
        self.mmap_base
            .store(addr.min(self.limit) & !(PAGE_SIZE - 1), Ordering::Relaxed);
    }

    /// Guest protection of the page holding `addr` (none if unmapped).
    pub fn page_prot(&self, addr: u64) -> Prot {
        if addr >= self.limit {
            return Prot::NONE;
        }
        table::prot_of(self.table.get(page_of(addr)))
    }

    fn host(&self, addr: u64) -> usize {
        self.base + addr as usize
    }

    fn vmas(&self) -> MutexGuard<'_, VmaList> {
        self.vmas.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks that `[addr, addr+len)` allows `access`.
    pub fn check(&self, addr: u64, len: u64, access: Access) -> Result<(), Fault> {
        if len == 0 {
            return Ok(());
        }
        let end = match addr.checked_add(len) {
            Some(e) if e <= self.limit => e,
            _ => {
                return Err(Fault {
                    addr: addr.max(self.limit),
                    kind: FaultKind::Unmapped,
                    access,
                });
            }
        };
        for p in page_of(addr)..=page_of(end - 1) {
            if let Some(kind) = fault_kind(self.table.get(p), access) {
                return Err(Fault {
                    addr: addr.max(p * PAGE_SIZE),
                    kind,
                    access,
                });
            }
        }
        Ok(())
    }

    /// Number of bytes from `addr` (at most `len`) that allow `access`. For
    /// writes, CODE pages in that prefix are made host-writable and logged,
    /// so the caller may let the host kernel write there directly.
    pub fn accessible_prefix(&self, addr: u64, len: u64, access: Access) -> u64 {
        let len = len.min(self.limit.saturating_sub(addr));
        if len == 0 {
            return 0;
        }
        let end = addr + len;
        let mut ok_end = addr;
        for p in page_of(addr)..=page_of(end - 1) {
            if fault_kind(self.table.get(p), access).is_some() {
                break;
            }
            if access == Access::Write {
                self.unprotect_code(p);
            }
            ok_end = ((p + 1) * PAGE_SIZE).min(end);
        }
        ok_end - addr
    }

    /// Host pointer for guest `addr`, for passing already checked guest
    /// buffers to host system calls (see [`GuestSpace::accessible_prefix`]).
    pub fn host_ptr(&self, addr: u64) -> *mut u8 {
        self.host(addr.min(self.limit)) as *mut u8
    }

    /// Drops CODE from a page so it can be written, logging the invalidation.
    fn unprotect_code(&self, page: u64) {
        if self.table.get(page) & CODE == 0 {
            return;
        }
        let Some(bits) = self.table.lock(page) else {
            return;
        };
        let new = bits & !CODE;
        if bits & CODE != 0 {
            let _ = host::protect(
                self.host(page * PAGE_SIZE),
                PAGE_SIZE as usize,
                table::host_prot(new),
            );
            self.code_log.push(page);
        }
        self.table.unlock(page, new);
    }

    fn prepare_write(&self, addr: u64, len: u64) -> Result<(), Fault> {
        self.check(addr, len, Access::Write)?;
        if len > 0 && self.any_code.load(Ordering::Acquire) {
            for p in page_of(addr)..=page_of(addr + len - 1) {
                self.unprotect_code(p);
            }
        }
        Ok(())
    }

    /// Copies guest memory into `buf`.
    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        self.check(addr, buf.len() as u64, Access::Read)?;
        // SAFETY: the range is mapped and readable on the host (checked
        // above); `buf` is a distinct host buffer.
        unsafe {
            std::ptr::copy_nonoverlapping(self.host(addr) as *const u8, buf.as_mut_ptr(), buf.len())
        };
        Ok(())
    }

    /// Copies `buf` into guest memory (CODE pages are unprotected and logged).
    pub fn write(&self, addr: u64, buf: &[u8]) -> Result<(), Fault> {
        self.prepare_write(addr, buf.len() as u64)?;
        // SAFETY: the range is mapped and host-writable (prepare_write).
        unsafe {
            std::ptr::copy_nonoverlapping(buf.as_ptr(), self.host(addr) as *mut u8, buf.len())
        };
        Ok(())
    }

    /// Fills guest memory with zero bytes.
    pub fn zero(&self, addr: u64, len: u64) -> Result<(), Fault> {
        self.prepare_write(addr, len)?;
        // SAFETY: the range is mapped and host-writable (prepare_write).
        unsafe { std::ptr::write_bytes(self.host(addr) as *mut u8, 0, len as usize) };
        Ok(())
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without the NUL).
    /// A string with no NUL within `max` bytes is returned truncated to `max`.
    pub fn read_cstr(&self, addr: u64, max: usize) -> Result<Vec<u8>, Fault> {
        let mut out = Vec::new();
        let mut at = addr;
        while out.len() < max {
            let in_page = (PAGE_SIZE - at % PAGE_SIZE) as usize;
            let n = in_page.min(max - out.len());
            self.check(at, n as u64, Access::Read)?;
            let mut chunk = vec![0u8; n];
            self.read(at, &mut chunk)?;
            if let Some(z) = chunk.iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..z]);
                return Ok(out);
            }
            out.extend_from_slice(&chunk);
            at += n as u64;
        }
        Ok(out)
    }

    fn load_raw(&self, addr: u64, n: u64) -> u64 {
        let h = self.host(addr);
        if addr.is_multiple_of(n) {
            // SAFETY: `h` is naturally aligned, mapped and readable (checked by
            // the caller); atomics tolerate concurrent guest threads.
            unsafe {
                match n {
                    1 => AtomicU8::from_ptr(h as *mut u8).load(Ordering::Relaxed) as u64,
                    2 => AtomicU16::from_ptr(h as *mut u16).load(Ordering::Relaxed) as u64,
                    4 => AtomicU32::from_ptr(h as *mut u32).load(Ordering::Relaxed) as u64,
                    _ => AtomicU64::from_ptr(h as *mut u64).load(Ordering::Relaxed),
                }
            }
        } else {
            let mut b = [0u8; 8];
            // SAFETY: the `n` bytes are mapped and readable (checked by the caller).
            unsafe { std::ptr::copy_nonoverlapping(h as *const u8, b.as_mut_ptr(), n as usize) };
            u64::from_le_bytes(b)
        }
    }

    fn scalar_size(size: u8) -> u64 {
        match size {
            1 | 2 | 4 => size as u64,
            _ => 8,
        }
    }

    /// Loads a little-endian value of `size` bytes (1, 2, 4 or 8; misaligned allowed).
    pub fn load(&self, addr: u64, size: u8) -> Result<u64, Fault> {
        let n = Self::scalar_size(size);
        self.check(addr, n, Access::Read)?;
        Ok(self.load_raw(addr, n))
    }

    /// Fetches `size` bytes of instructions (needs execute permission).
    pub fn fetch(&self, addr: u64, size: u8) -> Result<u64, Fault> {
        let n = Self::scalar_size(size);
        self.check(addr, n, Access::Exec)?;
        Ok(self.load_raw(addr, n))
    }

    /// Stores the low `size` bytes of `val`, little endian.
    pub fn store(&self, addr: u64, size: u8, val: u64) -> Result<(), Fault> {
        let n = Self::scalar_size(size);
        self.prepare_write(addr, n)?;
        let h = self.host(addr);
        if addr.is_multiple_of(n) {
            // SAFETY: aligned, mapped and host-writable (prepare_write).
            unsafe {
                match n {
                    1 => AtomicU8::from_ptr(h as *mut u8).store(val as u8, Ordering::Relaxed),
                    2 => AtomicU16::from_ptr(h as *mut u16).store(val as u16, Ordering::Relaxed),
                    4 => AtomicU32::from_ptr(h as *mut u32).store(val as u32, Ordering::Relaxed),
                    _ => AtomicU64::from_ptr(h as *mut u64).store(val, Ordering::Relaxed),
                }
            }
        } else {
            let b = val.to_le_bytes();
            // SAFETY: the `n` bytes are mapped and host-writable (prepare_write).
            unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), h as *mut u8, n as usize) };
        }
        Ok(())
    }

    fn prepare_atomic(&self, addr: u64, size: u8, sizes: &[u8]) -> Result<usize, Fault> {
        if !sizes.contains(&size) || !addr.is_multiple_of(size as u64) {
            return Err(Fault {
                addr,
                kind: FaultKind::Misaligned,
                access: Access::Write,
            });
        }
        self.check(addr, size as u64, Access::Read)
            .map_err(|f| Fault {
                access: Access::Write,
                ..f
            })?;
        self.prepare_write(addr, size as u64)?;
        Ok(self.host(addr))
    }

    /// Atomic read-modify-write of a naturally aligned 4- or 8-byte value;
    /// returns the old value (32-bit values zero-extended). 32-bit min/max
    /// compare as 32-bit values.
    pub fn atomic_rmw(&self, addr: u64, size: u8, op: AtomicOp, val: u64) -> Result<u64, Fault> {
        let h = self.prepare_atomic(addr, size, &[4, 8])?;
        let o = Ordering::SeqCst;
        // SAFETY: `h` is naturally aligned, mapped and host-writable
        // (prepare_atomic); all guest threads use atomics on it.
        let old = unsafe {
            if size == 4 {
                let u = AtomicU32::from_ptr(h as *mut u32);
                let s = AtomicI32::from_ptr(h as *mut i32);
                let v = val as u32;
                (match op {
                    AtomicOp::Swap => u.swap(v, o),
                    AtomicOp::Add => u.fetch_add(v, o),
                    AtomicOp::And => u.fetch_and(v, o),
                    AtomicOp::Or => u.fetch_or(v, o),
                    AtomicOp::Xor => u.fetch_xor(v, o),
                    AtomicOp::MinS => s.fetch_min(v as i32, o) as u32,
                    AtomicOp::MaxS => s.fetch_max(v as i32, o) as u32,
                    AtomicOp::MinU => u.fetch_min(v, o),
                    AtomicOp::MaxU => u.fetch_max(v, o),
                }) as u64
            } else {
                let u = AtomicU64::from_ptr(h as *mut u64);
                let s = AtomicI64::from_ptr(h as *mut i64);
                match op {
                    AtomicOp::Swap => u.swap(val, o),
                    AtomicOp::Add => u.fetch_add(val, o),
                    AtomicOp::And => u.fetch_and(val, o),
                    AtomicOp::Or => u.fetch_or(val, o),
                    AtomicOp::Xor => u.fetch_xor(val, o),
                    AtomicOp::MinS => s.fetch_min(val as i64, o) as u64,
                    AtomicOp::MaxS => s.fetch_max(val as i64, o) as u64,
                    AtomicOp::MinU => u.fetch_min(val, o),
                    AtomicOp::MaxU => u.fetch_max(val, o),
                }
            }
        };
        Ok(old)
    }

    /// Atomic compare-and-exchange of a naturally aligned 1-, 2-, 4- or
    /// 8-byte value; returns the old value (the exchange happened iff it
    /// equals `expected` truncated to `size`).
    pub fn cmpxchg(&self, addr: u64, size: u8, expected: u64, new: u64) -> Result<u64, Fault> {
        let h = self.prepare_atomic(addr, size, &[1, 2, 4, 8])?;
        let o = Ordering::SeqCst;
        // SAFETY: `h` is naturally aligned, mapped and host-writable (prepare_atomic).
        let old = unsafe {
            match size {
                1 => {
                    let a = AtomicI8::from_ptr(h as *mut i8);
                    a.compare_exchange(expected as i8, new as i8, o, o)
                        .unwrap_or_else(|v| v) as u8 as u64
                }
                2 => {
                    let a = AtomicI16::from_ptr(h as *mut i16);
                    a.compare_exchange(expected as i16, new as i16, o, o)
                        .unwrap_or_else(|v| v) as u16 as u64
                }
                4 => {
                    let a = AtomicU32::from_ptr(h as *mut u32);
                    a.compare_exchange(expected as u32, new as u32, o, o)
                        .unwrap_or_else(|v| v) as u64
                }
                _ => {
                    let a = AtomicU64::from_ptr(h as *mut u64);
                    a.compare_exchange(expected, new, o, o)
                        .unwrap_or_else(|v| v)
                }
            }
        };
        Ok(old)
    }

    /// Sets the state of pages `[start, end)`, logging pages that held code.
    fn set_pages(&self, start: u64, end: u64, bits: impl Fn(u64) -> u8) {
        for p in page_of(start)..page_of(end) {
            let old = self.table.set(p, bits(p));
            if old & CODE != 0 {
                self.code_log.push(p);
            }
        }
    }

    /// Maps memory with Linux `mmap` semantics (4 KiB pages). Without
    /// `FIXED`/`FIXED_NOREPLACE`, `addr` is a hint and a free range is
    /// searched top-down below [`GuestSpace::mmap_base`].
    pub fn mmap(
        &self,
        addr: u64,
        len: u64,
        prot: Prot,
        flags: MapFlags,
        fd: Option<RawFd>,
        offset: u64,
    ) -> Result<u64, Errno> {
        let anon = flags.contains(MapFlags::ANONYMOUS);
        let mut file: Option<(RawFd, libc::stat)> = None;
        if !anon {
            let fd = fd.ok_or(Errno(libc::EBADF))?;
            // SAFETY: an all-zero `stat` is a valid value to be overwritten.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY: `st` is a valid, writable stat buffer.
            if unsafe { libc::fstat(fd, &mut st) } != 0 {
                return Err(Errno(libc::EBADF));
            }
            file = Some((fd, st));
        }
        if len == 0 {
            return Err(einval());
        }
        let shared = flags.contains(MapFlags::SHARED);
        if shared == flags.contains(MapFlags::PRIVATE) {
            return Err(einval());
        }
        if !offset.is_multiple_of(PAGE_SIZE) {
            return Err(einval());
        }
        let len = page_up(len)
            .filter(|&l| l <= self.limit)
            .ok_or(Errno(libc::ENOMEM))?;
        if !anon && offset.checked_add(len).is_none() {
            return Err(Errno(libc::EOVERFLOW));
        }
        let mut vmas = self.vmas();
        let start = if flags.intersects(MapFlags::FIXED | MapFlags::FIXED_NOREPLACE) {
            if !addr.is_multiple_of(PAGE_SIZE) {
                return Err(einval());
            }
            if addr.checked_add(len).is_none_or(|e| e > self.limit) {
                return Err(Errno(libc::ENOMEM));
            }
            if addr < MMAP_MIN_ADDR {
                return Err(Errno(libc::EPERM));
            }
            if flags.contains(MapFlags::FIXED_NOREPLACE) && !vmas.is_free(addr, addr + len) {
                return Err(Errno(libc::EEXIST));
            }
            addr
        } else {
            let hint = addr & !(PAGE_SIZE - 1);
            if hint >= MMAP_MIN_ADDR
                && hint.checked_add(len).is_some_and(|e| e <= self.limit)
                && vmas.is_free(hint, hint + len)
            {
                hint
            } else {
                vmas.find_free_top_down(len, MMAP_MIN_ADDR, self.mmap_base())
                    .or_else(|| vmas.find_free_top_down(len, self.mmap_base(), self.limit))
                    .ok_or(Errno(libc::ENOMEM))?
            }
        };
        let bits = state_bits(prot);
        let h = self.host(start);
        match file {
            None => host::map_anon_fixed(
                h,
                len as usize,
                table::host_prot(bits),
                shared,
                flags.contains(MapFlags::NORESERVE),
            )?,
            Some((fd, _)) => {
                host::map_file_fixed(h, len as usize, table::host_prot(bits), shared, fd, offset)?
            }
        }
        let (dev, inode, name, file_size) = match &file {
            Some((fd, st)) => {
                let name = std::fs::read_link(format!("/proc/self/fd/{fd}"))
                    .ok()
                    .map(|p| p.to_string_lossy().into_owned());
                let regular = st.st_mode & libc::S_IFMT == libc::S_IFREG;
                let size = if regular {
                    st.st_size.max(0) as u64
                } else {
                    u64::MAX
                };
                (st.st_dev, st.st_ino, name, size)
            }
            None => (0, 0, None, u64::MAX),
        };
        vmas.carve(start, start + len);
        vmas.insert(Vma {
            start,
            end: start + len,
            prot,
            shared,
            offset: (!anon).then_some(offset),
            dev,
            inode,
            file_size,
            name: name.map(Into::into),
        });
        let first = page_of(start);
        let eof_page = page_up(file_size).map_or(u64::MAX, page_of);
        self.set_pages(start, start + len, |p| {
            let file_page = page_of(offset) + (p - first);
            if file_page >= eof_page {
                bits | PAST_EOF
            } else {
                bits
            }
        });
        Ok(start)
    }

    fn unmap_locked(&self, vmas: &mut VmaList, start: u64, len: u64) -> Result<(), Errno> {
        host::reserve_fixed(self.host(start), len as usize)?;
        vmas.carve(start, start + len);
        self.set_pages(start, start + len, |_| 0);
        Ok(())
    }

    /// Unmaps with Linux semantics; the range goes back to inaccessible
    /// reservation (address space is never returned to the host).
    pub fn munmap(&self, addr: u64, len: u64) -> Result<(), Errno> {
        if !addr.is_multiple_of(PAGE_SIZE) || len == 0 {
            return Err(einval());
        }
        let len = page_up(len).ok_or_else(einval)?;
        if addr.checked_add(len).is_none_or(|e| e > self.limit) {
            return Err(einval());
        }
        let mut vmas = self.vmas();
        self.unmap_locked(&mut vmas, addr, len)
    }

    /// Changes guest protection with Linux semantics (`ENOMEM` if part of
    /// the range is unmapped).
    pub fn mprotect(&self, addr: u64, len: u64, prot: Prot) -> Result<(), Errno> {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(einval());
        }
        let len = page_up(len).ok_or(Errno(libc::ENOMEM))?;
        if len == 0 {
            return Ok(());
        }
        let end = addr
            .checked_add(len)
            .filter(|&e| e <= self.limit)
            .ok_or(Errno(libc::ENOMEM))?;
        let mut vmas = self.vmas();
        if !vmas.is_covered(addr, end) {
            return Err(Errno(libc::ENOMEM));
        }
        host::protect(
            self.host(addr),
            len as usize,
            table::host_prot(state_bits(prot)),
        )?;
        for mut v in vmas.carve(addr, end) {
            v.prot = prot;
            vmas.insert(v);
        }
        self.set_pages(addr, end, |p| {
            (self.table.get(p) & PAST_EOF) | state_bits(prot)
        });
        Ok(())
    }

    /// Resizes or moves a mapping with Linux `mremap` semantics
    /// (`MREMAP_MAYMOVE`, `MREMAP_FIXED`).
    pub fn mremap(
        &self,
        old_addr: u64,
        old_len: u64,
        new_len: u64,
        flags: RemapFlags,
        new_addr: u64,
    ) -> Result<u64, Errno> {
        if !old_addr.is_multiple_of(PAGE_SIZE)
            || (flags.contains(RemapFlags::FIXED) && !flags.contains(RemapFlags::MAYMOVE))
        {
            return Err(einval());
        }
        let old_len = page_up(old_len).ok_or_else(einval)?;
        let new_len = page_up(new_len).ok_or_else(einval)?;
        if old_len == 0 || new_len == 0 || new_len > self.limit {
            return Err(einval());
        }
        let mut vmas = self.vmas();
        let v = vmas.find(old_addr).cloned().ok_or(Errno(libc::EFAULT))?;
        if old_addr.checked_add(old_len).is_none_or(|e| e > v.end) {
            return Err(Errno(libc::EFAULT));
        }
        if flags.contains(RemapFlags::FIXED) {
            if !new_addr.is_multiple_of(PAGE_SIZE)
                || new_addr.checked_add(new_len).is_none_or(|e| e > self.limit)
                || new_addr < MMAP_MIN_ADDR
            {
                return Err(einval());
            }
            if new_addr < old_addr + old_len && old_addr < new_addr + new_len {
                return Err(einval());
            }
            self.unmap_locked(&mut vmas, new_addr, new_len)?;
            return self.move_locked(&mut vmas, &v, old_addr, old_len, new_len, new_addr);
        }
        if new_len <= old_len {
            if new_len < old_len {
                self.unmap_locked(&mut vmas, old_addr + new_len, old_len - new_len)?;
            }
            return Ok(old_addr);
        }
        let ext = old_addr + old_len;
        let ext_len = new_len - old_len;
        if ext.checked_add(ext_len).is_some_and(|e| e <= self.limit)
            && vmas.is_free(ext, ext + ext_len)
        {
            let bits = state_bits(v.prot);
            if v.offset.is_none() && !v.shared {
                host::map_anon_fixed(
                    self.host(ext),
                    ext_len as usize,
                    table::host_prot(bits),
                    false,
                    false,
                )?;
            } else {
                // SAFETY: the extension is inaccessible reservation owned by
                // this space; it is unmapped so the host mapping can grow into it.
                unsafe { libc::munmap(self.host(ext) as *mut libc::c_void, ext_len as usize) };
                // SAFETY: grows the guest mapping in place into the hole made above.
                let r = unsafe {
                    libc::mremap(
                        self.host(old_addr) as *mut libc::c_void,
                        old_len as usize,
                        new_len as usize,
                        0,
                    )
                };
                if r == libc::MAP_FAILED {
                    let e = Errno::last();
                    host::reserve_fixed(self.host(ext), ext_len as usize)?;
                    return Err(e);
                }
            }
            let mut piece = v.clone();
            piece.start = ext;
            piece.end = ext + ext_len;
            piece.offset = v.offset.map(|o| o + (ext - v.start));
            vmas.insert(piece.clone());
            self.set_pages(ext, ext + ext_len, |p| piece.page_bits(p * PAGE_SIZE, bits));
            return Ok(old_addr);
        }
        if !flags.contains(RemapFlags::MAYMOVE) {
            return Err(Errno(libc::ENOMEM));
        }
        let target = vmas
            .find_free_top_down(new_len, MMAP_MIN_ADDR, self.mmap_base())
            .or_else(|| vmas.find_free_top_down(new_len, self.mmap_base(), self.limit))
            .ok_or(Errno(libc::ENOMEM))?;
        self.move_locked(&mut vmas, &v, old_addr, old_len, new_len, target)
    }

    fn move_locked(
        &self,
        vmas: &mut VmaList,
        v: &Vma,
        old: u64,
        old_len: u64,
        new_len: u64,
        target: u64,
    ) -> Result<u64, Errno> {
        host::move_fixed(
            self.host(old),
            old_len as usize,
            new_len as usize,
            self.host(target),
        )?;
        host::reserve_fixed(self.host(old), old_len as usize)?;
        let fresh = state_bits(v.prot);
        let mut moved = v.clone();
        moved.start = target;
        moved.end = target + new_len;
        moved.offset = v.offset.map(|o| o + (old - v.start));
        let (old_first, new_first) = (page_of(old), page_of(target));
        let kept = page_of(old_len.min(new_len));
        self.set_pages(target, target + new_len, |p| {
            let i = p - new_first;
            if i < kept {
                self.table.get(old_first + i) & !CODE
            } else {
                moved.page_bits(p * PAGE_SIZE, fresh)
            }
        });
        self.set_pages(old, old + old_len, |_| 0);
        vmas.carve(old, old + old_len);
        vmas.insert(moved);
        Ok(target)
    }

    /// Whether every page of `[addr, addr+len)` belongs to a mapping
    /// (whatever its protection).
    pub fn is_mapped(&self, addr: u64, len: u64) -> bool {
        match addr.checked_add(len) {
            Some(end) if end <= self.limit => self.vmas().is_covered(addr, end),
            _ => false,
        }
    }

    /// Names the mapping that starts at `addr` (e.g. `[stack]`, `[heap]`).
    pub fn label(&self, addr: u64, name: &str) {
        self.vmas().set_name(addr, name);
    }

    /// All guest mappings in address order (for `/proc/self/maps`).
    pub fn mappings(&self) -> Vec<Mapping> {
        self.vmas().mappings()
    }

    /// Marks a page as holding translated code: if the guest may write it,
    /// host write permission is removed so guest stores fault into
    /// [`GuestSpace::on_write_fault`]. Async-signal-safe.
    pub fn mark_code_page(&self, page_addr: u64) {
        if page_addr >= self.limit {
            return;
        }
        let page = page_of(page_addr);
        let Some(bits) = self.table.lock(page) else {
            return;
        };
        if bits & MAPPED == 0 || bits & CODE != 0 {
            self.table.unlock(page, bits);
            return;
        }
        let new = bits | CODE;
        self.any_code.store(true, Ordering::Release);
        if bits & table::W != 0 {
            let _ = host::protect(
                self.host(page * PAGE_SIZE),
                PAGE_SIZE as usize,
                table::host_prot(new),
            );
        }
        self.table.unlock(page, new);
    }

    /// Handles a host write fault at guest address `guest_addr`. Returns
    /// true if the fault came from code tracking (or a page another thread
    /// just unprotected) and the write should be retried; false for a real
    /// guest fault. Async-signal-safe.
    pub fn on_write_fault(&self, guest_addr: u64) -> bool {
        if guest_addr >= self.limit {
            return false;
        }
        let page = page_of(guest_addr);
        let Some(bits) = self.table.lock(page) else {
            return false;
        };
        let writable = bits & MAPPED != 0 && bits & table::W != 0 && bits & PAST_EOF == 0;
        if writable && bits & CODE != 0 {
            let new = bits & !CODE;
            let _ = host::protect(
                self.host(page * PAGE_SIZE),
                PAGE_SIZE as usize,
                table::host_prot(new),
            );
            self.code_log.push(page);
            self.table.unlock(page, new);
            return true;
        }
        if writable {
            // Another thread changed this page between the fault and now;
            // make sure the host view matches so the retried write succeeds.
            let _ = host::protect(
                self.host(page * PAGE_SIZE),
                PAGE_SIZE as usize,
                table::host_prot(bits),
            );
        }
        self.table.unlock(page, bits);
        writable
    }

    /// Appends the guest ranges `(start, len)` whose translations must be
    /// dropped since the last call, merged and sorted.
    pub fn take_code_invalidations(&self, out: &mut Vec<(u64, u64)>) {
        let mut pages = Vec::new();
        if self.code_log.drain(&mut pages) {
            out.push((0, self.limit));
            return;
        }
        pages.sort_unstable();
        pages.dedup();
        let mut run: Option<(u64, u64)> = None;
        for p in pages {
            run = match run {
                Some((s, n)) if s + n == p => Some((s, n + 1)),
                Some((s, n)) => {
                    out.push((s * PAGE_SIZE, n * PAGE_SIZE));
                    Some((p, 1))
                }
                None => Some((p, 1)),
            };
        }
        if let Some((s, n)) = run {
            out.push((s * PAGE_SIZE, n * PAGE_SIZE));
        }
    }
}

impl Drop for GuestSpace {
    fn drop(&mut self) {
        // SAFETY: releases the reservation made in `new`; nothing can refer
        // to guest memory once the space is dropped.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.reserved) };
    }
}
