//! Thin wrappers over the host `mmap` family, all working on host addresses.
//!
//! They take `usize` addresses so that no Rust reference to guest memory is
//! ever formed; callers guarantee the addresses lie inside the reservation.

use crate::types::Errno;

/// Host page size this crate is written for.
pub const PAGE_SIZE: u64 = 4096;

/// Maps fresh anonymous memory (or `PROT_NONE` reservation) at a fixed host address.
pub fn map_anon_fixed(
    addr: usize,
    len: usize,
    prot: i32,
    shared: bool,
    noreserve: bool,
) -> Result<(), Errno> {
    let mut flags = libc::MAP_FIXED | libc::MAP_ANONYMOUS;
    flags |= if shared {
        libc::MAP_SHARED
    } else {
        libc::MAP_PRIVATE
    };
    if noreserve {
        flags |= libc::MAP_NORESERVE;
    }
    // SAFETY: MAP_FIXED replaces pages inside the guest reservation only (the
    // caller checked the range); no Rust reference points into guest memory.
    let p = unsafe { libc::mmap(addr as *mut libc::c_void, len, prot, flags, -1, 0) };
    if p == libc::MAP_FAILED {
        return Err(Errno::last());
    }
    Ok(())
}

/// Returns a range to inaccessible, unbacked reservation.
pub fn reserve_fixed(addr: usize, len: usize) -> Result<(), Errno> {
    map_anon_fixed(addr, len, libc::PROT_NONE, false, true)
}

/// Maps `fd` at a fixed host address without ever leaving the range unmapped:
/// the file is mapped somewhere else first, then moved over the target.
pub fn map_file_fixed(
    addr: usize,
    len: usize,
    prot: i32,
    shared: bool,
    fd: i32,
    offset: u64,
) -> Result<(), Errno> {
    let flags = if shared {
        libc::MAP_SHARED
    } else {
        libc::MAP_PRIVATE
    };
    let off = libc::off_t::try_from(offset).map_err(|_| Errno(libc::EOVERFLOW))?;
    // SAFETY: a fresh mapping chosen by the host kernel; nothing else refers to it.
    let tmp = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, fd, off) };
    if tmp == libc::MAP_FAILED {
        return Err(Errno::last());
    }
    move_fixed(tmp as usize, len, len, addr).inspect_err(|_| {
        // SAFETY: `tmp` is the mapping created just above and still owned here.
        unsafe { libc::munmap(tmp, len) };
    })
}

/// Moves host pages `[from, from+old_len)` to `to` (growing to `new_len`),
/// replacing whatever was at the target. The source range is left unmapped.
pub fn move_fixed(from: usize, old_len: usize, new_len: usize, to: usize) -> Result<(), Errno> {
    // SAFETY: both ranges are owned by the caller (guest reservation or a
    // temporary mapping); MREMAP_FIXED replaces the target atomically.
    let p = unsafe {
        libc::mremap(
            from as *mut libc::c_void,
            old_len,
            new_len,
            libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
            to as *mut libc::c_void,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(Errno::last());
    }
    Ok(())
}

/// Changes host protection. Async-signal-safe (a raw system call).
pub fn protect(addr: usize, len: usize, prot: i32) -> Result<(), Errno> {
    // SAFETY: changes protection of pages inside the guest reservation only.
    let r = unsafe { libc::mprotect(addr as *mut libc::c_void, len, prot) };
    if r != 0 {
        return Err(Errno::last());
    }
    Ok(())
}
