//! The shape of the emitted IR.

use oxemu_dbt_ir::{Op, display_block};

use super::enc::*;
use super::harness::{CODE, Machine};
use crate::{GUEST_DESC, HELPER_NAMES, TranslateOptions, ir_names, translate};

fn block_of(words: &[u32]) -> oxemu_dbt_ir::Block {
    let m = Machine::new().code(words);
    let end = m.end;
    translate(
        CODE,
        &mut |a| if a < end { m.mem.parcel(a) } else { None },
        &TranslateOptions::default(),
    )
}

#[test]
fn registers_are_read_once_per_block() {
    let block = block_of(&[addi(5, 5, 1), addi(5, 5, 1), r(0, 5, 6, 0, 7, OP)]);
    let gets = block
        .insts
        .iter()
        .filter(|i| matches!(i.op, Op::Get(_)))
        .count();
    assert_eq!(gets, 2, "one get of t0, one of t1");
    let text = display_block(&block, ir_names());
    assert!(text.contains("t0"), "{text}");
}

#[test]
fn name_tables_match_the_guest_description() {
    let helper_names: Vec<&str> = GUEST_DESC.helpers.iter().map(|h| h.name).collect();
    assert_eq!(helper_names, HELPER_NAMES);
    let names = ir_names();
    assert_eq!(names.globals.len(), GUEST_DESC.globals.len());
    for (g, name) in GUEST_DESC.globals.iter().zip(names.globals) {
        assert_eq!(g.name, *name);
    }
    assert_eq!(names.globals[64], "pc");
    assert_eq!(GUEST_DESC.helpers[crate::H::FaddD as usize].name, "fadd_d");
}
