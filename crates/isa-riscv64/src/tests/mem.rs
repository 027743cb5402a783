//! Loads and stores.

use oxemu_dbt_ir::MemSize;
use oxemu_dbt_ir::interp::{MemFault, Outcome};

use super::enc::*;
use super::harness::{CODE, DATA, Machine, done};

#[test]
fn loads_extend_by_size_and_sign() {
    // (funct3, expected from bytes 80 81 82 83 84 85 86 87 at DATA + 8)
    let cases: [(u32, u64); 7] = [
        (0, 0xffff_ffff_ffff_ff80),
        (1, 0xffff_ffff_ffff_8180),
        (2, 0xffff_ffff_8382_8180),
        (3, 0x8786_8584_8382_8180),
        (4, 0x80),
        (5, 0x8180),
        (6, 0x8382_8180),
    ];
    for (f3, expected) in cases {
        let mut m = Machine::new().code(&[i(16, 5, f3, 7, LOAD)]);
        m.mem.write(DATA + 8, MemSize::B8, 0x8786_8584_8382_8180);
        m.set_x(5, DATA - 8);
        assert_eq!(m.run(), done(&m), "funct3 {f3}");
        assert_eq!(m.x(7), expected, "funct3 {f3}");
    }
}

#[test]
fn stores_write_their_size() {
    for (f3, size) in [
        (0, MemSize::B1),
        (1, MemSize::B2),
        (2, MemSize::B4),
        (3, MemSize::B8),
    ] {
        let mut m = Machine::new().code(&[s(-8, 6, 5, f3, STORE)]);
        m.set_x(5, DATA + 8).set_x(6, 0x1122_3344_5566_7788);
        m.mem.write(DATA, MemSize::B8, u64::MAX);
        assert_eq!(m.run(), done(&m));
        let expected = (0x1122_3344_5566_7788 & size.mask()) | !size.mask();
        assert_eq!(m.mem.read(DATA, MemSize::B8), expected, "funct3 {f3}");
    }
}

#[test]
fn load_into_x0_still_faults() {
    let mut m = Machine::new().code(&[addi(7, 0, 1), i(0, 5, 3, 0, LOAD)]);
    m.set_x(5, 0xdead_0000_0000);
    let fault = MemFault {
        addr: 0xdead_0000_0000,
        write: false,
    };
    assert_eq!(
        m.run(),
        Outcome::Fault {
            pc: CODE + 4,
            fault
        }
    );
    assert_eq!(m.x(7), 1, "earlier instructions completed");
}
