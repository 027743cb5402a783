//! IR blocks of a region to one Cranelift function.
//!
//! The function is `extern "C" fn(state, guest_base) -> exit code`, entered at the
//! first block with the guest state exact in memory. Globals live in Cranelift
//! variables (so in host registers across the whole region); jumps between region
//! blocks are plain branches; every other exit stores the dirty globals and
//! `next_pc` and returns an exit code the runtime understands. The state in memory
//! is exact at checkpoints (see [`crate::dirty`]), from which the runtime replays a
//! fault in tier 0.

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, AbiParam, InstBuilder, MemFlagsData, Signature, Type, Value as ClValue, types,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, Variable};
use oxemu_dbt_ir::desc::{Effects, GuestDesc};
use oxemu_dbt_ir::{AtomicOp, Block, Exit, MemSize, Op, Ty, Value};
use oxemu_dbt_x64::{ExecCtx, exit_code, trap_number};

mod fp;

use crate::arith;
use crate::dirty::{self, Checkpoint, GlobalSet};

/// Why a region cannot be compiled.
#[derive(Debug, thiserror::Error)]
pub enum LowerError {
    /// A block of the region uses an op form tier 1 does not handle.
    #[error("block {block} of the region: {what}")]
    Unsupported {
        /// Index of the block in the region.
        block: usize,
        /// What it does.
        what: &'static str,
    },
}

/// Offset of an [`ExecCtx`] field from the guest state pointer.
fn ctx_off(field: usize) -> i32 {
    field as i32 - std::mem::size_of::<ExecCtx>() as i32
}

macro_rules! ctx_field {
    ($f:ident) => {
        ctx_off(std::mem::offset_of!(ExecCtx, $f))
    };
}

fn cl_type(t: Ty) -> Type {
    match t {
        Ty::I32 => types::I32,
        Ty::I64 => types::I64,
    }
}

/// Accesses to the guest state and context: aligned and never faulting.
fn state_flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Accesses to guest memory: may fault (the fault handler takes over).
fn guest_flags() -> MemFlagsData {
    MemFlagsData::new()
}

pub(crate) struct Lowering<'a, 'f, S: 'static> {
    b: FunctionBuilder<'f>,
    desc: &'a GuestDesc<S>,
    blocks: &'a [Block],
    index: HashMap<u64, usize>,
    heads: Vec<ir::Block>,
    /// Region blocks that calls in the region return to.
    sites: Vec<u64>,
    vars: Vec<Option<Variable>>,
    helper_sig: ir::SigRef,
    state: ClValue,
    base: ClValue,
    limit: ClValue,
    /// IR values of the block being lowered (all held as i64, I32 ones zero-extended).
    vals: Vec<ClValue>,
    dirty: GlobalSet,
    pc: u64,
    /// A checkpoint is due at the next instruction (after an atomic op).
    pending: bool,
    /// The host has fused multiply-add (for the FP fast paths that need it).
    fma: bool,
    /// The current instruction has written a global.
    set_in_insn: bool,
    /// The current instruction has loaded from guest memory.
    load_in_insn: bool,
}

/// A System V signature of `params` 64-bit integers returning one.
fn i64_signature(params: usize) -> Signature {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params
        .extend(std::iter::repeat_n(AbiParam::new(types::I64), params));
    sig.returns.push(AbiParam::new(types::I64));
    sig
}

/// The signature of region functions: `(state, guest_base) -> exit code`.
pub(crate) fn region_signature() -> Signature {
    i64_signature(2)
}

