//! Signal system calls: dispositions, mask and alternate stack are only
//! recorded here; signals sent to the process itself are queued as pending.

use oxemu_memory::Errno;

use super::guest::{einval, int};
use super::{SysResult, host};
use crate::process::Process;
use crate::signal::{
    AltStack, DefaultAction, NSIG, SIG_DFL, SIG_IGN, SIGKILL, SIGSTOP, SigAction, default_action,
};

const SIG_BLOCK: u64 = 0;
const SIG_UNBLOCK: u64 = 1;
const SIG_SETMASK: u64 = 2;
const SS_ONSTACK: i32 = 1;
const SS_DISABLE: i32 = 2;
/// riscv64 `MINSIGSTKSZ`.
const MINSIGSTKSZ: u64 = 2048;
const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

fn le(b: &[u8], off: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(w)
}

impl Process {
    fn sigaction_size(&self) -> usize {
        if self.abi.sigaction_has_restorer {
            32
        } else {
            24
        }
    }

    fn encode_sigaction(&self, a: &SigAction) -> Vec<u8> {
        let mut v = Vec::with_capacity(32);
        v.extend(a.handler.to_le_bytes());
        v.extend(a.flags.to_le_bytes());
        if self.abi.sigaction_has_restorer {
            v.extend(a.restorer.to_le_bytes());
        }
        v.extend(a.mask.to_le_bytes());
        v
    }

    pub(crate) fn sys_rt_sigaction(
        &mut self,
        sig: u64,
        act: u64,
        oact: u64,
        size: u64,
    ) -> SysResult {
        if size != 8 || sig == 0 || sig > NSIG as u64 {
            return Err(einval());
        }
        let sig = sig as u32;
        let new = if act == 0 {
            None
        } else {
            if sig == SIGKILL || sig == SIGSTOP {
                return Err(einval());
            }
            let b = self.read_bytes(act, self.sigaction_size())?;
            let r = self.abi.sigaction_has_restorer;
            Some(SigAction {
                handler: le(&b, 0),
                flags: le(&b, 8),
                restorer: if r { le(&b, 16) } else { 0 },
                mask: le(&b, if r { 24 } else { 16 }) & !UNBLOCKABLE,
            })
        };
        let idx = sig as usize - 1;
        let old = self.signals.actions[idx];
        if oact != 0 {
            self.write_bytes(oact, &self.encode_sigaction(&old))?;
        }
        if let Some(n) = new {
            self.signals.actions[idx] = n;
        }
        Ok(0)
    }

    pub(crate) fn sys_rt_sigprocmask(
        &mut self,
        how: u64,
        set: u64,
        oset: u64,
        size: u64,
    ) -> SysResult {
        if size != 8 {
            return Err(einval());
        }
        let old = self.signals.mask;
        if set != 0 {
            let s = self.read_u64(set)?;
            let m = match how {
                SIG_BLOCK => old | s,
                SIG_UNBLOCK => old & !s,
                SIG_SETMASK => s,
                _ => return Err(einval()),
            };
            self.signals.mask = m & !UNBLOCKABLE;
        }
        self.write_opt(oset, &old.to_le_bytes())?;
        self.apply_default_actions();
        Ok(0)
    }

    pub(crate) fn sys_rt_sigpending(&mut self, set: u64, size: u64) -> SysResult {
        if size != 8 {
            return Err(einval());
        }
        self.write_bytes(
            set,
            &(self.signals.pending & self.signals.mask).to_le_bytes(),
        )?;
        Ok(0)
    }

    pub(crate) fn sys_sigaltstack(&mut self, ss: u64, old: u64) -> SysResult {
        let cur = self.signals.altstack;
        let new = if ss == 0 {
            None
        } else {
            let b = self.read_array::<24>(ss)?;
            let flags = i32::from_le_bytes([b[8], b[9], b[10], b[11]]);
            let st = AltStack {
                sp: le(&b, 0),
                flags,
                size: le(&b, 16),
            };
            if flags & !SS_DISABLE != 0 {
                return Err(einval());
            }
            if flags & SS_DISABLE == 0 && st.size < MINSIGSTKSZ {
                return Err(Errno(libc::ENOMEM));
            }
            Some(st)
        };
        if old != 0 {
            let mut b = [0u8; 24];
            b[..8].copy_from_slice(&cur.sp.to_le_bytes());
            b[8..12].copy_from_slice(&cur.flags.to_le_bytes());
            b[16..].copy_from_slice(&cur.size.to_le_bytes());
            self.write_bytes(old, &b)?;
        }
        if let Some(st) = new {
            if cur.flags & SS_ONSTACK != 0 {
                return Err(Errno(libc::EPERM));
            }
            self.signals.altstack = if st.flags & SS_DISABLE != 0 {
                AltStack {
                    flags: SS_DISABLE,
                    ..AltStack::default()
                }
            } else {
                st
            };
        }
        Ok(0)
    }

