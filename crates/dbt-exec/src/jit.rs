//! The tier-0 engine: translate, compile, chain and run blocks.

use std::io;

use oxemu_dbt_ir::Block;
use oxemu_dbt_ir::desc::{GuestDesc, GuestState};
use oxemu_dbt_x64::{
    CompileParams, ExecCtx, JMP_CACHE_SIZE, JmpCacheEntry, compile_block, exit_code, trap_kind,
};

use crate::cache::{BlockCache, BlockInfo, BlockShape};
use crate::codebuf::CodeBuffer;
use crate::fault;
use crate::tier1::{Compiled, RegionCompiler, Tier1, TierPolicy};
use crate::{Event, Observe};
use std::sync::atomic::AtomicU32;

/// Guest state with the execution context right below it, as translated code expects.
#[repr(C)]
pub struct JitFrame<S> {
    /// Execution context (negative offsets from the state pointer).
    pub ctx: ExecCtx,
    /// The guest state.
    pub state: S,
}

/// Tuning switches.
#[derive(Clone, Copy, Debug)]
pub struct JitOptions {
    /// Chain direct exits and use the indirect-jump cache.
    pub chain: bool,
    /// Run the IR optimizer.
    pub optimize: bool,
    /// Size of the code buffer in bytes.
    pub code_size: usize,
    /// When hot loops are compiled by tier 1 (needs a region compiler, see
    /// [`Jit::set_region_compiler`]).
    pub tier: TierPolicy,
}

impl Default for JitOptions {
    fn default() -> Self {
        JitOptions {
            chain: true,
            optimize: true,
            code_size: 256 << 20,
            tier: TierPolicy::Background(DEFAULT_HOT_THRESHOLD),
        }
    }
}

/// Loop iterations before a loop header is compiled by tier 1 (see
/// docs/PERFORMANCE.md for how it was chosen).
pub const DEFAULT_HOT_THRESHOLD: u32 = 2000;

/// Receives translated blocks and executions (`-d` logging).
pub type Observer<S> = Box<dyn FnMut(Observe<'_, S>)>;

type EnterFn<S> = extern "C" fn(*mut S, usize, usize) -> u64;

/// Counters for `-d` and the benchmarks.
#[derive(Clone, Copy, Debug, Default)]
pub struct JitStats {
    /// Blocks translated.
    pub translated: u64,
    /// Code buffer flushes.
    pub flushes: u64,
    /// Exits chained.
    pub chained: u64,
    /// Returns from translated code to the runtime.
    pub exits: u64,
    /// Of those, indirect jumps that missed the jump cache.
    pub lookups: u64,
    /// Loops reported hot.
    pub hot: u64,
    /// Tier-1 regions published.
    pub regions: u64,
    /// Faults in tier-1 code replayed in tier 0 from a checkpoint.
    pub replays: u64,
}

/// The tier-0 engine for guest state `S`.
pub struct Jit<S: 'static> {
    pub(crate) desc: &'static GuestDesc<S>,
    pub(crate) buf: CodeBuffer,
    pub(crate) enter: usize,
    pub(crate) epilogue: usize,
    pub(crate) fault_entry: usize,
    pub(crate) replay_entry: usize,
    empty_entry: JmpCacheEntry,
    tramp_len: usize,
    pub(crate) cache: BlockCache,
    jmp_cache: Box<[JmpCacheEntry]>,
    pub(crate) frame: *mut JitFrame<S>,
    pub(crate) guest_base: usize,
    opts: JitOptions,
    /// Called on guest write faults: returns true when the fault was a write to a
    /// write-protected page holding translated code (the write is then retried).
    pub(crate) write_fault_hook: Option<Box<dyn Fn(u64) -> bool + Send + Sync>>,
    /// Receives translated blocks and block executions (`-d` logging).
    pub observer: Option<Observer<S>>,
    /// Counters.
    pub stats: JitStats,
    pub(crate) tier1: Tier1,
}

