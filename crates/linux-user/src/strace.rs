//! `-strace` lines in QEMU's format: `PID name(args) = ret`.

use std::fmt::Write as _;

use oxemu_memory::Errno;

use crate::abi::Sysno;

/// Symbolic name of an errno value, if it is a common one.
pub fn errno_name(e: i32) -> Option<&'static str> {
    const NAMES: [&str; 41] = [
        "",
        "EPERM",
        "ENOENT",
        "ESRCH",
        "EINTR",
        "EIO",
        "ENXIO",
        "E2BIG",
        "ENOEXEC",
        "EBADF",
        "ECHILD",
        "EAGAIN",
        "ENOMEM",
        "EACCES",
        "EFAULT",
        "ENOTBLK",
        "EBUSY",
        "EEXIST",
        "EXDEV",
        "ENODEV",
        "ENOTDIR",
        "EISDIR",
        "EINVAL",
        "ENFILE",
        "EMFILE",
        "ENOTTY",
        "ETXTBSY",
        "EFBIG",
        "ENOSPC",
        "ESPIPE",
        "EROFS",
        "EMLINK",
        "EPIPE",
        "EDOM",
        "ERANGE",
        "EDEADLK",
        "ENAMETOOLONG",
        "ENOLCK",
        "ENOSYS",
        "ENOTEMPTY",
        "ELOOP",
    ];
    match e {
        1..=40 => Some(NAMES[e as usize]),
        95 => Some("EOPNOTSUPP"),
        110 => Some("ETIMEDOUT"),
        _ => None,
    }
}

/// One strace line for call `nr` with arguments `args`; `ret` is `None`
/// for calls that do not return (`exit`).
pub fn format_call(
    pid: u32,
    nr: u64,
    call: Option<Sysno>,
    args: &[u64; 6],
    ret: Option<Result<u64, Errno>>,
) -> String {
    let mut s = format!("{pid} ");
    match call {
        Some(c) => s.push_str(c.name()),
        None => {
            let _ = write!(s, "syscall_{nr}");
        }
    }
    s.push('(');
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{a:#x}");
    }
    s.push(')');
    match ret {
        None => {}
        Some(Ok(v)) if v > 0xffff => {
            let _ = write!(s, " = {v:#x}");
        }
        Some(Ok(v)) => {
            let _ = write!(s, " = {v}");
        }
        Some(Err(e)) => {
            let desc = std::io::Error::from_raw_os_error(e.0).to_string();
            let desc = desc.split(" (os error").next().unwrap_or("").to_owned();
            match errno_name(e.0) {
                Some(n) => {
                    let _ = write!(s, " = -1 errno={} ({n}: {desc})", e.0);
                }
                None => {
                    let _ = write!(s, " = -1 errno={} ({desc})", e.0);
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_qemu() {
        let l = format_call(
            7,
            64,
            Some(Sysno::Write),
            &[1, 0x1000, 5, 0, 0, 0],
            Some(Ok(5)),
        );
        assert_eq!(l, "7 write(0x1,0x1000,0x5,0x0,0x0,0x0) = 5");
        let l = format_call(7, 56, Some(Sysno::Openat), &[0; 6], Some(Err(Errno(2))));
        assert_eq!(
            l,
            "7 openat(0x0,0x0,0x0,0x0,0x0,0x0) = -1 errno=2 (ENOENT: No such file or directory)"
        );
        let l = format_call(7, 999, None, &[0; 6], Some(Err(Errno(38))));
        assert!(l.starts_with("7 syscall_999("));
    }
}
