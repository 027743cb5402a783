//! lr/sc and the AMOs.

use oxemu_dbt_ir::MemSize;

use super::enc::*;
use super::harness::{DATA, Machine, done};
use crate::{NO_RESERVATION, RES_ADDR};

fn lr(d: bool, rd: u8, rs1: u8) -> u32 {
    amo(0x02, 0, 0, rs1, if d { 3 } else { 2 }, rd)
}

fn sc(d: bool, rd: u8, rs2: u8, rs1: u8) -> u32 {
    amo(0x03, 0, rs2, rs1, if d { 3 } else { 2 }, rd)
}

#[test]
fn lr_sc_succeeds_on_an_untouched_reservation() {
    for d in [false, true] {
        let mut m = Machine::new().code(&[lr(d, 7, 5), sc(d, 28, 6, 5)]);
        m.mem.write(DATA, MemSize::B8, 0xffff_ffff_8000_0001);
        m.set_x(5, DATA).set_x(6, 0x1234_5678_9abc_def0);
        assert_eq!(m.run(), done(&m));
        let (loaded, stored) = if d {
            (0xffff_ffff_8000_0001, 0x1234_5678_9abc_def0)
        } else {
            (0xffff_ffff_8000_0001, 0xffff_ffff_9abc_def0)
        };
        assert_eq!(m.x(7), loaded, "lr sign-extends .w");
        assert_eq!(m.x(28), 0, "sc succeeds");
        assert_eq!(m.mem.read(DATA, MemSize::B8), stored);
        assert_eq!(
            m.cpu.get(RES_ADDR),
            NO_RESERVATION,
            "sc clears the reservation"
        );
    }
}

#[test]
fn sc_fails_without_a_matching_reservation() {
    // No lr at all.
    let mut m = Machine::new().code(&[sc(false, 28, 6, 5)]);
    m.set_x(5, DATA).set_x(6, 5).set_x(28, 77);
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.x(28), 1);
    assert_eq!(m.mem.read(DATA, MemSize::B4), 0);

    // lr on one address, sc on another holding the same value.
    let mut m = Machine::new().code(&[lr(true, 7, 5), sc(true, 28, 6, 29)]);
    m.set_x(5, DATA).set_x(29, DATA + 8).set_x(6, 5);
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.x(28), 1);
    assert_eq!(m.mem.read(DATA + 8, MemSize::B8), 0);

    // The value changed between lr and sc.
    let mut m = Machine::new().code(&[lr(true, 7, 5), s(0, 29, 5, 3, STORE), sc(true, 28, 6, 5)]);
    m.set_x(5, DATA).set_x(6, 5).set_x(29, 9);
    assert_eq!(m.run(), done(&m));
    assert_eq!(m.x(28), 1);
    assert_eq!(m.mem.read(DATA, MemSize::B8), 9);

    // A second sc after a successful one fails.
    let mut m = Machine::new().code(&[lr(true, 7, 5), sc(true, 28, 6, 5), sc(true, 30, 0, 5)]);
    m.set_x(5, DATA).set_x(6, 5);
    assert_eq!(m.run(), done(&m));
    assert_eq!((m.x(28), m.x(30)), (0, 1));
    assert_eq!(m.mem.read(DATA, MemSize::B8), 5);
}

#[test]
fn amos_return_the_old_value_and_update_memory() {
    let old: u64 = 0xffff_fffe_8000_0000;
    let src: u64 = 0x0000_0001_7fff_ffff;
    // (funct5, new memory value for .d)
    type Oracle = fn(u64, u64) -> u64;
    let ops: [(u32, Oracle); 9] = [
        (0x01, |_, b| b),
        (0x00, |a, b| a.wrapping_add(b)),
        (0x04, |a, b| a ^ b),
        (0x0c, |a, b| a & b),
        (0x08, |a, b| a | b),
        (0x10, |a, b| (a as i64).min(b as i64) as u64),
        (0x14, |a, b| (a as i64).max(b as i64) as u64),
        (0x18, |a, b| a.min(b)),
        (0x1c, |a, b| a.max(b)),
    ];
    for (f5, oracle) in ops {
        for aqrl in 0..4 {
            let mut m = Machine::new().code(&[amo(f5, aqrl, 6, 5, 3, 7)]);
            m.mem.write(DATA, MemSize::B8, old);
            m.set_x(5, DATA).set_x(6, src);
            assert_eq!(m.run(), done(&m));
            assert_eq!(m.x(7), old, "amo {f5:#x}.d result");
            assert_eq!(
                m.mem.read(DATA, MemSize::B8),
                oracle(old, src),
                "amo {f5:#x}.d"
            );
        }
        // .w works on the low word and sign-extends the old value.
        let mut m = Machine::new().code(&[amo(f5, 0, 6, 5, 2, 7)]);
        m.mem.write(DATA, MemSize::B8, old);
        m.set_x(5, DATA).set_x(6, src);
        assert_eq!(m.run(), done(&m));
        assert_eq!(m.x(7), 0xffff_ffff_8000_0000, "amo {f5:#x}.w result");
        let w_oracle = |a: u64, b: u64| -> u64 {
            let (a32, b32) = (a as u32, b as u32);
            let sx = |v: u32| v as i32 as i64 as u64;
            (oracle(sx(a32), sx(b32)) as u32).into()
        };
        let expected = (old & 0xffff_ffff_0000_0000) | w_oracle(old, src);
        assert_eq!(m.mem.read(DATA, MemSize::B8), expected, "amo {f5:#x}.w");
    }
}
