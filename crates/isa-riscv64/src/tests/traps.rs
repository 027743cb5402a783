//! Block ends: system instructions, illegal encodings, fetch faults, block limits.

use oxemu_dbt_ir::interp::Outcome;
use oxemu_dbt_ir::{Exit, TrapKind};

use super::enc::*;
use super::harness::{CODE, Machine};
use crate::{TranslateOptions, translate};

fn block_of(words: &[u32], opts: &TranslateOptions) -> oxemu_dbt_ir::Block {
    let m = Machine::new().code(words);
    let end = m.end;
    translate(
        CODE,
        &mut |a| if a < end { m.mem.parcel(a) } else { None },
        opts,
    )
}

#[test]
fn system_instructions_trap_at_their_pc() {
    let cases = [
        (0x0000_0073, TrapKind::Syscall),
        (0x0010_0073, TrapKind::Breakpoint),
        (0x0000_100f, TrapKind::FlushCode),
    ];
    for (word, kind) in cases {
        let mut m = Machine::new().code(&[addi(5, 0, 3), word, addi(6, 0, 1)]);
        assert_eq!(m.run(), Outcome::Trap(kind, CODE + 4));
        assert_eq!((m.x(5), m.x(6)), (3, 0));
    }
    let mut m = Machine::new().code(&[addi(5, 0, 3)]).code16(&[0x9002]);
    assert_eq!(m.run(), Outcome::Trap(TrapKind::Breakpoint, CODE + 4));
}

#[test]
fn fence_is_a_barrier_not_a_block_end() {
    let block = block_of(&[0x0ff0_000f, addi(5, 0, 1)], &TranslateOptions::default());
    assert_eq!(block.guest_insns, 2);
}

#[test]
fn illegal_encodings_end_the_block_before_them() {
    for word in [
        0xffff_ffffu32,
        0x0000_0000,
        0x0000_7003,               // load funct3 7
        0x0000_4023,               // store funct3 4
        0x0000_2063,               // branch funct3 2
        0x0000_1067,               // jalr funct3 1
        0x0000_2073 | 0x3000_0000, // csrrs from an unknown CSR
        0x3020_0073,               // mret: not in user mode
        r(0x7f, 0, 0, 0, 1, OP),
        i(0x400 | 3, 5, 1, 6, OPIMM), // slli with a reserved funct6
        i(0x20, 5, 1, 6, OPIMM32),    // slliw with shamt[5] set
        amo(0x02, 0, 3, 5, 2, 6),     // lr.w with rs2 != 0
        amo(0x01, 0, 3, 5, 4, 6),     // amo funct3 4
    ] {
        let block = block_of(&[addi(5, 0, 1), word], &TranslateOptions::default());
        assert_eq!(
            block.exit,
            Exit::Trap(TrapKind::Illegal, CODE + 4),
            "{word:#x}"
        );
        assert_eq!(block.guest_insns, 1, "{word:#x}");
        let len = if word & 3 == 3 { 8 } else { 6 };
        assert_eq!(block.guest_len, len, "{word:#x}");
    }
}

#[test]
fn fetch_faults_and_page_ends() {
    let opts = TranslateOptions::default();
    // Nothing fetchable: a fetch fault at the block's pc.
    let block = translate(0x5000, &mut |_| None, &opts);
    assert_eq!(block.exit, Exit::Trap(TrapKind::FetchFault, 0x5000));
    assert_eq!(block.guest_insns, 0);
    // A 32-bit instruction whose second half is unfetchable.
    let block = translate(0x5000, &mut |a| (a == 0x5000).then_some(0x0513), &opts);
    assert_eq!(block.exit, Exit::Trap(TrapKind::FetchFault, 0x5000));
    // Running into unfetchable code ends the block before it.
    let block = block_of(&[addi(5, 0, 1), addi(6, 0, 2)], &opts);
    assert_eq!(block.exit, Exit::Chain(CODE + 8));
    assert_eq!((block.guest_insns, block.guest_len), (2, 8));
}

#[test]
fn block_length_limits() {
    let words = [addi(5, 5, 1); 10];
    let block = block_of(
        &words,
        &TranslateOptions {
            max_insns: 4,
            one_insn_per_block: false,
        },
    );
    assert_eq!(block.exit, Exit::Chain(CODE + 16));
    assert_eq!(block.guest_insns, 4);
    let block = block_of(
        &words,
        &TranslateOptions {
            max_insns: 128,
            one_insn_per_block: true,
        },
    );
    assert_eq!(block.guest_insns, 1);
    let block = block_of(
        &words,
        &TranslateOptions {
            max_insns: 0,
            one_insn_per_block: false,
        },
    );
    assert_eq!(block.guest_insns, 1, "at least one instruction per block");
}
