//! Truncated and randomly damaged ELF files must give errors, never panics.

mod common;

use std::ffi::OsString;

use oxemu_linux_user::{GuestSpace, LoadOptions, elf, load_program_bytes};

/// Small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn opts(name: &str) -> LoadOptions {
    LoadOptions::new(name, vec![OsString::from(name)], vec![])
}

fn smallest_binary() -> Option<Vec<u8>> {
    let bins = common::static_binaries()?;
    let best = bins
        .iter()
        .min_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(u64::MAX))?;
    std::fs::read(best).ok()
}

#[test]
fn every_truncation_is_rejected_by_the_parser() {
    let Some(data) = smallest_binary() else {
        return;
    };
    let img = elf::parse(&data, 1 << 39).expect("the intact file parses");
    let needed = img
        .segments
        .iter()
        .map(|s| s.offset + s.filesz)
        .max()
        .unwrap() as usize;
    for n in 0..data.len() {
        let r = elf::parse(&data[..n], 1 << 39);
        if n < needed {
            assert!(r.is_err(), "truncated to {n} bytes accepted");
        }
    }
}

#[test]
fn truncated_files_fail_to_load_cleanly() {
    let Some(data) = smallest_binary() else {
        return;
    };
    let mut n = 0;
    while n < data.len() {
        let space = GuestSpace::new(39).unwrap();
        let e = load_program_bytes(&space, &opts("trunc"), &data[..n])
            .expect_err("truncated file loads");
        assert!(e.to_string().starts_with("trunc: "), "{e}");
        n = if n < 4096 { n + 7 } else { n + 4099 };
    }
}

#[test]
fn randomly_damaged_files_never_panic() {
    let Some(data) = smallest_binary() else {
        return;
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut loaded = 0;
    for round in 0..1500 {
        let mut d = data.clone();
        let hits = 1 + rng.below(8);
        for _ in 0..hits {
            // Mostly the headers, where damage changes what the loader does.
            let at = if round % 4 == 0 {
                rng.below(d.len())
            } else {
                rng.below(1024.min(d.len()))
            };
            d[at] = rng.next() as u8;
        }
        let _ = elf::parse(&d, 1 << 39);
        let space = GuestSpace::new(39).unwrap();
        if load_program_bytes(&space, &opts("damaged"), &d).is_ok() {
            loaded += 1;
        }
    }
    eprintln!("{loaded} of 1500 damaged files still loaded");
}

#[test]
fn hostile_headers_are_rejected() {
    let Some(data) = smallest_binary() else {
        return;
    };
    let phoff = u64::from_le_bytes(data[32..40].try_into().unwrap()) as usize;
    // Damage the first PT_LOAD header.
    let phnum = u16::from_le_bytes([data[56], data[57]]) as usize;
    let phoff = (0..phnum)
        .map(|i| phoff + 56 * i)
        .find(|&o| u32::from_le_bytes(data[o..o + 4].try_into().unwrap()) == 1)
        .expect("a PT_LOAD");
    // (what, offset, bytes written there)
    let cases: Vec<(&str, usize, Vec<u8>)> = vec![
        ("huge phnum", 56, 0xffffu16.to_le_bytes().to_vec()),
        ("phoff past end", 32, u64::MAX.to_le_bytes().to_vec()),
        ("huge memsz", phoff + 40, u64::MAX.to_le_bytes().to_vec()),
        (
            "huge offset",
            phoff + 8,
            (u64::MAX - 10).to_le_bytes().to_vec(),
        ),
        (
            "vaddr at limit",
            phoff + 16,
            (1u64 << 39).to_le_bytes().to_vec(),
        ),
        ("wrong phentsize", 54, 32u16.to_le_bytes().to_vec()),
    ];
    for (what, at, bytes) in cases {
        let mut d = data.clone();
        d[at..at + bytes.len()].copy_from_slice(&bytes);
        let space = GuestSpace::new(39).unwrap();
        assert!(
            load_program_bytes(&space, &opts("x"), &d).is_err(),
            "{what} accepted"
        );
    }
}
