//! The JIT's path: a raw host store to a code page faults, the SIGSEGV
//! handler calls `on_write_fault`, and the retried store succeeds.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use oxemu_memory::{GuestSpace, MapFlags, Prot};

static SPACE: OnceLock<GuestSpace> = OnceLock::new();
static HANDLED: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_segv(_sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    let space = SPACE.get().expect("space set before faulting");
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    let guest = addr.wrapping_sub(space.host_base()) as u64;
    if space.on_write_fault(guest) {
        HANDLED.fetch_add(1, Ordering::SeqCst);
        return;
    }
    // A real fault: restore the default action and let it kill the test.
    // SAFETY: resetting a signal disposition to SIG_DFL is always valid.
    unsafe { libc::signal(libc::SIGSEGV, libc::SIG_DFL) };
}

#[test]
fn host_write_to_code_page_is_retried_and_logged() {
    let space = SPACE.get_or_init(|| GuestSpace::new(39).unwrap());
    let a = space
        .mmap(
            0x40_0000,
            0x2000,
            Prot::RW | Prot::X,
            MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED,
            None,
            0,
        )
        .unwrap();
    // SAFETY: installs a SIGSEGV handler for this test binary only; the
    // handler only uses async-signal-safe operations.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_segv as *const () as usize;
        sa.sa_flags = libc::SA_SIGINFO;
        assert_eq!(libc::sigaction(libc::SIGSEGV, &sa, std::ptr::null_mut()), 0);
    }
    space.mark_code_page(a);
    let host = (space.host_base() + a as usize + 16) as *mut u32;
    // SAFETY: the page is guest-writable; the first store faults (host
    // write-protected code page) and is retried after the handler.
    unsafe { std::ptr::write_volatile(host, 0xdead_beef) };
    assert_eq!(HANDLED.load(Ordering::SeqCst), 1);
    assert_eq!(space.load(a + 16, 4).unwrap(), 0xdead_beef);
    // SAFETY: the page is now host-writable again: no fault.
    unsafe { std::ptr::write_volatile(host, 1) };
    assert_eq!(HANDLED.load(Ordering::SeqCst), 1);
    let mut inv = Vec::new();
    space.take_code_invalidations(&mut inv);
    assert_eq!(inv, vec![(a, 0x1000)]);
}
