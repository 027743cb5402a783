//! Building blocks op by op.

use crate::inst::{Block, Exit, Inst, Op};
use crate::types::{AtomicOp, BinOp, Cond, Global, HelperId, MemSize, Ty, UnOp, Value};

/// Appends instructions to a block under construction.
#[derive(Debug)]
pub struct Builder {
    pc: u64,
    insts: Vec<Inst>,
}

impl Builder {
    /// Starts a block at guest `pc`.
    pub fn new(pc: u64) -> Builder {
        Builder {
            pc,
            insts: Vec::with_capacity(64),
        }
    }

    /// Number of instructions so far.
    pub fn len(&self) -> usize {
        self.insts.len()
    }

    /// Whether no instruction was added yet.
    pub fn is_empty(&self) -> bool {
        self.insts.is_empty()
    }

    fn push(&mut self, ty: Ty, op: Op) -> Value {
        let v = Value(self.insts.len() as u32);
        self.insts.push(Inst { ty, op });
        v
    }

    /// Marks the start of the guest instruction at `pc`.
    pub fn insn_start(&mut self, pc: u64) {
        self.push(Ty::I64, Op::InsnStart(pc));
    }

    /// A constant of type `ty`.
    pub fn iconst(&mut self, ty: Ty, v: u64) -> Value {
        self.push(ty, Op::Const(ty.canon(v)))
    }

    /// Reads a global.
    pub fn get(&mut self, g: Global) -> Value {
        self.push(Ty::I64, Op::Get(g))
    }

    /// Writes a global.
    pub fn set(&mut self, g: Global, v: Value) {
        self.push(Ty::I64, Op::Set(g, v));
    }

    /// One-operand arithmetic of type `ty`.
    pub fn unary(&mut self, ty: Ty, op: UnOp, a: Value) -> Value {
        self.push(ty, Op::Unary(op, a))
    }

    /// Two-operand arithmetic of type `ty`.
    pub fn binary(&mut self, ty: Ty, op: BinOp, a: Value, b: Value) -> Value {
        self.push(ty, Op::Binary(op, a, b))
    }

    /// 1 if `cond(a, b)`, else 0, as a value of type `ty`.
    pub fn setcond(&mut self, ty: Ty, cond: Cond, a: Value, b: Value) -> Value {
        self.push(ty, Op::SetCond(cond, a, b))
    }

    /// `if cond(a, b) { t } else { f }`.
    pub fn select(&mut self, ty: Ty, cond: Cond, a: Value, b: Value, t: Value, f: Value) -> Value {
        self.push(ty, Op::Select(cond, a, b, t, f))
    }

    /// Loads from guest memory.
    pub fn load(&mut self, ty: Ty, size: MemSize, signed: bool, addr: Value) -> Value {
        self.push(ty, Op::Load { size, signed, addr })
    }

    /// Stores to guest memory.
    pub fn store(&mut self, size: MemSize, addr: Value, value: Value) {
        self.push(Ty::I64, Op::Store { size, addr, value });
    }

    /// Atomic read-modify-write; yields the old value.
    pub fn atomic(
        &mut self,
        ty: Ty,
        op: AtomicOp,
        size: MemSize,
        addr: Value,
        value: Value,
    ) -> Value {
        self.push(
            ty,
            Op::Atomic {
                op,
                size,
                addr,
                value,
            },
        )
    }

    /// Atomic compare-and-exchange; yields the old value.
    pub fn cmpxchg(
        &mut self,
        ty: Ty,
        size: MemSize,
        addr: Value,
        expected: Value,
        new: Value,
    ) -> Value {
        self.push(
            ty,
            Op::CmpXchg {
                size,
                addr,
                expected,
                new,
            },
        )
    }

    /// Calls a helper (at most four arguments).
    pub fn call(&mut self, helper: HelperId, args: &[Value]) -> Value {
        assert!(args.len() <= 4, "helpers take at most four arguments");
        let mut a = [Value(0); 4];
        a[..args.len()].copy_from_slice(args);
        self.push(
            Ty::I64,
            Op::Call {
                helper,
                args: a,
                nargs: args.len() as u8,
            },
        )
    }

    /// A memory barrier.
    pub fn fence(&mut self) {
        self.push(Ty::I64, Op::Fence);
    }

    /// Leaves the block through `exit` if `cond(a, b)`.
    pub fn exit_if(&mut self, cond: Cond, a: Value, b: Value, exit: Exit) {
        self.push(Ty::I64, Op::ExitIf(cond, a, b, exit));
    }

    /// Ends the block.
    pub fn finish(self, exit: Exit, guest_len: u64, guest_insns: u32) -> Block {
        Block {
            pc: self.pc,
            guest_len,
            guest_insns,
            insts: self.insts,
            exit,
        }
    }
}
