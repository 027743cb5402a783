//! Debian's x86-64 Linux (../shared/guests/x86_64) under /dev/kvm, as a bzImage
//! (64-bit entry) and as the PVH vmlinux. On a host with hardware virtualization
//! it must reach the guest's init and power off. Elsewhere (a nested software
//! KVM such as kvm_pvm) it reports where the guest stopped, and when QEMU is
//! installed checks that QEMU stops at the same instruction.

mod common;
use common::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Time limits: the PVH kernel fails or boots within this on a loaded 2-core
/// machine; the bzImage gets less, it shows no progress under software KVM.
const LIMIT: Duration = Duration::from_secs(60);
const BZIMAGE_LIMIT: Duration = Duration::from_secs(20);

fn shared() -> PathBuf {
    repo().join("../shared/guests")
}

fn hardware_virt() -> bool {
    std::fs::read_to_string("/proc/cpuinfo")
        .map(|s| {
            s.lines()
                .filter(|l| l.starts_with("flags"))
                .any(|l| l.split_whitespace().any(|f| f == "vmx" || f == "svm"))
        })
        .unwrap_or(false)
}

struct Stop {
    status: Option<i32>,
    timed_out: bool,
    out: String,
    secs: f64,
}

/// Runs until exit, `limit`, or until the output contains `until`.
fn run_until(prog: &Path, args: &[String], until: &str, limit: Duration) -> Stop {
    let start = Instant::now();
    let mut child = Command::new(prog)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", prog.display()));
    let out = Arc::new(Mutex::new(String::new()));
    let mut readers = Vec::new();
    let pipes: Vec<Box<dyn Read + Send>> = vec![
        Box::new(child.stdout.take().unwrap()),
        Box::new(child.stderr.take().unwrap()),
    ];
    for mut pipe in pipes {
        let out = out.clone();
        readers.push(std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                out.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }));
    }
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st.code();
        }
        let seen = out.lock().unwrap().contains(until);
        if seen || start.elapsed() > limit {
            timed_out = !seen;
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    for r in readers {
        let _ = r.join();
    }
    let out = out.lock().unwrap().clone();
    Stop {
        status,
        timed_out,
        out,
        secs: start.elapsed().as_secs_f64(),
    }
}

/// The last kernel or init line, and the error if the VMM reported one.
fn stop_point(s: &Stop) -> String {
    let last = s
        .out
        .lines()
        .rfind(|l| l.starts_with('[') || l.starts_with("GUEST-"))
        .unwrap_or("(no guest output)");
    let how = if s.timed_out {
        format!("still running after {:.0} s", s.secs)
    } else {
        match s.status {
            Some(c) => format!("exited with status {c} after {:.1} s", s.secs),
            None => format!("stopped after {:.1} s", s.secs),
        }
    };
    let err = s
        .out
        .lines()
        .find(|l| l.contains("KVM internal error") || l.starts_with("oxemu-system-x86_64:"))
        .unwrap_or("");
    format!("{how}; last line: {last}\n    {err}")
}

/// The guest rip of a KVM emulation failure, from oxemu's or QEMU's report.
fn failing_rip(out: &str) -> Option<u64> {
    if let Some((_, rest)) = out.split_once("emulation failure), data") {
        let hex = rest
            .split_once("rip=0x")?
            .1
            .split(|c: char| !c.is_ascii_hexdigit())
            .next()?;
        return u64::from_str_radix(hex, 16).ok();
    }
    if out.contains("KVM internal error. Suberror: 1") {
        let hex = out.split_once("RIP=")?.1.split_whitespace().next()?;
        return u64::from_str_radix(hex, 16).ok();
    }
    None
}

fn qemu() -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join("qemu-system-x86_64"))
        .find(|p| p.exists())
}

