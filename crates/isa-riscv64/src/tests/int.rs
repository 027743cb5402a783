//! RV64I and M arithmetic against plain Rust oracles.

use super::enc::*;
use super::harness::{Machine, done};

type Oracle = fn(u64, u64) -> u64;

const VALUES: [u64; 10] = [
    0,
    1,
    7,
    0xffff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x0000_0000_8000_0000,
    0xffff_ffff_7fff_ffff,
    0x1234_5678_9abc_def0,
    0x0000_0000_0000_0041,
];

fn sext32(v: u64) -> u64 {
    v as u32 as i32 as i64 as u64
}

fn w32(f: fn(i32, i32) -> i32) -> impl Fn(u64, u64) -> u64 {
    move |a, b| f(a as i32, b as i32) as i64 as u64
}

/// (funct7, funct3, opcode, oracle) of register-register ops.
fn reg_ops() -> Vec<(&'static str, u32, u32, u32, Oracle)> {
    vec![
        ("add", 0, 0, OP, |a, b| a.wrapping_add(b)),
        ("sub", 0x20, 0, OP, |a, b| a.wrapping_sub(b)),
        ("sll", 0, 1, OP, |a, b| a << (b & 63)),
        ("slt", 0, 2, OP, |a, b| ((a as i64) < (b as i64)) as u64),
        ("sltu", 0, 3, OP, |a, b| (a < b) as u64),
        ("xor", 0, 4, OP, |a, b| a ^ b),
        ("srl", 0, 5, OP, |a, b| a >> (b & 63)),
        ("sra", 0x20, 5, OP, |a, b| ((a as i64) >> (b & 63)) as u64),
        ("or", 0, 6, OP, |a, b| a | b),
        ("and", 0, 7, OP, |a, b| a & b),
        ("mul", 1, 0, OP, |a, b| a.wrapping_mul(b)),
        ("mulh", 1, 1, OP, |a, b| {
            ((a as i64 as i128 * b as i64 as i128) >> 64) as u64
        }),
        ("mulhsu", 1, 2, OP, |a, b| {
            ((a as i64 as i128 * b as i128) >> 64) as u64
        }),
        ("mulhu", 1, 3, OP, |a, b| {
            ((a as u128 * b as u128) >> 64) as u64
        }),
        ("div", 1, 4, OP, |a, b| match (a as i64, b as i64) {
            (_, 0) => u64::MAX,
            (x, y) => x.wrapping_div(y) as u64,
        }),
        ("divu", 1, 5, OP, |a, b| {
            a.checked_div(b).unwrap_or(u64::MAX)
        }),
        ("rem", 1, 6, OP, |a, b| match (a as i64, b as i64) {
            (x, 0) => x as u64,
            (x, y) => x.wrapping_rem(y) as u64,
        }),
        ("remu", 1, 7, OP, |a, b| a.checked_rem(b).unwrap_or(a)),
        ("addw", 0, 0, OP32, |a, b| sext32(a.wrapping_add(b))),
        ("subw", 0x20, 0, OP32, |a, b| sext32(a.wrapping_sub(b))),
        ("sllw", 0, 1, OP32, |a, b| sext32(a << (b & 31))),
        ("srlw", 0, 5, OP32, |a, b| {
            sext32(u64::from(a as u32 >> (b & 31)))
        }),
        ("sraw", 0x20, 5, OP32, |a, b| {
            ((a as i32) >> (b & 31)) as i64 as u64
        }),
        ("mulw", 1, 0, OP32, |a, b| sext32(a.wrapping_mul(b))),
        ("divw", 1, 4, OP32, |a, b| {
            w32(|x, y| if y == 0 { -1 } else { x.wrapping_div(y) })(a, b)
        }),
        ("divuw", 1, 5, OP32, |a, b| {
            sext32(u64::from(
                (a as u32).checked_div(b as u32).unwrap_or(u32::MAX),
            ))
        }),
        ("remw", 1, 6, OP32, |a, b| {
            w32(|x, y| if y == 0 { x } else { x.wrapping_rem(y) })(a, b)
        }),
        ("remuw", 1, 7, OP32, |a, b| {
            sext32(u64::from(
                (a as u32).checked_rem(b as u32).unwrap_or(a as u32),
            ))
        }),
    ]
}

