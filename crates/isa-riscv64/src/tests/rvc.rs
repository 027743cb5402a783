//! Compressed instructions: each one decodes, and runs, like its 32-bit expansion.

use oxemu_dbt_ir::interp::Outcome;

use super::harness::{CODE, DATA, Machine};
use crate::decode::{Insn, decode16, decode32};
use crate::{f, x};

/// (compressed, 32-bit equivalent) pairs assembled by the GNU assembler.
const PAIRS: [(u16, u32); 40] = [
    (0x1fe8, 0x3fc10513), // c.addi4spn a0, sp, 1020
    (0x5e6c, 0x07c62583), // c.lw a1, 124(a2)
    (0x7f74, 0x0f873683), // c.ld a3, 248(a4)
    (0xc22c, 0x04b62023), // c.sw a1, 64(a2)
    (0xe354, 0x08d73023), // c.sd a3, 128(a4)
    (0x1481, 0xfe048493), // c.addi s1, -32
    (0x27fd, 0x01f7879b), // c.addiw a5, 31
    (0x553d, 0xfef00513), // c.li a0, -17
    (0x7101, 0xe0010113), // c.addi16sp sp, -512
    (0x617d, 0x1f010113), // c.addi16sp sp, 496
    (0x7601, 0xfffe0637), // c.lui a2, 0xfffe0
    (0x637d, 0x0001f337), // c.lui t1, 0x1f
    (0x907d, 0x03f45413), // c.srli s0, 63
    (0x8685, 0x4016d693), // c.srai a3, 1
    (0x9b7d, 0xfff77713), // c.andi a4, -1
    (0x8c05, 0x40940433), // c.sub s0, s1
    (0x8d2d, 0x00b54533), // c.xor a0, a1
    (0x8e55, 0x00d66633), // c.or a2, a3
    (0x8f7d, 0x00f77733), // c.and a4, a5
    (0x9c1d, 0x40f4043b), // c.subw s0, a5
    (0x9d25, 0x0095053b), // c.addw a0, s1
    (0x12fe, 0x03f29293), // c.slli t0, 63
    (0x53fe, 0x0fc12383), // c.lwsp t2, 252(sp)
    (0x797e, 0x1f813903), // c.ldsp s2, 504(sp)
    (0xdf9e, 0x0e712e23), // c.swsp t2, 252(sp)
    (0xffce, 0x1f313c23), // c.sdsp s3, 504(sp)
    (0x8e76, 0x01d00e33), // c.mv t3, t4
    (0x9f7e, 0x01ff0f33), // c.add t5, t6
    (0x3f68, 0x0f873507), // c.fld fa0, 248(a4)
    (0xa60c, 0x00b63427), // c.fsd fa1, 8(a2)
    (0x347e, 0x1f813407), // c.fldsp fs0, 504(sp)
    (0xa826, 0x00913827), // c.fsdsp fs1, 16(sp)
    (0xaffd, 0x7fe0006f), // c.j .+2046
    (0xb001, 0x801ff06f), // c.j .-2048
    (0xcd7d, 0x0e050f63), // c.beqz a0, .+254
    (0xf081, 0xf00490e3), // c.bnez s1, .-256
    (0x8082, 0x00008067), // c.jr ra
    (0x9282, 0x000280e7), // c.jalr t0
    (0x9002, 0x00100073), // c.ebreak
    (0x0001, 0x00000013), // c.nop
];

fn same_but_len(c: Insn, w: Insn) -> bool {
    Insn { len: 4, ..c } == w
}

#[test]
fn compressed_decodes_like_its_expansion() {
    for (c, w) in PAIRS {
        let dc = decode16(c).unwrap_or_else(|| panic!("{c:#06x} decodes"));
        let dw = decode32(w).unwrap_or_else(|| panic!("{w:#010x} decodes"));
        assert!(same_but_len(dc, dw), "{c:#06x}: {dc:?} vs {dw:?}");
        assert_eq!(dc.len, 2);
    }
}

fn seeded_machine(seed: u64) -> Machine {
    let mut m = Machine::new();
    let mut state = seed;
    for r in 1..32 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // Keep registers pointing into the data area so loads and stores succeed.
        let v = DATA + 0x800 + (state >> 40) % 0x400 * 8;
        m.cpu.set(x(r), if r % 5 == 0 { state } else { v });
        m.cpu.set(f(r), state.rotate_left(17));
    }
    m
}

fn run_one(m: &mut Machine) -> Outcome {
    m.run_with(&crate::TranslateOptions {
        max_insns: 1,
        one_insn_per_block: true,
    })
}

#[test]
fn compressed_runs_like_its_expansion() {
    for (c, w) in PAIRS {
        for seed in 0..4 {
            let mut mc = seeded_machine(seed).code16(&[c]);
            let mut mw = seeded_machine(seed).code(&[w]);
            let oc = run_one(&mut mc);
            let ow = run_one(&mut mw);
            // Link registers and fall-through pcs differ by the length; compare the rest.
            let normalize = |o: Outcome, m: &Machine| match o {
                Outcome::Jump(pc) if pc == m.end => Outcome::Jump(0),
                o => o,
            };
            assert_eq!(normalize(oc, &mc), normalize(ow, &mw), "{c:#06x}");
            for r in 0..32 {
                let (vc, vw) = (mc.x(r), mw.x(r));
                if vc != vw {
                    assert!(
                        vc == CODE + 2 && vw == CODE + 4,
                        "{c:#06x}: x{r} {vc:#x} {vw:#x}"
                    );
                }
            }
            assert_eq!(mc.cpu.regs[32..], mw.cpu.regs[32..], "{c:#06x}");
            assert_eq!(mc.mem.bytes[DATA as usize..], mw.mem.bytes[DATA as usize..]);
        }
    }
}

#[test]
fn reserved_compressed_encodings_are_illegal() {
    for p in [
        0x0000, // all zeros
        0x0004, // c.addi4spn with zero immediate
        0x2001, // c.addiw with rd = 0
        0x6101, // c.addi16sp with zero immediate
        0x6501, // c.lui with zero immediate
        0x4002, // c.lwsp with rd = 0
        0x6002, // c.ldsp with rd = 0
        0x8002, // c.jr with rs1 = 0
        0x8000, // quadrant 0 funct3 4
        0x9c41, // c.subw-space reserved (funct 10)
        0x9c61, // c.subw-space reserved (funct 11)
    ] {
        assert_eq!(decode16(p), None, "{p:#06x}");
    }
}
