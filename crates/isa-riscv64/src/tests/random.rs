//! Hostile instruction streams: random parcels always translate to verified blocks.

use oxemu_dbt_ir::interp::Outcome;
use oxemu_dbt_ir::{Exit, TrapKind, verify};

use super::harness::{CODE, FlatMem, Machine};
use crate::{GUEST_DESC, TranslateOptions, disassemble, translate};

/// xorshift64*: deterministic, good enough to spread bits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Random parcels, biased towards valid-looking 32-bit and compressed encodings.
fn random_parcels(rng: &mut Rng, n: usize) -> Vec<u16> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let v = rng.next();
        match v % 4 {
            0 => out.push(v as u16), // any parcel
            1 => out.push(((v >> 16) as u16 & !3) | ((v >> 40) as u16 % 3)),
            _ => {
                // Half of the words get a real major opcode, so they often decode.
                const MAJOR: [u32; 19] = [
                    0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37, 0x3b, 0x43,
                    0x47, 0x4b, 0x4f, 0x53, 0x63, 0x73,
                ];
                let w = (v >> 8) as u32 | 3;
                let w = if v & 1 == 0 {
                    w & !0x7f | MAJOR[(v >> 1) as usize % MAJOR.len()]
                } else {
                    w
                };
                out.push(w as u16);
                out.push((w >> 16) as u16);
            }
        }
    }
    out
}

#[test]
fn random_blocks_verify_and_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let opts = TranslateOptions {
        max_insns: 32,
        one_insn_per_block: false,
    };
    let (mut insns, mut illegal) = (0u64, 0u64);
    for _ in 0..100_000 {
        let parcels = random_parcels(&mut rng, 8);
        let len = parcels.len() as u64;
        let block = translate(
            CODE,
            &mut |a| {
                let k = a.wrapping_sub(CODE) / 2;
                (a >= CODE && k < len).then(|| parcels[k as usize])
            },
            &opts,
        );
        if let Err(e) = verify(&block, &GUEST_DESC) {
            panic!("{parcels:04x?}: {e}");
        }
        assert!(block.guest_len <= 2 * len + 4);
        insns += u64::from(block.guest_insns);
        illegal += u64::from(matches!(block.exit, Exit::Trap(TrapKind::Illegal, _)));
    }
    // The streams exercise real translation, not just the illegal path.
    assert!(insns > 100_000, "{insns} instructions translated");
    assert!(
        illegal > 10_000 && illegal < 95_000,
        "{illegal} illegal exits"
    );
}

#[test]
fn random_blocks_run_in_the_interpreter() {
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let parcels = random_parcels(&mut rng, 16);
        let mut m = Machine::new();
        m = m.code16(&parcels);
        for r in 1..32 {
            let v = rng.next();
            m.set_x(r, if v & 1 == 0 { v } else { 0x8000 + (v >> 48) });
        }
        let end = m.end;
        let mem: &FlatMem = &m.mem;
        let block = translate(
            CODE,
            &mut |a| if a < end { mem.parcel(a) } else { None },
            &TranslateOptions::default(),
        );
        let mut vals = Vec::new();
        let outcome =
            oxemu_dbt_ir::interp::run(&block, &GUEST_DESC, &mut m.cpu, &mut m.mem, &mut vals);
        if let Outcome::Trap(_, pc) | Outcome::Fault { pc, .. } = outcome {
            assert!(pc >= CODE && pc < end + 4);
        }
        assert_eq!(m.x(0), 0, "x0 stays zero");
    }
}

#[test]
fn disassembler_never_panics() {
    let mut rng = Rng(7);
    for _ in 0..100_000 {
        let v = rng.next();
        let _ = disassemble(v as u32, 4);
        let _ = disassemble((v >> 32) as u32 & 0xffff, 2);
    }
}
