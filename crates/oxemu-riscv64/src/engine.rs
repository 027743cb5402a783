//! The two ways of running guest code behind one interface: tier 0 (translated
//! x86-64 code) and the reference IR interpreter.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use oxemu_dbt_cranelift::RegionCompiler;
use oxemu_dbt_exec::{Event, Jit, JitOptions, Observe, TierPolicy};
use oxemu_dbt_ir::interp::{self, GuestMemory, MemFault, Outcome};
use oxemu_dbt_ir::{AtomicOp, Block, MemSize};
use oxemu_isa_riscv64::{GUEST_DESC, RvCpu, TranslateOptions, translate};
use oxemu_memory::GuestSpace;

use crate::cli::TierMode;
use crate::logging::Logger;

/// Translates guest code at `pc`, marks its pages as holding code and logs it.
pub struct Translator {
    pub space: Arc<GuestSpace>,
    pub opts: TranslateOptions,
    pub log: Rc<Logger>,
}

impl Translator {
    pub fn translate(&self, pc: u64) -> Block {
        let space = &self.space;
        let fetch = |a: u64| space.fetch(a, 2).ok().map(|v| v as u16);
        let block = translate(pc, &mut |a| fetch(a), &self.opts);
        if block.guest_len > 0 {
            let first = pc & !0xfff;
            let last = pc.wrapping_add(block.guest_len - 1) & !0xfff;
            let mut page = first;
            loop {
                space.mark_code_page(page);
                if page >= last {
                    break;
                }
                page += 0x1000;
            }
        }
        if self.log.items.in_asm {
            self.log.in_asm(&block, &fetch);
        }
        if self.log.items.op {
            self.log.ir("OP:", &block);
        }
        block
    }
}

/// Guest memory for the interpreter: the checked accessors of the address space.
struct SpaceMemory<'a>(&'a GuestSpace);

fn mem_fault(f: oxemu_memory::Fault, write: bool) -> MemFault {
    MemFault {
        addr: f.addr,
        write,
    }
}

fn atomic_op(op: AtomicOp) -> oxemu_memory::AtomicOp {
    use oxemu_memory::AtomicOp as M;
    match op {
        AtomicOp::Swap => M::Swap,
        AtomicOp::Add => M::Add,
        AtomicOp::And => M::And,
        AtomicOp::Or => M::Or,
        AtomicOp::Xor => M::Xor,
        AtomicOp::MinS => M::MinS,
        AtomicOp::MaxS => M::MaxS,
        AtomicOp::MinU => M::MinU,
        AtomicOp::MaxU => M::MaxU,
    }
}

impl GuestMemory for SpaceMemory<'_> {
    fn load(&mut self, addr: u64, size: MemSize) -> Result<u64, MemFault> {
        self.0
            .load(addr, size.bytes())
            .map_err(|f| mem_fault(f, false))
    }
    fn store(&mut self, addr: u64, size: MemSize, value: u64) -> Result<(), MemFault> {
        self.0
            .store(addr, size.bytes(), value)
            .map_err(|f| mem_fault(f, true))
    }
    fn atomic(
        &mut self,
        op: AtomicOp,
        size: MemSize,
        addr: u64,
        value: u64,
    ) -> Result<u64, MemFault> {
        self.0
            .atomic_rmw(addr, size.bytes(), atomic_op(op), value)
            .map_err(|f| mem_fault(f, true))
    }
    fn cmpxchg(
        &mut self,
        size: MemSize,
        addr: u64,
        expected: u64,
        new: u64,
    ) -> Result<u64, MemFault> {
        self.0
            .cmpxchg(addr, size.bytes(), expected, new)
            .map_err(|f| mem_fault(f, true))
    }
}

/// The reference interpreter with a cache of translated (unoptimized) blocks.
pub struct Interp {
    state: Box<RvCpu>,
    blocks: HashMap<u64, Block>,
    vals: Vec<u64>,
    invalid: Vec<(u64, u64)>,
}

impl Interp {
    fn drop_invalidated(&mut self, space: &GuestSpace) {
        space.take_code_invalidations(&mut self.invalid);
        for (start, len) in self.invalid.drain(..) {
            let end = start.saturating_add(len);
            self.blocks
                .retain(|&pc, b| pc >= end || pc.saturating_add(b.guest_len) <= start);
        }
    }

