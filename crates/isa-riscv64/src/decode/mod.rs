//! Instruction decoding: 32-bit and compressed encodings to one [`Insn`] form.
//!
//! Decoding is the single legality gate: anything that decodes translates, and every
//! reserved or unimplemented encoding (including unknown CSRs, writes to read-only
//! CSRs and static rounding modes 5 and 6) decodes to `None`.

mod fp;
mod opcode;
mod rv32;
mod rvc;

pub use opcode::Opcode;
pub use rv32::decode32;
pub use rvc::decode16;

/// A decoded instruction. Fields an opcode does not use are zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn {
    /// What the instruction does.
    pub op: Opcode,
    /// Destination register number.
    pub rd: u8,
    /// First source register number (the 5-bit immediate of `csrr*i`).
    pub rs1: u8,
    /// Second source register number.
    pub rs2: u8,
    /// Third source register number (fused multiply-add).
    pub rs3: u8,
    /// Immediate, sign-extended; the CSR number for CSR ops; pred/succ bits for `fence`.
    pub imm: i64,
    /// Rounding mode of FP ops; `aq << 1 | rl` of atomics.
    pub rm: u8,
    /// Encoded length in bytes (2 or 4).
    pub len: u8,
}

impl Insn {
    pub(crate) fn new(op: Opcode, len: u8) -> Insn {
        Insn {
            op,
            rd: 0,
            rs1: 0,
            rs2: 0,
            rs3: 0,
            imm: 0,
            rm: 0,
            len,
        }
    }
}

/// Length in bytes of the instruction whose first 16-bit parcel is `parcel`.
pub fn insn_len(parcel: u16) -> u8 {
    if parcel & 3 == 3 { 4 } else { 2 }
}

/// CSR numbers this frontend implements.
pub mod csr {
    /// Accrued FP exception flags.
    pub const FFLAGS: u16 = 0x001;
    /// FP dynamic rounding mode.
    pub const FRM: u16 = 0x002;
    /// `frm << 5 | fflags`.
    pub const FCSR: u16 = 0x003;
    /// Cycle counter (read-only).
    pub const CYCLE: u16 = 0xc00;
    /// Wall-clock timer (read-only).
    pub const TIME: u16 = 0xc01;
    /// Retired-instruction counter (read-only).
    pub const INSTRET: u16 = 0xc02;

    /// Name of an implemented CSR.
    pub fn name(csr: u16) -> Option<&'static str> {
        Some(match csr {
            FFLAGS => "fflags",
            FRM => "frm",
            FCSR => "fcsr",
            CYCLE => "cycle",
            TIME => "time",
            INSTRET => "instret",
            _ => return None,
        })
    }

    /// Whether the CSR can be written.
    pub fn writable(csr: u16) -> bool {
        matches!(csr, FFLAGS | FRM | FCSR)
    }
}
