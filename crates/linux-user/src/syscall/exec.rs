//! Processes: fork-style `clone`, `wait4`/`waitid`, `execve`, interval timers.
//!
//! A `clone` that creates a new process is a host fork: the guest address
//! space is a private host mapping, so the child gets its copy for free
//! (shared guest mappings stay shared). Threads (`CLONE_VM` without
//! `CLONE_VFORK`, `CLONE_THREAD`) need the CPU layer and are refused here.

use std::ffi::{CString, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use oxemu_memory::Errno;

use super::guest::{efault, einval, int};
use std::io::Write as _;

use super::{SysResult, SyscallRegs, host};
use crate::elf::EM_RISCV;
use crate::process::Process;

const CSIGNAL: u64 = 0xff;
const CLONE_VM: u64 = 0x100;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x10_0000;
const CLONE_CHILD_CLEARTID: u64 = 0x20_0000;
const CLONE_CHILD_SETTID: u64 = 0x100_0000;
/// Most bytes of arguments plus environment (Linux: a quarter of the 8 MiB stack).
const ARG_MAX: usize = 2 << 20;
/// Most argument or environment strings.
const MAX_ARG_STRINGS: usize = 0x7fff_ffff / 4096;

fn is_guest_elf(path: &Path) -> bool {
    use std::io::Read as _;
    let mut h = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut h))
        .is_ok_and(|()| &h[..4] == b"\x7fELF" && u16::from_le_bytes([h[18], h[19]]) == EM_RISCV)
}

impl Process {
    /// `clone(flags, newsp, parent_tid, tls, child_tid)` (asm-generic order).
    pub(crate) fn sys_clone(&mut self, regs: &mut dyn SyscallRegs, a: [u64; 6]) -> SysResult {
        let (flags, newsp, ptid, tls, ctid) = (a[0], a[1], a[2], a[3], a[4]);
        if flags & CLONE_THREAD != 0 || (flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0) {
            return Err(Errno(libc::ENOSYS));
        }
        let known = CSIGNAL
            | CLONE_VM
            | CLONE_VFORK
            | CLONE_SETTLS
            | CLONE_PARENT_SETTID
            | CLONE_CHILD_CLEARTID
            | CLONE_CHILD_SETTID;
        if flags & !known != 0 {
            return Err(einval());
        }
        let sig = (flags & CSIGNAL) as i64;
        // The child of a vfork runs on its own stack; a fork with CLONE_VM
        // dropped keeps the semantics as long as the parent does not rely
        // on seeing the child's writes (as QEMU does).
        // SAFETY: a plain fork (no shared memory, no new stack for the
        // host); the emulator state is duplicated with the process.
        let pid = unsafe { host(libc::SYS_clone, &[sig, 0, 0, 0, 0])? };
        if pid == 0 {
            // Child.
            // The forking thread is the child's main thread.
            // SAFETY: no arguments.
            self.main_host_tid = unsafe { host(libc::SYS_gettid, &[]) }.unwrap_or(0);
            let tid = self.guest_tid();
            if newsp != 0 && !regs.set_stack_pointer(newsp) {
                let _ = self
                    .log
                    .write_all(b"oxemu: clone child cannot switch to its new stack\n");
                // SAFETY: ends the child process immediately.
                unsafe { libc::_exit(127) };
            }
            if flags & CLONE_SETTLS != 0 && !regs.set_thread_pointer(tls) {
                let _ = self
                    .log
                    .write_all(b"oxemu: clone child cannot set its thread pointer\n");
                // SAFETY: ends the child process immediately.
                unsafe { libc::_exit(127) };
            }
            if flags & CLONE_CHILD_SETTID != 0 {
                let _ = self.write_bytes(ctid, &(tid as u32).to_le_bytes());
            }
            if flags & CLONE_CHILD_CLEARTID != 0 {
                self.tid_address = ctid;
            }
            self.signals.pending = 0;
            return Ok(0);
        }
        if flags & CLONE_PARENT_SETTID != 0 {
            let _ = self.write_bytes(ptid, &(pid as u32).to_le_bytes());
        }
        Ok(pid)
    }

    pub(crate) fn sys_wait4(
        &mut self,
        pid: u64,
        status: u64,
        options: u64,
        rusage: u64,
    ) -> SysResult {
        let mut st = 0i32;
        let mut ru = [0u8; 144];
        let rp = if rusage == 0 {
            0
        } else {
            ru.as_mut_ptr() as i64
        };
        // SAFETY: local status int and rusage buffer (or NULL).
        let r = unsafe {
            host(
                libc::SYS_wait4,
                &[
                    int(pid) as i64,
                    &mut st as *mut i32 as i64,
                    int(options) as i64,
                    rp,
                ],
            )?
        };
        if r != 0 {
            self.write_opt(status, &st.to_le_bytes())?;
        }
        self.write_opt(rusage, &ru)?;
        Ok(r)
    }

