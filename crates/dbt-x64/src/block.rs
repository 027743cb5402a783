//! Compiling one IR block.

use dynasm::dynasm;
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};
use oxemu_dbt_ir::desc::{Effects, GuestDesc};
use oxemu_dbt_ir::{Block, Exit, Global, Op, TrapKind, Ty, Value};

use crate::FRAME_SLOTS;
use crate::cc::{cmov_rax_rdx, jcc, setcc_al};
use crate::ctx::{JMP_CACHE_SIZE, exit_code};
use crate::operand::{Asm, Opnd, alu, load, load_imm, opnd, store_home};
use crate::regalloc::{
    Alloc, Loc, R8, R11, R15, RAX, RCX, RDI, RDX, RSI, allocate, caller_saved, global_disp,
};

mod arith;
mod memory;

/// A direct exit that can be chained to another block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitSite {
    /// Offset in the block's code of the 4-byte-aligned rel32 of the exit's `jmp`.
    pub patch_offset: u32,
    /// Offset of the stub the `jmp` initially targets (to unchain).
    pub stub_offset: u32,
    /// Guest pc the exit continues at.
    pub target_pc: u64,
}

/// An instruction that can fault on guest memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemSite {
    /// Offset of the instruction in the block's code.
    pub offset: u32,
    /// Guest pc of the guest instruction it belongs to.
    pub pc: u64,
    /// Bit i set when `cached[i]`'s register holds the global's current value there
    /// (globals written before being read are not loaded at block entry).
    pub valid: u16,
}

/// Machine code of a block and what the runtime needs to know about it.
#[derive(Clone, Debug)]
pub struct CompiledBlock {
    /// The code, for placement at the base address it was compiled for.
    pub code: Vec<u8>,
    /// Chainable exits, in exit-index order.
    pub exits: Vec<ExitSite>,
    /// Every instruction that can fault on guest memory.
    pub mem_sites: Vec<MemSite>,
    /// (global, host register) pairs cached for the block; see [`MemSite::valid`].
    pub cached: Vec<(Global, u8)>,
}

/// Why a block could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The block has more values than the frame has slots; translate it shorter.
    #[error("block of {0} instructions exceeds the frame")]
    TooLarge(usize),
    /// The assembler rejected the code.
    #[error("assembler error: {0}")]
    Asm(String),
}

pub(crate) struct Emitter<'a, S: 'static> {
    pub a: Asm,
    pub block: &'a Block,
    pub desc: &'a GuestDesc<S>,
    pub alloc: Alloc,
    pub dirty: Vec<bool>,
    pub pc: u64,
    pub block_id: u32,
    pub epilogue: u64,
    pub exits: Vec<ExitSite>,
    pub mem_sites: Vec<MemSite>,
    /// The value rax holds right now, if any.
    pub rax_holds: Option<Value>,
    /// Values whose frame-slot store is skipped: their only use reads them from rax.
    pub elide: Vec<bool>,
    /// Whether each global's cache register holds its current value.
    pub valid: Vec<bool>,
    pub hot_record: Option<&'a mut dyn FnMut(u64) -> Option<u64>>,
    pub target_slot: u64,
}

macro_rules! ctx_field {
    ($f:ident) => {
        $crate::ctx::ctx_off(std::mem::offset_of!($crate::ctx::ExecCtx, $f))
    };
}
pub(crate) use ctx_field;

