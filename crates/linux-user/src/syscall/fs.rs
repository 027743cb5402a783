//! File and file-system system calls. Guest file descriptors are host ones.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

use oxemu_memory::Errno;

use super::guest::{efault, einval, int};
use super::stat::{STAT_SIZE, to_generic};
use super::{SysResult, host};
use crate::process::Process;

/// Most `iovec`s per call (Linux `UIO_MAXIOV`).
const UIO_MAXIOV: u64 = 1024;
/// Size of `struct statx`.
const STATX_SIZE: usize = 256;
/// Size of `struct statfs` on 64-bit Linux (same on x86-64, riscv64, aarch64).
const STATFS_SIZE: usize = 120;
/// Size of `struct flock` on 64-bit Linux.
const FLOCK_SIZE: usize = 32;

fn fd_arg(v: u64) -> i64 {
    int(v) as i64
}

impl Process {
    fn check_not_reserved(&self, fd: u64) -> Result<(), Errno> {
        if self.reserved_fds.contains(&int(fd)) {
            Err(Errno(libc::EBADF))
        } else {
            Ok(())
        }
    }

    pub(crate) fn sys_read(&mut self, fd: u64, buf: u64, count: u64) -> SysResult {
        let (p, n) = self.out_buf(buf, count)?;
        // SAFETY: `p..p+n` is guest memory the guest may write.
        unsafe { host(libc::SYS_read, &[fd_arg(fd), p as i64, n as i64]) }
    }

    pub(crate) fn sys_write(&mut self, fd: u64, buf: u64, count: u64) -> SysResult {
        let (p, n) = self.in_buf(buf, count)?;
        // SAFETY: `p..p+n` is guest memory the guest may read.
        unsafe { host(libc::SYS_write, &[fd_arg(fd), p as i64, n as i64]) }
    }

    pub(crate) fn sys_pread(&mut self, fd: u64, buf: u64, count: u64, off: u64) -> SysResult {
        let (p, n) = self.out_buf(buf, count)?;
        // SAFETY: `p..p+n` is guest memory the guest may write.
        unsafe {
            host(
                libc::SYS_pread64,
                &[fd_arg(fd), p as i64, n as i64, off as i64],
            )
        }
    }

    pub(crate) fn sys_pwrite(&mut self, fd: u64, buf: u64, count: u64, off: u64) -> SysResult {
        let (p, n) = self.in_buf(buf, count)?;
        // SAFETY: `p..p+n` is guest memory the guest may read.
        unsafe {
            host(
                libc::SYS_pwrite64,
                &[fd_arg(fd), p as i64, n as i64, off as i64],
            )
        }
    }

