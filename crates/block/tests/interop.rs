//! Interoperability with QEMU's qemu-img and qemu-io (Debian qemu-utils, 7.2 or
//! newer): images QEMU writes read byte for byte as `qemu-img convert -O raw` reads
//! them; images oxemu writes pass `qemu-img check` and convert to the same bytes;
//! snapshots made by either are listed and applied by the other.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use oxemu_block::BlockBackend;
use oxemu_block::qcow2::{CreateOptions, Qcow2, Repair};

/// Writes a mix of data, zero and compressed clusters with qemu-io.
fn qemu_fill(qemu_io: &Path, image: &Path, cs: u64, compressed: bool, seed: u8) {
    let mut cmd = Command::new(qemu_io);
    let ops = [
        format!("write -P {} 0 {}", seed, cs * 3 + 100),
        format!(
            "write -P {} {} {}",
            seed.wrapping_add(1),
            cs * 7 + 17,
            cs * 2
        ),
        format!("write -z {} {}", cs * 8, cs * 2),
        format!("write -P {} {} 4096", seed.wrapping_add(2), 3 << 20),
    ];
    for op in &ops {
        cmd.arg("-c").arg(op);
    }
    if compressed {
        cmd.arg("-c").arg(format!(
            "write -c -P {} {} {}",
            seed.wrapping_add(3),
            cs * 12,
            cs
        ));
        cmd.arg("-c").arg(format!(
            "write -c -P {} {} {}",
            seed.wrapping_add(4),
            cs * 13,
            cs
        ));
    }
    run(cmd.arg(image));
}

#[test]
fn qemu_images_read_byte_for_byte() {
    let (Some(qi), Some(qio)) = (qemu_tool("qemu-img"), qemu_tool("qemu-io")) else {
        return;
    };
    let d = tmpdir("qread");
    let mut checked = 0;
    for cs in [512u64, 1024, 4096, 65536, 2 << 20] {
        for compat in ["0.10", "1.1"] {
            for (ctype, rbits) in [("zlib", 16), ("zstd", 1), ("zlib", 64)] {
                if compat == "0.10" && (ctype != "zlib" || rbits != 16) {
                    continue;
                }
                let img = d.join(format!("q-{cs}-{compat}-{ctype}-{rbits}.qcow2"));
                let mut opts = format!("cluster_size={cs},compat={compat},refcount_bits={rbits}");
                if compat == "1.1" {
                    opts += &format!(",compression_type={ctype}");
                }
                run(Command::new(&qi)
                    .args(["create", "-q", "-f", "qcow2", "-o", &opts])
                    .arg(&img)
                    .arg(((cs * 16).max(8 << 20) + 4096).to_string()));
                qemu_fill(&qio, &img, cs, true, 0x11);
                let want = qemu_raw(&qi, &img, &d);
                let got = oxemu_raw(&img);
                assert!(got == want, "{}: contents differ", img.display());
                checked += 1;
            }
        }
    }
    eprintln!("{checked} qemu-made images read byte for byte");
}

#[test]
fn backing_chains_and_qemu_compressed_images() {
    let (Some(qi), Some(qio)) = (qemu_tool("qemu-img"), qemu_tool("qemu-io")) else {
        return;
    };
    let d = tmpdir("qchain");
    let base = d.join("base.raw");
    std::fs::write(&base, pattern(6 << 20, 1)).unwrap();
    let mid = d.join("mid.qcow2");
    run(Command::new(&qi)
        .args([
            "create",
            "-q",
            "-f",
            "qcow2",
            "-o",
            "cluster_size=4096",
            "-F",
            "raw",
            "-b",
            "base.raw",
        ])
        .arg(&mid));
    qemu_fill(&qio, &mid, 4096, false, 0x40);
    let top = d.join("top.qcow2");
    run(Command::new(&qi)
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
        .arg(&top)
        .arg((8 << 20).to_string()));
    qemu_fill(&qio, &top, 65536, false, 0x80);
    run(Command::new(&qio)
        .args(["-c", "write -z 4096 8192"])
        .arg(&top));
    assert!(
        oxemu_raw(&top) == qemu_raw(&qi, &top, &d),
        "3-deep chain differs"
    );
    // convert -c writes every cluster compressed.
    for ctype in ["zlib", "zstd"] {
        let c = d.join(format!("c-{ctype}.qcow2"));
        run(Command::new(&qi)
            .args([
                "convert",
                "-c",
                "-O",
                "qcow2",
                "-o",
                &format!("compression_type={ctype}"),
            ])
            .arg(&top)
            .arg(&c));
        assert!(
            oxemu_raw(&c) == qemu_raw(&qi, &c, &d),
            "{ctype} compressed image differs"
        );
    }
}