impl<S: GuestState + 'static> Jit<S> {
    /// Creates an engine for guest memory at host address `guest_base`, with guest
    /// addresses valid below `mem_limit` (a guard area must follow the limit).
    pub fn new(
        desc: &'static GuestDesc<S>,
        state: S,
        guest_base: usize,
        mem_limit: u64,
        opts: JitOptions,
    ) -> io::Result<Self> {
        oxemu_dbt_x64::host_supported().map_err(io::Error::other)?;
        fault::install();
        let mut buf = CodeBuffer::new(opts.code_size)?;
        let tramp = oxemu_dbt_x64::build_trampoline(buf.next_addr());
        let base = buf
            .push(&tramp.code)
            .ok_or_else(|| io::Error::other("code buffer too small"))?;
        let empty = JmpCacheEntry {
            pc: u64::MAX,
            code: (base + tramp.lookup_miss) as u64,
        };
        let mut jmp_cache = vec![empty; JMP_CACHE_SIZE].into_boxed_slice();
        let frame = Box::into_raw(Box::new(JitFrame {
            ctx: ExecCtx {
                exit_request: 0,
                _pad: 0,
                next_pc: 0,
                host_sp: 0,
                jmp_cache: jmp_cache.as_mut_ptr() as u64,
                mem_limit,
                fault_addr: 0,
                cur_pc: 0,
            },
            state,
        }));
        Ok(Jit {
            desc,
            enter: base + tramp.enter,
            epilogue: base + tramp.epilogue,
            fault_entry: base + tramp.fault,
            replay_entry: base + tramp.replay,
            empty_entry: empty,
            tramp_len: buf.used(),
            buf,
            cache: BlockCache::default(),
            jmp_cache,
            frame,
            guest_base,
            opts,
            write_fault_hook: None,
            observer: None,
            stats: JitStats::default(),
            tier1: Tier1::new(opts.tier),
        })
    }

    /// The guest state.
    pub fn state(&self) -> &S {
        // SAFETY: `frame` is owned by self and only mutated through &mut self or by
        // translated code running inside `run` (which holds &mut self).
        unsafe { &(*self.frame).state }
    }

    /// The guest state, mutably.
    pub fn state_mut(&mut self) -> &mut S {
        // SAFETY: as in `state`, with exclusive access through &mut self.
        unsafe { &mut (*self.frame).state }
    }

    /// Sets the tier-1 compiler; without one, tier 1 stays off.
    pub fn set_region_compiler(&mut self, compiler: RegionCompiler) {
        // SAFETY: `exit_request` is a properly aligned u32 inside the frame, which
        // outlives the compiler thread (Drop stops the thread before freeing the
        // frame); translated code and the thread only access it atomically or by
        // plain aligned 32-bit accesses.
        let flag: &'static AtomicU32 =
            unsafe { AtomicU32::from_ptr(&raw mut (*self.frame).ctx.exit_request) };
        self.tier1.set_compiler(compiler, flag);
    }

    /// Call in the child of a fork before running guest code again: the code buffer
    /// becomes private to this process and the tier-1 thread (which did not survive
    /// the fork) is restarted.
    pub fn after_fork(&mut self) -> io::Result<()> {
        self.buf.unshare()?;
        self.tier1.after_fork();
        Ok(())
    }

    /// Sets the hook for write faults on pages with translated code.
    pub fn set_write_fault_hook(&mut self, hook: Box<dyn Fn(u64) -> bool + Send + Sync>) {
        self.write_fault_hook = Some(hook);
    }

    fn ctx(&mut self) -> &mut ExecCtx {
        // SAFETY: as in `state_mut`.
        unsafe { &mut (*self.frame).ctx }
    }

    /// Drops translations of guest bytes in [start, start+len).
    pub fn invalidate(&mut self, start: u64, len: u64) {
        self.tier1.invalidate(start, len);
        let dead = self.cache.invalidate(start, len);
        if dead.is_empty() {
            return;
        }
        for id in dead {
            let incoming = std::mem::take(&mut self.cache.blocks[id as usize].incoming);
            for (from, k) in incoming {
                let b = &self.cache.blocks[from as usize];
                if b.alive {
                    let site = b.exits[k as usize];
                    let (at, stub) = (
                        b.code + site.patch_offset as usize,
                        b.code + site.stub_offset as usize,
                    );
                    self.buf.patch_u32(at, rel32(at, stub));
                }
            }
        }
        self.jmp_cache.fill(self.empty_entry);
    }

    /// Drops every translation.
    pub fn flush(&mut self) {
        self.cache.clear();
        self.tier1.clear();
        self.buf.reset(self.tramp_len);
        self.jmp_cache.fill(self.empty_entry);
        self.stats.flushes += 1;
    }

    /// The optimized IR of the block at `pc`.
    fn ir(&self, pc: u64, translate: &mut dyn FnMut(u64) -> Block) -> Block {
        let raw = translate(pc);
        let block = if self.opts.optimize {
            oxemu_dbt_opt::optimize(&raw, self.desc)
        } else {
            raw
        };
        if let Err(e) = oxemu_dbt_ir::verify(&block, self.desc) {
            panic!("internal error: invalid IR for guest pc {pc:#x}: {e}");
        }
        block
    }

    fn compile(&mut self, pc: u64, mode: u32, translate: &mut dyn FnMut(u64) -> Block) -> u32 {
        let block = self.ir(pc, translate);
        let mut shape = BlockShape::of(&block);
        let block = &block;
        for attempt in 0..2 {
            let slot = shape.last_target.as_ref().map_or(0, |t| t.as_ptr() as u64);
            self.buf.align();
            let base = self.buf.next_addr();
            let id = self.cache.next_id();
            let tier1 = &mut self.tier1;
            let mut record = |target: u64| tier1.record_for(target, mode);
            let params = CompileParams {
                base,
                block_id: id,
                epilogue: self.epilogue as u64,
                hot_record: Some(&mut record),
                target_slot: slot,
            };
            let compiled = compile_block(block, self.desc, params)
                .unwrap_or_else(|e| panic!("internal error compiling guest pc {pc:#x}: {e}"));
            let Some(code) = self.buf.push(&compiled.code) else {
                assert!(attempt == 0, "a single block does not fit the code buffer");
                self.flush();
                continue;
            };
            if let Some(obs) = self.observer.as_mut() {
                obs(Observe::Compiled {
                    block,
                    addr: code,
                    code: &compiled.code,
                });
            }
            self.stats.translated += 1;
            return self.cache.insert(BlockInfo {
                pc,
                mode,
                guest_len: block.guest_len,
                code,
                code_len: compiled.code.len(),
                exits: compiled.exits,
                mem_sites: compiled.mem_sites,
                cached: compiled.cached,
                shape: std::mem::take(&mut shape),
                incoming: Vec::new(),
                alive: true,
            });
        }
        unreachable!("the loop returns or flushes once")
    }

    fn link(&mut self, from: u32, k: u8, to: u32) {
        let Some(b) = self.cache.blocks.get(from as usize) else {
            return;
        };
        if !b.alive {
            return;
        }
        let Some(site) = b.exits.get(k as usize).copied() else {
            return;
        };
        let at = b.code + site.patch_offset as usize;
        let target = self.cache.blocks[to as usize].code;
        self.buf.patch_u32(at, rel32(at, target));
        self.cache.blocks[to as usize].incoming.push((from, k));
        self.stats.chained += 1;
    }

    /// Runs guest code from `pc` in `mode` until a trap, a fault or an exit request.
    /// `translate` turns a guest pc into an IR block.
    pub fn run(
        &mut self,
        mut pc: u64,
        mode: u32,
        translate: &mut dyn FnMut(u64) -> Block,
    ) -> Event {
        let mut pending_link: Option<(u32, u8)> = None;
        // A region suspended for a replay is used again once the replay ended in an
        // event (the fault, mostly).
        self.tier1.resume();
        loop {
            for c in self.tier1.take_done() {
                self.install_region(c);
            }
            let flushes = self.stats.flushes;
            let id = match self.cache.lookup(pc, mode) {
                Some(id) => id,
                None => self.compile(pc, mode, translate),
            };
            if self.stats.flushes != flushes {
                pending_link = None;
            }
            if let Some((from, k)) = pending_link.take()
                && self.opts.chain
            {
                self.link(from, k, id);
            }
            let code = self.cache.blocks[id as usize].code;
            if let Some(obs) = self.observer.as_mut() {
                // SAFETY: see `state`.
                let state = unsafe { &(*self.frame).state };
                obs(Observe::Exec { pc, state });
            }
            let r = self.enter_code(code);
            self.stats.exits += 1;
            self.tier1.count_replay_exit();
            let next = self.ctx().next_pc;
            match r & 0xff {
                exit_code::CHAIN => {
                    pending_link = Some(((r >> 16) as u32, ((r >> 8) & 0xff) as u8));
                    pc = next;
                }
                exit_code::LOOKUP => {
                    self.stats.lookups += 1;
                    pc = next;
                    if self.opts.chain {
                        let id = match self.cache.lookup(pc, mode) {
                            Some(id) => id,
                            None => self.compile(pc, mode, translate),
                        };
                        let slot = ((pc >> 1) as usize) & (JMP_CACHE_SIZE - 1);
                        self.jmp_cache[slot] = JmpCacheEntry {
                            pc,
                            code: self.cache.blocks[id as usize].code as u64,
                        };
                    }
                }
                exit_code::HOT => {
                    pc = next;
                    self.stats.hot += 1;
                    let region = self.tier1.region_pcs(pc, mode, &self.cache);
                    let blocks: Vec<Block> =
                        region.iter().map(|&p| self.ir(p, translate)).collect();
                    if let Some(c) = self.tier1.on_hot(pc, mode, blocks) {
                        self.install_region(c);
                    }
                }
                exit_code::REPLAY => {
                    self.stats.replays += 1;
                    let region = self.ctx().fault_addr as usize;
                    self.tier1.suspend(region);
                    pc = next;
                }
                exit_code::TRAP => return Event::Trap(trap_kind(r >> 8), next),
                exit_code::FAULT => {
                    let addr = self.ctx().fault_addr;
                    return Event::Fault { pc: next, addr };
                }
                _ => {
                    self.ctx().exit_request = 0;
                    return Event::Request(next);
                }
            }
        }
    }

    fn install_region(&mut self, c: Compiled) {
        self.buf.align();
        let Some(addr) = self.buf.push(&c.code) else {
            // The buffer is full: the next translation flushes it; the loop stays in tier 0.
            return;
        };
        if let Some(obs) = self.observer.as_mut() {
            let pcs: Vec<u64> = c.ranges.iter().map(|r| r.0).collect();
            obs(Observe::Region {
                pcs: &pcs,
                addr,
                code: &c.code,
            });
        }
        self.tier1.publish(c.record, c.ranges, addr, c.code.len());
        self.stats.regions += 1;
    }

    fn enter_code(&mut self, code: usize) -> u64 {
        // SAFETY: `enter` is the trampoline built by `new` in our code buffer, with the
        // signature of EnterFn; `code` is the entry of a live block compiled for this
        // guest description; the frame pointer and guest base stay valid for the call.
        let enter: EnterFn<S> = unsafe { std::mem::transmute::<usize, EnterFn<S>>(self.enter) };
        let _guard = fault::Active::new(self);
        // SAFETY: `frame` is owned by self; translated code reaches the ExecCtx right
        // below the state as JitFrame lays it out.
        let state = unsafe { &raw mut (*self.frame).state };
        enter(state, self.guest_base, code)
    }
}

impl<S> Drop for Jit<S> {
    fn drop(&mut self) {
        // The tier-1 thread may still poke the frame: stop it first.
        self.tier1 = Tier1::new(TierPolicy::Tier0Only);
        // SAFETY: `frame` came from Box::into_raw in `new` and is freed once.
        drop(unsafe { Box::from_raw(self.frame) });
    }
}

fn rel32(at: usize, target: usize) -> u32 {
    (target as i64 - (at as i64 + 4)) as i32 as u32
}