impl<S> Emitter<'_, S> {
    pub fn loc(&self, v: Value) -> Loc {
        self.alloc.locs[v.index()]
    }

    pub fn ty(&self, v: Value) -> Ty {
        self.block.ty(v)
    }

    /// Loads value `v` into register `r`, from rax when it still holds it.
    pub fn load(&mut self, r: u8, v: Value) {
        if self.rax_holds == Some(v) {
            if r != RAX {
                dynasm!(self.a ; .arch x64 ; mov Rq(r), rax);
            }
            return;
        }
        assert!(
            !self.elide[v.index()],
            "internal error: elided {v} is not in rax"
        );
        let l = self.loc(v);
        load(&mut self.a, r, l);
        if r == RAX {
            self.rax_holds = None;
        }
    }

    pub fn opnd(&mut self, v: Value, tmp: u8) -> Opnd {
        if self.rax_holds == Some(v) {
            return Opnd::Reg(RAX);
        }
        assert!(
            !self.elide[v.index()],
            "internal error: elided {v} is not in rax"
        );
        let l = self.loc(v);
        opnd(&mut self.a, l, tmp)
    }

    /// Value `i` was computed into rax.
    pub fn result(&mut self, i: usize) {
        if !self.elide[i] {
            store_home(&mut self.a, RAX, self.alloc.locs[i]);
        }
        self.rax_holds = Some(Value(i as u32));
    }

    pub fn jmp_epilogue(&mut self) {
        let epi = self.epilogue as i64;
        dynasm!(self.a ; .arch x64 ; mov rcx, QWORD epi ; jmp rcx);
    }

    /// Stores the cached globals written so far back to the guest state.
    fn write_back(&mut self) {
        for &(g, r) in &self.alloc.cached_list {
            if self.dirty[g.0 as usize] {
                let d = global_disp(g);
                dynasm!(self.a ; .arch x64 ; mov QWORD [r15 + d], Rq(r));
            }
        }
    }

    fn set_next_pc_rax(&mut self) {
        let off = ctx_field!(next_pc);
        dynasm!(self.a ; .arch x64 ; mov QWORD [r15 + off], rax);
    }

    fn emit_exit(&mut self, exit: Exit) {
        match exit {
            Exit::Chain(pc) => {
                self.write_back();
                if pc <= self.block.pc
                    && let Some(record) = self.hot_record.as_mut().and_then(|f| f(pc))
                {
                    self.emit_hot_check(pc, record);
                }
                while !(self.a.offset().0 + 1).is_multiple_of(4) {
                    dynasm!(self.a ; .arch x64 ; nop);
                }
                let stub = self.a.new_dynamic_label();
                let patch_offset = self.a.offset().0 as u32 + 1;
                dynasm!(self.a ; .arch x64 ; jmp =>stub ; =>stub);
                let stub_offset = self.a.offset().0 as u32;
                let k = self.exits.len() as u64;
                self.exits.push(ExitSite {
                    patch_offset,
                    stub_offset,
                    target_pc: pc,
                });
                load_imm(&mut self.a, RAX, pc);
                self.set_next_pc_rax();
                let code = ((self.block_id as u64) << 16) | (k << 8) | exit_code::CHAIN;
                load_imm(&mut self.a, RAX, code);
                self.jmp_epilogue();
            }
            Exit::Dynamic(v) => {
                self.load(RAX, v);
                self.write_back();
                self.set_next_pc_rax();
                if self.target_slot != 0 {
                    let slot = self.target_slot as i64;
                    dynasm!(self.a ; .arch x64 ; mov rcx, QWORD slot ; mov [rcx], rax);
                }
                self.jump_through_cache();
            }
            Exit::Trap(kind, pc) => {
                self.write_back();
                load_imm(&mut self.a, RAX, pc);
                self.set_next_pc_rax();
                let code = (trap_number(kind) << 8) | exit_code::TRAP;
                load_imm(&mut self.a, RAX, code);
                self.jmp_epilogue();
            }
        }
    }

    /// Continues at the guest pc in `rax` (also in `next_pc`, with the state stored)
    /// through the jump cache, or returns a lookup to the runtime on a miss.
    fn jump_through_cache(&mut self) {
        let cache = ctx_field!(jmp_cache);
        let mask = (JMP_CACHE_SIZE - 1) as i32;
        dynasm!(self.a
            ; .arch x64
            ; mov rcx, rax
            ; shr rcx, 1
            ; and ecx, mask
            ; shl ecx, 4
            ; add rcx, QWORD [r15 + cache]
            ; cmp QWORD [rcx], rax
            ; jne >miss
            ; jmp QWORD [rcx + 8]
            ; miss:
            ; mov eax, exit_code::LOOKUP as i32
        );
        self.jmp_epilogue();
    }

    /// On a backward branch to `pc` (a loop): enter the tier-1 region published for
    /// it, or count the iteration and report the loop hot when the count runs out.
    fn emit_hot_check(&mut self, pc: u64, record: u64) {
        let next_pc = ctx_field!(next_pc);
        let region_off = std::mem::offset_of!(crate::HotRecord, region) as i32;
        let (region, hot, go_on) = (
            self.a.new_dynamic_label(),
            self.a.new_dynamic_label(),
            self.a.new_dynamic_label(),
        );
        dynasm!(self.a
            ; .arch x64
            ; mov rax, QWORD record as i64
            ; mov rcx, QWORD [rax + region_off]
            ; test rcx, rcx
            ; jnz =>region
            ; sub DWORD [rax], 1
            ; jz =>hot
            ; jmp =>go_on
            ; =>region
            ; mov rdi, r15
            ; mov rsi, r14
            ; call rcx
            ; cmp rax, exit_code::LOOKUP as i32
            ; jne >leave
            ; mov rax, QWORD [r15 + next_pc]
        );
        // A region leaving to a pc outside it continues in tier 0 without a
        // round trip through the runtime when the target is in the jump cache.
        self.jump_through_cache();
        dynasm!(self.a ; .arch x64 ; leave:);
        self.jmp_epilogue();
        dynasm!(self.a ; .arch x64 ; =>hot);
        load_imm(&mut self.a, RAX, pc);
        self.set_next_pc_rax();
        load_imm(&mut self.a, RAX, exit_code::HOT);
        self.jmp_epilogue();
        dynasm!(self.a ; .arch x64 ; =>go_on);
    }

    fn emit_set(&mut self, g: Global, v: Value) {
        let loc = self.loc(v);
        match self.alloc.cached[g.0 as usize] {
            Some(r) => {
                self.load(r, v);
                self.dirty[g.0 as usize] = true;
                self.valid[g.0 as usize] = true;
            }
            None => {
                let d = global_disp(g);
                match loc {
                    Loc::Imm(c) if crate::operand::fits_i32(c) => {
                        dynasm!(self.a ; .arch x64 ; mov QWORD [r15 + d], c as i32);
                    }
                    _ => {
                        self.load(RAX, v);
                        dynasm!(self.a ; .arch x64 ; mov QWORD [r15 + d], rax);
                    }
                }
            }
        }
    }

    fn emit_get(&mut self, i: usize, g: Global) {
        if let Loc::Slot(_) | Loc::Temp(_) = self.alloc.locs[i] {
            match self.alloc.cached[g.0 as usize] {
                Some(r) => store_home(&mut self.a, r, self.alloc.locs[i]),
                None => {
                    load(&mut self.a, RAX, Loc::Env(global_disp(g)));
                    self.result(i);
                }
            }
        }
    }

    fn emit_call(&mut self, i: usize, helper: usize, args: &[Value]) {
        let h = &self.desc.helpers[helper];
        let all = h.effects == Effects::AllGlobals;
        let func = h.func as usize as i64;
        let saved: Vec<(Global, u8)> = self
            .alloc
            .cached_list
            .iter()
            .copied()
            .filter(|&(_, r)| all || caller_saved(r))
            .collect();
        for &(g, r) in &saved {
            if self.dirty[g.0 as usize] {
                let d = global_disp(g);
                dynasm!(self.a ; .arch x64 ; mov QWORD [r15 + d], Rq(r));
            }
        }
        const ARG_REGS: [u8; 4] = [RSI, RDX, RCX, R8];
        for (&v, &r) in args.iter().zip(ARG_REGS.iter()) {
            if self.rax_holds == Some(v) {
                dynasm!(self.a ; .arch x64 ; mov Rq(r), rax);
                continue;
            }
            assert!(
                !self.elide[v.index()],
                "internal error: elided {v} is not in rax"
            );
            let loc = match self.loc(v) {
                Loc::Reg(h, g) if caller_saved(h) => Loc::Env(global_disp(g)),
                l => l,
            };
            load(&mut self.a, r, loc);
        }
        dynasm!(self.a
            ; .arch x64
            ; mov Rq(RDI), Rq(R15)
            ; mov rax, QWORD func
            ; call rax
        );
        self.result(i);
        for &(g, r) in &saved {
            let d = global_disp(g);
            dynasm!(self.a ; .arch x64 ; mov Rq(r), QWORD [r15 + d]);
            self.valid[g.0 as usize] = true;
            if all {
                self.dirty[g.0 as usize] = false;
            }
        }
    }

    fn emit_exit_if(&mut self, c: oxemu_dbt_ir::Cond, x: Value, y: Value, exit: Exit) {
        let wide = self.ty(x) == Ty::I64;
        self.load(RAX, x);
        let b = self.opnd(y, RCX);
        alu!(&mut self.a, cmp, wide, RAX, b);
        let skip: DynamicLabel = self.a.new_dynamic_label();
        jcc(&mut self.a, c.invert(), skip);
        self.emit_exit(exit);
        dynasm!(self.a ; .arch x64 ; =>skip);
    }

    fn emit_setcond(&mut self, i: usize, c: oxemu_dbt_ir::Cond, x: Value, y: Value) {
        let wide = self.ty(x) == Ty::I64;
        self.load(RAX, x);
        let b = self.opnd(y, RCX);
        alu!(&mut self.a, cmp, wide, RAX, b);
        setcc_al(&mut self.a, c);
        dynasm!(self.a ; .arch x64 ; movzx eax, al);
        self.result(i);
    }

    fn emit_select(&mut self, i: usize, c: oxemu_dbt_ir::Cond, ops: [Value; 4]) {
        let [x, y, t, f] = ops;
        let wide = self.ty(x) == Ty::I64;
        self.load(RAX, f);
        self.load(RDX, t);
        self.load(RCX, x);
        let b = self.opnd(y, R11);
        alu!(&mut self.a, cmp, wide, RCX, b);
        cmov_rax_rdx(&mut self.a, c);
        self.result(i);
    }

    /// Whether an instruction emits no code that changes rax.
    fn keeps_rax(&self, i: usize) -> bool {
        match self.block.insts[i].op {
            Op::InsnStart(_) | Op::Const(_) => true,
            Op::Get(g) => {
                self.alloc.cached[g.0 as usize].is_some()
                    || !matches!(self.alloc.locs[i], Loc::Slot(_) | Loc::Temp(_))
            }
            Op::Set(g, _) => self.alloc.cached[g.0 as usize].is_some(),
            _ => false,
        }
    }

    fn emit_inst(&mut self, i: usize) {
        let inst = self.block.insts[i];
        let keeps = self.keeps_rax(i);
        let before = self.rax_holds;
        self.emit_op(i, inst);
        if keeps {
            self.rax_holds = before;
        } else if self.rax_holds != Some(Value(i as u32)) {
            self.rax_holds = None;
        }
    }

    fn emit_op(&mut self, i: usize, inst: oxemu_dbt_ir::Inst) {
        match inst.op {
            Op::InsnStart(pc) => self.pc = pc,
            Op::Const(_) => {}
            Op::Get(g) => self.emit_get(i, g),
            Op::Set(g, v) => self.emit_set(g, v),
            Op::Unary(op, x) => self.emit_unary(i, inst.ty, op, x),
            Op::Binary(op, x, y) => self.emit_binary(i, inst.ty, op, x, y),
            Op::SetCond(c, x, y) => self.emit_setcond(i, c, x, y),
            Op::Select(c, x, y, t, f) => self.emit_select(i, c, [x, y, t, f]),
            Op::Load { size, signed, addr } => self.emit_load(i, inst.ty, size, signed, addr),
            Op::Store { size, addr, value } => self.emit_store(size, addr, value),
            Op::Atomic {
                op,
                size,
                addr,
                value,
            } => self.emit_atomic(i, op, size, addr, value),
            Op::CmpXchg {
                size,
                addr,
                expected,
                new,
            } => self.emit_cmpxchg(i, size, addr, expected, new),
            Op::Call {
                helper,
                args,
                nargs,
            } => self.emit_call(i, helper.0 as usize, &args[..nargs as usize]),
            Op::Fence => dynasm!(self.a ; .arch x64 ; mfence),
            Op::ExitIf(c, x, y, exit) => self.emit_exit_if(c, x, y, exit),
        }
    }
}