    fn queue_self(&mut self, sig: u64) -> SysResult {
        if sig > NSIG as u64 {
            return Err(einval());
        }
        if sig != 0 {
            let sig = sig as u32;
            let handler = self.signals.actions[sig as usize - 1].handler;
            if handler == SIG_IGN && sig != SIGKILL && sig != SIGSTOP {
                return Ok(0);
            }
            self.signals.pending |= 1 << (sig - 1);
            self.apply_default_actions();
        }
        Ok(0)
    }

    pub(crate) fn sys_kill(&mut self, pid: u64, sig: u64) -> SysResult {
        let pid = int(pid);
        if pid as u32 == std::process::id() {
            return self.queue_self(sig);
        }
        if sig > NSIG as u64 {
            return Err(einval());
        }
        // Our own process group: the emulator is the guest process, so the
        // signal is queued for it; other members are not signalled.
        // SAFETY: no arguments.
        let pgrp = unsafe { host(libc::SYS_getpgid, &[0])? } as i32;
        if pid == 0 || pid == -pgrp {
            return self.queue_self(sig);
        }
        // Signalling everybody would hit the host's processes.
        if pid == -1 {
            return Err(Errno(libc::EPERM));
        }
        // SAFETY: no pointer arguments.
        unsafe { host(libc::SYS_kill, &[pid as i64, sig as i64]) }
    }

    pub(crate) fn sys_tgkill(&mut self, tgid: Option<u64>, tid: u64, sig: u64) -> SysResult {
        let me = self.guest_tid();
        let own_group = tgid.is_none_or(|g| int(g) as u32 == std::process::id());
        if own_group && int(tid) as u64 == me {
            return self.queue_self(sig);
        }
        Err(Errno(libc::ESRCH))
    }
}

impl Process {
    /// Carries out pending, unblocked signals whose disposition is
    /// `SIG_DFL`: ignored ones are dropped; terminating, core-dumping and
    /// stopping ones act on the host process itself (raised with the host's
    /// default disposition), so that a parent sees the right wait status.
    /// Signals with a guest handler stay pending for delivery.
    pub fn apply_default_actions(&mut self) {
        let mut ready = self.signals.pending & !self.signals.mask;
        while ready != 0 {
            let sig = ready.trailing_zeros() + 1;
            ready &= ready - 1;
            let bit = 1u64 << (sig - 1);
            if self.signals.actions[sig as usize - 1].handler != SIG_DFL
                && sig != SIGKILL
                && sig != SIGSTOP
            {
                continue;
            }
            self.signals.pending &= !bit;
            match default_action(sig) {
                DefaultAction::Ignore | DefaultAction::Continue => {}
                action => self.raise_on_host(sig, action == DefaultAction::Core),
            }
        }
    }

    /// Raises `sig` on the host with its default disposition.
    fn raise_on_host(&mut self, sig: u32, core: bool) {
        use std::io::Write as _;
        let _ = self.log.flush();
        let sig = sig as i32;
        // SAFETY: plain system calls on this process: an emulator core dump
        // would not help the guest, so it is disabled first (as QEMU does);
        // then the signal gets its default disposition, is unblocked and
        // sent to this thread.
        unsafe {
            if core {
                let zero = libc::rlimit {
                    rlim_cur: 0,
                    rlim_max: 0,
                };
                libc::setrlimit(libc::RLIMIT_CORE, &zero);
            }
            libc::signal(sig, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, sig);
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::syscall(libc::SYS_tgkill, libc::getpid(), libc::gettid(), sig);
        }
    }
}
