//! Clocks and sleeping. `struct timespec`, `timeval` and `tms` have the
//! same 64-bit layout on the host and the guests.

use super::guest::int;
use super::{SysResult, host};
use crate::process::Process;

impl Process {
    pub(crate) fn sys_clock_gettime(&mut self, clk: u64, tp: u64) -> SysResult {
        let mut t = [0u8; 16];
        // SAFETY: local timespec buffer.
        unsafe {
            host(
                libc::SYS_clock_gettime,
                &[int(clk) as i64, t.as_mut_ptr() as i64],
            )?
        };
        self.write_bytes(tp, &t)?;
        Ok(0)
    }

    pub(crate) fn sys_clock_getres(&mut self, clk: u64, tp: u64) -> SysResult {
        let mut t = [0u8; 16];
        // SAFETY: local timespec buffer.
        unsafe {
            host(
                libc::SYS_clock_getres,
                &[int(clk) as i64, t.as_mut_ptr() as i64],
            )?
        };
        self.write_opt(tp, &t)?;
        Ok(0)
    }

    pub(crate) fn sys_gettimeofday(&mut self, tv: u64, tz: u64) -> SysResult {
        let mut t = [0u8; 16];
        let mut z = [0u8; 8];
        // SAFETY: local timeval and timezone buffers.
        unsafe {
            host(
                libc::SYS_gettimeofday,
                &[t.as_mut_ptr() as i64, z.as_mut_ptr() as i64],
            )?
        };
        self.write_opt(tv, &t)?;
        self.write_opt(tz, &z)?;
        Ok(0)
    }

    pub(crate) fn sys_nanosleep(&mut self, req: u64, rem: u64) -> SysResult {
        self.sys_clock_nanosleep(libc::CLOCK_MONOTONIC as u64, 0, req, rem)
    }

    pub(crate) fn sys_clock_nanosleep(
        &mut self,
        clk: u64,
        flags: u64,
        req: u64,
        rem: u64,
    ) -> SysResult {
        let r = self.read_array::<16>(req)?;
        let mut left = [0u8; 16];
        // SAFETY: local timespec buffers.
        let res = unsafe {
            host(
                libc::SYS_clock_nanosleep,
                &[
                    int(clk) as i64,
                    int(flags) as i64,
                    r.as_ptr() as i64,
                    left.as_mut_ptr() as i64,
                ],
            )
        };
        if res == Err(oxemu_memory::Errno(libc::EINTR)) {
            self.write_opt(rem, &left)?;
        }
        res
    }

    pub(crate) fn sys_times(&mut self, buf: u64) -> SysResult {
        let mut t = [0u8; 32];
        // SAFETY: local `struct tms` buffer.
        let r = unsafe { host(libc::SYS_times, &[t.as_mut_ptr() as i64])? };
        self.write_opt(buf, &t)?;
        Ok(r)
    }
}