    /// Builds host iovecs from a guest array, cut at the first inaccessible byte.
    fn iovecs(&self, iov: u64, cnt: u64, write_to_guest: bool) -> Result<Vec<libc::iovec>, Errno> {
        if cnt > UIO_MAXIOV {
            return Err(einval());
        }
        let raw = self.read_bytes(iov, cnt as usize * 16)?;
        let mut out = Vec::with_capacity(cnt as usize);
        for (i, e) in raw.chunks_exact(16).enumerate() {
            let base = u64::from_le_bytes(e[..8].try_into().unwrap_or_default());
            let len = u64::from_le_bytes(e[8..].try_into().unwrap_or_default());
            if len > isize::MAX as u64 {
                return Err(einval());
            }
            let res = if write_to_guest {
                self.out_buf(base, len)
            } else {
                self.in_buf(base, len).map(|(p, n)| (p as *mut u8, n))
            };
            match res {
                Ok((p, n)) => {
                    out.push(libc::iovec {
                        iov_base: p.cast(),
                        iov_len: n,
                    });
                    if (n as u64) < len {
                        break;
                    }
                }
                Err(e) if i == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(out)
    }

    pub(crate) fn sys_readv(&mut self, fd: u64, iov: u64, cnt: u64, off: Option<u64>) -> SysResult {
        let v = self.iovecs(iov, cnt, true)?;
        let (p, n) = (v.as_ptr() as i64, v.len() as i64);
        // SAFETY: every iovec covers guest memory the guest may write.
        unsafe {
            match off {
                None => host(libc::SYS_readv, &[fd_arg(fd), p, n]),
                Some(o) => host(libc::SYS_preadv, &[fd_arg(fd), p, n, o as i64, 0]),
            }
        }
    }

    pub(crate) fn sys_writev(
        &mut self,
        fd: u64,
        iov: u64,
        cnt: u64,
        off: Option<u64>,
    ) -> SysResult {
        let v = self.iovecs(iov, cnt, false)?;
        let (p, n) = (v.as_ptr() as i64, v.len() as i64);
        // SAFETY: every iovec covers guest memory the guest may read.
        unsafe {
            match off {
                None => host(libc::SYS_writev, &[fd_arg(fd), p, n]),
                Some(o) => host(libc::SYS_pwritev, &[fd_arg(fd), p, n, o as i64, 0]),
            }
        }
    }

    pub(crate) fn sys_openat(&mut self, dirfd: u64, path: u64, flags: u64, mode: u64) -> SysResult {
        let p = self.read_host_path(path)?;
        let hflags = (self.abi.open_flags_to_host)(flags);
        if let Some(f) = self.proc_file(p.as_bytes()) {
            return self.open_proc_file(f, hflags & libc::O_CLOEXEC != 0);
        }
        // SAFETY: `p` is a NUL-terminated local string.
        unsafe {
            host(
                libc::SYS_openat,
                &[fd_arg(dirfd), p.as_ptr() as i64, hflags as i64, mode as i64],
            )
        }
    }

    pub(crate) fn sys_close(&mut self, fd: u64) -> SysResult {
        self.check_not_reserved(fd)?;
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_close, &[fd_arg(fd)]) }
    }

    pub(crate) fn sys_lseek(&mut self, fd: u64, off: u64, whence: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe {
            host(
                libc::SYS_lseek,
                &[fd_arg(fd), off as i64, int(whence) as i64],
            )
        }
    }

    fn put_stat(&self, st: &libc::stat, buf: u64) -> SysResult {
        let b: [u8; STAT_SIZE] = to_generic(st);
        self.write_bytes(buf, &b)?;
        Ok(0)
    }

    pub(crate) fn sys_newfstatat(
        &mut self,
        dirfd: u64,
        path: u64,
        buf: u64,
        flags: u64,
    ) -> SysResult {
        let p = self.read_host_path(path)?;
        // SAFETY: all-zero is a valid `stat`.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `p` is a local C string and `st` a local stat buffer.
        unsafe {
            host(
                libc::SYS_newfstatat,
                &[
                    fd_arg(dirfd),
                    p.as_ptr() as i64,
                    &mut st as *mut _ as i64,
                    int(flags) as i64,
                ],
            )?
        };
        self.put_stat(&st, buf)
    }

    pub(crate) fn sys_fstat(&mut self, fd: u64, buf: u64) -> SysResult {
        // SAFETY: all-zero is a valid `stat`.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `st` is a local stat buffer.
        unsafe { host(libc::SYS_fstat, &[fd_arg(fd), &mut st as *mut _ as i64])? };
        self.put_stat(&st, buf)
    }

    pub(crate) fn sys_statx(
        &mut self,
        dirfd: u64,
        path: u64,
        flags: u64,
        mask: u64,
        buf: u64,
    ) -> SysResult {
        let p = self.read_host_path(path)?;
        let mut b = [0u8; STATX_SIZE];
        // SAFETY: `p` is a local C string and `b` a local statx-sized buffer.
        unsafe {
            host(
                libc::SYS_statx,
                &[
                    fd_arg(dirfd),
                    p.as_ptr() as i64,
                    int(flags) as i64,
                    int(mask) as i64,
                    b.as_mut_ptr() as i64,
                ],
            )?
        };
        self.write_bytes(buf, &b)?;
        Ok(0)
    }

    pub(crate) fn sys_statfs(&mut self, path: u64, buf: u64) -> SysResult {
        let p = self.read_host_path(path)?;
        let mut b = [0u8; STATFS_SIZE];
        // SAFETY: local C string and local statfs-sized buffer.
        unsafe {
            host(
                libc::SYS_statfs,
                &[p.as_ptr() as i64, b.as_mut_ptr() as i64],
            )?
        };
        self.write_bytes(buf, &b)?;
        Ok(0)
    }

