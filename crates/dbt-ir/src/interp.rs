//! The reference interpreter: runs a block op by op with the exact IR semantics.
//!
//! It is the oracle of the differential tests (interpreter vs tier 0 vs tier 1) and
//! the fallback engine on hosts without a backend. It favours obviousness over speed.

use crate::desc::{GuestDesc, GuestState};
use crate::eval;
use crate::inst::{Block, Exit, Op};
use crate::types::{AtomicOp, MemSize, TrapKind, Ty, UnOp};

/// A guest memory access that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemFault {
    /// Guest address of the access.
    pub addr: u64,
    /// Whether the access was a write.
    pub write: bool,
}

/// Guest memory as the interpreter sees it. Values are little-endian and zero-extended.
pub trait GuestMemory {
    /// Reads `size` bytes.
    fn load(&mut self, addr: u64, size: MemSize) -> Result<u64, MemFault>;
    /// Writes the low `size` bytes of `value`.
    fn store(&mut self, addr: u64, size: MemSize, value: u64) -> Result<(), MemFault>;
    /// Atomic read-modify-write; returns the old value.
    fn atomic(
        &mut self,
        op: AtomicOp,
        size: MemSize,
        addr: u64,
        value: u64,
    ) -> Result<u64, MemFault>;
    /// Atomic compare-and-exchange; returns the old value.
    fn cmpxchg(
        &mut self,
        size: MemSize,
        addr: u64,
        expected: u64,
        new: u64,
    ) -> Result<u64, MemFault>;
}

/// How a block run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Continue at this guest pc.
    Jump(u64),
    /// A trap at this guest pc.
    Trap(TrapKind, u64),
    /// A memory fault in the instruction at `pc`; globals hold the state before it.
    Fault {
        /// Guest pc of the faulting instruction.
        pc: u64,
        /// The failed access.
        fault: MemFault,
    },
}

/// Runs `block` once. `vals` is scratch storage reused between calls.
pub fn run<S: GuestState, M: GuestMemory>(
    block: &Block,
    desc: &GuestDesc<S>,
    state: &mut S,
    mem: &mut M,
    vals: &mut Vec<u64>,
) -> Outcome {
    vals.clear();
    vals.resize(block.insts.len(), 0);
    let mut pc = block.pc;
    let exit_to = |e: Exit, vals: &[u64]| match e {
        Exit::Chain(t) => Outcome::Jump(t),
        Exit::Dynamic(v) => Outcome::Jump(vals[v.index()]),
        Exit::Trap(k, at) => Outcome::Trap(k, at),
    };
    for (i, inst) in block.insts.iter().enumerate() {
        let ty = inst.ty;
        let val = |v: crate::Value| vals[v.index()];
        let fault = |f| Outcome::Fault { pc, fault: f };
        let r = match inst.op {
            Op::InsnStart(at) => {
                pc = at;
                0
            }
            Op::Const(c) => c,
            Op::Get(g) => state.globals()[g.0 as usize],
            Op::Set(g, v) => {
                state.globals_mut()[g.0 as usize] = val(v);
                0
            }
            Op::Unary(op, a) => eval::unary(op, ty, val(a)),
            Op::Binary(op, a, b) => eval::binary(op, ty, val(a), val(b)),
            Op::SetCond(c, a, b) => eval::cond(c, block.ty(a), val(a), val(b)) as u64,
            Op::Select(c, a, b, t, f) => {
                if eval::cond(c, block.ty(a), val(a), val(b)) {
                    val(t)
                } else {
                    val(f)
                }
            }
            Op::Load { size, signed, addr } => match mem.load(val(addr), size) {
                Ok(raw) => extend(raw, size, signed, ty),
                Err(f) => return fault(f),
            },
            Op::Store { size, addr, value } => {
                match mem.store(val(addr), size, val(value) & size.mask()) {
                    Ok(()) => 0,
                    Err(f) => return fault(f),
                }
            }
            Op::Atomic {
                op,
                size,
                addr,
                value,
            } => match mem.atomic(op, size, val(addr), val(value)) {
                Ok(old) => ty.canon(old),
                Err(f) => return fault(f),
            },
            Op::CmpXchg {
                size,
                addr,
                expected,
                new,
            } => {
                match mem.cmpxchg(
                    size,
                    val(addr),
                    val(expected) & size.mask(),
                    val(new) & size.mask(),
                ) {
                    Ok(old) => ty.canon(old),
                    Err(f) => return fault(f),
                }
            }
            Op::Call {
                helper,
                args,
                nargs,
            } => {
                let mut a = [0u64; 4];
                for (slot, v) in a.iter_mut().zip(&args[..nargs as usize]) {
                    *slot = val(*v);
                }
                let h = &desc.helpers[helper.0 as usize];
                (h.func)(state, a[0], a[1], a[2], a[3])
            }
            Op::Fence => {
                std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
                0
            }
            Op::ExitIf(c, a, b, e) => {
                if eval::cond(c, block.ty(a), val(a), val(b)) {
                    return exit_to(e, vals);
                }
                0
            }
        };
        vals[i] = r;
    }
    exit_to(block.exit, vals)
}

fn extend(raw: u64, size: MemSize, signed: bool, ty: Ty) -> u64 {
    let v = raw & size.mask();
    let op = match (size, signed) {
        (MemSize::B1, true) => UnOp::Sext8,
        (MemSize::B2, true) => UnOp::Sext16,
        (MemSize::B4, true) => UnOp::Sext32,
        _ => return ty.canon(v),
    };
    eval::unary(op, ty, v)
}
