//! Process identity, limits and system information.

use oxemu_memory::Errno;

use super::guest::{efault, einval, int};
use super::{SysResult, host};
use crate::abi::Sysno;
use crate::process::Process;

const RLIMIT_DATA: u64 = 2;
const RLIMIT_STACK: u64 = 3;
const RLIMIT_AS: u64 = 9;
const PR_SET_NAME: u64 = 15;
const PR_GET_NAME: u64 = 16;
const FUTEX_CMD_MASK: u64 = 0x7f & !0x80;
const FUTEX_WAIT: u64 = 0;
const FUTEX_WAKE: u64 = 1;
const FUTEX_WAIT_BITSET: u64 = 9;
const FUTEX_WAKE_BITSET: u64 = 10;

fn utsname_field(out: &mut [u8], value: &[u8]) {
    out.fill(0);
    let n = value.len().min(out.len() - 1);
    out[..n].copy_from_slice(&value[..n]);
}

impl Process {
    pub(crate) fn sys_uname(&mut self, buf: u64) -> SysResult {
        let mut b = [0u8; 6 * 65];
        // SAFETY: local `struct utsname` buffer (6 fields of 65 bytes).
        unsafe { host(libc::SYS_uname, &[b.as_mut_ptr() as i64])? };
        utsname_field(&mut b[4 * 65..5 * 65], self.abi.machine.as_bytes());
        self.write_bytes(buf, &b)?;
        Ok(0)
    }

    pub(crate) fn sys_gettid(&mut self) -> SysResult {
        Ok(self.guest_tid())
    }

    /// The guest's thread id: its main thread is the process (tid == pid)
    /// even when the CPU loop runs on another host thread.
    pub(crate) fn guest_tid(&self) -> u64 {
        // SAFETY: no arguments.
        let tid = unsafe { host(libc::SYS_gettid, &[]) }.unwrap_or(0);
        if tid == self.main_host_tid {
            std::process::id().into()
        } else {
            tid
        }
    }

    pub(crate) fn sys_getppid(&mut self) -> SysResult {
        // SAFETY: no arguments.
        unsafe { host(libc::SYS_getppid, &[]) }
    }

    pub(crate) fn sys_ids(&mut self, call: Sysno) -> SysResult {
        let nr = match call {
            Sysno::Getuid => libc::SYS_getuid,
            Sysno::Geteuid => libc::SYS_geteuid,
            Sysno::Getgid => libc::SYS_getgid,
            _ => libc::SYS_getegid,
        };
        // SAFETY: no arguments.
        unsafe { host(nr, &[]) }
    }

    pub(crate) fn sys_getres_ids(&mut self, call: Sysno, r: u64, e: u64, s: u64) -> SysResult {
        let mut ids = [0u32; 3];
        let nr = if call == Sysno::Getresuid {
            libc::SYS_getresuid
        } else {
            libc::SYS_getresgid
        };
        let p = ids.as_mut_ptr();
        // SAFETY: three local u32s.
        unsafe {
            host(
                nr,
                &[p as i64, p.wrapping_add(1) as i64, p.wrapping_add(2) as i64],
            )?
        };
        for (addr, id) in [r, e, s].into_iter().zip(ids) {
            self.write_bytes(addr, &id.to_le_bytes())?;
        }
        Ok(0)
    }

