//! System-call dispatch: guest registers in, host system calls, result out.

mod exec;
mod fs;
mod guest;
mod mm;
mod proc;
mod procfs;
mod sig;
mod stat;
mod term;
mod time;

use std::io::Write as _;

use oxemu_memory::Errno;

use crate::abi::Sysno;
use crate::process::Process;
use crate::strace;

/// A system call's result: a value, or a (positive) errno.
pub type SysResult = Result<u64, Errno>;

/// The guest CPU registers a system call reads and writes.
pub trait SyscallRegs {
    /// System-call number (riscv64: a7).
    fn number(&self) -> u64;
    /// Argument `i` (0..6; riscv64: a0..a5).
    fn arg(&self, i: usize) -> u64;
    /// Sets the return value (riscv64: a0); errors are `-errno`.
    fn set_return(&mut self, v: u64);
    /// Sets the stack pointer (riscv64: sp) of a forked child that was
    /// given its own stack. Returns false if the CPU cannot.
    fn set_stack_pointer(&mut self, _sp: u64) -> bool {
        false
    }
    /// Sets the thread pointer (riscv64: tp) for `CLONE_SETTLS`. Returns
    /// false if the CPU cannot.
    fn set_thread_pointer(&mut self, _tp: u64) -> bool {
        false
    }
}

/// What the CPU loop does after a system call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyscallOutcome {
    /// Go on with the next instruction.
    Continue,
    /// The process exits with this status (`exit`, `exit_group`).
    Exit(i32),
}

/// Encodes a result as the kernel returns it in a register.
pub fn encode(r: SysResult) -> u64 {
    match r {
        Ok(v) => v,
        Err(e) => (-(e.0 as i64)) as u64,
    }
}

fn enosys() -> Errno {
    Errno(libc::ENOSYS)
}

/// Converts a host `-1`/errno return into a result.
pub(crate) fn cvt(r: i64) -> SysResult {
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(r as u64)
    }
}

impl Process {
    /// Runs the system call described by `regs` and stores its result.
    pub fn syscall(&mut self, regs: &mut dyn SyscallRegs) -> SyscallOutcome {
        let nr = regs.number();
        let a: [u64; 6] = std::array::from_fn(|i| regs.arg(i));
        let call = (self.abi.sysno)(nr);
        if let Some(Sysno::Exit | Sysno::ExitGroup) = call {
            if self.options.strace {
                let line = strace::format_call(std::process::id(), nr, call, &a, None);
                let _ = writeln!(self.log, "{line}");
            }
            return SyscallOutcome::Exit(a[0] as i32);
        }
        let r = match call {
            Some(Sysno::Clone) => Some(self.sys_clone(regs, a)),
            Some(c) => self.dispatch(c, a),
            None => None,
        };
        if r.is_none() && self.options.log_unimp {
            let _ = writeln!(self.log, "Unsupported syscall: {nr}");
        }
        let r = r.unwrap_or(Err(enosys()));
        if self.options.strace {
            let line = strace::format_call(std::process::id(), nr, call, &a, Some(r));
            let _ = writeln!(self.log, "{line}");
        }
        regs.set_return(encode(r));
        SyscallOutcome::Continue
    }