/// Whether the block's first access to `g` is a read.
fn read_before_written(block: &Block, g: Global) -> bool {
    for inst in &block.insts {
        match inst.op {
            Op::Get(h) if h == g => return true,
            Op::Set(h, _) if h == g => return false,
            _ => {}
        }
    }
    false
}

/// The operand an instruction's emitter loads first (while rax is still intact).
fn first_load(op: &Op) -> Option<Value> {
    use oxemu_dbt_ir::BinOp;
    match *op {
        Op::Set(_, v) | Op::Unary(_, v) => Some(v),
        Op::Binary(BinOp::AndNot | BinOp::OrNot, _, y) => Some(y),
        Op::Binary(_, x, _) => Some(x),
        Op::SetCond(_, a, _) | Op::ExitIf(_, a, _, _) => Some(a),
        Op::Select(_, _, _, _, f) => Some(f),
        Op::Load { addr, .. } | Op::CmpXchg { addr, .. } => Some(addr),
        Op::Store { value, .. } | Op::Atomic { value, .. } => Some(value),
        Op::Call { args, nargs, .. } if nargs > 0 => Some(args[0]),
        _ => None,
    }
}

/// Values computed into rax whose only use is the first operand loaded by the next
/// instruction that emits code: they never need a frame slot.
fn elidable<S>(block: &Block, e: &Emitter<'_, S>) -> Vec<bool> {
    let n = block.insts.len();
    let uses = block.use_counts();
    let mut elide = vec![false; n];
    for i in 0..n {
        let produces_in_rax = matches!(
            block.insts[i].op,
            Op::Unary(..)
                | Op::Binary(..)
                | Op::SetCond(..)
                | Op::Select(..)
                | Op::Load { .. }
                | Op::Atomic { .. }
                | Op::CmpXchg { .. }
                | Op::Call { .. }
        );
        if !produces_in_rax || uses[i] != 1 {
            continue;
        }
        let v = Value(i as u32);
        let next =
            (i + 1..n).find(|&j| !e.keeps_rax(j) || matches!(block.insts[j].op, Op::Set(..)));
        elide[i] = match next {
            Some(j) => first_load(&block.insts[j].op) == Some(v),
            None => block.exit == Exit::Dynamic(v),
        };
    }
    elide
}