#[test]
fn oxemu_images_pass_qemu_check() {
    let Some(qi) = qemu_tool("qemu-img") else {
        return;
    };
    let d = tmpdir("ocheck");
    let mut checked = 0;
    for cs in [512u64, 4096, 65536, 2 << 20] {
        for (version, rbits) in [(2u32, 16u32), (3, 16), (3, 1), (3, 64), (3, 8)] {
            let img = d.join(format!("o-{cs}-{version}-{rbits}.qcow2"));
            let size = (cs * 16).max(12 << 20) + 512;
            let o = CreateOptions {
                size,
                cluster_size: cs,
                version,
                refcount_bits: rbits,
                ..Default::default()
            };
            let mut q = Qcow2::create(&img, &o).unwrap();
            let mut shadow = vec![0u8; size as usize];
            let writes = [
                (0u64, 5000usize),
                (cs * 5 + 3, cs as usize * 3),
                (9 << 20, 2 << 20),
                (size - 700, 700),
            ];
            for (i, &(off, len)) in writes.iter().enumerate() {
                let p = pattern(len, i as u32 * 31 + cs as u32);
                q.write_at(&p, off).unwrap();
                shadow[off as usize..off as usize + len].copy_from_slice(&p);
            }
            if rbits > 1 {
                q.snapshot_create("before").unwrap();
            }
            q.write_at(&pattern(cs as usize, 99), 0).unwrap();
            shadow[..cs as usize].copy_from_slice(&pattern(cs as usize, 99));
            q.write_zeroes(9 << 20, 1 << 20).unwrap();
            shadow[9 << 20..10 << 20].fill(0);
            if version == 3 {
                let e = (cs * 8).max(1 << 20);
                let c = pattern(cs as usize, 7)
                    .iter()
                    .map(|b| b & 3)
                    .collect::<Vec<_>>();
                q.write_compressed(&c, e).unwrap();
                shadow[e as usize..(e + cs) as usize].copy_from_slice(&c);
            }
            q.flush().unwrap();
            drop(q);
            let (rc, out) = qemu_check(&qi, &img);
            assert_eq!(rc, 0, "{}: {out}", img.display());
            assert!(
                qemu_raw(&qi, &img, &d) == shadow,
                "{}: qemu reads other bytes",
                img.display()
            );
            checked += 1;
        }
    }
    eprintln!("{checked} oxemu-made images clean under qemu-img check");
}

#[test]
fn snapshots_cross_tools() {
    let (Some(qi), Some(qio)) = (qemu_tool("qemu-img"), qemu_tool("qemu-io")) else {
        return;
    };
    let d = tmpdir("qsnap");
    // qemu makes the snapshot, oxemu lists and applies it.
    let a = d.join("a.qcow2");
    run(Command::new(&qi)
        .args(["create", "-q", "-f", "qcow2"])
        .arg(&a)
        .arg("4M"));
    run(Command::new(&qio)
        .args(["-c", "write -P 0x5a 0 1M"])
        .arg(&a));
    run(Command::new(&qi).args(["snapshot", "-c", "qsnap"]).arg(&a));
    run(Command::new(&qio)
        .args(["-c", "write -P 0x33 0 2M"])
        .arg(&a));
    let before = qemu_raw(&qi, &a, &d);
    {
        let mut q = Qcow2::open(&a, false).unwrap();
        let s = q.snapshots();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "qsnap");
        q.snapshot_apply("qsnap").unwrap();
        let mut b = vec![0u8; 2 << 20];
        q.read_at(&mut b, 0).unwrap();
        assert!(b[..1 << 20].iter().all(|&x| x == 0x5a) && b[1 << 20..].iter().all(|&x| x == 0));
        q.snapshot_create("osnap").unwrap();
    }
    let (rc, out) = qemu_check(&qi, &a);
    assert_eq!(rc, 0, "{out}");
    let list = run(Command::new(&qi).args(["snapshot", "-l"]).arg(&a));
    assert!(list.contains("qsnap") && list.contains("osnap"), "{list}");
    // oxemu makes the snapshot, qemu applies it.
    {
        let mut q = Qcow2::open(&a, false).unwrap();
        q.write_at(&before, 0).unwrap();
        q.snapshot_create("later").unwrap();
        q.write_zeroes(0, 4 << 20).unwrap();
    }
    run(Command::new(&qi).args(["snapshot", "-a", "later"]).arg(&a));
    assert!(qemu_raw(&qi, &a, &d) == before);
    run(Command::new(&qi).args(["snapshot", "-d", "qsnap"]).arg(&a));
    {
        let mut q = Qcow2::open(&a, false).unwrap();
        q.snapshot_delete("osnap").unwrap();
        assert_eq!(q.snapshots().len(), 1);
        let r = q.check(Repair::None).unwrap();
        assert_eq!((r.corruptions, r.leaks), (0, 0), "{:?}", r.messages);
    }
    let (rc, out) = qemu_check(&qi, &a);
    assert_eq!(rc, 0, "{out}");
}
