//! `/proc/self` files whose host contents would describe the emulator
//! rather than the guest: they are generated and served from a memfd.

use std::fmt::Write as _;

use oxemu_memory::{Errno, Prot};

use super::{SysResult, host};
use crate::process::Process;

/// Which generated file a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProcFile {
    Maps,
    Auxv,
}

impl Process {
    /// Recognises `/proc/self/<name>` and `/proc/<own pid>/<name>`.
    pub(crate) fn proc_file(&self, path: &[u8]) -> Option<ProcFile> {
        let rest = path
            .strip_prefix(b"/proc/self/")
            .or_else(|| path.strip_prefix(format!("/proc/{}/", std::process::id()).as_bytes()))?;
        match rest {
            b"maps" => Some(ProcFile::Maps),
            b"auxv" => Some(ProcFile::Auxv),
            _ => None,
        }
    }

    fn proc_contents(&self, f: ProcFile) -> Vec<u8> {
        match f {
            ProcFile::Maps => self.maps_text().into_bytes(),
            ProcFile::Auxv => self
                .auxv
                .iter()
                .flat_map(|&(k, v)| k.to_le_bytes().into_iter().chain(v.to_le_bytes()))
                .collect(),
        }
    }

    /// The guest's mappings in `/proc/self/maps` format.
    pub fn maps_text(&self) -> String {
        let mut s = String::new();
        for m in self.space.mappings() {
            let perm = |p: Prot, c: char| if m.prot.contains(p) { c } else { '-' };
            let major = ((m.dev >> 8) & 0xfff) | ((m.dev >> 32) & !0xfff);
            let minor = (m.dev & 0xff) | ((m.dev >> 12) & !0xff);
            let start = s.len();
            let _ = write!(
                s,
                "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {}",
                m.start,
                m.end,
                perm(Prot::R, 'r'),
                perm(Prot::W, 'w'),
                perm(Prot::X, 'x'),
                if m.shared { 's' } else { 'p' },
                m.offset,
                major,
                minor,
                m.inode
            );
            if let Some(name) = &m.name {
                let width = s.len() - start;
                s.extend(std::iter::repeat_n(
                    ' ',
                    73usize.saturating_sub(width).max(1),
                ));
                s.push_str(name);
            }
            s.push('\n');
        }
        s
    }

    /// Opens a generated file as a sealed-size memfd positioned at 0.
    pub(crate) fn open_proc_file(&self, f: ProcFile, cloexec: bool) -> SysResult {
        let data = self.proc_contents(f);
        let flags = if cloexec { libc::MFD_CLOEXEC } else { 0 };
        // SAFETY: a NUL-terminated static name.
        let fd = unsafe {
            host(
                libc::SYS_memfd_create,
                &[c"oxemu-proc".as_ptr() as i64, flags as i64],
            )?
        } as i32;
        let mut off = 0;
        while off < data.len() {
            // SAFETY: writes from a local buffer to the new memfd.
            let n = unsafe { libc::write(fd, data[off..].as_ptr().cast(), data.len() - off) };
            if n <= 0 {
                let e = Errno::last();
                // SAFETY: closes the memfd created above.
                unsafe { libc::close(fd) };
                return Err(e);
            }
            off += n as usize;
        }
        // SAFETY: no pointer arguments.
        unsafe { libc::lseek(fd, 0, libc::SEEK_SET) };
        Ok(fd as u64)
    }
}