    pub(crate) fn sys_getpgid(&mut self, pid: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_getpgid, &[int(pid) as i64]) }
    }

    pub(crate) fn sys_getsid(&mut self, pid: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_getsid, &[int(pid) as i64]) }
    }

    pub(crate) fn sys_setpgid(&mut self, pid: u64, pgid: u64) -> SysResult {
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_setpgid, &[int(pid) as i64, int(pgid) as i64]) }
    }

    pub(crate) fn sys_setsid(&mut self) -> SysResult {
        // SAFETY: no arguments.
        unsafe { host(libc::SYS_setsid, &[]) }
    }

    pub(crate) fn sys_getgroups(&mut self, size: u64, list: u64) -> SysResult {
        let size = int(size);
        if !(0..=65536).contains(&size) {
            return Err(einval());
        }
        let mut g = vec![0u32; size as usize];
        // SAFETY: local array of `size` gid_t.
        let n = unsafe { host(libc::SYS_getgroups, &[size as i64, g.as_mut_ptr() as i64])? };
        if size > 0 {
            let bytes: Vec<u8> = g[..n as usize]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            self.write_bytes(list, &bytes)?;
        }
        Ok(n)
    }

    pub(crate) fn sys_set_tid_address(&mut self, addr: u64) -> SysResult {
        self.tid_address = addr;
        self.sys_gettid()
    }

    pub(crate) fn sys_set_robust_list(&mut self, head: u64, len: u64) -> SysResult {
        if len != 24 {
            return Err(einval());
        }
        self.robust_list = (head, len);
        Ok(0)
    }

    /// `prlimit64` on the emulator itself; limits on the guest's memory
    /// (`RLIMIT_AS`, `RLIMIT_DATA`, `RLIMIT_STACK`) are remembered as
    /// accepted but not applied, since they would constrain the emulator.
    pub(crate) fn sys_prlimit64(&mut self, pid: u64, res: u64, new: u64, old: u64) -> SysResult {
        let pid = int(pid);
        if pid != 0 && pid as u32 != std::process::id() {
            return Err(Errno(libc::EPERM));
        }
        let new_lim = if new == 0 {
            None
        } else {
            Some(self.read_array::<16>(new)?)
        };
        let mut old_lim = [0u8; 16];
        let apply = new_lim.filter(|_| !matches!(res, RLIMIT_AS | RLIMIT_DATA | RLIMIT_STACK));
        let np = apply.as_ref().map_or(0, |n| n.as_ptr() as i64);
        // SAFETY: local rlimit64 buffers (or NULL).
        unsafe {
            host(
                libc::SYS_prlimit64,
                &[0, res as i64, np, old_lim.as_mut_ptr() as i64],
            )?
        };
        self.write_opt(old, &old_lim)?;
        Ok(0)
    }

    pub(crate) fn sys_getrusage(&mut self, who: u64, buf: u64) -> SysResult {
        let mut b = [0u8; 144];
        // SAFETY: local `struct rusage` buffer (144 bytes on 64-bit Linux).
        unsafe {
            host(
                libc::SYS_getrusage,
                &[int(who) as i64, b.as_mut_ptr() as i64],
            )?
        };
        self.write_bytes(buf, &b)?;
        Ok(0)
    }

    pub(crate) fn sys_sysinfo(&mut self, buf: u64) -> SysResult {
        let mut b = [0u8; 112];
        // SAFETY: local `struct sysinfo` buffer (112 bytes on 64-bit Linux).
        unsafe { host(libc::SYS_sysinfo, &[b.as_mut_ptr() as i64])? };
        self.write_bytes(buf, &b)?;
        Ok(0)
    }

    pub(crate) fn sys_sched_getaffinity(&mut self, pid: u64, len: u64, mask: u64) -> SysResult {
        let len = len.min(8192) as usize;
        let mut b = vec![0u8; len];
        // SAFETY: local buffer of `len` bytes.
        let n = unsafe {
            host(
                libc::SYS_sched_getaffinity,
                &[int(pid) as i64, len as i64, b.as_mut_ptr() as i64],
            )?
        };
        self.write_bytes(mask, &b[..n as usize])?;
        Ok(n)
    }

    pub(crate) fn sys_sched_yield(&mut self) -> SysResult {
        // SAFETY: no arguments.
        unsafe { host(libc::SYS_sched_yield, &[]) }
    }

    pub(crate) fn sys_getcpu(&mut self, cpu: u64, node: u64) -> SysResult {
        let (mut c, mut n) = (0u32, 0u32);
        // SAFETY: two local u32s; no cache argument.
        unsafe {
            host(
                libc::SYS_getcpu,
                &[&mut c as *mut u32 as i64, &mut n as *mut u32 as i64, 0],
            )?
        };
        self.write_opt(cpu, &c.to_le_bytes())?;
        self.write_opt(node, &n.to_le_bytes())?;
        Ok(0)
    }

    pub(crate) fn sys_prctl(&mut self, op: u64, arg: u64) -> SysResult {
        match op {
            PR_SET_NAME => {
                let mut name = self.mem().read_cstr(arg, 16).map_err(|_| efault())?;
                name.truncate(15);
                name.push(0);
                // SAFETY: local NUL-terminated string.
                unsafe { host(libc::SYS_prctl, &[PR_SET_NAME as i64, name.as_ptr() as i64])? };
                Ok(0)
            }
            PR_GET_NAME => {
                let mut b = [0u8; 16];
                // SAFETY: local 16-byte buffer.
                unsafe {
                    host(
                        libc::SYS_prctl,
                        &[PR_GET_NAME as i64, b.as_mut_ptr() as i64],
                    )?
                };
                self.write_bytes(arg, &b)?;
                Ok(0)
            }
            _ => Err(einval()),
        }
    }

    /// Futexes of a single-threaded process: a wait whose value matches
    /// would sleep forever, a wake finds nobody.
    pub(crate) fn sys_futex(&mut self, addr: u64, op: u64, val: u64) -> SysResult {
        match op & FUTEX_CMD_MASK {
            FUTEX_WAIT | FUTEX_WAIT_BITSET => {
                let cur = self.mem().load(addr, 4).map_err(|_| efault())?;
                if cur as u32 != val as u32 {
                    Err(Errno(libc::EAGAIN))
                } else {
                    Err(Errno(libc::ETIMEDOUT))
                }
            }
            FUTEX_WAKE | FUTEX_WAKE_BITSET => Ok(0),
            _ => Err(Errno(libc::ENOSYS)),
        }
    }

    pub(crate) fn sys_getrandom(&mut self, buf: u64, len: u64, flags: u64) -> SysResult {
        let (p, n) = self.out_buf(buf, len.min(i32::MAX as u64))?;
        // SAFETY: `p..p+n` is guest memory the guest may write.
        unsafe {
            host(
                libc::SYS_getrandom,
                &[p as i64, n as i64, int(flags) as i64],
            )
        }
    }
}
