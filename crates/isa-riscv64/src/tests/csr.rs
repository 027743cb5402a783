//! Zicsr on fflags, frm, fcsr and the counters.

use oxemu_dbt_ir::TrapKind;
use oxemu_dbt_ir::interp::Outcome;

use super::enc::*;
use super::harness::{CODE, Machine, done};
use crate::{FFLAGS, FRM};

const CSRRW: u32 = 1;
const CSRRS: u32 = 2;
const CSRRC: u32 = 3;
const CSRRWI: u32 = 5;
const CSRRSI: u32 = 6;
const CSRRCI: u32 = 7;

#[test]
fn fcsr_is_frm_and_fflags() {
    let mut m = Machine::new().code(&[
        csr(CSRRW, 0x003, 5, 7),   // t2 = fcsr; fcsr = t0
        csr(CSRRS, 0x001, 0, 28),  // t3 = fflags
        csr(CSRRS, 0x002, 0, 29),  // t4 = frm
        csr(CSRRSI, 0x001, 2, 30), // t5 = fflags; fflags |= 2
        csr(CSRRCI, 0x002, 1, 31), // t6 = frm; frm &= !1
        csr(CSRRS, 0x003, 0, 6),   // t1 = fcsr
    ]);
    m.set_x(5, 0xffff_ff6d); // frm = 3, fflags = 0x0d, junk above bit 7
    m.cpu.set(FFLAGS, 0x11);
    m.cpu.set(FRM, 4);
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.x(7), 4 << 5 | 0x11);
    assert_eq!(m.x(28), 0x0d);
    assert_eq!(m.x(29), 3);
    assert_eq!(m.x(30), 0x0d);
    assert_eq!(m.x(31), 3);
    assert_eq!(m.x(6), 2 << 5 | 0x0f);
    assert_eq!((m.cpu.get(FFLAGS), m.cpu.get(FRM)), (0x0f, 2));
}

#[test]
fn csr_writes_keep_only_legal_bits() {
    let mut m = Machine::new().code(&[
        csr(CSRRW, 0x001, 5, 0),
        csr(CSRRWI, 0x002, 31, 0),
        csr(CSRRC, 0x001, 6, 0),
    ]);
    m.set_x(5, u64::MAX).set_x(6, 1);
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.cpu.get(FFLAGS), 0x1e);
    assert_eq!(m.cpu.get(FRM), 7);
}

#[test]
fn counters_read_and_advance() {
    let mut m = Machine::new().code(&[
        csr(CSRRS, 0xc00, 0, 5),
        csr(CSRRS, 0xc01, 0, 6),
        csr(CSRRSI, 0xc02, 0, 7),
    ]);
    assert_eq!(m.run(), done(&m));
    assert!(m.x(5) <= m.x(6) && m.x(6) <= m.x(7));
}

#[test]
fn bad_csr_accesses_are_illegal() {
    for word in [
        csr(CSRRW, 0xc00, 5, 6),  // write to a read-only counter
        csr(CSRRS, 0xc01, 5, 6),  // set with a non-zero source
        csr(CSRRCI, 0xc02, 1, 6), // clear with a non-zero immediate
        csr(CSRRS, 0x300, 0, 6),  // mstatus: not implemented
        csr(CSRRW, 0x004, 5, 6),  // unknown
        csr(4, 0x001, 0, 6),      // funct3 4 is reserved
    ] {
        let mut m = Machine::new().code(&[addi(7, 0, 1), word]);
        assert_eq!(
            m.run(),
            Outcome::Trap(TrapKind::Illegal, CODE + 4),
            "{word:#x}"
        );
        assert_eq!(m.x(7), 1);
        assert_eq!(m.x(6), 0);
    }
}