#[test]
fn debian_linux_boots_or_reports_where_it_stopped() {
    if skip_without_kvm("debian_linux_boots_or_reports_where_it_stopped") {
        return;
    }
    let g = shared().join("x86_64");
    if !g.join("vmlinuz").exists() {
        eprintln!("skipping the Linux boot test: {} is absent", g.display());
        return;
    }
    let pvh = scratch("vmlinux-pvh");
    let unpacked = Command::new("xz")
        .arg("-dc")
        .arg(g.join("vmlinux-pvh.xz"))
        .stdout(std::fs::File::create(&pvh).unwrap())
        .status()
        .is_ok_and(|s| s.success());
    let disk = shared().join("test-disk.img");
    let common = |kernel: &Path, accel: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = accel.iter().map(|s| s.to_string()).collect();
        a.extend(
            [
                "-M",
                "microvm",
                "-m",
                "256",
                "-smp",
                "2",
                "-nographic",
                "-no-reboot",
                "-kernel",
            ]
            .map(String::from),
        );
        a.push(kernel.display().to_string());
        a.extend([
            "-initrd".into(),
            g.join("initramfs.cpio.gz").display().to_string(),
        ]);
        // No earlyprintk: on a software-nested KVM every byte is an exit, and
        // the boot would spend the time limit printing.
        a.extend(["-append".into(), "console=ttyS0".into()]);
        a.extend([
            "-drive".into(),
            format!(
                "file={},format=raw,if=none,id=d0,readonly=on",
                disk.display()
            ),
            "-device".into(),
            "virtio-blk-device,drive=d0".into(),
        ]);
        a
    };
    let mut runs: Vec<(&str, PathBuf, Vec<String>)> = Vec::new();
    if unpacked {
        runs.push(("oxemu PVH vmlinux", bin(), common(&pvh, &["-accel", "kvm"])));
    } else {
        eprintln!("PVH vmlinux not tried: xz could not unpack vmlinux-pvh.xz");
    }
    if let (Some(q), true) = (qemu(), unpacked) {
        runs.push((
            "qemu PVH vmlinux",
            q,
            common(&pvh, &["-enable-kvm", "-cpu", "host"]),
        ));
    }
    // The PVH runs side by side (one core each), then the bzImage. QEMU pauses
    // the VM after an internal error instead of exiting: stop on its "Code=".
    let mut results: Vec<(String, Stop)> = std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(name, prog, args)| {
                s.spawn(move || (name.to_string(), run_until(prog, args, "\nCode=", LIMIT)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let bz = common(&g.join("vmlinuz"), &["-accel", "kvm"]);
    results.push((
        "oxemu bzImage (64-bit entry)".into(),
        run_until(&bin(), &bz, "\nCode=", BZIMAGE_LIMIT),
    ));
    let _ = std::fs::remove_file(&pvh);
    eprintln!(
        "Linux boot under /dev/kvm (hardware virtualization: {}):",
        hardware_virt()
    );
    for (name, s) in &results {
        eprintln!("  {name}: {}", stop_point(s));
    }
    for (name, s) in results.iter().filter(|(n, _)| n.starts_with("oxemu")) {
        assert!(!s.out.contains("panicked"), "{name}: {}", s.out);
        if let Some(code) = s.status {
            // An exit is a power off that reached init, or a clear error.
            assert!(code == 0 || code == 1, "{name}: status {code}");
            if code == 0 {
                assert!(s.out.contains("GUEST-INIT-DONE"), "{name}: {}", s.out);
            } else {
                assert!(s.out.contains("oxemu-system-x86_64: "), "{name}: {}", s.out);
            }
        }
        if hardware_virt() {
            assert!(s.out.contains("GUEST-INIT-OK x86_64"), "{name}: {}", s.out);
            assert_eq!(s.status, Some(0), "{name}");
        }
    }
    let rip = |who: &str| {
        results
            .iter()
            .find(|(n, _)| n.as_str() == who)
            .and_then(|(_, s)| failing_rip(&s.out))
    };
    if let (Some(ours), Some(theirs)) = (rip("oxemu PVH vmlinux"), rip("qemu PVH vmlinux")) {
        assert_eq!(
            ours, theirs,
            "oxemu and QEMU stop at different instructions"
        );
        eprintln!("  both stop on an emulation failure at rip {ours:#x}");
    }
}