fn run_op(word: u32, a: u64, b: u64) -> u64 {
    let mut m = Machine::new().code(&[word]);
    m.set_x(5, a).set_x(6, b);
    assert_eq!(m.run(), done(&m));
    m.x(7)
}

#[test]
fn register_register_ops_match_oracles() {
    for (name, f7, f3, opc, oracle) in reg_ops() {
        let word = r(f7, 6, 5, f3, 7, opc);
        for &a in &VALUES {
            for &b in &VALUES {
                assert_eq!(run_op(word, a, b), oracle(a, b), "{name} {a:#x}, {b:#x}");
            }
        }
    }
}

#[test]
fn division_corner_cases() {
    let div = r(1, 6, 5, 4, 7, OP);
    let rem = r(1, 6, 5, 6, 7, OP);
    let divw = r(1, 6, 5, 4, 7, OP32);
    let remw = r(1, 6, 5, 6, 7, OP32);
    let divuw = r(1, 6, 5, 5, 7, OP32);
    let min = i64::MIN as u64;
    assert_eq!(run_op(div, 5, 0), u64::MAX);
    assert_eq!(run_op(rem, 5, 0), 5);
    assert_eq!(run_op(div, min, u64::MAX), min);
    assert_eq!(run_op(rem, min, u64::MAX), 0);
    assert_eq!(run_op(divw, 0x8000_0000, u64::MAX), 0xffff_ffff_8000_0000);
    assert_eq!(run_op(remw, 0x8000_0000, u64::MAX), 0);
    assert_eq!(run_op(divw, 0x1_0000_0007, 0), u64::MAX);
    assert_eq!(run_op(remw, 0x1_8000_0007, 0), 0xffff_ffff_8000_0007);
    assert_eq!(run_op(divuw, 0xffff_ffff, 0), u64::MAX);
    assert_eq!(run_op(divuw, 0xffff_fffe, 1), 0xffff_ffff_ffff_fffe);
}

/// (opcode, funct3, funct-bits in imm[11:5], oracle(a, imm)).
#[test]
fn immediate_ops_match_oracles() {
    let imms: [i32; 6] = [0, 1, -1, 2047, -2048, 31];
    type ImmOracle = fn(u64, i64) -> u64;
    let ops: Vec<(&str, u32, u32, ImmOracle)> = vec![
        ("addi", OPIMM, 0, |a, i| a.wrapping_add(i as u64)),
        ("slti", OPIMM, 2, |a, i| ((a as i64) < i) as u64),
        ("sltiu", OPIMM, 3, |a, i| (a < i as u64) as u64),
        ("xori", OPIMM, 4, |a, i| a ^ i as u64),
        ("ori", OPIMM, 6, |a, i| a | i as u64),
        ("andi", OPIMM, 7, |a, i| a & i as u64),
        ("addiw", OPIMM32, 0, |a, i| sext32(a.wrapping_add(i as u64))),
    ];
    for (name, opc, f3, oracle) in ops {
        for &imm in &imms {
            for &a in &VALUES {
                let word = i(imm, 5, f3, 7, opc);
                assert_eq!(
                    run_op(word, a, 0),
                    oracle(a, imm.into()),
                    "{name} {a:#x}, {imm}"
                );
            }
        }
    }
    // Shifts by immediate, including the 6-bit RV64 amounts.
    for sh in [0, 1, 31, 32, 63] {
        for &a in &VALUES {
            let slli = i(sh, 5, 1, 7, OPIMM);
            let srli = i(sh, 5, 5, 7, OPIMM);
            let srai = i(0x400 | sh, 5, 5, 7, OPIMM);
            assert_eq!(run_op(slli, a, 0), a << sh);
            assert_eq!(run_op(srli, a, 0), a >> sh);
            assert_eq!(run_op(srai, a, 0), ((a as i64) >> sh) as u64);
            if sh < 32 {
                let slliw = i(sh, 5, 1, 7, OPIMM32);
                let srliw = i(sh, 5, 5, 7, OPIMM32);
                let sraiw = i(0x400 | sh, 5, 5, 7, OPIMM32);
                assert_eq!(run_op(slliw, a, 0), sext32(a << sh));
                assert_eq!(run_op(srliw, a, 0), sext32(u64::from(a as u32 >> sh)));
                assert_eq!(run_op(sraiw, a, 0), ((a as i32) >> sh) as i64 as u64);
            }
        }
    }
}

