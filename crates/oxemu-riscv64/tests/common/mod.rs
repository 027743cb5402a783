//! Shared helpers of the oxemu-riscv64 integration tests.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared` beside the repository, if present.
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("../shared");
    p.is_dir().then_some(p)
}

/// The emulator under test.
pub fn oxemu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oxemu-riscv64"))
}

/// The engines: tiered (default), tier 0 only, tier 1 forced on every loop, and the
/// reference interpreter.
pub const ENGINES: [&[&str]; 4] = [&[], &["-tier0"], &["-tier1"], &["-interp"]];

/// Longest a single guest run may take before the test fails (not hangs).
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// Runs a command to completion with a clean stdin, killing it after [`RUN_LIMIT`].
pub fn output_with_limit(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the command");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let mut stderr = Vec::new();
    let err_reader = std::thread::spawn(move || {
        let _ = err.read_to_end(&mut stderr);
        stderr
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait failed") {
            break s;
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            panic!("{cmd:?} ran longer than {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// Runs the emulator with `opts` on `prog` and `args`, with a clean stdin.
pub fn run(opts: &[&str], prog: &Path, args: &[&str]) -> Output {
    output_with_limit(oxemu().args(opts).arg(prog).args(args))
}

/// Whether a host command exists.
pub fn have(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The exit status as a shell reports it (128 + signal for a signal death).
pub fn shell_status(o: &Output) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    o.status
        .code()
        .unwrap_or_else(|| 128 + o.status.signal().unwrap_or(0))
}

/// True when the emulator itself crashed (a Rust panic or an abort), as opposed to
/// a guest that died of a signal.
pub fn host_crashed(o: &Output) -> bool {
    let err = String::from_utf8_lossy(&o.stderr);
    o.status.code() == Some(101) || err.contains("panicked") || err.contains("internal error")
}
