//! Arbitrary bytes as a qcow2 image: open, read, check, write, snapshot and repair
//! without panics, hangs or unbounded allocation (errors are fine).
//!
//! Seed corpus: any qcow2 images, e.g. `qemu-img create -f qcow2 corpus/qcow2/a 1M`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("oxemu-fuzz-qcow2-{}", std::process::id()));
    if std::fs::write(&path, data).is_ok() {
        oxemu_block::testing::exercise_qcow2(&path);
    }
});
