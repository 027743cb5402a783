//! Unit tests of the qcow2 driver against itself; tests against qemu-img live in
//! tests/interop.rs.

use super::*;

pub(crate) fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("oxemu-qcow2-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2654435761) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[test]
fn write_read_every_cluster_size_and_width() {
    let d = tmpdir("rw");
    for (cb, order) in [(9, 4), (12, 0), (16, 4), (16, 6), (21, 3), (10, 2)] {
        let path = d.join(format!("t{cb}-{order}.qcow2"));
        let size = 8 << 20;
        let o = CreateOptions {
            size,
            cluster_size: 1 << cb,
            refcount_bits: 1 << order,
            ..Default::default()
        };
        let mut img = Qcow2::create(&path, &o).unwrap();
        let mut shadow = vec![0u8; size as usize];
        for (i, (off, len)) in [
            (0u64, 100usize),
            (4000, 70000),
            (1 << 20, 3 << 20),
            (size - 5, 5),
            (777, 1),
        ]
        .into_iter()
        .enumerate()
        {
            let p = pattern(len, i as u32 + cb);
            img.write_at(&p, off).unwrap();
            shadow[off as usize..off as usize + len].copy_from_slice(&p);
        }
        img.write_zeroes(1 << 20, 1 << 20).unwrap();
        shadow[1 << 20..2 << 20].fill(0);
        img.discard(3 << 20, 1 << 19).unwrap();
        if cb <= 19 {
            // Discard frees whole clusters only; partial ones keep their data.
            shadow[3 << 20..(3 << 20) + (1 << 19)].fill(0);
        }
        img.flush().unwrap();
        drop(img);
        let mut img = Qcow2::open(&path, false).unwrap();
        let mut back = vec![0u8; size as usize];
        img.read_at(&mut back, 0).unwrap();
        assert!(back == shadow, "cluster bits {cb}, refcount order {order}");
        let r = img.check(Repair::None).unwrap();
        assert_eq!(
            (r.corruptions, r.leaks),
            (0, 0),
            "cb {cb} order {order}: {:?}",
            r.messages
        );
    }
}

#[test]
fn refcount_table_grows() {
    // 512-byte clusters with 64-bit refcounts: one block covers 32 KiB, one table
    // cluster 2 MiB, so 6 MiB of data needs the table to grow twice.
    let d = tmpdir("grow");
    let path = d.join("g.qcow2");
    let o = CreateOptions {
        size: 8 << 20,
        cluster_size: 512,
        refcount_bits: 64,
        ..Default::default()
    };
    let mut img = Qcow2::create(&path, &o).unwrap();
    let p = pattern(6 << 20, 9);
    img.write_at(&p, 1 << 20).unwrap();
    let mut back = vec![0u8; p.len()];
    img.read_at(&mut back, 1 << 20).unwrap();
    assert!(back == p);
    let r = img.check(Repair::None).unwrap();
    assert_eq!(
        (r.corruptions, r.leaks),
        (0, 0),
        "{:?}",
        &r.messages[..r.messages.len().min(5)]
    );
}

#[test]
fn snapshots_create_apply_delete() {
    let d = tmpdir("snap");
    let path = d.join("s.qcow2");
    let o = CreateOptions {
        size: 4 << 20,
        ..Default::default()
    };
    let mut img = Qcow2::create(&path, &o).unwrap();
    let a = pattern(3 << 20, 1);
    img.write_at(&a, 0).unwrap();
    img.snapshot_create("one").unwrap();
    let b = pattern(1 << 20, 2);
    img.write_at(&b, 1 << 20).unwrap();
    img.snapshot_create("two").unwrap();
    let r = img.check(Repair::None).unwrap();
    assert_eq!((r.corruptions, r.leaks), (0, 0), "{:?}", r.messages);
    img.snapshot_apply("one").unwrap();
    let mut back = vec![0u8; a.len()];
    img.read_at(&mut back, 0).unwrap();
    assert!(back == a);
    img.snapshot_delete("1").unwrap();
    img.snapshot_apply("two").unwrap();
    img.read_at(&mut back[..1 << 20], 1 << 20).unwrap();
    assert!(back[..1 << 20] == b[..]);
    img.snapshot_delete("two").unwrap();
    assert!(img.snapshots().is_empty());
    let r = img.check(Repair::None).unwrap();
    assert_eq!((r.corruptions, r.leaks), (0, 0), "{:?}", r.messages);
}

#[test]
fn backing_chain_and_compression() {
    let d = tmpdir("chain");
    let base = d.join("base.raw");
    std::fs::write(&base, pattern(2 << 20, 5)).unwrap();
    let mid = d.join("mid.qcow2");
    let o = CreateOptions {
        size: 2 << 20,
        backing_file: Some("base.raw".into()),
        backing_format: Some("raw".into()),
        compression: Compression::Zstd,
        ..Default::default()
    };
    drop(Qcow2::create(&mid, &o).unwrap());
    let mut img = Qcow2::open(&mid, false).unwrap();
    let text = vec![b'x'; 65536];
    img.write_compressed(&text, 65536).unwrap();
    img.write_at(b"hello", 200_000).unwrap();
    img.write_zeroes(0, 65536).unwrap();
    let mut expect = pattern(2 << 20, 5);
    expect[..65536].fill(0);
    expect[65536..131072].copy_from_slice(&text);
    expect[200_000..200_005].copy_from_slice(b"hello");
    let mut back = vec![0u8; 2 << 20];
    img.read_at(&mut back, 0).unwrap();
    assert!(back == expect);
    let st = img.block_status(65536, 65536).unwrap();
    assert!(st.data && st.depth == 0);
    let st = img.block_status(1 << 20, 4096).unwrap();
    assert_eq!(st.depth, 1);
    let r = img.check(Repair::None).unwrap();
    assert_eq!(
        (r.corruptions, r.leaks, r.compressed_clusters),
        (0, 0, 1),
        "{:?}",
        r.messages
    );
}

#[test]
fn leaks_are_repaired_and_corrupt_bit_refuses_writes() {
    let d = tmpdir("leak");
    let path = d.join("l.qcow2");
    let mut img = Qcow2::create(
        &path,
        &CreateOptions {
            size: 1 << 20,
            ..Default::default()
        },
    )
    .unwrap();
    img.write_at(&[1; 4096], 0).unwrap();
    let (c, _) = img.refs.alloc(&img.file, 3).unwrap();
    assert!(c > 0);
    let r = img.check(Repair::None).unwrap();
    assert_eq!((r.corruptions, r.leaks), (0, 3));
    let r = img.check(Repair::Leaks).unwrap();
    assert_eq!((r.leaks, r.leaks_fixed), (0, 3));
    assert_eq!(img.check(Repair::None).unwrap().leaks, 0);
    let e = img.mark_corrupt("test".into());
    assert!(e.to_string().contains("l.qcow2"));
    drop(img);
    let err = Qcow2::open(&path, false).err().unwrap().to_string();
    assert!(err.contains("corrupt"), "{err}");
    assert!(Qcow2::open(&path, true).is_ok());
}

#[test]
fn lazy_refcounts_dirty_image_is_rebuilt() {
    let d = tmpdir("lazy");
    let path = d.join("z.qcow2");
    let o = CreateOptions {
        size: 4 << 20,
        lazy_refcounts: true,
        ..Default::default()
    };
    let mut img = Qcow2::create(&path, &o).unwrap();
    img.write_at(&pattern(1 << 20, 3), 0).unwrap();
    assert_ne!(img.h.incompatible & INCOMPAT_DIRTY, 0);
    // Simulate a crash: the refcount blocks were never written back.
    std::mem::forget(img);
    let mut ro = Qcow2::open(&path, true).unwrap();
    let r = ro.check(Repair::None).unwrap();
    eprintln!(
        "before: {:?} {:?}",
        (r.corruptions, r.leaks),
        &r.messages[..r.messages.len().min(4)]
    );
    drop(ro);
    let mut img = Qcow2::open(&path, false).unwrap();
    eprintln!(
        "reftable {:#x} {:?}",
        img.refs.table_offset,
        &img.refs.table[..4]
    );
    assert_eq!(img.h.incompatible & INCOMPAT_DIRTY, 0);
    let r = img.check(Repair::None).unwrap();
    assert_eq!((r.corruptions, r.leaks), (0, 0), "{:?}", r.messages);
    let mut back = vec![0u8; 1 << 20];
    img.read_at(&mut back, 0).unwrap();
    assert!(back == pattern(1 << 20, 3));
}
