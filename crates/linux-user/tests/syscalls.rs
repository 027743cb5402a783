//! System calls driven through a fake register file.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use oxemu_linux_user::abi::RISCV64;
use oxemu_linux_user::{
    GuestSpace, Process, ProcessInit, ProcessOptions, SyscallOutcome, SyscallRegs,
};
use oxemu_memory::{MapFlags, Prot};

struct Regs {
    nr: u64,
    args: [u64; 6],
    ret: Option<u64>,
}

impl SyscallRegs for Regs {
    fn number(&self) -> u64 {
        self.nr
    }
    fn arg(&self, i: usize) -> u64 {
        self.args.get(i).copied().unwrap_or(0)
    }
    fn set_return(&mut self, v: u64) {
        self.ret = Some(v);
    }
}

/// A shared log sink.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const BUF: u64 = 0x10_0000;
const BUF_LEN: u64 = 0x10_0000;
const BRK: u64 = 0x40_0000;

struct T {
    p: Process,
    log: Log,
}

impl T {
    fn new() -> T {
        let space = Arc::new(GuestSpace::new(39).unwrap());
        space
            .mmap(
                BUF,
                BUF_LEN,
                Prot::RW,
                MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED,
                None,
                0,
            )
            .unwrap();
        let init = ProcessInit {
            exe_path: PathBuf::from("/bin/guest-exe"),
            brk: BRK,
            auxv: vec![(6, 4096), (0, 0)],
        };
        let mut p = Process::new(
            space,
            &RISCV64,
            init,
            ProcessOptions {
                log_unimp: true,
                ..Default::default()
            },
        );
        let log = Log::default();
        p.set_log(Box::new(log.clone()));
        T { p, log }
    }

    fn call(&mut self, nr: u64, args: &[u64]) -> i64 {
        let mut a = [0u64; 6];
        a[..args.len()].copy_from_slice(args);
        let mut r = Regs {
            nr,
            args: a,
            ret: None,
        };
        assert_eq!(self.p.syscall(&mut r), SyscallOutcome::Continue);
        r.ret.expect("return value set") as i64
    }

    fn space(&self) -> &GuestSpace {
        self.p.space()
    }

    fn put(&self, addr: u64, data: &[u8]) {
        self.space().write(addr, data).unwrap();
    }

    fn get(&self, addr: u64, len: usize) -> Vec<u8> {
        let mut v = vec![0; len];
        self.space().read(addr, &mut v).unwrap();
        v
    }

    fn u64_at(&self, addr: u64) -> u64 {
        self.space().load(addr, 8).unwrap()
    }

    fn cstr(&self, addr: u64, s: &str) -> u64 {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        self.put(addr, &b);
        addr
    }
}

const AT_FDCWD: u64 = -100i64 as u64;
const EFAULT: i64 = -14;
const EINVAL: i64 = -22;
const EBADF: i64 = -9;

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("oxemu-sys-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn write_to_pipe_and_read_back() {
    let mut t = T::new();
    assert_eq!(t.call(59, &[BUF, 0]), 0); // pipe2
    let fds = t.get(BUF, 8);
    let rfd = i32::from_le_bytes(fds[..4].try_into().unwrap()) as u64;
    let wfd = i32::from_le_bytes(fds[4..].try_into().unwrap()) as u64;
    t.put(BUF + 64, b"hello");
    assert_eq!(t.call(64, &[wfd, BUF + 64, 5]), 5); // write
    assert_eq!(t.call(63, &[rfd, BUF + 128, 100]), 5); // read
    assert_eq!(t.get(BUF + 128, 5), b"hello");
    // writev of two pieces.
    t.put(BUF + 256, &[0; 32]);
    let iov: Vec<u8> = [BUF + 64, 2, BUF + 66, 3]
        .iter()
        .flat_map(|v: &u64| v.to_le_bytes())
        .collect();
    t.put(BUF + 256, &iov);
    assert_eq!(t.call(66, &[wfd, BUF + 256, 2]), 5);
    assert_eq!(t.call(63, &[rfd, BUF + 128, 100]), 5);
    // Bad pointers give EFAULT, not a crash.
    assert_eq!(t.call(64, &[wfd, 0, 5]), EFAULT);
    assert_eq!(t.call(64, &[wfd, u64::MAX - 3, 5]), EFAULT);
    assert_eq!(t.call(63, &[rfd, 0x1234_0000, 5]), EFAULT);
    assert_eq!(t.call(66, &[wfd, 0x10, 1]), EFAULT);
    assert_eq!(t.call(66, &[wfd, BUF + 256, 100_000]), EINVAL);
    // A huge count with a valid start reads only what is accessible.
    t.put(BUF + 64, b"x");
    assert_eq!(t.call(64, &[wfd, BUF + 64, 1]), 1);
    assert_eq!(t.call(63, &[rfd, BUF + BUF_LEN - 8, u64::MAX / 2]), 1);
    assert_eq!(t.call(57, &[rfd]), 0);
    assert_eq!(t.call(57, &[wfd]), 0);
    assert_eq!(t.call(57, &[wfd]), EBADF);
}

