//! Random bytes as code through the whole translation pipeline (the fuzz target's
//! checks, deterministic): decode, translate, verify, optimize, verify, compile.

use oxemu_dbt_ir::testgen::Rng;
use oxemu_isa_riscv64::{GUEST_DESC, TranslateOptions, translate};

#[test]
fn random_bytes_translate_and_compile() {
    let mut rng = Rng::new(42);
    for _ in 0..3000 {
        let len = 2 + rng.below(600) as usize;
        let data: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let base = 0x1_0000u64;
        let mut fetch = |a: u64| {
            let off = a.checked_sub(base)? as usize;
            let b = data.get(off..off + 2)?;
            Some(u16::from_le_bytes([b[0], b[1]]))
        };
        let mut pc = base;
        while pc < base + len as u64 {
            let block = translate(pc, &mut fetch, &TranslateOptions::default());
            oxemu_dbt_ir::verify(&block, &GUEST_DESC).unwrap();
            let opt = oxemu_dbt_opt::optimize(&block, &GUEST_DESC);
            oxemu_dbt_ir::verify(&opt, &GUEST_DESC).unwrap();
            oxemu_dbt_x64::compile_block(&opt, &GUEST_DESC, params()).unwrap();
            pc += block.guest_len.max(2);
        }
    }
}

fn params<'a>() -> oxemu_dbt_x64::CompileParams<'a> {
    oxemu_dbt_x64::CompileParams {
        base: 0x7000_0000,
        block_id: 0,
        epilogue: 0x7000_0000,
        hot_record: None,
        target_slot: 0,
    }
}
