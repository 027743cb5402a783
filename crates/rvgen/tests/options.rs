//! Options change which encodings appear in the program text.

use oxemu_rvgen::{GenOptions, generate};

/// 32-bit and 16-bit instruction words of the R+X segment's code.
fn instructions(elf: &[u8]) -> Vec<u32> {
    let text_size = u64::from_le_bytes(elf[64 + 32..64 + 40].try_into().unwrap()) as usize;
    let mut out = Vec::new();
    let mut at = 64 + 2 * 56;
    while at < text_size {
        let half = u32::from(u16::from_le_bytes([elf[at], elf[at + 1]]));
        if half & 3 == 3 {
            out.push(half | u32::from(u16::from_le_bytes([elf[at + 2], elf[at + 3]])) << 16);
            at += 4;
        } else {
            out.push(half);
            at += 2;
        }
    }
    out
}

fn count(opts: &GenOptions, pred: impl Fn(u32) -> bool) -> usize {
    (0..20)
        .map(|seed| {
            instructions(&generate(seed, 2000, opts))
                .into_iter()
                .filter(|&w| pred(w))
                .count()
        })
        .sum()
}

fn is_ctzw(w: u32) -> bool {
    w & 0xfff0_707f == 0x6010_101b
}
fn is_compressed(w: u32) -> bool {
    w & 3 != 3
}
fn is_fp(w: u32) -> bool {
    matches!(w & 0x7f, 0x07 | 0x27 | 0x43 | 0x47 | 0x4b | 0x4f | 0x53)
}
fn is_amo(w: u32) -> bool {
    w & 0x7f == 0x2f
}
fn is_system(w: u32) -> bool {
    w & 0x7f == 0x73
}

#[test]
fn default_options_use_every_group() {
    let opts = GenOptions::default();
    assert!(count(&opts, is_ctzw) > 0);
    assert!(count(&opts, is_compressed) > 1000);
    assert!(count(&opts, is_fp) > 1000);
    assert!(count(&opts, is_amo) > 100);
}

#[test]
fn disabled_groups_do_not_appear() {
    let off = GenOptions {
        ctzw: false,
        compressed: false,
        fp: false,
        atomics: false,
        ..GenOptions::default()
    };
    assert_eq!(count(&off, is_ctzw), 0);
    assert_eq!(count(&off, is_compressed), 0);
    // the prologue loads and the epilogue stores f registers
    assert_eq!(count(&off, is_fp), 20 * 64);
    assert_eq!(count(&off, is_amo), 0);
}

#[test]
fn only_the_epilogue_makes_system_calls() {
    // csr accesses share the SYSTEM opcode: count ecall exactly
    let ecalls = count(&GenOptions::default(), |w| w == 0x73);
    assert_eq!(ecalls, 20 * 2);
    assert!(count(&GenOptions::default(), is_system) > ecalls);
}