    pub(crate) fn sys_waitid(
        &mut self,
        idtype: u64,
        id: u64,
        info: u64,
        options: u64,
        rusage: u64,
    ) -> SysResult {
        // `siginfo_t` for SIGCHLD has the same 128-byte layout on both sides.
        let mut si = [0u8; 128];
        let mut ru = [0u8; 144];
        let rp = if rusage == 0 {
            0
        } else {
            ru.as_mut_ptr() as i64
        };
        // SAFETY: local siginfo and rusage buffers (or NULL).
        let r = unsafe {
            host(
                libc::SYS_waitid,
                &[
                    int(idtype) as i64,
                    int(id) as i64,
                    si.as_mut_ptr() as i64,
                    int(options) as i64,
                    rp,
                ],
            )?
        };
        self.write_opt(info, &si)?;
        self.write_opt(rusage, &ru)?;
        Ok(r)
    }

    /// Reads a NULL-terminated array of guest strings.
    fn read_string_array(&self, addr: u64, total: &mut usize) -> Result<Vec<CString>, Errno> {
        let mut out = Vec::new();
        if addr == 0 {
            return Ok(out);
        }
        loop {
            if out.len() >= MAX_ARG_STRINGS {
                return Err(Errno(libc::E2BIG));
            }
            let p = self.read_u64(addr + 8 * out.len() as u64)?;
            if p == 0 {
                return Ok(out);
            }
            let s = self.mem().read_cstr(p, ARG_MAX + 1).map_err(|_| efault())?;
            *total += s.len() + 1;
            if *total > ARG_MAX {
                return Err(Errno(libc::E2BIG));
            }
            out.push(CString::new(s).map_err(|_| einval())?);
        }
    }

    pub(crate) fn sys_execve(&mut self, path: u64, argv: u64, envp: u64) -> SysResult {
        let guest_path = self.read_host_path(path)?;
        let mut total = 0;
        let args = self.read_string_array(argv, &mut total)?;
        let envs = self.read_string_array(envp, &mut total)?;
        // SAFETY: local C string.
        unsafe {
            host(
                libc::SYS_faccessat,
                &[
                    libc::AT_FDCWD as i64,
                    guest_path.as_ptr() as i64,
                    libc::X_OK as i64,
                ],
            )?
        };
        let exe = Path::new(std::ffi::OsStr::from_bytes(guest_path.as_bytes()));
        let (program, host_args): (CString, Vec<CString>) = match &self.options.exec_command {
            Some(cmd) if is_guest_elf(exe) => {
                let guest_args: Vec<OsString> = args
                    .iter()
                    .map(|a| OsString::from_vec(a.as_bytes().to_vec()))
                    .collect();
                let line = cmd(exe, &guest_args);
                let line: Vec<CString> = line
                    .into_iter()
                    .filter_map(|a| CString::new(a.into_vec()).ok())
                    .collect();
                let Some(program) = line.first().cloned() else {
                    return Err(Errno(libc::ENOEXEC));
                };
                (program, line)
            }
            _ => (guest_path.clone(), args),
        };
        let mut argp: Vec<*const libc::c_char> = host_args.iter().map(|a| a.as_ptr()).collect();
        argp.push(std::ptr::null());
        let mut envp: Vec<*const libc::c_char> = envs.iter().map(|a| a.as_ptr()).collect();
        envp.push(std::ptr::null());
        let _ = self.log.flush();
        // SAFETY: NULL-terminated arrays of pointers to live local C strings.
        unsafe {
            host(
                libc::SYS_execve,
                &[
                    program.as_ptr() as i64,
                    argp.as_ptr() as i64,
                    envp.as_ptr() as i64,
                ],
            )
        }
    }

    pub(crate) fn sys_getitimer(&mut self, which: u64, cur: u64) -> SysResult {
        let mut v = [0u8; 32];
        // SAFETY: local `struct itimerval` (same 64-bit layout everywhere).
        unsafe {
            host(
                libc::SYS_getitimer,
                &[int(which) as i64, v.as_mut_ptr() as i64],
            )?
        };
        self.write_bytes(cur, &v)?;
        Ok(0)
    }

    pub(crate) fn sys_setitimer(&mut self, which: u64, new: u64, old: u64) -> SysResult {
        let n = self.read_array::<32>(new)?;
        let mut o = [0u8; 32];
        // SAFETY: local itimerval buffers.
        unsafe {
            host(
                libc::SYS_setitimer,
                &[int(which) as i64, n.as_ptr() as i64, o.as_mut_ptr() as i64],
            )?
        };
        self.write_opt(old, &o)?;
        Ok(0)
    }
}
