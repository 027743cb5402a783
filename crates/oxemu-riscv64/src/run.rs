//! The CPU loop: run guest code, serve system calls, turn traps into signals.

use oxemu_dbt_exec::Event;
use oxemu_dbt_ir::TrapKind;
use oxemu_isa_riscv64::{PC, RvCpu, x};
use oxemu_linux_user::{Process, SyscallOutcome, SyscallRegs};

use crate::engine::{Engine, Translator};

/// riscv64 (asm-generic) numbers of the calls that create processes.
const SYS_CLONE: u64 = 220;
const SYS_CLONE3: u64 = 435;

/// riscv64 system-call registers: number in a7, arguments in a0..a5, result in a0.
struct RvSyscallRegs<'a>(&'a mut RvCpu);

impl SyscallRegs for RvSyscallRegs<'_> {
    fn number(&self) -> u64 {
        self.0.get(x(17))
    }
    fn arg(&self, i: usize) -> u64 {
        self.0.get(x(10 + i as u8))
    }
    fn set_return(&mut self, v: u64) {
        self.0.set(x(10), v);
    }
}

/// How the guest ended.
pub enum GuestExit {
    /// exit/exit_group with this status.
    Exited(i32),
    /// Killed by an unhandled signal.
    Signal(i32),
}

/// Runs the guest from `pc` until it exits or dies.
pub fn cpu_loop(
    engine: &mut Engine,
    tr: &Translator,
    process: &mut Process,
    mut pc: u64,
) -> GuestExit {
    let mut scratch = Vec::new();
    loop {
        match engine.run(pc, tr) {
            Event::Trap(TrapKind::Syscall, at) => {
                let cpu = engine.state_mut();
                cpu.set(PC, at);
                let nr = cpu.get(x(17));
                match process.syscall(&mut RvSyscallRegs(cpu)) {
                    SyscallOutcome::Continue => pc = at + 4,
                    SyscallOutcome::Exit(status) => return GuestExit::Exited(status),
                }
                if (nr == SYS_CLONE || nr == SYS_CLONE3) && engine.state_mut().get(x(10)) == 0 {
                    // The child of a fork.
                    if let Err(e) = engine.after_fork() {
                        eprintln!("oxemu-riscv64: cannot set up the child process: {e}");
                        return GuestExit::Exited(127);
                    }
                }
                engine.sync_code(&tr.space, &mut scratch);
            }
            Event::Trap(TrapKind::FlushCode, at) => {
                engine.flush();
                pc = at + 4;
            }
            Event::Trap(TrapKind::Breakpoint, at) => return fatal(engine, at, libc::SIGTRAP),
            Event::Trap(TrapKind::Illegal, at) => return fatal(engine, at, libc::SIGILL),
            Event::Trap(TrapKind::FetchFault, at) => return fatal(engine, at, libc::SIGSEGV),
            Event::Fault { pc: at, .. } => return fatal(engine, at, libc::SIGSEGV),
            Event::Request(at) => {
                engine.sync_code(&tr.space, &mut scratch);
                pc = at;
            }
        }
    }
}

/// A synchronous signal with no way to deliver it yet: the guest dies of it.
fn fatal(engine: &mut Engine, at: u64, sig: i32) -> GuestExit {
    engine.state_mut().set(PC, at);
    GuestExit::Signal(sig)
}
