//! Arbitrary bytes as riscv64 code: decode, translate, verify, optimize and compile
//! to x86-64 without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxemu_isa_riscv64::{GUEST_DESC, TranslateOptions, translate};

fuzz_target!(|data: &[u8]| {
    let base = 0x1_0000u64;
    let mut fetch = |a: u64| {
        let off = a.checked_sub(base)? as usize;
        let b = data.get(off..off + 2)?;
        Some(u16::from_le_bytes([b[0], b[1]]))
    };
    let mut pc = base;
    while pc < base + data.len() as u64 {
        let block = translate(pc, &mut fetch, &TranslateOptions::default());
        oxemu_dbt_ir::verify(&block, &GUEST_DESC).expect("frontend produced invalid IR");
        let opt = oxemu_dbt_opt::optimize(&block, &GUEST_DESC);
        oxemu_dbt_ir::verify(&opt, &GUEST_DESC).expect("optimizer produced invalid IR");
        oxemu_dbt_x64::compile_block(&opt, &GUEST_DESC, params())
            .expect("tier 0 failed to compile a block");
        pc += block.guest_len.max(2);
    }
});

fn params<'a>() -> oxemu_dbt_x64::CompileParams<'a> {
    oxemu_dbt_x64::CompileParams {
        base: 0x7000_0000,
        block_id: 0,
        epilogue: 0x7000_0000,
        hot_record: None,
    }
}