impl<'a, 'f, S: 'static> Lowering<'a, 'f, S> {
    /// Lowers `blocks` (the entry first) into the function `b` builds.
    pub fn lower(
        mut b: FunctionBuilder<'f>,
        blocks: &'a [Block],
        desc: &'a GuestDesc<S>,
        fma: bool,
    ) -> Result<FunctionBuilder<'f>, LowerError> {
        // Helpers: (state, four arguments) -> result.
        let helper_sig = b.import_signature(i64_signature(5));
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let (state, base) = (b.block_params(entry)[0], b.block_params(entry)[1]);
        let limit = b
            .ins()
            .load(types::I64, state_flags(), state, ctx_field!(mem_limit));
        let heads = blocks.iter().map(|_| b.create_block()).collect();
        let index = blocks.iter().enumerate().map(|(i, b)| (b.pc, i)).collect();
        let mut l = Lowering {
            b,
            desc,
            blocks,
            index,
            heads,
            sites: dirty::return_sites(blocks),
            vars: vec![None; desc.globals.len()],
            helper_sig,
            state,
            base,
            limit,
            vals: Vec::new(),
            dirty: GlobalSet::new(desc.globals.len()),
            pc: blocks.first().map_or(0, |b| b.pc),
            pending: false,
            fma,
            set_in_insn: false,
            load_in_insn: false,
        };
        l.declare_globals();
        // The caller left the state exact: the entry is the first checkpoint.
        l.store_ctx_imm(ctx_field!(cur_pc), l.pc);
        let first = l.heads[0];
        l.b.ins().jump(first, &[]);
        let entry_dirty = dirty::entry_sets(blocks, desc);
        let checked = l.loop_heads();
        for (i, block) in blocks.iter().enumerate() {
            l.b.switch_to_block(l.heads[i]);
            l.dirty = entry_dirty[i].clone();
            l.pc = block.pc;
            l.pending = false;
            l.set_in_insn = false;
            l.load_in_insn = false;
            if checked[i] {
                l.check_exit_request(block.pc);
            }
            l.lower_block(block)
                .map_err(|what| LowerError::Unsupported { block: i, what })?;
        }
        l.b.seal_all_blocks();
        Ok(l.b)
    }

    /// Region blocks entered by an edge from a block at or after them in region
    /// order: every cycle contains one, so checking the exit request there keeps
    /// every loop interruptible.
    fn loop_heads(&self) -> Vec<bool> {
        let mut heads = vec![false; self.blocks.len()];
        for (i, block) in self.blocks.iter().enumerate() {
            let mut mark = |t: u64| {
                if let Some(&j) = self.index.get(&t)
                    && j <= i
                {
                    heads[j] = true;
                }
            };
            block.direct_targets().for_each(&mut mark);
            if let Exit::Dynamic(_) = block.exit {
                self.sites.iter().for_each(|&t| mark(t));
            }
        }
        heads
    }

    /// A variable for every register-cached global the region uses, loaded from the
    /// state on entry.
    fn declare_globals(&mut self) {
        for block in self.blocks {
            for inst in &block.insts {
                if let Op::Get(g) | Op::Set(g, _) = inst.op {
                    let gi = g.0 as usize;
                    if self.vars[gi].is_none() && !self.desc.globals[gi].helper_visible {
                        let var = self.b.declare_var(types::I64);
                        self.vars[gi] = Some(var);
                    }
                }
            }
        }
        self.reload_globals();
    }

    fn reload_globals(&mut self) {
        for (g, var) in self.vars.clone().into_iter().enumerate() {
            if let Some(var) = var {
                let v = self
                    .b
                    .ins()
                    .load(types::I64, state_flags(), self.state, 8 * g as i32);
                self.b.def_var(var, v);
            }
        }
    }

    /// Stores the dirty globals to the state; they are clean afterwards.
    fn sync(&mut self) {
        for g in self.dirty.iter().collect::<Vec<_>>() {
            if let Some(var) = self.vars[g as usize] {
                let v = self.b.use_var(var);
                self.b
                    .ins()
                    .store(state_flags(), v, self.state, 8 * i32::from(g));
            }
        }
        self.dirty.clear();
    }

    fn store_ctx_imm(&mut self, off: i32, value: u64) {
        let v = self.b.ins().iconst(types::I64, value as i64);
        self.b.ins().store(state_flags(), v, self.state, off);
    }

    /// Leaves the region: stores the state, `next_pc` and returns `code`.
    fn leave(&mut self, next_pc: ClValue, code: u64) {
        self.sync();
        self.b
            .ins()
            .store(state_flags(), next_pc, self.state, ctx_field!(next_pc));
        let c = self.b.ins().iconst(types::I64, code as i64);
        self.b.ins().return_(&[c]);
    }

    /// Ends the current Cranelift block with `exit`.
    fn exit(&mut self, exit: Exit) {
        match exit {
            Exit::Chain(t) => {
                if let Some(&j) = self.index.get(&t) {
                    if self.pending {
                        self.checkpoint(t);
                    }
                    let head = self.heads[j];
                    self.b.ins().jump(head, &[]);
                } else {
                    let pc = self.b.ins().iconst(types::I64, t as i64);
                    self.leave(pc, exit_code::LOOKUP);
                }
            }
            Exit::Dynamic(v) => {
                let pc = self.vals[v.index()];
                // A return to a call site or a jump to a callee in the region
                // stays in it.
                for site in self.sites.clone() {
                    let want = self.b.ins().iconst(types::I64, site as i64);
                    let hit = self.b.ins().icmp(IntCC::Equal, pc, want);
                    self.exit_if(hit, Exit::Chain(site));
                }
                self.leave(pc, exit_code::LOOKUP);
            }
            Exit::Trap(kind, at) => {
                let pc = self.b.ins().iconst(types::I64, at as i64);
                self.leave(pc, (trap_number(kind) << 8) | exit_code::TRAP);
            }
        }
    }

    /// Takes `exit` when `cond` holds and continues in a new block otherwise. An
    /// edge to a region block is a plain branch unless a checkpoint is due on it.
    fn exit_if(&mut self, cond: ClValue, exit: Exit) {
        let cont = self.b.create_block();
        let inside = matches!(exit, Exit::Chain(t) if self.index.contains_key(&t));
        if let (Exit::Chain(t), true, false) = (exit, inside, self.pending) {
            let head = self.heads[self.index[&t]];
            self.b.ins().brif(cond, head, &[], cont, &[]);
        } else {
            let side = self.b.create_block();
            if !inside {
                self.b.set_cold_block(side);
            }
            self.b.ins().brif(cond, side, &[], cont, &[]);
            self.b.switch_to_block(side);
            let saved = (self.dirty.clone(), self.pending);
            self.exit(exit);
            (self.dirty, self.pending) = saved;
        }
        self.b.switch_to_block(cont);
    }

    /// Returns to the runtime if it asked for an exit (signals, invalidation, a
    /// finished compile) before running the block at `pc`.
    fn check_exit_request(&mut self, pc: u64) {
        let flag = self.b.ins().load(
            types::I32,
            state_flags(),
            self.state,
            ctx_field!(exit_request),
        );
        let (leave, go) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(leave);
        self.b.ins().brif(flag, leave, &[], go, &[]);
        self.b.switch_to_block(leave);
        let saved = self.dirty.clone();
        let at = self.b.ins().iconst(types::I64, pc as i64);
        self.leave(at, exit_code::REQUEST);
        self.dirty = saved;
        self.b.switch_to_block(go);
    }

    /// The value `v` at type `t` (I32 values are the low half).
    fn at(&mut self, t: Type, v: Value) -> ClValue {
        let x = self.vals[v.index()];
        if t == types::I32 {
            self.b.ins().ireduce(types::I32, x)
        } else {
            x
        }
    }

    /// Widens a result of type `t` to the i64 representation.
    fn widen(&mut self, t: Type, x: ClValue) -> ClValue {
        if t == types::I32 {
            self.b.ins().uextend(types::I64, x)
        } else {
            x
        }
    }

    /// Host address of guest address `v`, with addresses at or above the limit
    /// redirected to it (the guard area faults).
    fn host_addr(&mut self, v: Value) -> ClValue {
        let a = self.vals[v.index()];
        let clamped = self.b.ins().umin(a, self.limit);
        self.b.ins().iadd(self.base, clamped)
    }

    /// Makes the state in memory exact for the instruction at `pc`.
    fn checkpoint(&mut self, pc: u64) {
        self.sync();
        self.store_ctx_imm(ctx_field!(cur_pc), pc);
        self.pending = false;
    }

    /// The checkpoints `op` needs before it; whether one is due after it.
    fn around(&mut self, op: &Op) -> Result<(), &'static str> {
        let need = dirty::checkpoint(op, self.desc);
        if self.pending && (op.may_fault() || need != Checkpoint::None) {
            // No checkpoint is possible inside the instruction that did the
            // unrepeatable op, so a fault here could not be replayed.
            return Err("access after an unrepeatable op in the same instruction");
        }
        if self.set_in_insn && need != Checkpoint::None {
            // The state would not be the one before the instruction.
            return Err("global written before a store in the same instruction");
        }
        if self.load_in_insn && need == Checkpoint::Before {
            // A replay of the instruction would load what the store wrote.
            return Err("load and store in the same instruction");
        }
        match need {
            Checkpoint::None => {}
            Checkpoint::Before => self.checkpoint(self.pc),
            Checkpoint::Around => {
                self.checkpoint(self.pc);
                self.pending = true;
            }
        }
        Ok(())
    }

    fn lower_block(&mut self, block: &Block) -> Result<(), &'static str> {
        self.vals.clear();
        let zero = self.b.ins().iconst(types::I64, 0);
        for inst in &block.insts {
            let t = cl_type(inst.ty);
            self.around(&inst.op)?;
            let v = match inst.op {
                Op::InsnStart(pc) => {
                    self.pc = pc;
                    self.set_in_insn = false;
                    self.load_in_insn = false;
                    if self.pending {
                        self.checkpoint(pc);
                    }
                    zero
                }
                Op::Const(c) => self.b.ins().iconst(types::I64, c as i64),
                Op::Get(g) => match self.vars[g.0 as usize] {
                    Some(var) => self.b.use_var(var),
                    None => {
                        self.b
                            .ins()
                            .load(types::I64, state_flags(), self.state, 8 * i32::from(g.0))
                    }
                },
                Op::Set(g, v) => {
                    self.set_in_insn = true;
                    let x = self.vals[v.index()];
                    match self.vars[g.0 as usize] {
                        Some(var) => {
                            self.b.def_var(var, x);
                            self.dirty.insert(g.0);
                        }
                        None => {
                            self.b
                                .ins()
                                .store(state_flags(), x, self.state, 8 * i32::from(g.0));
                        }
                    }
                    zero
                }
                Op::Unary(op, a) => {
                    let a = self.at(t, a);
                    let r = arith::unary(&mut self.b, op, t, a);
                    self.widen(t, r)
                }
                Op::Binary(op, a, c) => {
                    let (a, c) = (self.at(t, a), self.at(t, c));
                    let r = arith::binary(&mut self.b, op, t, a, c);
                    self.widen(t, r)
                }
                Op::SetCond(c, a, d) => {
                    let f = self.compare(block, c, a, d);
                    self.b.ins().uextend(types::I64, f)
                }
                Op::Select(c, a, d, x, y) => {
                    let f = self.compare(block, c, a, d);
                    let (x, y) = (self.vals[x.index()], self.vals[y.index()]);
                    self.b.ins().select(f, x, y)
                }
                Op::Load { size, signed, addr } => {
                    self.load_in_insn = true;
                    let p = self.host_addr(addr);
                    self.load(size, signed, t, p)
                }
                Op::Store { size, addr, value } => {
                    let p = self.host_addr(addr);
                    let x = self.vals[value.index()];
                    let f = guest_flags();
                    match size {
                        MemSize::B1 => self.b.ins().istore8(f, x, p, 0),
                        MemSize::B2 => self.b.ins().istore16(f, x, p, 0),
                        MemSize::B4 => self.b.ins().istore32(f, x, p, 0),
                        MemSize::B8 => self.b.ins().store(f, x, p, 0),
                    };
                    zero
                }
                Op::Atomic {
                    op,
                    size,
                    addr,
                    value,
                } => {
                    let at = atomic_type(size)?;
                    let p = self.host_addr(addr);
                    let x = self.at(at, value);
                    let old = self.b.ins().atomic_rmw(at, guest_flags(), rmw_op(op), p, x);
                    let old = self.widen(at, old);
                    self.canon(inst.ty, old)
                }
                Op::CmpXchg {
                    size,
                    addr,
                    expected,
                    new,
                } => {
                    let at = atomic_type(size)?;
                    let p = self.host_addr(addr);
                    let (e, n) = (self.at(at, expected), self.at(at, new));
                    let old = self.b.ins().atomic_cas(guest_flags(), p, e, n);
                    let old = self.widen(at, old);
                    self.canon(inst.ty, old)
                }
                Op::Call {
                    helper,
                    args,
                    nargs,
                } => self.call(block, helper.0 as usize, &args[..nargs as usize]),
                Op::Fence => {
                    self.b.ins().fence();
                    zero
                }
                Op::ExitIf(c, a, d, exit) => {
                    let f = self.compare(block, c, a, d);
                    self.exit_if(f, exit);
                    zero
                }
            };
            self.vals.push(v);
        }
        self.exit(block.exit);
        Ok(())
    }

    /// The i8 flag of `a c d`, compared at the type of `a`.
    fn compare(&mut self, block: &Block, c: oxemu_dbt_ir::Cond, a: Value, d: Value) -> ClValue {
        let t = cl_type(block.ty(a));
        let (a, d) = (self.at(t, a), self.at(t, d));
        self.b.ins().icmp(arith::cc(c), a, d)
    }

    /// An i64 value in the canonical form of type `ty`.
    fn canon(&mut self, ty: Ty, x: ClValue) -> ClValue {
        match ty {
            Ty::I32 => {
                let m = self.b.ins().iconst(types::I64, 0xffff_ffff);
                self.b.ins().band(x, m)
            }
            Ty::I64 => x,
        }
    }

    fn load(&mut self, size: MemSize, signed: bool, t: Type, p: ClValue) -> ClValue {
        let f = guest_flags();
        let ins = self.b.ins();
        let r = match (size, signed) {
            (MemSize::B1, false) => ins.uload8(t, f, p, 0),
            (MemSize::B1, true) => ins.sload8(t, f, p, 0),
            (MemSize::B2, false) => ins.uload16(t, f, p, 0),
            (MemSize::B2, true) => ins.sload16(t, f, p, 0),
            (MemSize::B4, _) if t == types::I32 => ins.load(types::I32, f, p, 0),
            (MemSize::B4, false) => ins.uload32(f, p, 0),
            (MemSize::B4, true) => ins.sload32(f, p, 0),
            (MemSize::B8, _) => {
                let x = ins.load(types::I64, f, p, 0);
                if t == types::I32 {
                    self.b.ins().ireduce(types::I32, x)
                } else {
                    x
                }
            }
        };
        self.widen(t, r)
    }

    fn call(&mut self, block: &Block, helper: usize, args: &[Value]) -> ClValue {
        if let Some(f) = self.desc.helpers[helper].fp
            && let Some(r) = self.fp_call(block, helper, f, args)
        {
            return r;
        }
        self.plain_call(helper, args)
    }

    fn plain_call(&mut self, helper: usize, args: &[Value]) -> ClValue {
        let h = &self.desc.helpers[helper];
        let all = h.effects == Effects::AllGlobals;
        let func = self.b.ins().iconst(types::I64, h.func as usize as i64);
        let mut argv = vec![self.state];
        for i in 0..4 {
            argv.push(match args.get(i) {
                Some(v) => self.vals[v.index()],
                None => self.b.ins().iconst(types::I64, 0),
            });
        }
        let call = self.b.ins().call_indirect(self.helper_sig, func, &argv);
        let r = self.b.inst_results(call)[0];
        if all {
            self.reload_globals();
        }
        r
    }
}

fn atomic_type(size: MemSize) -> Result<Type, &'static str> {
    match size {
        MemSize::B4 => Ok(types::I32),
        MemSize::B8 => Ok(types::I64),
        _ => Err("atomic access narrower than 4 bytes"),
    }
}

fn rmw_op(op: AtomicOp) -> ir::AtomicRmwOp {
    use ir::AtomicRmwOp as R;
    match op {
        AtomicOp::Swap => R::Xchg,
        AtomicOp::Add => R::Add,
        AtomicOp::And => R::And,
        AtomicOp::Or => R::Or,
        AtomicOp::Xor => R::Xor,
        AtomicOp::MinS => R::Smin,
        AtomicOp::MaxS => R::Smax,
        AtomicOp::MinU => R::Umin,
        AtomicOp::MaxU => R::Umax,
    }
}
