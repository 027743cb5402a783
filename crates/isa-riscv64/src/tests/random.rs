//! Hostile instruction streams: random parcels always translate to verified blocks.

use oxemu_dbt_ir::interp::Outcome;
use oxemu_dbt_ir::verify;

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
                let w = (v >> 8) as u32 | 3;
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
    }
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
