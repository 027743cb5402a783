//! Guest memory faults in translated code arrive as host SIGSEGV/SIGBUS. The handler
//! turns them into precise guest faults: it finds the block and the guest instruction
//! of the faulting host instruction, writes the globals cached in host registers back
//! to the guest state, and resumes the thread at the trampoline's fault exit.

use std::cell::Cell;
use std::sync::OnceLock;

use oxemu_dbt_ir::desc::GuestState;

use crate::jit::Jit;

/// Bytes past the guest address limit that are reserved as a guard.
pub const GUARD_BYTES: u64 = 64 << 10;

type Handler = unsafe fn(*const (), *mut libc::siginfo_t, *mut libc::ucontext_t) -> bool;

#[derive(Clone, Copy)]
struct ActiveJit {
    jit: *const (),
    handler: Handler,
}

thread_local! {
    static ACTIVE: Cell<Option<ActiveJit>> = const { Cell::new(None) };
}

/// Marks a JIT as running translated code on this thread for its lifetime.
pub(crate) struct Active;

impl Active {
    pub(crate) fn new<S: GuestState + 'static>(jit: &Jit<S>) -> Active {
        ACTIVE.set(Some(ActiveJit {
            jit: jit as *const Jit<S> as *const (),
            handler: handle::<S>,
        }));
        Active
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        ACTIVE.set(None);
    }
}

/// The actions that were installed before ours, to chain to for host faults.
static PREVIOUS: OnceLock<[Option<libc::sigaction>; 2]> = OnceLock::new();

/// Installs the SIGSEGV/SIGBUS handler once per process.
pub(crate) fn install() {
    PREVIOUS.get_or_init(|| {
        let mut previous = [None, None];
        for (i, sig) in [libc::SIGSEGV, libc::SIGBUS].into_iter().enumerate() {
            // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value; we
            // fill in our handler and keep the previous one to chain to.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_fault as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut sa.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &sa, &mut old) == 0 {
                    previous[i] = Some(old);
                }
            }
        }
        previous
    });
}

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    let handled = ACTIVE
        .get()
        // SAFETY: the handler was registered with the matching JIT type, which is
        // alive while the Active guard exists (it is running translated code).
        .is_some_and(|a| unsafe { (a.handler)(a.jit, info, uc as *mut libc::ucontext_t) });
    if handled {
        return;
    }
    // Not a guest fault: restore the previous handler; returning re-executes the
    // faulting instruction, which then reaches it (or the default action).
    let i = usize::from(sig == libc::SIGBUS);
    let previous = PREVIOUS.get().and_then(|p| p[i]);
    // SAFETY: restoring an action from sigaction's own output, or the default.
    unsafe {
        match previous {
            Some(old) => libc::sigaction(sig, &old, std::ptr::null_mut()),
            None => libc::signal(sig, libc::SIG_DFL) as i32,
        };
    }
}

/// Index into `gregs` of a host register number (dynasm numbering).
fn greg(r: u8) -> usize {
    (match r {
        0 => libc::REG_RAX,
        1 => libc::REG_RCX,
        2 => libc::REG_RDX,
        3 => libc::REG_RBX,
        4 => libc::REG_RSP,
        5 => libc::REG_RBP,
        6 => libc::REG_RSI,
        7 => libc::REG_RDI,
        n => libc::REG_R8 + (n as i32 - 8),
    }) as usize
}

/// # Safety
/// `jit` must point to a live `Jit<S>` running translated code on this thread;
/// `info` and `uc` must be the kernel's arguments to a SIGSEGV/SIGBUS handler.
unsafe fn handle<S: GuestState + 'static>(
    jit: *const (),
    info: *mut libc::siginfo_t,
    uc: *mut libc::ucontext_t,
) -> bool {
    // SAFETY: guaranteed by the caller.
    let (jit, uc) = unsafe { (&*(jit as *const Jit<S>), &mut *uc) };
    let gregs = &mut uc.uc_mcontext.gregs;
    let rip = gregs[libc::REG_RIP as usize] as usize;
    if !jit.buf.contains(rip) {
        return false;
    }
    // SAFETY: `info` is the kernel's siginfo for a memory fault.
    let host_addr = unsafe { (*info).si_addr() } as usize;
    let guest_addr = host_addr.wrapping_sub(jit.guest_base) as u64;
    // SAFETY: the frame is owned by the JIT; translated code, suspended in this
    // handler, is its only other user.
    let frame = unsafe { &mut *jit.frame };
    if guest_addr >= frame.ctx.mem_limit + GUARD_BYTES {
        return false;
    }
    if let Some(hook) = &jit.write_fault_hook
        && hook(guest_addr)
    {
        frame.ctx.exit_request = 1;
        return true;
    }
    let Some(block) = jit.cache.block_at(rip) else {
        // Tier-1 code keeps the state exact at checkpoints (see exit_code::REPLAY).
        let Some(region) = jit.tier1.region_at(rip) else {
            return false;
        };
        frame.ctx.next_pc = frame.ctx.cur_pc;
        frame.ctx.fault_addr = region.code as u64;
        gregs[libc::REG_RSP as usize] = frame.ctx.host_sp as i64;
        gregs[libc::REG_RIP as usize] = jit.replay_entry as i64;
        return true;
    };
    let offset = (rip - block.code) as u32;
    let Some(site) = block.mem_sites.iter().find(|s| s.offset == offset) else {
        return false;
    };
    let globals = frame.state.globals_mut();
    for (i, &(g, r)) in block.cached.iter().enumerate() {
        if site.valid & (1 << i) != 0 {
            globals[g.0 as usize] = gregs[greg(r)] as u64;
        }
    }
    frame.ctx.next_pc = site.pc;
    frame.ctx.fault_addr = guest_addr;
    gregs[libc::REG_RSP as usize] = frame.ctx.host_sp as i64;
    gregs[libc::REG_RIP as usize] = jit.fault_entry as i64;
    true
}
