//! Zba, Zbb and Zbs against plain Rust oracles.

use super::enc::*;
use super::harness::{Machine, done};

const VALUES: [u64; 8] = [
    0,
    1,
    0xffff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    0x0000_0000_8000_0000,
    0x1234_5678_9abc_def0,
    0x00ff_0000_0100_0080,
    0xffff_ffff_0000_0021,
];

fn sext32(v: u64) -> u64 {
    v as u32 as i32 as i64 as u64
}

fn run(word: u32, a: u64, b: u64) -> u64 {
    let mut m = Machine::new().code(&[word]);
    m.set_x(5, a).set_x(6, b);
    assert_eq!(m.run(), done(&m));
    m.x(7)
}

type Oracle = fn(u64, u64) -> u64;

#[test]
fn register_forms() {
    let ops: Vec<(&str, u32, u32, u32, Oracle)> = vec![
        ("add.uw", 0x04, 0, OP32, |a, b| {
            (a & 0xffff_ffff).wrapping_add(b)
        }),
        ("sh1add", 0x10, 2, OP, |a, b| (a << 1).wrapping_add(b)),
        ("sh2add", 0x10, 4, OP, |a, b| (a << 2).wrapping_add(b)),
        ("sh3add", 0x10, 6, OP, |a, b| (a << 3).wrapping_add(b)),
        ("sh1add.uw", 0x10, 2, OP32, |a, b| {
            ((a & 0xffff_ffff) << 1).wrapping_add(b)
        }),
        ("sh2add.uw", 0x10, 4, OP32, |a, b| {
            ((a & 0xffff_ffff) << 2).wrapping_add(b)
        }),
        ("sh3add.uw", 0x10, 6, OP32, |a, b| {
            ((a & 0xffff_ffff) << 3).wrapping_add(b)
        }),
        ("andn", 0x20, 7, OP, |a, b| a & !b),
        ("orn", 0x20, 6, OP, |a, b| a | !b),
        ("xnor", 0x20, 4, OP, |a, b| !(a ^ b)),
        ("max", 0x05, 6, OP, |a, b| (a as i64).max(b as i64) as u64),
        ("maxu", 0x05, 7, OP, |a, b| a.max(b)),
        ("min", 0x05, 4, OP, |a, b| (a as i64).min(b as i64) as u64),
        ("minu", 0x05, 5, OP, |a, b| a.min(b)),
        ("rol", 0x30, 1, OP, |a, b| a.rotate_left((b & 63) as u32)),
        ("ror", 0x30, 5, OP, |a, b| a.rotate_right((b & 63) as u32)),
        ("rolw", 0x30, 1, OP32, |a, b| {
            sext32(u64::from((a as u32).rotate_left((b & 31) as u32)))
        }),
        ("rorw", 0x30, 5, OP32, |a, b| {
            sext32(u64::from((a as u32).rotate_right((b & 31) as u32)))
        }),
        ("bclr", 0x24, 1, OP, |a, b| a & !(1 << (b & 63))),
        ("bext", 0x24, 5, OP, |a, b| (a >> (b & 63)) & 1),
        ("binv", 0x34, 1, OP, |a, b| a ^ (1 << (b & 63))),
        ("bset", 0x14, 1, OP, |a, b| a | (1 << (b & 63))),
    ];
    for (name, f7, f3, opc, oracle) in ops {
        for &a in &VALUES {
            for &b in &VALUES {
                let word = r(f7, 6, 5, f3, 7, opc);
                assert_eq!(run(word, a, b), oracle(a, b), "{name} {a:#x}, {b:#x}");
            }
        }
    }
}

#[test]
fn unary_forms() {
    // (imm12 or funct7/rs2 pattern, funct3, opcode, oracle)
    let ops: Vec<(&str, u32, Oracle)> = vec![
        ("clz", i(0x600, 5, 1, 7, OPIMM), |a, _| {
            u64::from(a.leading_zeros())
        }),
        ("ctz", i(0x601, 5, 1, 7, OPIMM), |a, _| {
            u64::from(a.trailing_zeros())
        }),
        ("cpop", i(0x602, 5, 1, 7, OPIMM), |a, _| {
            u64::from(a.count_ones())
        }),
        ("clzw", i(0x600, 5, 1, 7, OPIMM32), |a, _| {
            u64::from((a as u32).leading_zeros())
        }),
        ("ctzw", i(0x601, 5, 1, 7, OPIMM32), |a, _| {
            u64::from((a as u32).trailing_zeros())
        }),
        ("cpopw", i(0x602, 5, 1, 7, OPIMM32), |a, _| {
            u64::from((a as u32).count_ones())
        }),
        ("sext.b", i(0x604, 5, 1, 7, OPIMM), |a, _| {
            a as i8 as i64 as u64
        }),
        ("sext.h", i(0x605, 5, 1, 7, OPIMM), |a, _| {
            a as i16 as i64 as u64
        }),
        ("zext.h", r(0x04, 0, 5, 4, 7, OP32), |a, _| a & 0xffff),
        ("orc.b", i(0x287, 5, 5, 7, OPIMM), |a, _| {
            (0..8).fold(0, |acc, k| {
                if a >> (8 * k) & 0xff != 0 {
                    acc | 0xff << (8 * k)
                } else {
                    acc
                }
            })
        }),
        ("rev8", i(0x6b8, 5, 5, 7, OPIMM), |a, _| a.swap_bytes()),
    ];
    for (name, word, oracle) in ops {
        for &a in &VALUES {
            assert_eq!(run(word, a, 0), oracle(a, 0), "{name} {a:#x}");
        }
    }
}

#[test]
fn immediate_forms() {
    for sh in [0u32, 1, 31, 32, 63] {
        for &a in &VALUES {
            let imm = |f6: u32| (f6 << 6 | sh) as i32;
            let ops: [(&str, u32, u64); 6] = [
                ("rori", i(imm(0x18), 5, 5, 7, OPIMM), a.rotate_right(sh)),
                ("bclri", i(imm(0x12), 5, 1, 7, OPIMM), a & !(1 << sh)),
                ("bexti", i(imm(0x12), 5, 5, 7, OPIMM), a >> sh & 1),
                ("binvi", i(imm(0x1a), 5, 1, 7, OPIMM), a ^ 1 << sh),
                ("bseti", i(imm(0x0a), 5, 1, 7, OPIMM), a | 1 << sh),
                (
                    "slli.uw",
                    i(imm(0x02), 5, 1, 7, OPIMM32),
                    (a & 0xffff_ffff) << sh,
                ),
            ];
            for (name, word, expected) in ops {
                assert_eq!(run(word, a, 0), expected, "{name} {a:#x} {sh}");
            }
            if sh < 32 {
                let roriw = i((0x30 << 5 | sh) as i32, 5, 5, 7, OPIMM32);
                let expected = sext32(u64::from((a as u32).rotate_right(sh)));
                assert_eq!(run(roriw, a, 0), expected, "roriw {a:#x} {sh}");
            }
        }
    }
}
