//! Hostile or mistaken input: a clear error and a non-zero exit, never a panic
//! or a hang.

mod common;
use common::*;

fn fails_with(args: &[&str], needle: &str) {
    let r = oxemu(args);
    assert!(!r.timed_out, "hung: {args:?}");
    assert_eq!(
        r.status,
        Some(1),
        "{args:?}\nstdout: {}\nstderr: {}",
        r.stdout,
        r.stderr
    );
    assert!(
        r.stderr.contains(needle),
        "{args:?}: wanted '{needle}' in: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn unknown_options_are_named() {
    fails_with(
        &["-accel", "kvm", "-kernel", "k", "-frobnicate"],
        "unsupported option: -frobnicate",
    );
    fails_with(&["-kernel", "k"], "add -accel kvm");
    fails_with(&["-accel", "tcg", "-kernel", "k"], "-accel tcg");
    fails_with(&["-enable-kvm", "-M", "pc", "-kernel", "k"], "-M pc");
    fails_with(
        &["-enable-kvm", "-kernel", "k", "-netdev", "user,id=n"],
        "-netdev user",
    );
}

#[test]
fn missing_truncated_and_garbage_kernels() {
    if skip_without_kvm("missing_truncated_and_garbage_kernels") {
        return;
    }
    fails_with(
        &["-accel", "kvm", "-kernel", "/nonexistent/vmlinuz"],
        "cannot read /nonexistent/vmlinuz",
    );
    let garbage = scratch("garbage");
    std::fs::write(&garbage, vec![0x90u8; 8192]).unwrap();
    fails_with(
        &["-accel", "kvm", "-kernel", garbage.to_str().unwrap()],
        "not a bzImage or an ELF",
    );
    let bz = std::fs::read(guest("oxtest.bzImage")).unwrap();
    let cut = scratch("cut.bzImage");
    std::fs::write(&cut, &bz[..bz.len() / 2]).unwrap();
    fails_with(
        &["-accel", "kvm", "-kernel", cut.to_str().unwrap()],
        "truncated",
    );
    let elf = std::fs::read(guest("oxtest-pvh.elf")).unwrap();
    std::fs::write(&cut, &elf[..elf.len() / 3]).unwrap();
    fails_with(
        &["-accel", "kvm", "-kernel", cut.to_str().unwrap()],
        "cannot load the kernel",
    );
    std::fs::write(&cut, &elf[..100]).unwrap();
    fails_with(
        &["-accel", "kvm", "-kernel", cut.to_str().unwrap()],
        "cannot load the kernel",
    );
    let _ = std::fs::remove_file(&garbage);
    let _ = std::fs::remove_file(&cut);
}

#[test]
fn absurd_sizes() {
    if skip_without_kvm("absurd_sizes") {
        return;
    }
    let k = guest("oxtest-pvh.elf");
    fails_with(
        &["-accel", "kvm", "-m", "1000000G", "-kernel", &k],
        "more than this host",
    );
    fails_with(
        &["-accel", "kvm", "-m", "99999999999999999999", "-kernel", &k],
        "not a memory size",
    );
    fails_with(
        &["-accel", "kvm", "-m", "1", "-kernel", &k],
        "at least 2 MiB",
    );
    fails_with(&["-accel", "kvm", "-smp", "0", "-kernel", &k], "-smp 0");
    fails_with(
        &["-accel", "kvm", "-smp", "100000", "-kernel", &k],
        "-smp 100000",
    );
    let huge = "x".repeat(10000);
    fails_with(
        &["-accel", "kvm", "-kernel", &k, "-append", &huge],
        "command line is longer",
    );
    fails_with(
        &[
            "-accel",
            "kvm",
            "-kernel",
            &k,
            "-drive",
            "file=/nonexistent.img,format=raw,if=none,id=d",
            "-device",
            "virtio-blk-device,drive=d",
        ],
        "drive 'd'",
    );
}
