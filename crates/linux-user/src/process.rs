//! [`Process`]: the state of an emulated Linux process that system calls use.

use std::io::Write;
use std::os::fd::RawFd;
use std::path::PathBuf;
use std::sync::Arc;

use oxemu_memory::GuestSpace;

use crate::abi::Abi;
use crate::loader::LoadedProgram;
use crate::signal::SignalState;

/// Builds the host command line that runs guest program `exe` with guest
/// arguments `argv` (argv[0] first) for `execve`, e.g. the emulator itself
/// with its options.
pub type ExecCommand =
    Arc<dyn Fn(&std::path::Path, &[std::ffi::OsString]) -> Vec<std::ffi::OsString> + Send + Sync>;

/// Options of the user-mode layer.
#[derive(Clone, Default)]
pub struct ProcessOptions {
    /// Print every system call in QEMU's `-strace` format.
    pub strace: bool,
    /// Log unimplemented system calls (`Unsupported syscall: N`).
    pub log_unimp: bool,
    /// Guest root prefix (`-L`, `QEMU_LD_PREFIX`).
    pub ld_prefix: Option<PathBuf>,
    /// How `execve` starts a guest program; without it the host `execve`s
    /// the file directly (which works for host programs, or guest ones
    /// with binfmt_misc).
    pub exec_command: Option<ExecCommand>,
}

impl std::fmt::Debug for ProcessOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessOptions")
            .field("strace", &self.strace)
            .field("log_unimp", &self.log_unimp)
            .field("ld_prefix", &self.ld_prefix)
            .field("exec_command", &self.exec_command.is_some())
            .finish()
    }
}

/// What the process starts with.
#[derive(Clone, Debug)]
pub struct ProcessInit {
    /// Absolute host path of the executable (for `/proc/self/exe`).
    pub exe_path: PathBuf,
    /// Initial program break.
    pub brk: u64,
    /// The auxiliary vector (for `/proc/self/auxv`).
    pub auxv: Vec<(u64, u64)>,
}

impl From<&LoadedProgram> for ProcessInit {
    fn from(p: &LoadedProgram) -> Self {
        ProcessInit {
            exe_path: p.exe_path.clone(),
            brk: p.brk,
            auxv: p.stack.auxv_entries.clone(),
        }
    }
}

/// The program break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Brk {
    /// Lowest break (just above the executable).
    pub start: u64,
    /// Current break.
    pub cur: u64,
}

/// An emulated process (single-threaded for now): owns the break, the
/// executable path, signal dispositions and the options; guest file
/// descriptors are host file descriptors.
pub struct Process {
    pub(crate) space: Arc<GuestSpace>,
    pub(crate) abi: &'static Abi,
    pub(crate) brk: Brk,
    pub(crate) exe_path: PathBuf,
    pub(crate) auxv: Vec<(u64, u64)>,
    pub(crate) options: ProcessOptions,
    pub(crate) signals: SignalState,
    pub(crate) tid_address: u64,
    pub(crate) robust_list: (u64, u64),
    pub(crate) reserved_fds: Vec<RawFd>,
    /// Host thread that runs the guest's main thread.
    pub(crate) main_host_tid: u64,
    pub(crate) log: Box<dyn Write + Send>,
}

impl Process {
    /// A process running in `space` with the given ABI.
    pub fn new(
        space: Arc<GuestSpace>,
        abi: &'static Abi,
        init: ProcessInit,
        options: ProcessOptions,
    ) -> Self {
        Process {
            space,
            abi,
            brk: Brk {
                start: init.brk,
                cur: init.brk,
            },
            exe_path: init.exe_path,
            auxv: init.auxv,
            options,
            signals: SignalState::default(),
            tid_address: 0,
            robust_list: (0, 0),
            reserved_fds: Vec::new(),
            // SAFETY: gettid has no preconditions.
            main_host_tid: unsafe { libc::gettid() } as u64,
            log: Box::new(std::io::stderr()),
        }
    }

    /// The guest address space.
    pub fn space(&self) -> &Arc<GuestSpace> {
        &self.space
    }

    /// Current program break.
    pub fn brk(&self) -> u64 {
        self.brk.cur
    }

    /// Options in force.
    pub fn options(&self) -> &ProcessOptions {
        &self.options
    }

    /// Changes the options.
    pub fn options_mut(&mut self) -> &mut ProcessOptions {
        &mut self.options
    }

    /// Signal dispositions, mask, alternate stack and pending signals.
    pub fn signals(&self) -> &SignalState {
        &self.signals
    }

    /// Mutable signal state (for the delivery code).
    pub fn signals_mut(&mut self) -> &mut SignalState {
        &mut self.signals
    }

    /// The auxiliary vector the program started with.
    pub fn auxv(&self) -> &[(u64, u64)] {
        &self.auxv
    }

    /// Address registered by `set_tid_address` (cleared on thread exit).
    pub fn tid_address(&self) -> u64 {
        self.tid_address
    }

    /// Sends strace and unimplemented-call logs to `w` instead of stderr.
    pub fn set_log(&mut self, w: Box<dyn Write + Send>) {
        self.log = w;
    }

    /// Marks a host file descriptor as the emulator's own: the guest cannot
    /// close or replace it (`EBADF`).
    pub fn reserve_fd(&mut self, fd: RawFd) {
        self.reserved_fds.push(fd);
    }
}
