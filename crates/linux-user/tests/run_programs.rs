//! Runs real riscv64 programs end to end (loader, initial stack, system
//! calls) on a small test interpreter, and compares their output with
//! `qemu-riscv64` when it is installed.
//!
//! Each program runs in a child process (this test binary re-executed with
//! `OXEMU_TEST_RUN` set) so that its stdout can be captured.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::rv64::Cpu;
use oxemu_linux_user::abi::RISCV64;
use oxemu_linux_user::{
    GuestSpace, LoadOptions, Process, ProcessInit, ProcessOptions, load_program,
};

const RUN: &str = "OXEMU_TEST_RUN";
const PREFIX: &str = "OXEMU_TEST_PREFIX";

/// Child side: load and run the program named by `OXEMU_TEST_RUN`, exit
/// with its status.
fn run_in_this_process() -> ! {
    let exe = PathBuf::from(std::env::var_os(RUN).unwrap());
    let prefix = std::env::var_os(PREFIX).map(PathBuf::from);
    let space = Arc::new(GuestSpace::new(39).unwrap());
    let env: Vec<OsString> = std::env::vars_os()
        .filter(|(k, _)| k != RUN && k != PREFIX)
        .map(|(k, v)| {
            let mut kv = k;
            kv.push("=");
            kv.push(v);
            kv
        })
        .collect();
    let mut opts = LoadOptions::new(&exe, vec![exe.clone().into_os_string()], env);
    opts.ld_prefix = prefix.clone();
    let prog = match load_program(&space, &opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("oxemu-riscv64: {e}");
            std::process::exit(125);
        }
    };
    let options = ProcessOptions {
        ld_prefix: prefix,
        log_unimp: true,
        ..Default::default()
    };
    let mut process = Process::new(space.clone(), &RISCV64, ProcessInit::from(&prog), options);
    let mut cpu = Cpu::new(prog.entry, prog.sp);
    match cpu.run(&space, &mut process, 200_000_000) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("interpreter stopped: {e}");
            std::process::exit(126);
        }
    }
}

fn run(exe: &Path, prefix: Option<&Path>, test: &str) -> (i32, String, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(RUN, exe);
    if let Some(p) = prefix {
        cmd.env(PREFIX, p);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    // The harness prints its own lines around the program's output.
    // The harness prints its own lines around the program's output; the
    // program's first line follows "test NAME ... " on the same line.
    let marker = format!("test {test} ... ");
    let stdout = stdout
        .lines()
        .map(|l| l.strip_prefix(marker.as_str()).unwrap_or(l))
        .filter(|l| !l.starts_with("running ") && !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    (
        out.status.code().unwrap_or(-1),
        stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn qemu(exe: &Path, prefix: Option<&Path>) -> Option<String> {
    let mut cmd = Command::new("qemu-riscv64");
    if let Some(p) = prefix {
        cmd.arg("-L").arg(p);
    }
    let out = cmd.arg(exe).output().ok()?;
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[test]
fn static_startup_program_runs() {
    if std::env::var_os(RUN).is_some() {
        run_in_this_process();
    }
    let Some(bins) = common::static_binaries() else {
        return;
    };
    let Some(exe) = bins.iter().find(|p| p.ends_with("startup")) else {
        eprintln!("skipping: no startup program");
        return;
    };
    let (code, out, err) = run(exe, None, "static_startup_program_runs");
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("RESULT startup"), "{out}\n{err}");
    assert!(!err.contains("Unsupported syscall"), "{err}");
    if let Some(reference) = qemu(exe, None) {
        assert_eq!(out, reference);
    }
}

#[test]
fn dynamic_program_runs_through_the_dynamic_linker() {
    if std::env::var_os(RUN).is_some() {
        run_in_this_process();
    }
    let Some(prefix) = common::riscv_prefix() else {
        return;
    };
    // libc.so.6 run as a program prints its version banner.
    let exe = prefix.join("lib/libc.so.6");
    let (code, out, err) = run(
        &exe,
        Some(&prefix),
        "dynamic_program_runs_through_the_dynamic_linker",
    );
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.starts_with("GNU C Library"), "{out}\n{err}");
    if let Some(reference) = qemu(&exe, Some(&prefix)) {
        assert_eq!(out, reference);
    }
}

/// Runs one of the conformance programs and checks that only the listed
/// checks fail (they need parts of the emulator outside this crate).
fn conformance(name: &str, test: &str, known_failures: &[&str]) {
    let Some(bins) = common::static_binaries() else {
        return;
    };
    let Some(exe) = bins.iter().find(|p| p.ends_with(name)) else {
        eprintln!("skipping: no {name} program");
        return;
    };
    let (_, out, err) = run(exe, None, test);
    let summary = out.lines().last().unwrap_or("");
    assert!(
        summary.contains(" passed, "),
        "no summary line:\n{out}\n{err}"
    );
    for line in out.lines().filter(|l| l.starts_with("FAIL ")) {
        let check = line[5..].split(':').next().unwrap_or("");
        assert!(
            known_failures.contains(&check),
            "{line}\n\nfull output:\n{out}\n{err}"
        );
    }
}

#[test]
fn conformance_basic() {
    if std::env::var_os(RUN).is_some() {
        run_in_this_process();
    }
    // Threads need the CPU layer.
    conformance("conf_basic", "conformance_basic", &["tls.threads"]);
}

#[test]
fn conformance_proc_fs() {
    if std::env::var_os(RUN).is_some() {
        run_in_this_process();
    }
    // Re-executing a guest program needs the emulator's command line.
    conformance("conf_proc_fs", "conformance_proc_fs", &["execve.self"]);
}

#[test]
fn big_static_program_matches_qemu() {
    if std::env::var_os(RUN).is_some() {
        run_in_this_process();
    }
    let Some(bins) = common::static_binaries() else {
        return;
    };
    let Some(exe) = bins.iter().find(|p| p.ends_with("bigcode")) else {
        return;
    };
    let (code, out, err) = run(exe, None, "big_static_program_matches_qemu");
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("RESULT bigcode"), "{out}\n{err}");
    if let Some(reference) = qemu(exe, None) {
        assert_eq!(out, reference);
    }
}
