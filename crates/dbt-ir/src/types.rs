//! Scalar types and the small enums the ops are built from.

use std::fmt;

/// Type of an IR value. `I32` values are kept zero-extended in 64-bit storage; ops of
/// type `I32` read only the low 32 bits of their operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// 32-bit integer (or bit pattern of an f32).
    I32,
    /// 64-bit integer (or bit pattern of an f64).
    I64,
}

impl Ty {
    /// Width in bits.
    pub fn bits(self) -> u32 {
        match self {
            Ty::I32 => 32,
            Ty::I64 => 64,
        }
    }
    /// Truncates a 64-bit container to this type's canonical form.
    pub fn canon(self, v: u64) -> u64 {
        match self {
            Ty::I32 => v & 0xffff_ffff,
            Ty::I64 => v,
        }
    }
}

/// An SSA value: the index of the instruction that defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(pub u32);

impl Value {
    /// Index of the defining instruction.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A guest-state global: index into the guest register file (64-bit slots).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Global(pub u16);

/// A helper function: index into the frontend's helper table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HelperId(pub u16);

/// Size and signedness of a memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemSize {
    /// 8 bits.
    B1,
    /// 16 bits.
    B2,
    /// 32 bits.
    B4,
    /// 64 bits.
    B8,
}

impl MemSize {
    /// Size in bytes.
    pub fn bytes(self) -> u8 {
        match self {
            MemSize::B1 => 1,
            MemSize::B2 => 2,
            MemSize::B4 => 4,
            MemSize::B8 => 8,
        }
    }
    /// Bit mask of the accessed bits.
    pub fn mask(self) -> u64 {
        match self {
            MemSize::B8 => u64::MAX,
            s => (1u64 << (8 * s.bytes())) - 1,
        }
    }
}

/// Comparison of two integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Cond {
    Eq,
    Ne,
    LtS,
    GeS,
    LeS,
    GtS,
    LtU,
    GeU,
    LeU,
    GtU,
}

impl Cond {
    /// The condition that holds exactly when `self` does not.
    pub fn invert(self) -> Cond {
        use Cond::*;
        match self {
            Eq => Ne,
            Ne => Eq,
            LtS => GeS,
            GeS => LtS,
            LeS => GtS,
            GtS => LeS,
            LtU => GeU,
            GeU => LtU,
            LeU => GtU,
            GtU => LeU,
        }
    }
}

/// Two-operand integer operations. Shift and rotate amounts are taken modulo the
/// width. Division is total: `x / 0` is all ones, `x % 0` is `x`, and the signed
/// overflow `MIN / -1` is `MIN` with remainder 0 (frontends whose ISA differs select
/// their own result around the op).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// High half of the signed × signed product.
    MulHS,
    /// High half of the unsigned × unsigned product.
    MulHU,
    /// High half of the signed × unsigned product.
    MulHSU,
    DivS,
    DivU,
    RemS,
    RemU,
    And,
    Or,
    Xor,
    /// `a & !b`
    AndNot,
    /// `a | !b`
    OrNot,
    /// `!(a ^ b)`
    XorNot,
    Shl,
    Shr,
    Sar,
    Rotl,
    Rotr,
    MinS,
    MaxS,
    MinU,
    MaxU,
}

impl BinOp {
    /// Whether `a op b == b op a`.
    pub fn commutative(self) -> bool {
        use BinOp::*;
        matches!(
            self,
            Add | Mul | MulHS | MulHU | And | Or | Xor | XorNot | MinS | MaxS | MinU | MaxU
        )
    }
}

/// One-operand integer operations. Extensions read the low 8/16/32 bits of the
/// operand and produce a value of the instruction's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum UnOp {
    Neg,
    Not,
    Clz,
    Ctz,
    Popcnt,
    Bswap,
    Sext8,
    Sext16,
    Sext32,
    Zext8,
    Zext16,
    Zext32,
    /// Each byte becomes 0xff if non-zero, else 0 (RISC-V `orc.b`).
    OrcB,
}

/// Read-modify-write operations on memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum AtomicOp {
    Swap,
    Add,
    And,
    Or,
    Xor,
    MinS,
    MaxS,
    MinU,
    MaxU,
}

/// Why a block leaves translated code for the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapKind {
    /// System call instruction (`ecall`, `svc`, `syscall`).
    Syscall,
    /// Breakpoint instruction (`ebreak`, `brk`, `int3`).
    Breakpoint,
    /// Undefined or illegal instruction; the runtime raises SIGILL / an exception.
    Illegal,
    /// Instruction-stream synchronisation (`fence.i`): drop stale translations.
    FlushCode,
    /// Instruction fetch from an address that is not executable.
    FetchFault,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}