#[test]
fn openat_read_fstat_lseek() {
    let mut t = T::new();
    let dir = temp_dir("open");
    let f = dir.join("file.txt");
    std::fs::write(&f, b"0123456789").unwrap();
    let path = t.cstr(BUF, f.to_str().unwrap());
    let fd = t.call(56, &[AT_FDCWD, path, 0, 0]);
    assert!(fd >= 0, "openat {fd}");
    let fd = fd as u64;
    assert_eq!(t.call(63, &[fd, BUF + 0x1000, 4]), 4);
    assert_eq!(t.get(BUF + 0x1000, 4), b"0123");
    assert_eq!(t.call(62, &[fd, 8, 0]), 8); // lseek SEEK_SET
    assert_eq!(t.call(63, &[fd, BUF + 0x1000, 100]), 2);
    assert_eq!(t.call(67, &[fd, BUF + 0x1000, 3, 5]), 3); // pread64
    assert_eq!(t.get(BUF + 0x1000, 3), b"567");
    // fstat in the asm-generic layout.
    let st = BUF + 0x2000;
    assert_eq!(t.call(80, &[fd, st]), 0);
    let meta = std::fs::metadata(&f).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(t.u64_at(st), meta.dev());
    assert_eq!(t.u64_at(st + 8), meta.ino());
    assert_eq!(t.space().load(st + 16, 4).unwrap() as u32, meta.mode());
    assert_eq!(t.space().load(st + 20, 4).unwrap(), 1); // nlink
    assert_eq!(t.space().load(st + 24, 4).unwrap() as u32, meta.uid());
    assert_eq!(t.u64_at(st + 48), 10); // size
    assert_eq!(
        t.space().load(st + 56, 4).unwrap() as u32,
        meta.blksize() as u32
    );
    assert_eq!(t.u64_at(st + 64), meta.blocks());
    assert_eq!(t.u64_at(st + 88) as i64, meta.mtime());
    assert_eq!(t.u64_at(st + 96) as i64, meta.mtime_nsec());
    // newfstatat agrees; a missing file is ENOENT; a bad buffer EFAULT.
    assert_eq!(t.call(79, &[AT_FDCWD, path, st + 0x100, 0]), 0);
    assert_eq!(t.get(st, 128), t.get(st + 0x100, 128));
    let missing = t.cstr(BUF + 0x3000, dir.join("nope").to_str().unwrap());
    assert_eq!(t.call(79, &[AT_FDCWD, missing, st, 0]), -2);
    assert_eq!(t.call(80, &[fd, 0x30]), EFAULT);
    // statx fills the size.
    assert_eq!(t.call(291, &[AT_FDCWD, path, 0, 0x7ff, st]), 0);
    assert_eq!(t.u64_at(st + 40), 10);
    assert_eq!(t.call(57, &[fd]), 0);
    // Path pointer errors.
    assert_eq!(t.call(56, &[AT_FDCWD, 0, 0, 0]), EFAULT);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn getdents64_lists_directory() {
    let mut t = T::new();
    let dir = temp_dir("dents");
    for n in ["alpha", "beta", "gamma"] {
        std::fs::write(dir.join(n), b"").unwrap();
    }
    let path = t.cstr(BUF, dir.to_str().unwrap());
    let fd = t.call(56, &[AT_FDCWD, path, 0o200000, 0]) as u64; // O_DIRECTORY
    let mut names = Vec::new();
    loop {
        let n = t.call(61, &[fd, BUF + 0x1000, 4096]);
        assert!(n >= 0);
        if n == 0 {
            break;
        }
        let buf = t.get(BUF + 0x1000, n as usize);
        let mut off = 0;
        while off < buf.len() {
            let reclen = u16::from_le_bytes([buf[off + 16], buf[off + 17]]) as usize;
            let name = &buf[off + 19..off + reclen];
            let name = &name[..name.iter().position(|&b| b == 0).unwrap()];
            names.push(String::from_utf8(name.to_vec()).unwrap());
            off += reclen;
        }
    }
    names.sort();
    assert_eq!(names, [".", "..", "alpha", "beta", "gamma"]);
    assert_eq!(t.call(61, &[fd, 0x20, 4096]), EFAULT);
    t.call(57, &[fd]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_system_calls() {
    let mut t = T::new();
    let dir = temp_dir("fs");
    let d = |n: &str| dir.join(n).to_str().unwrap().to_owned();
    let sub = t.cstr(BUF, &d("sub"));
    assert_eq!(t.call(34, &[AT_FDCWD, sub, 0o755]), 0); // mkdirat
    assert!(dir.join("sub").is_dir());
    let target = t.cstr(BUF + 0x100, "sub");
    let link = t.cstr(BUF + 0x200, &d("link"));
    assert_eq!(t.call(36, &[target, AT_FDCWD, link]), 0); // symlinkat
    assert_eq!(t.call(78, &[AT_FDCWD, link, BUF + 0x300, 100]), 3); // readlinkat
    assert_eq!(t.get(BUF + 0x300, 3), b"sub");
    let renamed = t.cstr(BUF + 0x400, &d("link2"));
    assert_eq!(t.call(276, &[AT_FDCWD, link, AT_FDCWD, renamed, 0]), 0); // renameat2
    assert_eq!(t.call(35, &[AT_FDCWD, renamed, 0]), 0); // unlinkat
    assert_eq!(t.call(48, &[AT_FDCWD, sub, 0]), 0); // faccessat F_OK
    assert_eq!(t.call(35, &[AT_FDCWD, sub, 0x200]), 0); // unlinkat AT_REMOVEDIR
    assert_eq!(t.call(48, &[AT_FDCWD, sub, 0]), -2);
    // /proc/self/exe is the guest executable.
    let exe = t.cstr(BUF + 0x500, "/proc/self/exe");
    assert_eq!(t.call(78, &[AT_FDCWD, exe, BUF + 0x600, 100]), 14);
    assert_eq!(t.get(BUF + 0x600, 14), b"/bin/guest-exe");
    // getcwd returns the length including the NUL.
    let cwd = std::env::current_dir().unwrap();
    let n = t.call(17, &[BUF + 0x700, 4096]);
    assert_eq!(n as usize, cwd.as_os_str().len() + 1);
    assert_eq!(t.call(17, &[BUF + 0x700, 1]), -34); // ERANGE
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mmap_munmap_mprotect_semantics() {
    let mut t = T::new();
    const RW: u64 = 3;
    const PRIV_ANON: u64 = 0x22;
    let a = t.call(222, &[0, 0x3000, RW, PRIV_ANON, u64::MAX, 0]);
    assert!(a > 0 && a % 4096 == 0, "mmap {a:#x}");
    let a = a as u64;
    t.put(a, b"data");
    // MAP_FIXED_NOREPLACE over an existing mapping: EEXIST.
    assert_eq!(
        t.call(222, &[a, 0x1000, RW, PRIV_ANON | 0x10_0000, u64::MAX, 0]),
        -17
    );
    // flags=0 with fd=-1: EBADF (the fd is looked up before the type check);
    // MAP_ANONYMOUS without a type: EINVAL.
    assert_eq!(t.call(222, &[0, 0x1000, RW, 0, u64::MAX, 0]), EBADF);
    assert_eq!(t.call(222, &[0, 0x1000, RW, 0x20, u64::MAX, 0]), EINVAL);
    assert_eq!(
        t.call(222, &[0, 0x1000, RW, PRIV_ANON, u64::MAX, 1]),
        EINVAL
    );
    assert_eq!(t.call(222, &[0, 0, RW, PRIV_ANON, u64::MAX, 0]), EINVAL);
    assert_eq!(
        t.call(222, &[0, 0x1000, 0x10, PRIV_ANON, u64::MAX, 0]),
        EINVAL
    );
    // mprotect read-only: reads work, a write(2) into it faults.
    assert_eq!(t.call(226, &[a, 0x1000, 1]), 0);
    assert_eq!(t.space().page_prot(a), Prot::R);
    assert_eq!(t.call(226, &[a + 1, 0x1000, 1]), EINVAL);
    assert_eq!(t.call(226, &[a, 0x10_0000_0000, 1]), -12);
    // munmap the middle page: it faults afterwards.
    assert_eq!(t.call(215, &[a + 0x1000, 0x1000]), 0);
    assert_eq!(t.space().page_prot(a + 0x1000), Prot::NONE);
    assert_eq!(t.call(215, &[a + 1, 0x1000]), EINVAL);
    // mremap grows in place or moves.
    let b = t.call(216, &[a + 0x2000, 0x1000, 0x4000, 1, 0]);
    assert!(b > 0);
    // madvise(DONTNEED) zeroes private anonymous memory.
    t.put(BUF, b"junk");
    assert_eq!(t.call(233, &[BUF, 0x1000, 4]), 0);
    assert_eq!(t.get(BUF, 4), [0; 4]);
    assert_eq!(t.call(233, &[0x5000_0000, 0x1000, 4]), -12);
    // mincore reports pages.
    assert_eq!(t.call(232, &[BUF, 0x2000, BUF + 0x8000]), 0);
}

#[test]
fn mmap_of_a_file() {
    let mut t = T::new();
    let dir = temp_dir("mmapf");
    let f = dir.join("m");
    std::fs::write(&f, b"mapped file").unwrap();
    let path = t.cstr(BUF, f.to_str().unwrap());
    let fd = t.call(56, &[AT_FDCWD, path, 0, 0]) as u64;
    let a = t.call(222, &[0, 11, 1, 2, fd, 0]);
    assert!(a > 0);
    assert_eq!(t.get(a as u64, 11), b"mapped file");
    t.call(57, &[fd]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn brk_grow_shrink() {
    let mut t = T::new();
    assert_eq!(t.call(214, &[0]), BRK as i64);
    assert_eq!(t.call(214, &[BRK - 1]), BRK as i64);
    assert_eq!(t.call(214, &[BRK + 0x2345]), (BRK + 0x2345) as i64);
    t.put(BRK + 0x2000, b"heap");
    assert_eq!(t.space().page_prot(BRK + 0x2000), Prot::RW);
    assert_eq!(t.call(214, &[BRK + 0x10]), (BRK + 0x10) as i64);
    assert_eq!(t.space().page_prot(BRK + 0x1000), Prot::NONE);
    t.put(BRK + 0x20, b"stale");
    assert_eq!(t.call(214, &[BRK + 0x3000]), (BRK + 0x3000) as i64);
    assert_eq!(
        t.get(BRK + 0x20, 5),
        [0; 5],
        "memory above the old break is fresh"
    );
    assert_eq!(t.get(BRK + 0x2000, 4), [0; 4]);
    // Growing into an existing mapping fails: the break stays.
    t.space()
        .mmap(
            BRK + 0x10_0000,
            0x1000,
            Prot::RW,
            MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED,
            None,
            0,
        )
        .unwrap();
    assert_eq!(t.call(214, &[BRK + 0x20_0000]), (BRK + 0x3000) as i64);
    assert_eq!(t.p.brk(), BRK + 0x3000);
}

#[test]
fn identity_time_and_system_info() {
    let mut t = T::new();
    assert_eq!(t.call(172, &[]), std::process::id() as i64);
    assert_eq!(t.call(160, &[BUF]), 0);
    let u = t.get(BUF, 390);
    assert_eq!(&u[4 * 65..4 * 65 + 8], b"riscv64\0");
    assert_eq!(&u[..6], b"Linux\0");
    assert_eq!(t.call(160, &[8]), EFAULT);
    assert_eq!(t.call(113, &[1, BUF]), 0); // CLOCK_MONOTONIC
    let sec = t.u64_at(BUF);
    let nsec = t.u64_at(BUF + 8);
    assert!(sec > 0 || nsec > 0);
    assert!(nsec < 1_000_000_000);
    assert_eq!(t.call(113, &[1, 0]), EFAULT);
    assert_eq!(t.call(114, &[1, 0]), 0);
    assert_eq!(t.call(169, &[BUF, 0]), 0);
    assert!(t.u64_at(BUF) > 1_600_000_000);
    t.put(
        BUF,
        &[0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x42, 0x0f, 0, 0, 0, 0, 0],
    );
    assert_eq!(t.call(101, &[BUF, 0]), 0); // nanosleep 1 ms
    assert!(t.call(153, &[BUF]) > 0); // times
    assert_eq!(t.call(278, &[BUF, 32, 0]), 32); // getrandom
    assert_eq!(t.call(179, &[BUF]), 0); // sysinfo
    assert_eq!(t.call(96, &[BUF]), t.call(178, &[])); // set_tid_address returns tid
    assert_eq!(t.call(99, &[BUF, 24]), 0);
    assert_eq!(t.call(99, &[BUF, 23]), EINVAL);
    assert_eq!(t.call(261, &[0, 7, 0, BUF]), 0); // prlimit64 RLIMIT_NOFILE
    assert!(t.u64_at(BUF) > 0);
    assert!(t.call(123, &[0, 128, BUF]) > 0); // sched_getaffinity
    assert_eq!(t.call(124, &[]), 0);
}

#[test]
fn signal_bookkeeping() {
    let mut t = T::new();
    // rt_sigaction(SIGUSR1) with the riscv64 layout {handler, flags, mask}.
    let act: Vec<u8> = [0x1234u64, 0x4000_0000, 1 << 1]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    t.put(BUF, &act);
    assert_eq!(t.call(134, &[10, BUF, 0, 8]), 0);
    assert_eq!(t.call(134, &[10, 0, BUF + 0x100, 8]), 0);
    assert_eq!(t.get(BUF + 0x100, 24), act);
    let a = t.p.signals().action(10).copied().unwrap();
    assert_eq!((a.handler, a.flags, a.mask), (0x1234, 0x4000_0000, 2));
    assert_eq!(t.call(134, &[9, BUF, 0, 8]), EINVAL); // SIGKILL
    assert_eq!(t.call(134, &[65, BUF, 0, 8]), EINVAL);
    assert_eq!(t.call(134, &[10, BUF, 0, 16]), EINVAL);
    // rt_sigprocmask: block SIGUSR1, SIGKILL cannot be blocked.
    t.put(BUF, &((1u64 << 9) | (1 << 8)).to_le_bytes());
    assert_eq!(t.call(135, &[0, BUF, BUF + 8, 8]), 0);
    assert_eq!(t.p.signals().mask, 1 << 9);
    assert_eq!(t.u64_at(BUF + 8), 0);
    // kill of self records a pending signal.
    assert_eq!(t.call(129, &[std::process::id() as u64, 10]), 0);
    assert_eq!(t.p.signals().pending, 1 << 9);
    assert_eq!(t.p.signals_mut().take_deliverable(), 0, "blocked");
    // SIGUSR2 gets a handler, so it stays pending for delivery.
    let act: Vec<u8> = [0x2000u64, 0, 0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    t.put(BUF + 0x200, &act);
    assert_eq!(t.call(134, &[12, BUF + 0x200, 0, 8]), 0);
    let tid = t.call(178, &[]) as u64;
    assert_eq!(
        tid,
        std::process::id() as u64,
        "the main guest thread's tid is the pid"
    );
    assert_eq!(t.call(131, &[std::process::id() as u64, tid, 12]), 0);
    assert_eq!(t.p.signals_mut().take_deliverable(), 1 << 11);
    // sigaltstack.
    let ss: Vec<u8> = [0x7000u64, 0, 0x4000]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    t.put(BUF, &ss);
    assert_eq!(t.call(132, &[BUF, BUF + 0x100]), 0);
    assert_eq!(
        t.space().load(BUF + 0x108, 4).unwrap(),
        2,
        "old: SS_DISABLE"
    );
    assert_eq!(t.p.signals().altstack.sp, 0x7000);
    let small: Vec<u8> = [0x7000u64, 0, 100]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    t.put(BUF, &small);
    assert_eq!(t.call(132, &[BUF, 0]), -12);
}

#[test]
fn terminal_ioctls_and_fcntl() {
    let mut t = T::new();
    assert_eq!(t.call(59, &[BUF, 0]), 0);
    let rfd = t.space().load(BUF, 4).unwrap();
    let wfd = t.space().load(BUF + 4, 4).unwrap();
    // A pipe is not a terminal.
    assert_eq!(t.call(29, &[rfd, 0x5401, BUF + 0x100]), -25);
    t.put(BUF + 0x40, b"abc");
    t.call(64, &[wfd, BUF + 0x40, 3]);
    assert_eq!(t.call(29, &[rfd, 0x541b, BUF + 0x100]), 0); // FIONREAD
    assert_eq!(t.space().load(BUF + 0x100, 4).unwrap(), 3);
    assert_eq!(t.call(29, &[rfd, 0x1234_5678, 0]), -25);
    assert!(t.call(25, &[rfd, 1032, 0]) >= 4096); // F_GETPIPE_SZ
    assert_eq!(t.call(25, &[rfd, 3, 0]), 0); // F_GETFL: O_RDONLY
    assert_eq!(t.call(25, &[rfd, 2, 1]), 0); // F_SETFD FD_CLOEXEC
    assert_eq!(t.call(25, &[rfd, 1, 0]), 1);
    assert_eq!(t.call(25, &[rfd, 9999, 0]), EINVAL);
    let d = t.call(23, &[rfd]);
    assert!(d > 2);
    assert_eq!(t.call(24, &[rfd, 200, 0]), 200);
    for fd in [rfd, wfd, d as u64, 200] {
        assert_eq!(t.call(57, &[fd]), 0);
    }
}

#[test]
fn unknown_syscall_is_enosys_and_logged() {
    let mut t = T::new();
    assert_eq!(t.call(4000, &[]), -38);
    assert_eq!(t.call(198, &[]), -38); // socket: known, not implemented
    let log = String::from_utf8(t.log.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("Unsupported syscall: 4000\n"), "{log}");
    assert!(log.contains("Unsupported syscall: 198\n"), "{log}");
}

#[test]
fn strace_and_exit() {
    let mut t = T::new();
    t.p.options_mut().strace = true;
    t.call(172, &[]);
    let mut r = Regs {
        nr: 94,
        args: [3, 0, 0, 0, 0, 0],
        ret: None,
    };
    assert_eq!(t.p.syscall(&mut r), SyscallOutcome::Exit(3));
    let log = String::from_utf8(t.log.0.lock().unwrap().clone()).unwrap();
    let pid = std::process::id();
    assert!(
        log.contains(&format!("{pid} getpid(0x0,0x0,0x0,0x0,0x0,0x0) = {pid}\n")),
        "{log}"
    );
    assert!(log.contains(&format!("{pid} exit_group(0x3,")), "{log}");
}

#[test]
fn read_into_code_page_is_logged() {
    let mut t = T::new();
    let code = 0x20_0000;
    t.space()
        .mmap(
            code,
            0x1000,
            Prot::RW | Prot::X,
            MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED,
            None,
            0,
        )
        .unwrap();
    t.space().mark_code_page(code);
    assert_eq!(t.call(59, &[BUF, 0]), 0);
    let rfd = t.space().load(BUF, 4).unwrap();
    let wfd = t.space().load(BUF + 4, 4).unwrap();
    t.put(BUF + 0x40, b"\x13\x00\x00\x00");
    t.call(64, &[wfd, BUF + 0x40, 4]);
    assert_eq!(t.call(63, &[rfd, code + 8, 4]), 4);
    assert_eq!(t.space().load(code + 8, 4).unwrap(), 0x13);
    let mut inv = Vec::new();
    t.space().take_code_invalidations(&mut inv);
    assert_eq!(inv, vec![(code, 0x1000)]);
}

#[test]
fn proc_self_maps_and_auxv_describe_the_guest() {
    let mut t = T::new();
    let maps = t.cstr(BUF, "/proc/self/maps");
    let fd = t.call(56, &[AT_FDCWD, maps, 0o2000000, 0]);
    assert!(fd >= 0);
    let n = t.call(63, &[fd as u64, BUF + 0x1000, 4096]);
    let text = String::from_utf8(t.get(BUF + 0x1000, n as usize)).unwrap();
    assert!(
        text.starts_with("00100000-00200000 rw-p 00000000 00:00 0\n"),
        "{text}"
    );
    t.call(57, &[fd as u64]);
    let auxv = t.cstr(BUF, &format!("/proc/{}/auxv", std::process::id()));
    let fd = t.call(56, &[AT_FDCWD, auxv, 0, 0]);
    assert_eq!(t.call(63, &[fd as u64, BUF + 0x1000, 4096]), 32);
    assert_eq!(t.u64_at(BUF + 0x1000), 6);
    assert_eq!(t.u64_at(BUF + 0x1008), 4096);
    t.call(57, &[fd as u64]);
}

#[test]
fn absolute_paths_are_looked_up_under_the_prefix_first() {
    let mut t = T::new();
    let root = temp_dir("prefix");
    std::fs::create_dir_all(root.join("lib")).unwrap();
    std::fs::write(root.join("lib/libguest.so"), b"guest library").unwrap();
    t.p.options_mut().ld_prefix = Some(root.clone());
    let path = t.cstr(BUF, "/lib/libguest.so");
    let fd = t.call(56, &[AT_FDCWD, path, 0, 0]);
    assert!(fd >= 0, "{fd}");
    assert_eq!(t.call(63, &[fd as u64, BUF + 0x100, 100]), 13);
    t.call(57, &[fd as u64]);
    assert_eq!(t.call(48, &[AT_FDCWD, path, 0]), 0);
    assert_eq!(t.call(79, &[AT_FDCWD, path, BUF + 0x200, 0]), 0);
    assert_eq!(t.u64_at(BUF + 0x200 + 48), 13);
    // Paths missing under the prefix fall through to the host.
    let cwd = std::env::current_dir().unwrap();
    let host = t.cstr(BUF, cwd.to_str().unwrap());
    assert_eq!(t.call(48, &[AT_FDCWD, host, 0]), 0);
    std::fs::remove_dir_all(&root).unwrap();
}

/// Forks through the guest `clone(SIGCHLD)`; in the child runs `child`
/// (which must not return) and in the parent returns the child's pid.
fn fork_child(t: &mut T, child: impl FnOnce(&mut T)) -> u64 {
    let pid = t.call(220, &[libc::SIGCHLD as u64, 0, 0, 0, 0]);
    assert!(pid >= 0, "clone {pid}");
    if pid == 0 {
        child(t);
        // SAFETY: leaves the forked child without running the test harness.
        unsafe { libc::_exit(99) };
    }
    pid as u64
}

fn wait_status(t: &mut T, pid: u64) -> i32 {
    assert_eq!(t.call(260, &[pid, BUF + 0x800, 0, 0]), pid as i64);
    t.space().load(BUF + 0x800, 4).unwrap() as i32
}

#[test]
fn fork_wait_and_exit_status() {
    let mut t = T::new();
    t.put(BUF + 0x900, &[0; 8]);
    let pid = fork_child(&mut t, |_| {
        // SAFETY: ends the forked child.
        unsafe { libc::_exit(42) }
    });
    let status = wait_status(&mut t, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 42,
        "{status:#x}"
    );
    // CLONE_PARENT_SETTID writes the child's pid for the parent.
    let pid = t.call(
        220,
        &[libc::SIGCHLD as u64 | 0x10_0000, 0, BUF + 0x900, 0, 0],
    );
    if pid == 0 {
        // SAFETY: ends the forked child.
        unsafe { libc::_exit(0) };
    }
    assert_eq!(t.space().load(BUF + 0x900, 4).unwrap() as i64, pid);
    wait_status(&mut t, pid as u64);
    // A self-sent signal with the default "terminate" action ends the
    // process for real, so the parent sees it; an ignored one is dropped.
    let pid = fork_child(&mut t, |t| {
        let act: Vec<u8> = [1u64, 0, 0].iter().flat_map(|v| v.to_le_bytes()).collect();
        t.put(BUF + 0xa00, &act);
        t.call(134, &[libc::SIGUSR1 as u64, BUF + 0xa00, 0, 8]);
        t.call(129, &[0, libc::SIGUSR1 as u64]);
        t.call(129, &[std::process::id() as u64, libc::SIGTERM as u64]);
    });
    let status = wait_status(&mut t, pid);
    assert!(
        libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGTERM,
        "{status:#x}"
    );
    // Threads are left to the CPU layer.
    assert_eq!(t.call(220, &[0x10000 | 0x800 | 0x100, 0, 0, 0, 0]), -38);
    // That child is gone: ECHILD. (Never wait for -1: other tests in this
    // process have children too.)
    assert_eq!(t.call(260, &[pid, BUF, 0, 0]), -10);
}

#[test]
fn execve_runs_host_programs_and_uses_the_exec_command_for_guest_ones() {
    let mut t = T::new();
    let sh = t.cstr(BUF, "/bin/sh");
    let (a0, a1, a2) = (
        t.cstr(BUF + 0x100, "sh"),
        t.cstr(BUF + 0x110, "-c"),
        t.cstr(BUF + 0x120, "exit 7"),
    );
    let argv: Vec<u8> = [a0, a1, a2, 0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    t.put(BUF + 0x200, &argv);
    let pid = fork_child(&mut t, |t| {
        t.call(221, &[sh, BUF + 0x200, 0]);
    });
    let st = wait_status(&mut t, pid);
    assert_eq!(libc::WEXITSTATUS(st), 7);
    // Missing program: ENOENT, and the process goes on.
    let missing = t.cstr(BUF + 0x300, "/nonexistent/program");
    assert_eq!(t.call(221, &[missing, BUF + 0x200, 0]), -2);
    assert_eq!(t.call(221, &[missing, 0x10, 0]), EFAULT);
    // A guest ELF goes through the exec command.
    let Some(bins) = common_bins() else { return };
    t.p.options_mut().exec_command = Some(std::sync::Arc::new(
        |exe: &std::path::Path, argv: &[std::ffi::OsString]| {
            assert!(exe.is_file());
            assert_eq!(argv[0], "sh");
            vec!["/bin/sh".into(), "-c".into(), "exit 9".into()]
        },
    ));
    let guest = t.cstr(BUF + 0x400, bins.to_str().unwrap());
    let pid = fork_child(&mut t, |t| {
        t.call(221, &[guest, BUF + 0x200, 0]);
    });
    let st = wait_status(&mut t, pid);
    assert_eq!(libc::WEXITSTATUS(st), 9);
}

fn common_bins() -> Option<PathBuf> {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/bin/riscv64/startup");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping guest exec: {} not found", p.display());
        None
    }
}
