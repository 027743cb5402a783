//! Instructions and blocks.

use crate::types::{AtomicOp, BinOp, Cond, Global, HelperId, MemSize, TrapKind, Ty, UnOp, Value};

/// Where control goes when a block (or a conditional exit) leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Continue at a guest pc known at translation time; backends chain these directly.
    Chain(u64),
    /// Continue at a guest pc computed at run time (indirect jump, return).
    Dynamic(Value),
    /// Leave to the runtime, with the guest pc of the trapping instruction.
    Trap(TrapKind, u64),
}

/// An operation. Operands are values defined earlier in the same block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Start of the guest instruction at this pc. Faults in the ops that follow are
    /// reported at this pc, with globals as the previous instructions left them.
    InsnStart(u64),
    /// A constant.
    Const(u64),
    /// Reads a global.
    Get(Global),
    /// Writes a global.
    Set(Global, Value),
    /// One-operand arithmetic.
    Unary(UnOp, Value),
    /// Two-operand arithmetic.
    Binary(BinOp, Value, Value),
    /// 1 if the comparison (at the operands' type) holds, else 0.
    SetCond(Cond, Value, Value),
    /// `if cond(a, b) { t } else { f }`.
    Select(Cond, Value, Value, Value, Value),
    /// Loads `size` bytes at guest address `addr`, sign- or zero-extended.
    Load {
        /// Access size.
        size: MemSize,
        /// Sign-extend instead of zero-extend.
        signed: bool,
        /// Guest address.
        addr: Value,
    },
    /// Stores the low `size` bytes of `value` at guest address `addr`.
    Store {
        /// Access size.
        size: MemSize,
        /// Guest address.
        addr: Value,
        /// Value to store.
        value: Value,
    },
    /// Atomic read-modify-write; yields the old memory value, zero-extended.
    Atomic {
        /// The operation.
        op: AtomicOp,
        /// Access size (4 or 8 bytes).
        size: MemSize,
        /// Guest address.
        addr: Value,
        /// Operand.
        value: Value,
    },
    /// Atomic compare-and-exchange; yields the old memory value, zero-extended.
    CmpXchg {
        /// Access size (4 or 8 bytes).
        size: MemSize,
        /// Guest address.
        addr: Value,
        /// Value expected in memory (compared on `size` bytes).
        expected: Value,
        /// Value stored when the comparison succeeds.
        new: Value,
    },
    /// Calls a helper with up to four arguments; yields its 64-bit result.
    Call {
        /// Which helper.
        helper: HelperId,
        /// Arguments; only the first `nargs` are meaningful.
        args: [Value; 4],
        /// Number of arguments.
        nargs: u8,
    },
    /// Memory barrier between guest threads.
    Fence,
    /// Leaves the block if the comparison holds.
    ExitIf(Cond, Value, Value, Exit),
}

impl Op {
    /// Whether the op defines a value.
    pub fn defines_value(&self) -> bool {
        !matches!(
            self,
            Op::InsnStart(_) | Op::Set(..) | Op::Store { .. } | Op::Fence | Op::ExitIf(..)
        )
    }

    /// Whether the op can fault on a guest memory access.
    pub fn may_fault(&self) -> bool {
        matches!(
            self,
            Op::Load { .. } | Op::Store { .. } | Op::Atomic { .. } | Op::CmpXchg { .. }
        )
    }

    /// Calls `f` on every value the op uses (in operand order).
    pub fn for_each_use(&self, mut f: impl FnMut(Value)) {
        match *self {
            Op::InsnStart(_) | Op::Const(_) | Op::Get(_) | Op::Fence => {}
            Op::Set(_, v) | Op::Unary(_, v) => f(v),
            Op::Binary(_, a, b) | Op::SetCond(_, a, b) => {
                f(a);
                f(b);
            }
            Op::Select(_, a, b, t, e) => {
                f(a);
                f(b);
                f(t);
                f(e);
            }
            Op::Load { addr, .. } => f(addr),
            Op::Store { addr, value, .. } | Op::Atomic { addr, value, .. } => {
                f(addr);
                f(value);
            }
            Op::CmpXchg {
                addr,
                expected,
                new,
                ..
            } => {
                f(addr);
                f(expected);
                f(new);
            }
            Op::Call { args, nargs, .. } => args[..nargs as usize].iter().for_each(|&v| f(v)),
            Op::ExitIf(_, a, b, exit) => {
                f(a);
                f(b);
                if let Exit::Dynamic(v) = exit {
                    f(v);
                }
            }
        }
    }

