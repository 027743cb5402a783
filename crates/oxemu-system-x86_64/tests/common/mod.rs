//! Helpers of the integration tests: the binary, the test guests, /dev/kvm,
//! runs with a time limit, scratch files.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_oxemu-system-x86_64"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn guest(name: &str) -> String {
    repo()
        .join("tests/guest/x86_64/bin")
        .join(name)
        .display()
        .to_string()
}

/// Why KVM tests cannot run here, if they cannot.
pub fn kvm_missing() -> Option<String> {
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
    {
        Ok(_) => None,
        Err(e) => Some(format!("/dev/kvm: {e}")),
    }
}

/// Returns true (after printing why) when the test must be skipped.
pub fn skip_without_kvm(test: &str) -> bool {
    match kvm_missing() {
        Some(why) => {
            eprintln!("skipping {test}: {why}");
            true
        }
        None => false,
    }
}

pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub elapsed: Duration,
}

/// Runs `prog args`, killing it after `limit`.
pub fn run_cmd(prog: &std::path::Path, args: &[&str], limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = Command::new(prog)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", prog.display()));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    Run {
        status: status.code(),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
        timed_out,
        elapsed,
    }
}

/// Runs oxemu-system-x86_64 with a 30 s limit.
pub fn oxemu(args: &[&str]) -> Run {
    run_cmd(&bin(), args, Duration::from_secs(30))
}

/// A scratch path unique to this process and call.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    std::env::temp_dir().join(format!("oxemu-kvm-{}-{n}-{name}", std::process::id()))
}

/// A disk of `sectors` sectors of pseudo-random bytes seeded by `seed`.
pub fn random_disk(sectors: usize, seed: u64) -> (PathBuf, Vec<u8>) {
    let mut x = seed | 1;
    let data: Vec<u8> = (0..sectors * 512)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let path = scratch("disk.img");
    std::fs::write(&path, &data).unwrap();
    (path, data)
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The value after `key` on the first "OXTEST" line that has it.
pub fn field<'a>(out: &'a str, key: &str) -> Option<&'a str> {
    out.lines()
        .filter(|l| l.starts_with("OXTEST "))
        .find_map(|l| {
            l.split_once(key)
                .map(|(_, v)| v.split_whitespace().next().unwrap_or(""))
        })
}
