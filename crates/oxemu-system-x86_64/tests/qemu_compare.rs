//! The same test guests under `qemu-system-x86_64 -enable-kvm -M microvm`: both
//! VMMs must give the guest the same results (QEMU offers legacy virtio-mmio
//! and ACPI tables instead of an MP table; the guest handles either).

mod common;
use common::*;
use std::path::Path;
use std::time::Duration;

fn qemu() -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join("qemu-system-x86_64"))
        .find(|p| p.exists())
}

/// The OXTEST lines that must agree, with the transport-specific ones normalized.
fn results(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("OXTEST "))
        .filter(|l| !l.starts_with("OXTEST cmdline=") && !l.starts_with("OXTEST ram-mib="))
        .filter(|l| !l.starts_with("OXTEST entry="))
        .map(|l| {
            l.replace("madt cpus=", "cpus=")
                .replace("mptable cpus=", "cpus=")
                .replace("virtio-mmio v1", "virtio-mmio")
                .replace("virtio-mmio v2", "virtio-mmio")
        })
        .collect()
}

#[test]
fn oxemu_and_qemu_agree() {
    if skip_without_kvm("oxemu_and_qemu_agree") {
        return;
    }
    let Some(qemu) = qemu() else {
        eprintln!("skipping oxemu_and_qemu_agree: qemu-system-x86_64 is not installed");
        return;
    };
    for (kernel, qemu_entry) in [("oxtest-pvh.elf", "pvh"), ("oxtest.bzImage", "real")] {
        let mut outs = Vec::new();
        for vmm in [bin(), qemu.clone()] {
            let (disk, before) = random_disk(64, 99);
            let drive = format!("file={},format=raw,if=none,id=d0", disk.display());
            let args = [
                "-enable-kvm",
                "-M",
                "microvm",
                "-m",
                "128",
                "-smp",
                "2",
                "-nographic",
                "-no-reboot",
                "-kernel",
                &guest(kernel),
                "-append",
                "oxtest=full",
                "-drive",
                &drive,
                "-device",
                "virtio-blk-device,drive=d0",
            ];
            let r = run_cmd(&vmm, &args, Duration::from_secs(60));
            let after = std::fs::read(&disk).unwrap();
            let _ = std::fs::remove_file(&disk);
            assert_eq!(
                r.status,
                Some(0),
                "{}: {}\n{}",
                vmm.display(),
                r.stdout,
                r.stderr
            );
            assert_eq!(
                field(&r.stdout, "disk sector0="),
                Some(hex(&before[..16]).as_str())
            );
            let want: Vec<u8> = before[..512].iter().map(|b| b ^ 0x5a).collect();
            assert_eq!(&after[512..1024], &want[..], "{}", vmm.display());
            outs.push(r.stdout);
        }
        assert_eq!(field(&outs[1], "entry="), Some(qemu_entry));
        assert_eq!(
            results(&outs[0]),
            results(&outs[1]),
            "oxemu:\n{}\nqemu:\n{}",
            outs[0],
            outs[1]
        );
        assert!(outs[0].contains("OXTEST smp ok cpus=2"), "{}", outs[0]);
    }
}