    /// Rewrites every value the op uses through `f`.
    pub fn map_uses(&mut self, mut f: impl FnMut(Value) -> Value) {
        match self {
            Op::InsnStart(_) | Op::Const(_) | Op::Get(_) | Op::Fence => {}
            Op::Set(_, v) | Op::Unary(_, v) => *v = f(*v),
            Op::Binary(_, a, b) | Op::SetCond(_, a, b) => {
                *a = f(*a);
                *b = f(*b);
            }
            Op::Select(_, a, b, t, e) => {
                *a = f(*a);
                *b = f(*b);
                *t = f(*t);
                *e = f(*e);
            }
            Op::Load { addr, .. } => *addr = f(*addr),
            Op::Store { addr, value, .. } | Op::Atomic { addr, value, .. } => {
                *addr = f(*addr);
                *value = f(*value);
            }
            Op::CmpXchg {
                addr,
                expected,
                new,
                ..
            } => {
                *addr = f(*addr);
                *expected = f(*expected);
                *new = f(*new);
            }
            Op::Call { args, nargs, .. } => {
                for v in &mut args[..*nargs as usize] {
                    *v = f(*v);
                }
            }
            Op::ExitIf(_, a, b, exit) => {
                *a = f(*a);
                *b = f(*b);
                if let Exit::Dynamic(v) = exit {
                    *v = f(*v);
                }
            }
        }
    }
}

/// One instruction: an op and the type of the value it defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inst {
    /// Type of the defined value (meaningless for ops that define none).
    pub ty: Ty,
    /// The operation.
    pub op: Op,
}

/// A translated guest block: straight-line instructions and one final exit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Guest pc of the first instruction.
    pub pc: u64,
    /// Number of guest bytes the block covers, starting at `pc`.
    pub guest_len: u64,
    /// Number of guest instructions translated.
    pub guest_insns: u32,
    /// The instructions; `Value(i)` is defined by `insts[i]`.
    pub insts: Vec<Inst>,
    /// Where control goes after the last instruction.
    pub exit: Exit,
}

impl Block {
    /// Type of a value.
    pub fn ty(&self, v: Value) -> Ty {
        self.insts[v.index()].ty
    }

    /// Calls `f` on every value used by the instructions and the final exit.
    pub fn for_each_use(&self, mut f: impl FnMut(Value)) {
        for inst in &self.insts {
            inst.op.for_each_use(&mut f);
        }
        if let Exit::Dynamic(v) = self.exit {
            f(v);
        }
    }

    /// Guest pcs of the block's direct exits, the conditional ones first.
    pub fn direct_targets(&self) -> impl Iterator<Item = u64> + '_ {
        let last = match self.exit {
            Exit::Chain(t) => Some(t),
            _ => None,
        };
        self.insts
            .iter()
            .filter_map(|inst| match inst.op {
                Op::ExitIf(_, _, _, Exit::Chain(t)) => Some(t),
                _ => None,
            })
            .chain(last)
    }

    /// Where a call made by this block returns: the pc after the block, when the
    /// block ends in a jump (direct or indirect) after writing that pc into a
    /// global (the link register of a call). Tier 1 keeps a loop's callees in its region and checks
    /// their returns against such sites.
    pub fn return_site(&self) -> Option<u64> {
        if let Exit::Trap(..) = self.exit {
            return None;
        }
        let next = self.pc.checked_add(self.guest_len)?;
        self.insts.iter().find_map(|inst| match inst.op {
            Op::Set(_, v) if self.insts.get(v.index())?.op == Op::Const(next) => Some(next),
            _ => None,
        })
    }

    /// Number of uses of every value.
    pub fn use_counts(&self) -> Vec<u32> {
        let mut counts = vec![0u32; self.insts.len()];
        self.for_each_use(|v| counts[v.index()] += 1);
        counts
    }
}