#[test]
fn lui_auipc_and_x0() {
    let mut m = Machine::new().code(&[
        u(0xfffff000, 5, 0x37), // lui t0, 0xfffff
        u(0x00002000, 6, 0x17), // auipc t1, 2 (at CODE + 4)
        addi(0, 5, 1),          // addi x0, t0, 1: dropped
        r(0, 5, 0, 0, 7, OP),   // add t2, x0, t0: x0 reads zero
        u(0x12345000, 0, 0x37), // lui x0: dropped
    ]);
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.x(5), 0xffff_ffff_ffff_f000);
    assert_eq!(m.x(6), super::harness::CODE + 4 + 0x2000);
    assert_eq!(m.x(7), 0xffff_ffff_ffff_f000);
    assert_eq!(m.x(0), 0);
}

#[test]
fn branches_take_the_right_way() {
    // (funct3, a, b, taken)
    let cases: [(u32, u64, u64, bool); 12] = [
        (0, 3, 3, true),
        (0, 3, 4, false),
        (1, 3, 4, true),
        (1, 3, 3, false),
        (4, u64::MAX, 0, true),
        (4, 0, u64::MAX, false),
        (5, 0, u64::MAX, true),
        (5, u64::MAX, 0, false),
        (6, 0, u64::MAX, true),
        (6, u64::MAX, 0, false),
        (7, u64::MAX, 0, true),
        (7, 0, u64::MAX, false),
    ];
    for (f3, a, bv, taken) in cases {
        // branch +8 over "addi t2, x0, 1"; then "addi t3, x0, 2".
        let mut m = Machine::new().code(&[b(8, 6, 5, f3), addi(7, 0, 1), addi(28, 0, 2)]);
        m.set_x(5, a).set_x(6, bv);
        assert_eq!(m.run(), done(&m));
        assert_eq!(m.x(7), u64::from(!taken), "funct3 {f3} {a:#x} {bv:#x}");
        assert_eq!(m.x(28), 2);
    }
}

#[test]
fn jumps_link_and_jalr_reads_rs1_first() {
    use super::harness::CODE;
    let mut m = Machine::new().code(&[
        j(8, 1),        // jal ra, +8
        addi(7, 0, 1),  // skipped
        addi(5, 0, 0),  // t0 = 0
        jalr(5, 6, 3),  // jalr t0, 3(t1): target (t1 + 3) & !1
        addi(7, 0, 2),  // skipped
        addi(28, 0, 9), // landing pad
    ]);
    m.set_x(6, CODE + 20 - 3 + 1); // (CODE + 18 + 3) & !1 == CODE + 20
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.x(1), CODE + 4);
    assert_eq!(m.x(7), 0);
    assert_eq!(m.x(5), CODE + 16);
    assert_eq!(m.x(28), 9);

    // jalr ra, 0(ra): jumps to the old ra.
    let mut m = Machine::new().code(&[jalr(1, 1, 0), addi(7, 0, 1), addi(28, 0, 9)]);
    m.set_x(1, CODE + 8);
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.x(7), 0);
    assert_eq!(m.x(1), CODE + 4);
}
