//! Helpers shared by the integration tests: finding qemu-img / qemu-io, temporary
//! directories, deterministic data.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A QEMU tool from `$PATH` (or `$QEMU_IMG` / `$QEMU_IO`), or `None` with a printed
/// reason so the calling test can skip.
pub fn qemu_tool(name: &str) -> Option<PathBuf> {
    let var = name.to_uppercase().replace('-', "_");
    if let Some(p) = std::env::var_os(&var) {
        return Some(PathBuf::from(p));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        eprintln!("skipping: {name} is not installed (Debian: apt-get install qemu-utils)");
    }
    found
}

/// Runs a command, panicking with its output when it fails.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh directory for one test.
pub fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("oxemu-it-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Deterministic pseudo-random bytes.
pub fn pattern(len: usize, seed: u32) -> Vec<u8> {
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

/// The whole disk as `qemu-img convert -O raw` sees it.
pub fn qemu_raw(qemu_img: &Path, image: &Path, dir: &Path) -> Vec<u8> {
    let out = dir.join("qemu-view.raw");
    run(Command::new(qemu_img)
        .args(["convert", "-O", "raw"])
        .arg(image)
        .arg(&out));
    let v = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    v
}

/// The whole disk as oxemu reads it.
pub fn oxemu_raw(image: &Path) -> Vec<u8> {
    let mut img = oxemu_block::open_image(image, None, true).unwrap();
    let mut v = vec![0u8; img.size() as usize];
    img.read_at(&mut v, 0).unwrap();
    v
}

/// `qemu-img check` exit code and output.
pub fn qemu_check(qemu_img: &Path, image: &Path) -> (i32, String) {
    let out = Command::new(qemu_img)
        .arg("check")
        .arg(image)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}
