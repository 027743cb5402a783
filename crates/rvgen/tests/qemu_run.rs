//! Runs generated programs under `qemu-riscv64` (skipped, with a message,
//! when it is not installed; `QEMU_RISCV64` overrides the command).

use oxemu_rvgen::{
    DUMP_F_OFFSET, DUMP_FCSR_OFFSET, DUMP_SIZE, DUMP_X_OFFSET, Dump, GenOptions, generate,
    generate_garbage,
};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address the scratch pointer (x9) and sp hold for the whole run.
const SCRATCH_ADDR: u64 = 0x20_0200;

fn qemu() -> Option<String> {
    let cmd = std::env::var("QEMU_RISCV64").unwrap_or_else(|_| "qemu-riscv64".into());
    let found = Command::new(&cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        Some(cmd)
    } else {
        eprintln!("skipping: {cmd} not found (set QEMU_RISCV64 to run this test)");
        None
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oxemu-rvgen-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_exe(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

struct Outcome {
    stdout: Vec<u8>,
    code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
}

fn run(qemu: &str, exe: &Path, limit: Duration) -> Outcome {
    let out_path = exe.with_extension("out");
    let mut child = Command::new(qemu)
        .arg(exe)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let (status, timed_out) = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break (s, false);
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            break (child.wait().unwrap(), true);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Outcome {
        stdout: std::fs::read(&out_path).unwrap(),
        code: status.code(),
        signal: status.signal(),
        timed_out,
    }
}

fn u64_at(dump: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(dump[off..off + 8].try_into().unwrap())
}

fn check_seeds(name: &str, seeds: std::ops::Range<u64>, len: usize, opts: &GenOptions) {
    let Some(qemu) = qemu() else { return };
    let dir = scratch_dir(name);
    for seed in seeds {
        let exe = dir.join(format!("s{seed}"));
        write_exe(&exe, &generate(seed, len, opts));
        let o = run(&qemu, &exe, Duration::from_secs(20));
        assert!(!o.timed_out, "seed {seed}: timed out");
        assert_eq!(
            (o.code, o.signal),
            (Some(0), None),
            "seed {seed}: bad exit (program kept in {})",
            exe.display()
        );
        assert_eq!(o.stdout.len(), DUMP_SIZE, "seed {seed}: dump size");
        let x = |n: usize| u64_at(&o.stdout, DUMP_X_OFFSET + 8 * (n - 1));
        assert_eq!(x(9), SCRATCH_ADDR, "seed {seed}: scratch pointer changed");
        assert_eq!(x(2), SCRATCH_ADDR + 512, "seed {seed}: sp changed");
        let fcsr = u64_at(&o.stdout, DUMP_FCSR_OFFSET);
        assert!(
            fcsr < 0x100 && (fcsr >> 5) <= 4,
            "seed {seed}: fcsr {fcsr:#x}"
        );
        std::fs::remove_file(&exe).unwrap();
        std::fs::remove_file(exe.with_extension("out")).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn default_options_run_cleanly_for_300_seeds() {
    check_seeds("default", 0..300, 300, &GenOptions::default());
}

#[test]
fn long_programs_run_cleanly() {
    check_seeds("long", 1000..1010, 5000, &GenOptions::default());
}

#[test]
fn restricted_option_sets_run_cleanly() {
    let none = GenOptions {
        muldiv: false,
        atomics: false,
        fp: false,
        compressed: false,
        bitmanip: false,
        csr: false,
        memory: false,
        control_flow: false,
        ctzw: false,
    };
    check_seeds("int-only", 0..20, 300, &none);
    let fp_only = GenOptions {
        fp: true,
        csr: true,
        ..none.clone()
    };
    check_seeds("fp", 0..20, 300, &fp_only);
    let no_fp = GenOptions {
        fp: false,
        ..GenOptions::default()
    };
    check_seeds("no-fp", 0..20, 300, &no_fp);
}

#[test]
fn the_dump_reflects_the_initial_fp_registers_when_fp_is_off() {
    // Without FP instructions the f registers keep their initial values,
    // which include NaN-boxed and improperly boxed singles.
    let Some(qemu) = qemu() else { return };
    let dir = scratch_dir("fpinit");
    let opts = GenOptions {
        fp: false,
        compressed: false,
        memory: false,
        ..GenOptions::default()
    };
    let mut boxed = 0;
    let mut unboxed = 0;
    for seed in 0..10 {
        let exe = dir.join(format!("s{seed}"));
        write_exe(&exe, &generate(seed, 50, &opts));
        let o = run(&qemu, &exe, Duration::from_secs(20));
        assert_eq!(o.code, Some(0));
        for f in 0..32 {
            let v = u64_at(&o.stdout, DUMP_F_OFFSET + 8 * f);
            if v >> 32 == 0xffff_ffff {
                boxed += 1;
            } else if v >> 32 & 1 == 0 {
                unboxed += 1;
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(boxed > 20, "boxed singles: {boxed}");
    assert!(unboxed > 20, "unboxed values: {unboxed}");
}

#[test]
fn garbage_programs_end_in_a_signal_or_exit() {
    let Some(qemu) = qemu() else { return };
    let dir = scratch_dir("garbage");
    let mut sigill_or_segv = 0;
    for seed in 0..40 {
        let exe = dir.join(format!("g{seed}"));
        write_exe(&exe, &generate_garbage(seed, 256));
        let o = run(&qemu, &exe, Duration::from_secs(5));
        if !o.timed_out && matches!(o.signal, Some(4) | Some(11)) {
            sigill_or_segv += 1;
        }
        assert!(
            o.timed_out || o.signal.is_some() || o.code.is_some(),
            "seed {seed}: no status"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
    // random bytes almost always hit an illegal encoding or a bad address
    assert!(
        sigill_or_segv >= 30,
        "only {sigill_or_segv} of 40 died of SIGILL/SIGSEGV"
    );
}

#[test]
fn two_runs_of_one_program_print_the_same_dump() {
    let Some(qemu) = qemu() else { return };
    let dir = scratch_dir("repeat");
    let exe = dir.join("p");
    write_exe(&exe, &generate(42, 2000, &GenOptions::default()));
    let a = run(&qemu, &exe, Duration::from_secs(20));
    let b = run(&qemu, &exe, Duration::from_secs(20));
    std::fs::remove_dir_all(&dir).unwrap();
    let (a, b) = (
        Dump::parse(&a.stdout).unwrap(),
        Dump::parse(&b.stdout).unwrap(),
    );
    assert_eq!(a.diff(&b), Vec::<String>::new());
    // the random body changed registers away from their initial values
    let initial = Dump::parse(&vec![0; DUMP_SIZE]).unwrap();
    assert!(a.diff(&initial).len() > 40);
}

#[test]
fn generation_is_deterministic_and_seed_dependent() {
    let opts = GenOptions::default();
    assert_eq!(generate(7, 500, &opts), generate(7, 500, &opts));
    assert_ne!(generate(7, 500, &opts), generate(8, 500, &opts));
    assert_eq!(generate_garbage(3, 64), generate_garbage(3, 64));
    assert_ne!(generate_garbage(3, 64), generate_garbage(4, 64));
}

#[test]
fn elf_header_is_a_static_riscv64_executable() {
    let elf = generate(1, 10, &GenOptions::default());
    assert_eq!(&elf[..4], b"\x7fELF");
    assert_eq!(elf[4], 2, "ELFCLASS64");
    assert_eq!(u16::from_le_bytes([elf[16], elf[17]]), 2, "ET_EXEC");
    assert_eq!(u16::from_le_bytes([elf[18], elf[19]]), 243, "EM_RISCV");
    assert_eq!(u16::from_le_bytes([elf[56], elf[57]]), 2, "two PT_LOAD");
    let garbage = generate_garbage(1, 10);
    assert_eq!(u16::from_le_bytes([garbage[56], garbage[57]]), 1);
}
