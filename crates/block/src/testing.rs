//! Drives an untrusted image through every entry point, for the fuzz target and the
//! corrupted-image test. Errors are expected; panics, hangs and huge allocations are
//! the bugs these look for.

use std::path::Path;

use crate::BlockBackend;
use crate::qcow2::{Qcow2, Qcow2Options, Repair};

/// Most bytes read from one image, so a huge virtual size costs nothing.
const READ_BUDGET: u64 = 4 << 20;

fn read_some(img: &mut dyn BlockBackend) {
    let size = img.size();
    let mut buf = vec![0u8; 256 << 10];
    let step = (size / 16).max(buf.len() as u64);
    let mut done = 0;
    let mut off = 0;
    while off < size && done < READ_BUDGET {
        let n = (size - off).min(buf.len() as u64) as usize;
        let _ = img.read_at(&mut buf[..n], off);
        let _ = img.block_status(off, n as u64);
        done += n as u64;
        off = off.saturating_add(step);
    }
}

/// Opens `path` read-only (no backing files: their names are untrusted too), reads,
/// checks; then read-write: writes, discards, snapshots, repairs. `path` is modified.
pub fn exercise_qcow2(path: &Path) {
    let ro = Qcow2Options {
        read_only: true,
        no_backing: true,
    };
    if let Ok(mut img) = Qcow2::open_with(path, ro) {
        read_some(&mut img);
        let _ = img.check(Repair::None);
        let _ = img.snapshots();
    }
    let rw = Qcow2Options {
        read_only: false,
        no_backing: true,
    };
    if let Ok(mut img) = Qcow2::open_with(path, rw) {
        let size = img.size();
        let cs = img.cluster_size();
        let data = vec![0x5au8; (cs as usize * 2 + 100).min(1 << 20)];
        for off in [0, size / 3, size.saturating_sub(data.len() as u64)] {
            if off + data.len() as u64 <= size {
                let _ = img.write_at(&data, off);
            }
        }
        if size >= cs {
            let _ = img.write_compressed(&data[..cs as usize], 0);
            let _ = img.discard(0, cs);
            let _ = img.write_zeroes(0, size.min(4 * cs));
        }
        let _ = img.snapshot_create("fuzz");
        let _ = img.snapshot_apply("fuzz");
        let _ = img.snapshot_delete("fuzz");
        let _ = img.check(Repair::All);
        read_some(&mut img);
        let _ = img.flush();
    }
}
