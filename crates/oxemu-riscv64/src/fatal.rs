//! Ending the emulator the way QEMU does when the guest dies of a signal.

/// Name of a signal as QEMU prints it.
fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGILL => "Illegal instruction",
        libc::SIGTRAP => "Trace/breakpoint trap",
        libc::SIGBUS => "Bus error",
        libc::SIGFPE => "Floating point exception",
        libc::SIGSEGV => "Segmentation fault",
        libc::SIGABRT => "Aborted",
        _ => "Unknown signal",
    }
}

/// Prints QEMU's message and terminates this process with `sig` (without a core
/// file), so the parent sees the guest killed by that signal; the shell reports
/// 128 + sig.
pub fn die_by_signal(sig: i32) -> ! {
    eprintln!(
        "qemu: uncaught target signal {sig} ({}) - core dumped",
        signal_name(sig)
    );
    // SAFETY: plain libc calls on this process: no core file, default action,
    // signal unblocked, then raised.
    unsafe {
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig)
}