/// The trap kind of a number from the exit code.
pub fn trap_kind(n: u64) -> TrapKind {
    match n & 0xff {
        0 => TrapKind::Syscall,
        1 => TrapKind::Breakpoint,
        2 => TrapKind::Illegal,
        3 => TrapKind::FlushCode,
        _ => TrapKind::FetchFault,
    }
}

/// The number a trap kind is reported with in the exit code.
pub fn trap_number(kind: TrapKind) -> u64 {
    match kind {
        TrapKind::Syscall => 0,
        TrapKind::Breakpoint => 1,
        TrapKind::Illegal => 2,
        TrapKind::FlushCode => 3,
        TrapKind::FetchFault => 4,
    }
}

/// Where and how a block is compiled.
pub struct CompileParams<'a> {
    /// Host address the code will be placed at.
    pub base: usize,
    /// Reported in unchained exits.
    pub block_id: u32,
    /// The trampoline's epilogue address.
    pub epilogue: u64,
    /// For tier-1 profiling: the address of the [`HotRecord`](crate::HotRecord) of a
    /// backward-branch target pc, or None to leave that branch unprofiled.
    pub hot_record: Option<&'a mut dyn FnMut(u64) -> Option<u64>>,
    /// For tier-1 region formation: where the block's indirect exit stores its
    /// target pc (the last one taken), or 0 for no profile.
    pub target_slot: u64,
}