    pub(crate) fn sys_fstatfs(&mut self, fd: u64, buf: u64) -> SysResult {
        let mut b = [0u8; STATFS_SIZE];
        // SAFETY: local statfs-sized buffer.
        unsafe { host(libc::SYS_fstatfs, &[fd_arg(fd), b.as_mut_ptr() as i64])? };
        self.write_bytes(buf, &b)?;
        Ok(0)
    }

    pub(crate) fn sys_getdents64(&mut self, fd: u64, dirp: u64, count: u64) -> SysResult {
        // `struct linux_dirent64` is the same on every architecture.
        let (p, n) = self.out_buf(dirp, count.min(u32::MAX as u64))?;
        // SAFETY: `p..p+n` is guest memory the guest may write.
        unsafe { host(libc::SYS_getdents64, &[fd_arg(fd), p as i64, n as i64]) }
    }

    pub(crate) fn sys_mkdirat(&mut self, dirfd: u64, path: u64, mode: u64) -> SysResult {
        let p = self.read_path(path)?;
        // SAFETY: local C string.
        unsafe {
            host(
                libc::SYS_mkdirat,
                &[fd_arg(dirfd), p.as_ptr() as i64, int(mode) as i64],
            )
        }
    }

    pub(crate) fn sys_mknodat(&mut self, dirfd: u64, path: u64, mode: u64, dev: u64) -> SysResult {
        let p = self.read_path(path)?;
        // SAFETY: local C string.
        unsafe {
            host(
                libc::SYS_mknodat,
                &[
                    fd_arg(dirfd),
                    p.as_ptr() as i64,
                    int(mode) as i64,
                    dev as i64,
                ],
            )
        }
    }

    pub(crate) fn sys_unlinkat(&mut self, dirfd: u64, path: u64, flags: u64) -> SysResult {
        let p = self.read_path(path)?;
        // SAFETY: local C string.
        unsafe {
            host(
                libc::SYS_unlinkat,
                &[fd_arg(dirfd), p.as_ptr() as i64, int(flags) as i64],
            )
        }
    }

    pub(crate) fn sys_renameat2(
        &mut self,
        od: u64,
        op: u64,
        nd: u64,
        np: u64,
        flags: u64,
    ) -> SysResult {
        let (o, n) = (self.read_path(op)?, self.read_path(np)?);
        // SAFETY: local C strings.
        unsafe {
            host(
                libc::SYS_renameat2,
                &[
                    fd_arg(od),
                    o.as_ptr() as i64,
                    fd_arg(nd),
                    n.as_ptr() as i64,
                    int(flags) as i64,
                ],
            )
        }
    }

    pub(crate) fn sys_symlinkat(&mut self, target: u64, dirfd: u64, path: u64) -> SysResult {
        let (t, p) = (self.read_path(target)?, self.read_path(path)?);
        // SAFETY: local C strings.
        unsafe {
            host(
                libc::SYS_symlinkat,
                &[t.as_ptr() as i64, fd_arg(dirfd), p.as_ptr() as i64],
            )
        }
    }

    pub(crate) fn sys_linkat(
        &mut self,
        od: u64,
        op: u64,
        nd: u64,
        np: u64,
        flags: u64,
    ) -> SysResult {
        let (o, n) = (self.read_path(op)?, self.read_path(np)?);
        // SAFETY: local C strings.
        unsafe {
            host(
                libc::SYS_linkat,
                &[
                    fd_arg(od),
                    o.as_ptr() as i64,
                    fd_arg(nd),
                    n.as_ptr() as i64,
                    int(flags) as i64,
                ],
            )
        }
    }

    pub(crate) fn sys_readlinkat(
        &mut self,
        dirfd: u64,
        path: u64,
        buf: u64,
        size: u64,
    ) -> SysResult {
        let p = self.read_path(path)?;
        if int(size) <= 0 {
            return Err(einval());
        }
        if self.is_proc_self_exe(p.as_bytes()) {
            let target = self.exe_path.as_os_str().as_bytes();
            let n = target.len().min(int(size) as usize);
            self.write_bytes(buf, &target[..n])?;
            return Ok(n as u64);
        }
        let p = self.under_prefix(p);
        let (b, n) = self.out_buf(buf, int(size) as u64)?;
        // SAFETY: local C string; `b..b+n` is guest memory the guest may write.
        unsafe {
            host(
                libc::SYS_readlinkat,
                &[fd_arg(dirfd), p.as_ptr() as i64, b as i64, n as i64],
            )
        }
    }