    fn run(&mut self, mut pc: u64, tr: &Translator) -> Event {
        loop {
            self.drop_invalidated(&tr.space);
            let block = self.blocks.entry(pc).or_insert_with(|| tr.translate(pc));
            if tr.log.items.exec {
                tr.log.exec(pc);
            }
            if tr.log.items.cpu {
                tr.log.cpu(&self.state);
            }
            let mut mem = SpaceMemory(&tr.space);
            match interp::run(
                block,
                &GUEST_DESC,
                &mut self.state,
                &mut mem,
                &mut self.vals,
            ) {
                Outcome::Jump(next) => pc = next,
                Outcome::Trap(k, at) => return Event::Trap(k, at),
                Outcome::Fault { pc, fault } => {
                    return Event::Fault {
                        pc,
                        addr: fault.addr,
                    };
                }
            }
        }
    }
}

/// Tier 0 or the interpreter.
pub enum Engine {
    Jit(Box<Jit<RvCpu>>),
    Interp(Interp),
}

impl Engine {
    pub fn tier0(
        space: &Arc<GuestSpace>,
        state: RvCpu,
        log: &Rc<Logger>,
        tier: TierMode,
    ) -> std::io::Result<Engine> {
        let opts = JitOptions {
            chain: !(log.items.nochain || log.items.exec || log.items.cpu),
            tier: match tier {
                TierMode::Tier0Only => TierPolicy::Tier0Only,
                TierMode::Auto(n) => TierPolicy::Background(n),
                TierMode::Eager => TierPolicy::Eager,
            },
            ..JitOptions::default()
        };
        let mut jit = Jit::new(&GUEST_DESC, state, space.host_base(), space.limit(), opts)?;
        if tier != TierMode::Tier0Only {
            // Built at the first compile: short programs never need it.
            let compiler = std::sync::OnceLock::new();
            jit.set_region_compiler(Arc::new(move |blocks: &[Block]| {
                let c = compiler.get_or_init(|| {
                    RegionCompiler::new(false)
                        .inspect_err(|e| log::warn!("tier 1 unavailable: {e}"))
                        .ok()
                });
                c.as_ref()?
                    .compile(blocks, &GUEST_DESC)
                    .inspect_err(|e| log::debug!("tier 1 failed at {:#x}: {e}", blocks[0].pc))
                    .ok()
            }));
        }
        let hook_space = Arc::clone(space);
        jit.set_write_fault_hook(Box::new(move |addr| hook_space.on_write_fault(addr)));
        let items = log.items;
        if items.op_opt || items.out_asm || items.exec || items.cpu {
            let log = Rc::clone(log);
            jit.observer = Some(Box::new(move |o| match o {
                Observe::Compiled { block, addr, code } => {
                    if items.op_opt {
                        log.ir("OP after optimization:", block);
                    }
                    if items.out_asm {
                        log.out_asm(addr, code);
                    }
                }
                Observe::Region { pcs, addr, code } => {
                    if items.out_asm {
                        log.region(pcs, addr, code);
                    }
                }
                Observe::Exec { pc, state } => {
                    if items.exec {
                        log.exec(pc);
                    }
                    if items.cpu {
                        log.cpu(state);
                    }
                }
            }));
        }
        Ok(Engine::Jit(Box::new(jit)))
    }

    pub fn interp(state: RvCpu) -> Engine {
        Engine::Interp(Interp {
            state: Box::new(state),
            blocks: HashMap::new(),
            vals: Vec::new(),
            invalid: Vec::new(),
        })
    }

    pub fn state_mut(&mut self) -> &mut RvCpu {
        match self {
            Engine::Jit(j) => j.state_mut(),
            Engine::Interp(i) => &mut i.state,
        }
    }

    /// Runs until a trap, a fault or an exit request.
    pub fn run(&mut self, pc: u64, tr: &Translator) -> Event {
        match self {
            Engine::Jit(j) => j.run(pc, 0, &mut |pc| tr.translate(pc)),
            Engine::Interp(i) => i.run(pc, tr),
        }
    }

    /// Drops translations the address space reports as stale.
    pub fn sync_code(&mut self, space: &GuestSpace, scratch: &mut Vec<(u64, u64)>) {
        match self {
            Engine::Jit(j) => {
                space.take_code_invalidations(scratch);
                for (start, len) in scratch.drain(..) {
                    j.invalidate(start, len);
                }
            }
            Engine::Interp(i) => i.drop_invalidated(space),
        }
    }

    /// In the child of a fork: stop sharing translated code with the parent.
    pub fn after_fork(&mut self) -> std::io::Result<()> {
        match self {
            Engine::Jit(j) => j.after_fork(),
            Engine::Interp(_) => Ok(()),
        }
    }

    /// Drops every translation (`fence.i`).
    pub fn flush(&mut self) {
        match self {
            Engine::Jit(j) => j.flush(),
            Engine::Interp(i) => i.blocks.clear(),
        }
    }
}
