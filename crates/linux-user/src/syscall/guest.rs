//! Reading and writing system-call arguments in guest memory.
//!
//! Every guest pointer goes through the checked [`GuestSpace`] accessors;
//! buffers handed to the host kernel directly are first cut to their
//! accessible prefix, so the host kernel sees only guest-accessible memory
//! (and reports `EFAULT` itself should the guest unmap it concurrently).

use std::ffi::CString;

use oxemu_memory::{Access, Errno, GuestSpace};

use crate::process::Process;

/// Longest path accepted (Linux `PATH_MAX`).
pub const PATH_MAX: usize = 4096;

/// `EFAULT`.
pub fn efault() -> Errno {
    Errno(libc::EFAULT)
}

/// `EINVAL`.
pub fn einval() -> Errno {
    Errno(libc::EINVAL)
}

impl Process {
    pub(crate) fn mem(&self) -> &GuestSpace {
        &self.space
    }

    /// Reads `len` guest bytes (callers bound `len`).
    pub(crate) fn read_bytes(&self, addr: u64, len: usize) -> Result<Vec<u8>, Errno> {
        let mut v = vec![0u8; len];
        self.space.read(addr, &mut v).map_err(|_| efault())?;
        Ok(v)
    }

    /// Reads a fixed-size guest structure.
    pub(crate) fn read_array<const N: usize>(&self, addr: u64) -> Result<[u8; N], Errno> {
        let mut v = [0u8; N];
        self.space.read(addr, &mut v).map_err(|_| efault())?;
        Ok(v)
    }

    pub(crate) fn read_u64(&self, addr: u64) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(self.read_array::<8>(addr)?))
    }

    pub(crate) fn write_bytes(&self, addr: u64, data: &[u8]) -> Result<(), Errno> {
        self.space.write(addr, data).map_err(|_| efault())
    }

    /// Reads a path argument.
    pub(crate) fn read_path(&self, addr: u64) -> Result<CString, Errno> {
        let s = self.space.read_cstr(addr, PATH_MAX).map_err(|_| efault())?;
        if s.len() >= PATH_MAX {
            return Err(Errno(libc::ENAMETOOLONG));
        }
        CString::new(s).map_err(|_| einval())
    }

    /// Reads a path to look up: `/proc/self/exe` becomes the guest
    /// executable, and absolute paths that exist under the guest root prefix
    /// (`-L`) are taken from there, as QEMU does, so that the dynamic
    /// linker finds the guest's libraries.
    pub(crate) fn read_host_path(&self, addr: u64) -> Result<CString, Errno> {
        use std::os::unix::ffi::OsStrExt;
        let p = self.read_path(addr)?;
        if self.is_proc_self_exe(p.as_bytes()) {
            return CString::new(self.exe_path.as_os_str().as_bytes()).map_err(|_| einval());
        }
        Ok(self.under_prefix(p))
    }

    /// `prefix + path` if `path` is absolute and exists under the prefix.
    pub(crate) fn under_prefix(&self, p: CString) -> CString {
        use std::os::unix::ffi::OsStrExt;
        let Some(prefix) = &self.options.ld_prefix else {
            return p;
        };
        let bytes = p.as_bytes();
        if bytes.first() != Some(&b'/') || bytes.len() == 1 {
            return p;
        }
        let mut full = prefix.as_os_str().as_bytes().to_vec();
        full.extend_from_slice(bytes);
        match CString::new(full) {
            Ok(full)
                if std::path::Path::new(std::ffi::OsStr::from_bytes(full.as_bytes())).exists() =>
            {
                full
            }
            _ => p,
        }
    }

    pub(crate) fn is_proc_self_exe(&self, p: &[u8]) -> bool {
        let own = format!("/proc/{}/exe", std::process::id());
        p == b"/proc/self/exe" || p == own.as_bytes() || p == b"/proc/thread-self/exe"
    }

    /// Host pointer and length of the writable prefix of a guest buffer.
    pub(crate) fn out_buf(&self, addr: u64, len: u64) -> Result<(*mut u8, usize), Errno> {
        let n = self.space.accessible_prefix(addr, len, Access::Write);
        if n == 0 && len > 0 {
            return Err(efault());
        }
        Ok((self.space.host_ptr(addr), n as usize))
    }

    /// Host pointer and length of the readable prefix of a guest buffer.
    pub(crate) fn in_buf(&self, addr: u64, len: u64) -> Result<(*const u8, usize), Errno> {
        let n = self.space.accessible_prefix(addr, len, Access::Read);
        if n == 0 && len > 0 {
            return Err(efault());
        }
        Ok((self.space.host_ptr(addr), n as usize))
    }

    /// Writes `data` to `addr` unless `addr` is NULL.
    pub(crate) fn write_opt(&self, addr: u64, data: &[u8]) -> Result<(), Errno> {
        if addr == 0 {
            Ok(())
        } else {
            self.write_bytes(addr, data)
        }
    }
}

/// A guest `int` argument (file descriptors, flags).
pub fn int(v: u64) -> i32 {
    v as i32
}
