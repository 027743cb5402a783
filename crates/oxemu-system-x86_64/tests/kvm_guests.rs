//! The project's x86-64 test guests under /dev/kvm: every entry mode, interrupts,
//! SMP, virtio-blk against a real file, power off.

mod common;
use common::*;

fn hello(kernel: &str, entry: &str) {
    let r = oxemu(&[
        "-accel",
        "kvm",
        "-m",
        "64",
        "-kernel",
        &guest(kernel),
        "-append",
        "oxtest=hello",
        "-nographic",
    ]);
    assert_eq!(
        r.status,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    assert_eq!(field(&r.stdout, "entry="), Some(entry), "{}", r.stdout);
    assert!(r.stdout.contains("OXTEST hello from the test guest"));
    assert!(r.stdout.contains("OXTEST cmdline=oxtest=hello"));
    assert!(
        r.stdout.trim_end().ends_with("OXTEST poweroff"),
        "{}",
        r.stdout
    );
}

#[test]
fn pvh_entry() {
    if !skip_without_kvm("pvh_entry") {
        hello("oxtest-pvh.elf", "pvh");
    }
}

#[test]
fn bzimage_64bit_entry() {
    if !skip_without_kvm("bzimage_64bit_entry") {
        hello("oxtest.bzImage", "bz64");
    }
}

#[test]
fn bzimage_real_mode_entry() {
    if !skip_without_kvm("bzimage_real_mode_entry") {
        hello("oxtest-rm.bzImage", "real");
    }
}

/// The full scenario: returns the run and the disk file's contents afterwards.
fn full(kernel: &str, smp: &str, mem: &str, read_only: bool) -> (Run, Vec<u8>, Vec<u8>) {
    let (disk, before) = random_disk(64, 0x5eed ^ smp.len() as u64 ^ u64::from(read_only));
    let drive = format!(
        "file={},format=raw,if=none,id=d0{}",
        disk.display(),
        if read_only { ",readonly=on" } else { "" }
    );
    let r = oxemu(&[
        "-enable-kvm",
        "-M",
        "microvm",
        "-m",
        mem,
        "-smp",
        smp,
        "-kernel",
        &guest(kernel),
        "-append",
        "oxtest=full",
        "-drive",
        &drive,
        "-device",
        "virtio-blk-device,drive=d0",
        "-nographic",
        "-no-reboot",
    ]);
    let after = std::fs::read(&disk).unwrap();
    let _ = std::fs::remove_file(&disk);
    (r, before, after)
}

fn check_full(r: &Run, before: &[u8], after: &[u8], ncpu: usize, mem_mib: u64) {
    let out = &r.stdout;
    assert_eq!(r.status, Some(0), "stdout:\n{out}\nstderr:\n{}", r.stderr);
    assert_eq!(
        field(out, "ram-mib="),
        Some((mem_mib - 1).to_string().as_str()),
        "{out}"
    );
    assert_eq!(
        field(out, "mptable cpus="),
        Some(ncpu.to_string().as_str()),
        "{out}"
    );
    assert!(out.contains("OXTEST timer-irq ok"), "{out}");
    assert!(out.contains("OXTEST serial-irq ok"), "{out}");
    if ncpu > 1 {
        assert_eq!(
            field(out, "smp ok cpus="),
            Some(ncpu.to_string().as_str()),
            "{out}"
        );
        for i in 1..ncpu {
            assert!(
                out.contains(&format!("OXTEST cpu {i} apic={i} up")),
                "{out}"
            );
        }
    }
    assert!(
        out.contains("OXTEST disk virtio-mmio v2 sectors=64"),
        "{out}"
    );
    assert_eq!(
        field(out, "disk sector0="),
        Some(hex(&before[..16]).as_str()),
        "{out}"
    );
    assert!(out.contains("OXTEST disk write ok"), "{out}");
    let want: Vec<u8> = before[..512].iter().map(|b| b ^ 0x5a).collect();
    assert_eq!(&after[512..1024], &want[..], "sector 1 in the file");
    assert_eq!(&after[..512], &before[..512], "sector 0 untouched");
    assert_eq!(&after[1024..], &before[1024..], "the rest untouched");
    assert!(out.trim_end().ends_with("OXTEST poweroff"), "{out}");
}

#[test]
fn full_smp1() {
    if !skip_without_kvm("full_smp1") {
        let (r, b, a) = full("oxtest-pvh.elf", "1", "64", false);
        check_full(&r, &b, &a, 1, 64);
    }
}

#[test]
fn full_smp2() {
    if !skip_without_kvm("full_smp2") {
        let (r, b, a) = full("oxtest-pvh.elf", "2", "96M", false);
        check_full(&r, &b, &a, 2, 96);
    }
}

#[test]
fn full_smp4_64bit_entry() {
    if !skip_without_kvm("full_smp4_64bit_entry") {
        let (r, b, a) = full("oxtest.bzImage", "cpus=4", "128", false);
        check_full(&r, &b, &a, 4, 128);
    }
}

#[test]
fn read_only_disk_refuses_writes() {
    if skip_without_kvm("read_only_disk_refuses_writes") {
        return;
    }
    let (r, before, after) = full("oxtest-pvh.elf", "1", "64", true);
    assert_eq!(r.status, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        field(&r.stdout, "disk sector0="),
        Some(hex(&before[..16]).as_str())
    );
    assert_eq!(
        field(&r.stdout, "disk write status="),
        Some("1"),
        "{}",
        r.stdout
    );
    assert_eq!(before, after);
}

#[test]
fn malformed_rings_fail_the_device_not_the_host() {
    if skip_without_kvm("malformed_rings_fail_the_device_not_the_host") {
        return;
    }
    let (disk, _) = random_disk(8, 7);
    let drive = format!("file={},format=raw,if=none,id=d0", disk.display());
    let r = oxemu(&[
        "-accel",
        "kvm",
        "-kernel",
        &guest("oxtest-pvh.elf"),
        "-append",
        "oxtest=badring",
        "-drive",
        &drive,
        "-device",
        "virtio-blk-device,drive=d0",
        "-nographic",
    ]);
    let _ = std::fs::remove_file(&disk);
    let out = &r.stdout;
    assert_eq!(r.status, Some(0), "{out}\n{}", r.stderr);
    // Out-of-RAM buffer: completed with VIRTIO_BLK_S_IOERR.
    assert!(out.contains("OXTEST badring oob done=1 status=1"), "{out}");
    // Loop and bad index: the chain is returned and the device needs a reset.
    assert!(
        out.contains("OXTEST badring loop done=1 needs-reset=1"),
        "{out}"
    );
    assert!(
        out.contains("OXTEST badring index done=1 needs-reset=1"),
        "{out}"
    );
    // After a reset the device works again.
    assert!(out.contains("OXTEST badring recovered status=0"), "{out}");
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn emulation_failure_is_reported_with_rip_and_code() {
    if skip_without_kvm("emulation_failure_is_reported_with_rip_and_code") {
        return;
    }
    let r = oxemu(&[
        "-accel",
        "kvm",
        "-kernel",
        &guest("oxtest-pvh.elf"),
        "-append",
        "oxtest=emufail",
    ]);
    assert!(
        r.stdout.contains("OXTEST emufail: vector load from MMIO"),
        "{}",
        r.stdout
    );
    if r.stdout.contains("OXTEST emufail: survived") {
        // An accelerator that can emulate the access: then it must run to the end.
        assert_eq!(r.status, Some(0), "{}", r.stderr);
        return;
    }
    assert_eq!(r.status, Some(1), "{}", r.stderr);
    let e = &r.stderr;
    assert!(
        e.contains("KVM internal error, suberror 1 (emulation failure)"),
        "{e}"
    );
    assert!(e.contains("rip=0x"), "{e}");
    // pcmpistri $0, (%rax), %xmm0
    assert!(e.contains("code: 66 0f 3a 63 00 00"), "{e}");
}

#[test]
fn virtio_console_output_reaches_its_chardev() {
    if skip_without_kvm("virtio_console_output_reaches_its_chardev") {
        return;
    }
    let file = scratch("console.txt");
    let chardev = format!("file,id=c0,path={}", file.display());
    let r = oxemu(&[
        "-accel",
        "kvm",
        "-kernel",
        &guest("oxtest-pvh.elf"),
        "-append",
        "oxtest=console",
        "-chardev",
        &chardev,
        "-device",
        "virtio-serial-device",
        "-device",
        "virtconsole,chardev=c0",
        "-device",
        "virtio-rng-device",
        "-nographic",
    ]);
    let got = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    assert_eq!(r.status, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("OXTEST console sent"), "{}", r.stdout);
    assert_eq!(got, "OXTEST virtio-console hello\n");
    // The 8250 did not get the console's line.
    assert!(!r.stdout.contains("virtio-console hello"));
}