    pub(crate) fn sys_faccessat(
        &mut self,
        dirfd: u64,
        path: u64,
        mode: u64,
        flags: u64,
    ) -> SysResult {
        let p = self.read_host_path(path)?;
        let args = [
            fd_arg(dirfd),
            p.as_ptr() as i64,
            int(mode) as i64,
            int(flags) as i64,
        ];
        // SAFETY: local C string.
        let r = unsafe { host(libc::SYS_faccessat2, &args) };
        if r == Err(Errno(libc::ENOSYS)) && flags == 0 {
            // Hosts older than Linux 5.8 lack faccessat2.
            // SAFETY: local C string.
            return unsafe { host(libc::SYS_faccessat, &args[..3]) };
        }
        r
    }

    pub(crate) fn sys_fchmod(&mut self, fd: u64, mode: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_fchmod, &[fd_arg(fd), int(mode) as i64]) }
    }

    pub(crate) fn sys_fchmodat(&mut self, dirfd: u64, path: u64, mode: u64) -> SysResult {
        let p = self.read_path(path)?;
        // SAFETY: local C string.
        unsafe {
            host(
                libc::SYS_fchmodat,
                &[fd_arg(dirfd), p.as_ptr() as i64, int(mode) as i64],
            )
        }
    }

    pub(crate) fn sys_fchownat(
        &mut self,
        dirfd: u64,
        path: u64,
        uid: u64,
        gid: u64,
        flags: u64,
    ) -> SysResult {
        let p = self.read_path(path)?;
        // SAFETY: local C string.
        unsafe {
            host(
                libc::SYS_fchownat,
                &[
                    fd_arg(dirfd),
                    p.as_ptr() as i64,
                    int(uid) as i64,
                    int(gid) as i64,
                    int(flags) as i64,
                ],
            )
        }
    }

    pub(crate) fn sys_fchown(&mut self, fd: u64, uid: u64, gid: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe {
            host(
                libc::SYS_fchown,
                &[fd_arg(fd), int(uid) as i64, int(gid) as i64],
            )
        }
    }

    pub(crate) fn sys_utimensat(
        &mut self,
        dirfd: u64,
        path: u64,
        times: u64,
        flags: u64,
    ) -> SysResult {
        let p: Option<CString> = if path == 0 {
            None
        } else {
            Some(self.read_path(path)?)
        };
        let t: Option<[u8; 32]> = if times == 0 {
            None
        } else {
            Some(self.read_array::<32>(times)?)
        };
        let pp = p.as_ref().map_or(0, |p| p.as_ptr() as i64);
        let tp = t.as_ref().map_or(0, |t| t.as_ptr() as i64);
        // SAFETY: local C string and local pair of timespecs (same layout on
        // every 64-bit Linux), or NULL.
        unsafe {
            host(
                libc::SYS_utimensat,
                &[fd_arg(dirfd), pp, tp, int(flags) as i64],
            )
        }
    }

    pub(crate) fn sys_truncate(&mut self, path: u64, len: u64) -> SysResult {
        let p = self.read_path(path)?;
        // SAFETY: local C string.
        unsafe { host(libc::SYS_truncate, &[p.as_ptr() as i64, len as i64]) }
    }

    pub(crate) fn sys_ftruncate(&mut self, fd: u64, len: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_ftruncate, &[fd_arg(fd), len as i64]) }
    }

    pub(crate) fn sys_fallocate(&mut self, fd: u64, mode: u64, off: u64, len: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe {
            host(
                libc::SYS_fallocate,
                &[fd_arg(fd), int(mode) as i64, off as i64, len as i64],
            )
        }
    }

    pub(crate) fn sys_fsync(&mut self, fd: u64, data_only: bool) -> SysResult {
        let nr = if data_only {
            libc::SYS_fdatasync
        } else {
            libc::SYS_fsync
        };
        // SAFETY: no pointer arguments.
        unsafe { host(nr, &[fd_arg(fd)]) }
    }

    pub(crate) fn sys_sync(&mut self) -> SysResult {
        // SAFETY: no arguments.
        unsafe { host(libc::SYS_sync, &[]) }
    }

    pub(crate) fn sys_flock(&mut self, fd: u64, op: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_flock, &[fd_arg(fd), int(op) as i64]) }
    }

    pub(crate) fn sys_fadvise(&mut self, fd: u64) -> SysResult {
        // Advice only; check the descriptor like Linux does.
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_fcntl, &[fd_arg(fd), libc::F_GETFD as i64])? };
        Ok(0)
    }

    pub(crate) fn sys_chdir(&mut self, path: u64) -> SysResult {
        let p = self.read_path(path)?;
        // SAFETY: local C string.
        unsafe { host(libc::SYS_chdir, &[p.as_ptr() as i64]) }
    }

    pub(crate) fn sys_fchdir(&mut self, fd: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_fchdir, &[fd_arg(fd)]) }
    }

    pub(crate) fn sys_getcwd(&mut self, buf: u64, size: u64) -> SysResult {
        let mut b = vec![0u8; super::guest::PATH_MAX + 1];
        // SAFETY: local buffer of the given size.
        let n = unsafe { host(libc::SYS_getcwd, &[b.as_mut_ptr() as i64, b.len() as i64])? };
        if n > size {
            return Err(Errno(libc::ERANGE));
        }
        self.write_bytes(buf, &b[..n as usize])?;
        Ok(n)
    }

    pub(crate) fn sys_umask(&mut self, mask: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_umask, &[int(mask) as i64 & 0o777]) }
    }

    pub(crate) fn sys_dup(&mut self, fd: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_dup, &[fd_arg(fd)]) }
    }

    pub(crate) fn sys_dup3(&mut self, old: u64, new: u64, flags: u64) -> SysResult {
        self.check_not_reserved(new)?;
        let hflags = (self.abi.open_flags_to_host)(flags);
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_dup3, &[fd_arg(old), fd_arg(new), hflags as i64]) }
    }

    pub(crate) fn sys_fcntl(&mut self, fd: u64, cmd: u64, arg: u64) -> SysResult {
        let fd = fd_arg(fd);
        let cmd = int(cmd);
        match cmd {
            libc::F_DUPFD
            | libc::F_DUPFD_CLOEXEC
            | libc::F_GETFD
            | libc::F_SETFD
            | libc::F_GETOWN
            | libc::F_SETOWN
            | libc::F_GETPIPE_SZ
            | libc::F_SETPIPE_SZ
            | libc::F_ADD_SEALS
            | libc::F_GET_SEALS
            | libc::F_GETLEASE
            | libc::F_SETLEASE
            | libc::F_NOTIFY => {
                // SAFETY: these commands take an integer argument.
                unsafe { host(libc::SYS_fcntl, &[fd, cmd as i64, arg as i64]) }
            }
            libc::F_GETFL => {
                // SAFETY: no pointer arguments.
                let f = unsafe { host(libc::SYS_fcntl, &[fd, cmd as i64])? };
                Ok((self.abi.open_flags_from_host)(f as i32))
            }
            libc::F_SETFL => {
                let hf = (self.abi.open_flags_to_host)(arg);
                // SAFETY: integer argument.
                unsafe { host(libc::SYS_fcntl, &[fd, cmd as i64, hf as i64]) }
            }
            libc::F_GETLK
            | libc::F_SETLK
            | libc::F_SETLKW
            | libc::F_OFD_GETLK
            | libc::F_OFD_SETLK
            | libc::F_OFD_SETLKW => {
                // `struct flock` has the same 64-bit layout on host and guest.
                let mut b = self.read_array::<FLOCK_SIZE>(arg)?;
                // SAFETY: local flock-sized buffer.
                let r = unsafe { host(libc::SYS_fcntl, &[fd, cmd as i64, b.as_mut_ptr() as i64])? };
                if cmd == libc::F_GETLK || cmd == libc::F_OFD_GETLK {
                    self.write_bytes(arg, &b)?;
                }
                Ok(r)
            }
            _ => Err(einval()),
        }
    }

    pub(crate) fn sys_pipe2(&mut self, fds: u64, flags: u64) -> SysResult {
        let mut p = [0i32; 2];
        let hflags = (self.abi.open_flags_to_host)(flags);
        // SAFETY: local two-int buffer.
        unsafe { host(libc::SYS_pipe2, &[p.as_mut_ptr() as i64, hflags as i64])? };
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&p[0].to_le_bytes());
        b[4..].copy_from_slice(&p[1].to_le_bytes());
        if self.write_bytes(fds, &b).is_err() {
            for fd in p {
                // SAFETY: closes the descriptors just created.
                unsafe { libc::close(fd) };
            }
            return Err(efault());
        }
        Ok(0)
    }

    pub(crate) fn sys_memfd_create(&mut self, name: u64, flags: u64) -> SysResult {
        let n = self.read_path(name)?;
        // SAFETY: local C string.
        unsafe {
            host(
                libc::SYS_memfd_create,
                &[n.as_ptr() as i64, int(flags) as i64],
            )
        }
    }

    pub(crate) fn sys_ppoll(&mut self, fds: u64, nfds: u64, tmo: u64) -> SysResult {
        if nfds > 65536 {
            return Err(einval());
        }
        // `struct pollfd` is the same everywhere; copy in and out.
        let mut b = self.read_bytes(fds, nfds as usize * 8)?;
        let t = if tmo == 0 {
            None
        } else {
            Some(self.read_array::<16>(tmo)?)
        };
        let tp = t.as_ref().map_or(0, |t| t.as_ptr() as i64);
        // SAFETY: local pollfd array and timespec (or NULL); no signal mask.
        let r = unsafe {
            host(
                libc::SYS_ppoll,
                &[b.as_mut_ptr() as i64, nfds as i64, tp, 0, 8],
            )?
        };
        self.write_bytes(fds, &b)?;
        Ok(r)
    }

    pub(crate) fn sys_pselect6(
        &mut self,
        nfds: u64,
        r: u64,
        w: u64,
        e: u64,
        tmo: u64,
    ) -> SysResult {
        let n = int(nfds);
        if !(0..=libc::FD_SETSIZE as i32).contains(&n) {
            return Err(einval());
        }
        let bytes = (n as usize).div_ceil(64) * 8;
        let mut sets: Vec<Option<Vec<u8>>> = Vec::new();
        for a in [r, w, e] {
            sets.push(if a == 0 {
                None
            } else {
                Some(self.read_bytes(a, bytes)?)
            });
        }
        let mut fdsets: Vec<libc::fd_set> = Vec::new();
        for s in &sets {
            // SAFETY: all-zero is an empty fd_set.
            let mut f: libc::fd_set = unsafe { std::mem::zeroed() };
            if let Some(s) = s {
                // SAFETY: copies at most FD_SETSIZE/8 bytes into the fd_set.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        s.as_ptr(),
                        (&mut f as *mut libc::fd_set).cast::<u8>(),
                        s.len(),
                    )
                };
            }
            fdsets.push(f);
        }
        let t = if tmo == 0 {
            None
        } else {
            Some(self.read_array::<16>(tmo)?)
        };
        let ptr = |i: usize, f: &mut Vec<libc::fd_set>| {
            if sets[i].is_some() {
                &mut f[i] as *mut _ as i64
            } else {
                0
            }
        };
        let (rp, wp, ep) = (
            ptr(0, &mut fdsets),
            ptr(1, &mut fdsets),
            ptr(2, &mut fdsets),
        );
        let tp = t.as_ref().map_or(0, |t| t.as_ptr() as i64);
        // SAFETY: local fd_sets and timespec (or NULL); no signal mask.
        let res = unsafe { host(libc::SYS_pselect6, &[n as i64, rp, wp, ep, tp, 0])? };
        for (i, a) in [r, w, e].into_iter().enumerate() {
            if a != 0 {
                // SAFETY: reads `bytes` (<= sizeof fd_set) bytes of a local fd_set.
                let s = unsafe {
                    std::slice::from_raw_parts(
                        (&fdsets[i] as *const libc::fd_set).cast::<u8>(),
                        bytes,
                    )
                };
                self.write_bytes(a, s)?;
            }
        }
        Ok(res)
    }
}