    /// Runs one call; `None` if it is not implemented.
    fn dispatch(&mut self, call: Sysno, a: [u64; 6]) -> Option<SysResult> {
        use Sysno::*;
        Some(match call {
            Read => self.sys_read(a[0], a[1], a[2]),
            Write => self.sys_write(a[0], a[1], a[2]),
            Pread64 => self.sys_pread(a[0], a[1], a[2], a[3]),
            Pwrite64 => self.sys_pwrite(a[0], a[1], a[2], a[3]),
            Readv => self.sys_readv(a[0], a[1], a[2], None),
            Writev => self.sys_writev(a[0], a[1], a[2], None),
            Preadv => self.sys_readv(a[0], a[1], a[2], Some(a[3])),
            Pwritev => self.sys_writev(a[0], a[1], a[2], Some(a[3])),
            Openat => self.sys_openat(a[0], a[1], a[2], a[3]),
            Close => self.sys_close(a[0]),
            Lseek => self.sys_lseek(a[0], a[1], a[2]),
            Newfstatat => self.sys_newfstatat(a[0], a[1], a[2], a[3]),
            Fstat => self.sys_fstat(a[0], a[1]),
            Statx => self.sys_statx(a[0], a[1], a[2], a[3], a[4]),
            Statfs => self.sys_statfs(a[0], a[1]),
            Fstatfs => self.sys_fstatfs(a[0], a[1]),
            Getdents64 => self.sys_getdents64(a[0], a[1], a[2]),
            Mkdirat => self.sys_mkdirat(a[0], a[1], a[2]),
            Mknodat => self.sys_mknodat(a[0], a[1], a[2], a[3]),
            Unlinkat => self.sys_unlinkat(a[0], a[1], a[2]),
            Renameat => self.sys_renameat2(a[0], a[1], a[2], a[3], 0),
            Renameat2 => self.sys_renameat2(a[0], a[1], a[2], a[3], a[4]),
            Symlinkat => self.sys_symlinkat(a[0], a[1], a[2]),
            Linkat => self.sys_linkat(a[0], a[1], a[2], a[3], a[4]),
            Readlinkat => self.sys_readlinkat(a[0], a[1], a[2], a[3]),
            Faccessat => self.sys_faccessat(a[0], a[1], a[2], 0),
            Faccessat2 => self.sys_faccessat(a[0], a[1], a[2], a[3]),
            Fchmod => self.sys_fchmod(a[0], a[1]),
            Fchmodat => self.sys_fchmodat(a[0], a[1], a[2]),
            Fchownat => self.sys_fchownat(a[0], a[1], a[2], a[3], a[4]),
            Fchown => self.sys_fchown(a[0], a[1], a[2]),
            Utimensat => self.sys_utimensat(a[0], a[1], a[2], a[3]),
            Truncate => self.sys_truncate(a[0], a[1]),
            Ftruncate => self.sys_ftruncate(a[0], a[1]),
            Fallocate => self.sys_fallocate(a[0], a[1], a[2], a[3]),
            Fsync => self.sys_fsync(a[0], false),
            Fdatasync => self.sys_fsync(a[0], true),
            Sync => self.sys_sync(),
            Flock => self.sys_flock(a[0], a[1]),
            Fadvise64 => self.sys_fadvise(a[0]),
            Chdir => self.sys_chdir(a[0]),
            Fchdir => self.sys_fchdir(a[0]),
            Getcwd => self.sys_getcwd(a[0], a[1]),
            Umask => self.sys_umask(a[0]),
            Dup => self.sys_dup(a[0]),
            Dup3 => self.sys_dup3(a[0], a[1], a[2]),
            Fcntl => self.sys_fcntl(a[0], a[1], a[2]),
            Pipe2 => self.sys_pipe2(a[0], a[1]),
            Ioctl => self.sys_ioctl(a[0], a[1], a[2]),
            MemfdCreate => self.sys_memfd_create(a[0], a[1]),
            Ppoll => self.sys_ppoll(a[0], a[1], a[2]),
            Pselect6 => self.sys_pselect6(a[0], a[1], a[2], a[3], a[4]),
            Brk => self.sys_brk(a[0]),
            Mmap => self.sys_mmap(a[0], a[1], a[2], a[3], a[4], a[5]),
            Munmap => self.sys_munmap(a[0], a[1]),
            Mprotect => self.sys_mprotect(a[0], a[1], a[2]),
            Mremap => self.sys_mremap(a[0], a[1], a[2], a[3], a[4]),
            Madvise => self.sys_madvise(a[0], a[1], a[2]),
            Mincore => self.sys_mincore(a[0], a[1], a[2]),
            Msync => self.sys_msync(a[0], a[1], a[2]),
            Mlock | Munlock => self.sys_mlock(a[0], a[1]),
            ClockGettime => self.sys_clock_gettime(a[0], a[1]),
            ClockGetres => self.sys_clock_getres(a[0], a[1]),
            Gettimeofday => self.sys_gettimeofday(a[0], a[1]),
            Nanosleep => self.sys_nanosleep(a[0], a[1]),
            ClockNanosleep => self.sys_clock_nanosleep(a[0], a[1], a[2], a[3]),
            Times => self.sys_times(a[0]),
            Getrandom => self.sys_getrandom(a[0], a[1], a[2]),
            Uname => self.sys_uname(a[0]),
            Getpid => Ok(std::process::id().into()),
            Gettid => self.sys_gettid(),
            Getppid => self.sys_getppid(),
            Getuid | Geteuid | Getgid | Getegid => self.sys_ids(call),
            Getresuid | Getresgid => self.sys_getres_ids(call, a[0], a[1], a[2]),
            Getpgid => self.sys_getpgid(a[0]),
            Getsid => self.sys_getsid(a[0]),
            Setpgid => self.sys_setpgid(a[0], a[1]),
            Setsid => self.sys_setsid(),
            Getgroups => self.sys_getgroups(a[0], a[1]),
            SetTidAddress => self.sys_set_tid_address(a[0]),
            SetRobustList => self.sys_set_robust_list(a[0], a[1]),
            Prlimit64 => self.sys_prlimit64(a[0], a[1], a[2], a[3]),
            Getrlimit => self.sys_prlimit64(0, a[0], 0, a[1]),
            Setrlimit => self.sys_prlimit64(0, a[0], a[1], 0),
            Getrusage => self.sys_getrusage(a[0], a[1]),
            Sysinfo => self.sys_sysinfo(a[0]),
            SchedGetaffinity => self.sys_sched_getaffinity(a[0], a[1], a[2]),
            SchedYield => self.sys_sched_yield(),
            Getcpu => self.sys_getcpu(a[0], a[1]),
            Prctl => self.sys_prctl(a[0], a[1]),
            Futex => self.sys_futex(a[0], a[1], a[2]),
            RiscvFlushIcache => Ok(0),
            RtSigaction => self.sys_rt_sigaction(a[0], a[1], a[2], a[3]),
            RtSigprocmask => self.sys_rt_sigprocmask(a[0], a[1], a[2], a[3]),
            RtSigpending => self.sys_rt_sigpending(a[0], a[1]),
            Sigaltstack => self.sys_sigaltstack(a[0], a[1]),
            Kill => self.sys_kill(a[0], a[1]),
            Tkill => self.sys_tgkill(None, a[0], a[1]),
            Tgkill => self.sys_tgkill(Some(a[0]), a[1], a[2]),
            Wait4 => self.sys_wait4(a[0], a[1], a[2], a[3]),
            Waitid => self.sys_waitid(a[0], a[1], a[2], a[3], a[4]),
            Execve => self.sys_execve(a[0], a[1], a[2]),
            Getitimer => self.sys_getitimer(a[0], a[1]),
            Setitimer => self.sys_setitimer(a[0], a[1], a[2]),
            _ => return None,
        })
    }
}

/// Makes a raw host system call with up to six arguments.
///
/// # Safety
/// Every pointer argument must be valid for the access the host kernel
/// makes through it: a local buffer, or a guest buffer already cut to its
/// accessible prefix (see `guest.rs`).
pub(crate) unsafe fn host(nr: libc::c_long, a: &[i64]) -> SysResult {
    let g = |i: usize| a.get(i).copied().unwrap_or(0);
    // SAFETY: the caller guarantees the pointer arguments (see above).
    let r = unsafe { libc::syscall(nr, g(0), g(1), g(2), g(3), g(4), g(5)) };
    cvt(r)
}