/// Compiles `block`.
pub fn compile_block<'a, S>(
    block: &'a Block,
    desc: &'a GuestDesc<S>,
    p: CompileParams<'a>,
) -> Result<CompiledBlock, CompileError> {
    let CompileParams {
        base,
        block_id,
        epilogue,
        hot_record,
        target_slot,
    } = p;
    if block.insts.len() > FRAME_SLOTS {
        return Err(CompileError::TooLarge(block.insts.len()));
    }
    let alloc = allocate(block, desc);
    let mut e = Emitter {
        a: Asm::new(base),
        block,
        desc,
        dirty: vec![false; desc.globals.len()],
        alloc,
        pc: block.pc,
        block_id,
        epilogue,
        exits: Vec::new(),
        mem_sites: Vec::new(),
        rax_holds: None,
        elide: Vec::new(),
        valid: vec![false; desc.globals.len()],
        hot_record,
        target_slot,
    };
    e.elide = elidable(block, &e);
    let request = e.a.new_dynamic_label();
    let req_off = ctx_field!(exit_request);
    dynasm!(e.a
        ; .arch x64
        ; cmp DWORD [r15 + req_off], 0
        ; jne =>request
    );
    for &(g, r) in &e.alloc.cached_list.clone() {
        if read_before_written(block, g) {
            let d = global_disp(g);
            dynasm!(e.a ; .arch x64 ; mov Rq(r), QWORD [r15 + d]);
            e.valid[g.0 as usize] = true;
        }
    }
    for i in 0..block.insts.len() {
        e.emit_inst(i);
    }
    e.emit_exit(block.exit);
    dynasm!(e.a ; .arch x64 ; =>request);
    load_imm(&mut e.a, RAX, block.pc);
    e.set_next_pc_rax();
    load_imm(&mut e.a, RAX, exit_code::REQUEST);
    e.jmp_epilogue();
    let cached = e.alloc.cached_list.clone();
    let (exits, mem_sites) = (e.exits, e.mem_sites);
    let code =
        e.a.finalize()
            .map_err(|err| CompileError::Asm(format!("{err:?}")))?;
    Ok(CompiledBlock {
        code,
        exits,
        mem_sites,
        cached,
    })
}
