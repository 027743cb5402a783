//! oxemu-img against qemu-img (Debian qemu-utils 7.2 or newer): the same commands on
//! the same images give the same answers, and each tool accepts the other's images.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn oxemu_img() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oxemu-img"))
}

fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        eprintln!("skipping: {name} is not installed (Debian: apt-get install qemu-utils)");
    }
    found
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("oxemu-img-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn out(cmd: &mut Command) -> Output {
    cmd.output().expect("command runs")
}

fn ok(cmd: &mut Command) -> String {
    let o = out(cmd);
    assert!(
        o.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn code(cmd: &mut Command) -> i32 {
    out(cmd).status.code().unwrap_or(-1)
}

fn pattern_file(path: &Path, len: usize, seed: u32) {
    let mut x = seed | 1;
    let mut v: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    // Zero and low-entropy stretches so sparse detection and compression both matter.
    for (i, b) in v.iter_mut().enumerate() {
        if (i / 65536) % 3 == 1 {
            *b = 0;
        } else if (i / 65536) % 5 == 2 {
            *b = (i / 1000) as u8;
        }
    }
    std::fs::write(path, v).unwrap();
}

fn same_content(qi: &Path, a: &Path, b: &Path) {
    let o = out(Command::new(qi).arg("compare").arg(a).arg(b));
    assert!(
        o.status.success(),
        "{} vs {}: {}",
        a.display(),
        b.display(),
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn convert_both_ways() {
    let Some(qi) = tool("qemu-img") else { return };
    let d = tmpdir("convert");
    let raw = d.join("src.raw");
    pattern_file(&raw, (5 << 20) + 4096, 3);
    for (name, args) in [
        ("plain.qcow2", vec!["-O", "qcow2"]),
        (
            "small.qcow2",
            vec!["-O", "qcow2", "-o", "cluster_size=4k,compat=0.10"],
        ),
        ("zlib.qcow2", vec!["-c", "-O", "qcow2"]),
        (
            "zstd.qcow2",
            vec![
                "-c",
                "-O",
                "qcow2",
                "-o",
                "compression_type=zstd,cluster_size=1M",
            ],
        ),
        ("full.qcow2", vec!["-S", "0", "-O", "qcow2"]),
    ] {
        let q = d.join(name);
        ok(oxemu_img()
            .arg("convert")
            .arg("-q")
            .args(&args)
            .arg(&raw)
            .arg(&q));
        assert_eq!(code(Command::new(&qi).arg("check").arg(&q)), 0, "{name}");
        same_content(&qi, &raw, &q);
        let back = d.join(format!("{name}.raw"));
        ok(oxemu_img()
            .args(["convert", "-q", "-O", "raw"])
            .arg(&q)
            .arg(&back));
        assert!(
            std::fs::read(&back).unwrap() == std::fs::read(&raw).unwrap(),
            "{name}"
        );
    }
    // -S keeps zero runs sparse in raw output.
    let sparse = d.join("sparse.raw");
    ok(oxemu_img()
        .args(["convert", "-q", "-O", "raw"])
        .arg(d.join("plain.qcow2"))
        .arg(&sparse));
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(&sparse).unwrap();
    assert!(m.blocks() * 512 < m.len(), "zero runs were written");
}

#[test]
fn info_check_map_measure_match_qemu() {
    let (Some(qi), Some(qio)) = (tool("qemu-img"), tool("qemu-io")) else {
        return;
    };
    let d = tmpdir("info");
    let base = d.join("base.raw");
    ok(Command::new(&qi)
        .args(["create", "-q", "-f", "raw"])
        .arg(&base)
        .arg("1M"));
    ok(Command::new(&qio)
        .args(["-f", "raw", "-c", "write -P 1 0 64k"])
        .arg(&base));
    let mid = d.join("mid.qcow2");
    ok(oxemu_img()
        .args(["create", "-q", "-f", "qcow2", "-F", "raw", "-b", "base.raw"])
        .arg(&mid)
        .arg("2M"));
    ok(Command::new(&qio)
        .args(["-c", "write -P 2 128k 64k", "-c", "write -c -P 3 256k 64k"])
        .arg(&mid));
    let top = d.join("top.qcow2");
    ok(oxemu_img()
        .args([
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            "qcow2",
            "-b",
            "mid.qcow2",
        ])
        .arg(&top));
    ok(Command::new(&qio)
        .args(["-c", "write -z 512k 64k"])
        .arg(&top));
    let json = |cmd: &mut Command| -> serde_json::Value { serde_json::from_str(&ok(cmd)).unwrap() };
    for img in [&mid, &top] {
        let mut ours = json(oxemu_img().args(["info", "--output=json"]).arg(img));
        let mut theirs = json(Command::new(&qi).args(["info", "--output=json"]).arg(img));
        for v in [&mut ours, &mut theirs] {
            v.as_object_mut().unwrap().remove("actual-size");
        }
        assert_eq!(ours, theirs, "info of {}", img.display());
        let m1 = ok(oxemu_img().args(["map", "--output=json"]).arg(img));
        let m2 = ok(Command::new(&qi).args(["map", "--output=json"]).arg(img));
        assert_eq!(m1, m2, "map of {}", img.display());
        let m1 = ok(oxemu_img().args(["measure", "-O", "qcow2"]).arg(img));
        let m2 = ok(Command::new(&qi).args(["measure", "-O", "qcow2"]).arg(img));
        assert_eq!(m1, m2, "measure of {}", img.display());
        let c1 = json(oxemu_img().args(["check", "--output=json"]).arg(img));
        let c2 = json(Command::new(&qi).args(["check", "--output=json"]).arg(img));
        for k in [
            "total-clusters",
            "check-errors",
            "allocated-clusters",
            "compressed-clusters",
        ] {
            assert_eq!(c1.get(k), c2.get(k), "check {k} of {}", img.display());
        }
    }
    let m1 = ok(oxemu_img().args([
        "measure",
        "--output=json",
        "--size",
        "100G",
        "-O",
        "qcow2",
        "-o",
        "cluster_size=4k",
    ]));
    let m2 = ok(Command::new(&qi).args([
        "measure",
        "--output=json",
        "--size",
        "100G",
        "-O",
        "qcow2",
        "-o",
        "cluster_size=4k",
    ]));
    assert_eq!(m1, m2);
}

/// Reads big-endian u64 at `at`.
fn be64(f: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(f[at..at + 8].try_into().unwrap())
}

#[test]
fn check_exit_codes_and_repair() {
    let Some(qi) = tool("qemu-img") else { return };
    let d = tmpdir("check");
    let raw = d.join("src.raw");
    pattern_file(&raw, 1 << 20, 5);
    let img = d.join("a.qcow2");
    ok(oxemu_img()
        .args(["convert", "-q", "-O", "qcow2"])
        .arg(&raw)
        .arg(&img));
    // Drop the first L2 entry: its cluster leaks.
    let mut f = std::fs::read(&img).unwrap();
    let l1 = be64(&f, 40) as usize;
    let l2 = (be64(&f, l1) & 0x00ff_ffff_ffff_fe00) as usize;
    assert_ne!(be64(&f, l2), 0);
    f[l2..l2 + 8].fill(0);
    std::fs::write(&img, &f).unwrap();
    assert_eq!(code(oxemu_img().arg("check").arg(&img)), 3);
    assert_eq!(code(Command::new(&qi).arg("check").arg(&img)), 3);
    assert_eq!(
        code(oxemu_img().args(["check", "-r", "leaks"]).arg(&img)),
        0
    );
    assert_eq!(code(Command::new(&qi).arg("check").arg(&img)), 0);
    // Zero the refcount block: every referenced cluster is now an error.
    let mut f = std::fs::read(&img).unwrap();
    let rt = be64(&f, 48) as usize;
    let rb = be64(&f, rt) as usize;
    f[rb + 2..rb + 65536].fill(0);
    std::fs::write(&img, &f).unwrap();
    assert_eq!(code(oxemu_img().arg("check").arg(&img)), 2);
    assert_eq!(code(Command::new(&qi).arg("check").arg(&img)), 2);
    assert_eq!(code(oxemu_img().args(["check", "-r", "all"]).arg(&img)), 0);
    let o = out(Command::new(&qi).arg("check").arg(&img));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(code(oxemu_img().arg("check").arg(&raw)), 63);
    // A file that is not an image is a clear error naming it.
    let junk = d.join("junk.qcow2");
    std::fs::write(&junk, b"QFI\xfb\0\0\0\x09junk").unwrap();
    let o = out(oxemu_img().arg("info").arg(&junk));
    let msg = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && msg.contains("junk.qcow2"), "{msg}");
}

#[test]
fn snapshots_resize_commit_rebase_compare() {
    let (Some(qi), Some(qio)) = (tool("qemu-img"), tool("qemu-io")) else {
        return;
    };
    let d = tmpdir("ops");
    let a = d.join("a.qcow2");
    ok(oxemu_img()
        .args(["create", "-q", "-f", "qcow2"])
        .arg(&a)
        .arg("4M"));
    ok(Command::new(&qio).args(["-c", "write -P 9 0 1M"]).arg(&a));
    ok(oxemu_img().args(["snapshot", "-c", "first"]).arg(&a));
    ok(Command::new(&qi).args(["snapshot", "-c", "second"]).arg(&a));
    let l1 = ok(oxemu_img().args(["snapshot", "-l"]).arg(&a));
    let l2 = ok(Command::new(&qi).args(["snapshot", "-l"]).arg(&a));
    let rows = |s: &str| {
        s.lines()
            .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&l1), rows(&l2));
    ok(Command::new(&qio).args(["-c", "write -P 10 0 2M"]).arg(&a));
    ok(oxemu_img().args(["snapshot", "-a", "second"]).arg(&a));
    ok(oxemu_img().args(["snapshot", "-d", "first"]).arg(&a));
    assert_eq!(code(Command::new(&qi).arg("check").arg(&a)), 0);
    let p9 = d.join("p9.raw");
    ok(Command::new(&qi)
        .args(["create", "-q", "-f", "raw"])
        .arg(&p9)
        .arg("4M"));
    ok(Command::new(&qio)
        .args(["-f", "raw", "-c", "write -P 9 0 1M"])
        .arg(&p9));
    assert_eq!(code(oxemu_img().arg("compare").arg(&a).arg(&p9)), 0);
    assert_eq!(code(Command::new(&qi).arg("compare").arg(&a).arg(&p9)), 0);

    ok(oxemu_img().args(["resize", "-q"]).arg(&a).arg("+4M"));
    assert_eq!(
        code(oxemu_img().arg("compare").arg(&a).arg(&p9)),
        0,
        "grown part reads as zeroes"
    );
    assert_eq!(
        code(oxemu_img().args(["compare", "-s"]).arg(&a).arg(&p9)),
        1
    );
    assert_ne!(
        code(oxemu_img().arg("resize").arg(&a).arg("1M")),
        0,
        "shrink needs --shrink"
    );
    assert_eq!(code(Command::new(&qi).arg("check").arg(&a)), 0);

    // commit: top's data lands in the base, top becomes empty.
    let base = d.join("base.qcow2");
    ok(oxemu_img()
        .args(["create", "-q", "-f", "qcow2"])
        .arg(&base)
        .arg("4M"));
    ok(Command::new(&qio)
        .args(["-c", "write -P 1 0 4M"])
        .arg(&base));
    let top = d.join("top.qcow2");
    ok(oxemu_img()
        .args([
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            "qcow2",
            "-b",
            "base.qcow2",
        ])
        .arg(&top));
    ok(Command::new(&qio)
        .args(["-c", "write -P 2 1M 1M", "-c", "write -z 3M 64k"])
        .arg(&top));
    let want = d.join("want.raw");
    ok(Command::new(&qi)
        .args(["convert", "-O", "raw"])
        .arg(&top)
        .arg(&want));
    ok(oxemu_img().args(["commit", "-q"]).arg(&top));
    same_content(&qi, &want, &base);
    same_content(&qi, &want, &top);
    assert_eq!(code(Command::new(&qi).arg("check").arg(&base)), 0);
    assert_eq!(code(Command::new(&qi).arg("check").arg(&top)), 0);
    let map = ok(Command::new(&qi).args(["map", "--output=json"]).arg(&top));
    assert!(
        !map.contains("\"depth\": 0, \"present\": true"),
        "top still allocates: {map}"
    );

    // safe rebase onto an empty base keeps the guest view; -u only rewrites the name.
    let empty = d.join("empty.qcow2");
    ok(oxemu_img()
        .args(["create", "-q", "-f", "qcow2"])
        .arg(&empty)
        .arg("4M"));
    ok(oxemu_img()
        .args(["rebase", "-q", "-F", "qcow2", "-b", "empty.qcow2"])
        .arg(&top));
    same_content(&qi, &want, &top);
    let info = ok(Command::new(&qi).args(["info", "--output=json"]).arg(&top));
    assert!(
        info.contains("\"backing-filename\": \"empty.qcow2\""),
        "{info}"
    );
    ok(oxemu_img().args(["rebase", "-u", "-b", ""]).arg(&top));
    assert_eq!(code(Command::new(&qi).arg("check").arg(&top)), 0);
    same_content(&qi, &want, &top);
}
