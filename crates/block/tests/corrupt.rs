//! Deterministic damage to a valid qcow2 image (header, L1, L2, refcount structures,
//! snapshot table, compressed data): every variant must end in a clear error or a
//! successful operation, never a panic or a hang.

mod common;

use std::time::{Duration, Instant};

use common::*;
use oxemu_block::BlockBackend;
use oxemu_block::qcow2::{CreateOptions, Qcow2};

fn base_image(dir: &std::path::Path) -> Vec<u8> {
    let p = dir.join("base.qcow2");
    let o = CreateOptions {
        size: 4 << 20,
        cluster_size: 4096,
        ..Default::default()
    };
    let mut img = Qcow2::create(&p, &o).unwrap();
    img.write_at(&pattern(300_000, 1), 5000).unwrap();
    img.snapshot_create("s").unwrap();
    img.write_at(&pattern(70_000, 2), 1 << 20).unwrap();
    img.write_compressed(&vec![7u8; 4096], 2 << 20).unwrap();
    img.write_zeroes(3 << 20, 16384).unwrap();
    drop(img);
    std::fs::read(&p).unwrap()
}

#[test]
fn damaged_images_fail_cleanly() {
    let dir = tmpdir("corrupt");
    let good = base_image(&dir);
    let path = dir.join("bad.qcow2");
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut errors = 0;
    let slowest = Instant::now();
    for round in 0..400 {
        let mut img = good.clone();
        let hits = 1 + next() % 8;
        for _ in 0..hits {
            // Half the damage goes to the header cluster, the rest anywhere.
            let at = if next() % 2 == 0 {
                next() % 128
            } else {
                next() % img.len() as u64
            } as usize;
            match next() % 4 {
                0 => img[at] = next() as u8,
                1 => img[at] ^= 1 << (next() % 8),
                2 => img[at] = 0xff,
                _ => {
                    let end = (at + 8).min(img.len());
                    img[at..end].fill(0);
                }
            }
        }
        if round % 50 == 49 {
            img.truncate((next() % img.len() as u64) as usize);
        }
        std::fs::write(&path, &img).unwrap();
        let t = Instant::now();
        if Qcow2::open(&path, true).is_err() {
            errors += 1;
        }
        oxemu_block::testing::exercise_qcow2(&path);
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "round {round} took {:?}",
            t.elapsed()
        );
    }
    eprintln!(
        "400 damaged images: {errors} refused at open, none panicked ({:?})",
        slowest.elapsed()
    );
}

#[test]
fn errors_name_the_file_and_problem() {
    let dir = tmpdir("corrupt-msg");
    let good = base_image(&dir);
    let path = dir.join("named.qcow2");
    // Unknown incompatible feature bit 17.
    let mut img = good.clone();
    img[72 + 5] |= 0x02;
    std::fs::write(&path, &img).unwrap();
    let e = Qcow2::open(&path, true).err().unwrap().to_string();
    assert!(e.contains("named.qcow2") && e.contains("bit 17"), "{e}");
    // L1 table pointing past the end of the file.
    let mut img = good.clone();
    img[40..48].copy_from_slice(&(1u64 << 40).to_be_bytes());
    std::fs::write(&path, &img).unwrap();
    let e = Qcow2::open(&path, true).err().unwrap().to_string();
    assert!(e.contains("named.qcow2") && e.contains("L1 table"), "{e}");
    // Cluster size out of range.
    let mut img = good;
    img[20..24].copy_from_slice(&30u32.to_be_bytes());
    std::fs::write(&path, &img).unwrap();
    let e = Qcow2::open(&path, true).err().unwrap().to_string();
    assert!(
        e.contains("named.qcow2") && e.contains("cluster size"),
        "{e}"
    );
}
