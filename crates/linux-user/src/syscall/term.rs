//! Terminal `ioctl`s. riscv64 uses the asm-generic request numbers and
//! kernel `struct termios` (36 bytes), which x86-64 shares, so the
//! supported requests pass through with their argument copied.

use oxemu_memory::Errno;

use super::guest::int;
use super::{SysResult, host};
use crate::process::Process;

/// How a request's argument is passed.
enum Arg {
    /// No argument or a plain integer.
    Value,
    /// The kernel reads this many bytes.
    In(usize),
    /// The kernel writes this many bytes.
    Out(usize),
}

fn request(req: u64) -> Option<Arg> {
    Some(match req {
        0x5401 => Arg::Out(36),         // TCGETS
        0x5402..=0x5404 => Arg::In(36), // TCSETS, TCSETSW, TCSETSF
        0x5413 => Arg::Out(8),          // TIOCGWINSZ
        0x5414 => Arg::In(8),           // TIOCSWINSZ
        0x540f => Arg::Out(4),          // TIOCGPGRP
        0x5410 => Arg::In(4),           // TIOCSPGRP
        0x541b => Arg::Out(4),          // FIONREAD
        0x5421 | 0x5452 => Arg::In(4),  // FIONBIO, FIOASYNC
        0x5450 | 0x5451 => Arg::Value,  // FIONCLEX, FIOCLEX
        0x5409..=0x540b => Arg::Value,  // TCSBRK, TCXONC, TCFLSH
        0x5429 => Arg::Out(4),          // TIOCGSID
        _ => return None,
    })
}

impl Process {
    pub(crate) fn sys_ioctl(&mut self, fd: u64, req: u64, arg: u64) -> SysResult {
        let fd = int(fd) as i64;
        let req32 = req as u32 as u64;
        let Some(kind) = request(req32) else {
            if self.options.log_unimp {
                use std::io::Write as _;
                let _ = writeln!(self.log, "Unsupported ioctl: cmd={req32:#x}");
            }
            return Err(Errno(libc::ENOTTY));
        };
        match kind {
            Arg::Value => {
                // SAFETY: these requests take an integer argument.
                unsafe { host(libc::SYS_ioctl, &[fd, req32 as i64, arg as i64]) }
            }
            Arg::In(n) => {
                let mut b = self.read_bytes(arg, n)?;
                // SAFETY: local buffer of the size the request reads.
                unsafe { host(libc::SYS_ioctl, &[fd, req32 as i64, b.as_mut_ptr() as i64]) }
            }
            Arg::Out(n) => {
                let mut b = vec![0u8; n];
                // SAFETY: local buffer of the size the request writes.
                let r =
                    unsafe { host(libc::SYS_ioctl, &[fd, req32 as i64, b.as_mut_ptr() as i64])? };
                self.write_bytes(arg, &b)?;
                Ok(r)
            }
        }
    }
}
