//! Memory-management system calls, all through [`oxemu_memory::GuestSpace`]
//! so that code-page invalidations are logged.

use oxemu_memory::{Errno, MapFlags, PAGE_SIZE, Prot, RemapFlags};

use super::guest::einval;
use super::{SysResult, host};
use crate::process::Process;

const PROT_READ: u64 = 1;
const PROT_WRITE: u64 = 2;
const PROT_EXEC: u64 = 4;
const MAP_SHARED: u64 = 1;
const MAP_PRIVATE: u64 = 2;
const MAP_SHARED_VALIDATE: u64 = 3;
const MAP_TYPE: u64 = 0xf;
const MAP_FIXED: u64 = 0x10;
const MAP_ANONYMOUS: u64 = 0x20;
const MAP_NORESERVE: u64 = 0x4000;
const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;
const MREMAP_MAYMOVE: u64 = 1;
const MREMAP_FIXED: u64 = 2;
const MADV_DONTNEED: u64 = 4;

/// Guest `PROT_*` to [`Prot`]; unknown bits are `EINVAL`. On riscv64 a
/// writable page is also readable.
fn prot_arg(p: u64) -> Result<Prot, Errno> {
    if p & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
        return Err(einval());
    }
    let mut prot = Prot::NONE;
    if p & PROT_READ != 0 {
        prot |= Prot::R;
    }
    if p & PROT_WRITE != 0 {
        prot |= Prot::RW;
    }
    if p & PROT_EXEC != 0 {
        prot |= Prot::X;
    }
    Ok(prot)
}

fn page_up(v: u64) -> Option<u64> {
    v.checked_add(PAGE_SIZE - 1).map(|v| v & !(PAGE_SIZE - 1))
}

impl Process {
    pub(crate) fn sys_brk(&mut self, addr: u64) -> SysResult {
        let cur = self.brk.cur;
        if addr < self.brk.start {
            return Ok(cur);
        }
        let (Some(old_end), Some(new_end)) = (page_up(cur), page_up(addr)) else {
            return Ok(cur);
        };
        if new_end > old_end {
            let flags = MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED_NOREPLACE;
            if self
                .space
                .mmap(old_end, new_end - old_end, Prot::RW, flags, None, 0)
                .is_err()
            {
                return Ok(cur);
            }
            if old_end == self.brk.start {
                self.space.label(old_end, "[heap]");
            }
        } else if new_end < old_end && self.space.munmap(new_end, old_end - new_end).is_err() {
            return Ok(cur);
        }
        // Bytes above the old break in its last page may be stale from an
        // earlier, larger break: the guest expects fresh memory there.
        if addr > cur && old_end > cur {
            let _ = self.space.zero(cur, old_end.min(addr) - cur);
        }
        self.brk.cur = addr;
        Ok(addr)
    }

    pub(crate) fn sys_mmap(
        &mut self,
        addr: u64,
        len: u64,
        prot: u64,
        flags: u64,
        fd: u64,
        off: u64,
    ) -> SysResult {
        if !off.is_multiple_of(PAGE_SIZE) {
            return Err(einval());
        }
        let prot = prot_arg(prot)?;
        let mut f = MapFlags::empty();
        match flags & MAP_TYPE {
            MAP_SHARED | MAP_SHARED_VALIDATE => f |= MapFlags::SHARED,
            MAP_PRIVATE => f |= MapFlags::PRIVATE,
            _ => {}
        }
        for (bit, flag) in [
            (MAP_FIXED, MapFlags::FIXED),
            (MAP_ANONYMOUS, MapFlags::ANONYMOUS),
            (MAP_NORESERVE, MapFlags::NORESERVE),
            (MAP_FIXED_NOREPLACE, MapFlags::FIXED_NOREPLACE),
        ] {
            if flags & bit != 0 {
                f |= flag;
            }
        }
        let fd = (flags & MAP_ANONYMOUS == 0).then_some(fd as i32);
        if let Some(fd) = fd
            && self.reserved_fds.contains(&fd)
        {
            return Err(Errno(libc::EBADF));
        }
        self.space.mmap(addr, len, prot, f, fd, off)
    }

    pub(crate) fn sys_munmap(&mut self, addr: u64, len: u64) -> SysResult {
        self.space.munmap(addr, len).map(|()| 0)
    }

    pub(crate) fn sys_mprotect(&mut self, addr: u64, len: u64, prot: u64) -> SysResult {
        self.space.mprotect(addr, len, prot_arg(prot)?).map(|()| 0)
    }

    pub(crate) fn sys_mremap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u64,
        new_addr: u64,
    ) -> SysResult {
        if flags & !(MREMAP_MAYMOVE | MREMAP_FIXED) != 0 {
            return Err(einval());
        }
        let mut f = RemapFlags::empty();
        if flags & MREMAP_MAYMOVE != 0 {
            f |= RemapFlags::MAYMOVE;
        }
        if flags & MREMAP_FIXED != 0 {
            f |= RemapFlags::FIXED;
        }
        self.space.mremap(old, old_len, new_len, f, new_addr)
    }

    /// Checks `[addr, addr+len)` is page aligned and mapped; returns the
    /// rounded length (`None` for an empty range).
    fn mapped_range(&self, addr: u64, len: u64) -> Result<Option<u64>, Errno> {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(einval());
        }
        let len = page_up(len).ok_or_else(einval)?;
        if len == 0 {
            return Ok(None);
        }
        if !self.space.is_mapped(addr, len) {
            return Err(Errno(libc::ENOMEM));
        }
        Ok(Some(len))
    }

    pub(crate) fn sys_madvise(&mut self, addr: u64, len: u64, advice: u64) -> SysResult {
        let Some(len) = self.mapped_range(addr, len)? else {
            return Ok(0);
        };
        if advice == MADV_DONTNEED {
            // Private anonymous pages read back as zero afterwards: the guest
            // (e.g. malloc) relies on it.
            // SAFETY: the range is guest memory inside the reservation.
            unsafe {
                host(
                    libc::SYS_madvise,
                    &[
                        self.space.host_ptr(addr) as i64,
                        len as i64,
                        libc::MADV_DONTNEED as i64,
                    ],
                )?
            };
        }
        Ok(0)
    }

    pub(crate) fn sys_mincore(&mut self, addr: u64, len: u64, vec: u64) -> SysResult {
        let Some(len) = self.mapped_range(addr, len)? else {
            return Ok(0);
        };
        let pages = len / PAGE_SIZE;
        let (out, n) = self.out_buf(vec, pages)?;
        if (n as u64) < pages {
            return Err(Errno(libc::EFAULT));
        }
        // SAFETY: guest range inside the reservation; `out` holds `pages` bytes.
        unsafe {
            host(
                libc::SYS_mincore,
                &[self.space.host_ptr(addr) as i64, len as i64, out as i64],
            )
        }
    }

    pub(crate) fn sys_msync(&mut self, addr: u64, len: u64, flags: u64) -> SysResult {
        let Some(len) = self.mapped_range(addr, len)? else {
            return Ok(0);
        };
        // SAFETY: guest range inside the reservation.
        unsafe {
            host(
                libc::SYS_msync,
                &[
                    self.space.host_ptr(addr) as i64,
                    len as i64,
                    flags as i32 as i64,
                ],
            )
        }
    }

    pub(crate) fn sys_mlock(&mut self, addr: u64, len: u64) -> SysResult {
        let start = addr & !(PAGE_SIZE - 1);
        self.mapped_range(start, len.saturating_add(addr - start))?;
        Ok(0)
    }
}
