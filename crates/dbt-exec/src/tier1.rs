//! Tier 1 management: hotness records of loop headers, region formation, a
//! background compiler thread, publication of compiled regions by a pointer swap,
//! and their invalidation.
//!
//! Tier-0 code counts iterations on backward branches in a [`HotRecord`] per loop
//! header. When the count runs out the runtime forms a region (the header's block
//! and the blocks reachable from it by direct branches) and has it compiled; the
//! compiled function's address is then stored in the record, and the next backward
//! branch to the header calls it instead of continuing in tier 0. Nothing in code a
//! thread may be executing is ever patched.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use oxemu_dbt_ir::Block;
use oxemu_dbt_x64::HotRecord;

use crate::cache::BlockCache;

/// Compiles a region (entry block first) to position-independent code implementing
/// `extern "C" fn(state, guest_base) -> exit code`, or None if it cannot.
pub type RegionCompiler = Arc<dyn Fn(&[Block]) -> Option<Vec<u8>> + Send + Sync>;

/// When tier 1 compiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TierPolicy {
    /// Tier 0 only: no profiling code, no regions.
    Tier0Only,
    /// Compile a loop on the background thread once its header has run this many
    /// iterations.
    Background(u32),
    /// Compile every loop on its first iteration, synchronously (tests).
    Eager,
}

/// Most loop headers profiled per code-buffer generation.
const MAX_RECORDS: usize = 1 << 16;
/// Most blocks in a region.
const MAX_REGION_BLOCKS: usize = 32;
/// Most blocks searched for a region's loop.
const MAX_EXPLORED_BLOCKS: usize = 96;

/// A published region.
pub(crate) struct RegionInfo {
    pub code: usize,
    pub len: usize,
    record: u32,
    /// Guest byte ranges its blocks were translated from.
    ranges: Vec<(u64, u64)>,
    alive: bool,
}

/// A compiled region waiting to be placed and published.
pub(crate) struct Compiled {
    pub record: u32,
    pub ranges: Vec<(u64, u64)>,
    pub code: Vec<u8>,
}

struct Job {
    epoch: u64,
    record: u32,
    blocks: Vec<Block>,
}

struct Done {
    epoch: u64,
    record: u32,
    ranges: Vec<(u64, u64)>,
    code: Option<Vec<u8>>,
}

struct Worker {
    jobs: Option<Sender<Job>>,
    done: Receiver<Done>,
    thread: Option<JoinHandle<()>>,
}

/// Tier-1 state of one engine.
pub(crate) struct Tier1 {
    pub policy: TierPolicy,
    records: Box<[HotRecord]>,
    by_pc: HashMap<(u64, u32), u32>,
    pub regions: Vec<RegionInfo>,
    compiler: Option<RegionCompiler>,
    exit_request: Option<&'static AtomicU32>,
    worker: Option<Worker>,
    pending: Vec<bool>,
    /// Bumped by every invalidation: results of older jobs are stale.
    epoch: u64,
    /// Regions published.
    pub published: u64,
    /// The region (record, code) kept out of use while tier 0 replays a fault it
    /// took, and the runtime exits left before it is used again.
    suspended: Option<(u32, usize)>,
    replay_exits: u32,
}

/// Runtime exits after which a suspended region is used again even if tier 0 did
/// not reach the fault (another thread changed the mapping, say).
const REPLAY_EXITS: u32 = 1024;

impl Tier1 {
    pub fn new(policy: TierPolicy) -> Tier1 {
        let n = if policy == TierPolicy::Tier0Only {
            0
        } else {
            MAX_RECORDS
        };
        Tier1 {
            policy,
            records: vec![HotRecord::default(); n].into_boxed_slice(),
            by_pc: HashMap::new(),
            regions: Vec::new(),
            compiler: None,
            exit_request: None,
            worker: None,
            pending: vec![false; n],
            epoch: 0,
            published: 0,
            suspended: None,
            replay_exits: 0,
        }
    }

    fn threshold(&self) -> i32 {
        match self.policy {
            TierPolicy::Background(n) => n.max(1) as i32,
            _ => 1,
        }
    }

    /// Sets the region compiler; `exit_request` is poked when a background result is
    /// ready so a running loop returns to the runtime to publish it.
    pub fn set_compiler(&mut self, compiler: RegionCompiler, exit_request: &'static AtomicU32) {
        self.exit_request = Some(exit_request);
        self.compiler = Some(compiler);
    }

    /// The background compiler thread, started at the first job: most short
    /// programs never have a hot loop, and starting (and joining) a thread costs
    /// them milliseconds.
    fn worker(&mut self) -> Option<&Worker> {
        if self.worker.is_none()
            && let (TierPolicy::Background(_), Some(c), Some(exit_request)) =
                (self.policy, self.compiler.clone(), self.exit_request)
        {
            let (jobs, rx) = channel::<Job>();
            let (tx, done) = channel::<Done>();
            let thread = std::thread::Builder::new()
                .name("oxemu-tier1".into())
                .spawn(move || {
                    for job in rx {
                        let ranges = job.blocks.iter().map(|b| (b.pc, b.guest_len)).collect();
                        let code = c(&job.blocks);
                        if tx
                            .send(Done {
                                epoch: job.epoch,
                                record: job.record,
                                ranges,
                                code,
                            })
                            .is_err()
                        {
                            break;
                        }
                        exit_request.store(1, Ordering::Release);
                    }
                })
                .ok();
            self.worker = thread.map(|t| Worker {
                jobs: Some(jobs),
                done,
                thread: Some(t),
            });
        }
        self.worker.as_ref()
    }

    /// In the child of a fork: the compiler thread is gone; start a new one and
    /// forget jobs that were in flight.
    pub fn after_fork(&mut self) {
        if let Some(w) = self.worker.take() {
            // The old thread does not exist here: forget its handle without joining.
            std::mem::forget(w);
            self.pending.fill(false);
        }
    }

    /// Address of the record of loop header `pc`, creating it; None when tier 1 is
    /// off or the table is full.
    pub fn record_for(&mut self, pc: u64, mode: u32) -> Option<u64> {
        if self.policy == TierPolicy::Tier0Only || self.compiler.is_none() {
            return None;
        }
        let next = self.by_pc.len() as u32;
        if next as usize >= self.records.len() && !self.by_pc.contains_key(&(pc, mode)) {
            return None;
        }
        let threshold = self.threshold();
        let i = *self.by_pc.entry((pc, mode)).or_insert_with(|| next);
        if i == next {
            self.records[i as usize].counter = threshold;
        }
        Some(&self.records[i as usize] as *const HotRecord as u64)
    }

    /// The pcs of the region to compile for the hot header at `pc` (none when it
    /// is already compiled or being compiled).
    pub fn region_pcs(&mut self, pc: u64, mode: u32, cache: &BlockCache) -> Vec<u64> {
        let Some(&record) = self.by_pc.get(&(pc, mode)) else {
            return Vec::new();
        };
        let r = record as usize;
        // Re-arm: if the compile is still running the loop reports again later.
        self.records[r].counter = self.threshold().saturating_mul(4);
        if self.pending[r] || self.records[r].region != 0 {
            return Vec::new();
        }
        form_region(pc, mode, cache)
    }

    /// Compiles `blocks`, the region of the hot header at `pc`, now (eager) or
    /// queues it. Returns code to install for eager compiles.
    pub fn on_hot(&mut self, pc: u64, mode: u32, blocks: Vec<Block>) -> Option<Compiled> {
        let &record = self.by_pc.get(&(pc, mode))?;
        let r = record as usize;
        if blocks.is_empty() {
            return None;
        }
        let epoch = self.epoch;
        if let TierPolicy::Background(_) = self.policy {
            let job = Job {
                epoch,
                record,
                blocks,
            };
            let sent = self
                .worker()
                .and_then(|w| w.jobs.as_ref())
                .is_some_and(|j| j.send(job).is_ok());
            self.pending[r] = sent;
            return None;
        }
        let compiler = self.compiler.as_ref()?;
        let ranges = blocks.iter().map(|b| (b.pc, b.guest_len)).collect();
        let code = compiler(&blocks);
        self.pending[r] = code.is_none();
        code.map(|code| Compiled {
            record,
            ranges,
            code,
        })
    }

    /// Finished background compiles that are still current.
    pub fn take_done(&mut self) -> Vec<Compiled> {
        let Some(w) = &self.worker else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while let Ok(d) = w.done.try_recv() {
            if d.epoch != self.epoch {
                continue;
            }
            // A failed compile stays pending: the loop keeps running in tier 0.
            if let Some(code) = d.code {
                self.pending[d.record as usize] = false;
                out.push(Compiled {
                    record: d.record,
                    ranges: d.ranges,
                    code,
                });
            }
        }
        out
    }

    /// Publishes compiled code placed at `code`.
    pub fn publish(&mut self, record: u32, ranges: Vec<(u64, u64)>, code: usize, len: usize) {
        self.records[record as usize].region = code as u64;
        self.regions.push(RegionInfo {
            code,
            len,
            record,
            ranges,
            alive: true,
        });
        self.published += 1;
    }

    /// Unpublishes regions built from guest bytes in [start, start+len).
    pub fn invalidate(&mut self, start: u64, len: u64) {
        self.epoch += 1;
        let end = start.saturating_add(len.max(1));
        for r in &mut self.regions {
            if r.alive
                && r.ranges
                    .iter()
                    .any(|&(s, l)| s < end && s.saturating_add(l.max(1)) > start)
            {
                r.alive = false;
                self.records[r.record as usize].region = 0;
                self.records[r.record as usize].counter = 1 << 20;
            }
        }
    }

    /// Keeps the region whose code starts at `code` from being entered until
    /// [`Tier1::resume`], so that tier 0 can replay up to a fault the region took.
    pub fn suspend(&mut self, code: usize) {
        self.resume();
        if let Some(r) = self.regions.iter().find(|r| r.alive && r.code == code) {
            self.records[r.record as usize].region = 0;
            self.suspended = Some((r.record, code));
            self.replay_exits = REPLAY_EXITS;
        }
    }

    /// Counts a runtime exit during a replay; resumes the region after enough.
    pub fn count_replay_exit(&mut self) {
        if self.suspended.is_some() {
            self.replay_exits -= 1;
            if self.replay_exits == 0 {
                self.resume();
            }
        }
    }

    /// Publishes the suspended region again if it is still valid.
    pub fn resume(&mut self) {
        if let Some((record, code)) = self.suspended.take()
            && self.regions.iter().any(|r| r.alive && r.code == code)
        {
            self.records[record as usize].region = code as u64;
        }
    }

    /// Forgets everything (the code buffer was reset).
    pub fn clear(&mut self) {
        self.suspended = None;
        self.epoch += 1;
        self.by_pc.clear();
        self.regions.clear();
        self.records.fill(HotRecord::default());
        self.pending.fill(false);
    }

    /// The region whose code contains `addr`.
    pub fn region_at(&self, addr: usize) -> Option<&RegionInfo> {
        let i = self.regions.partition_point(|r| r.code <= addr);
        let r = self.regions.get(i.checked_sub(1)?)?;
        (addr < r.code + r.len).then_some(r)
    }
}

impl Drop for Tier1 {
    fn drop(&mut self) {
        if let Some(w) = &mut self.worker {
            w.jobs = None;
            if let Some(t) = w.thread.take() {
                let _ = t.join();
            }
        }
    }
}

/// The loop of the header at `pc`: the blocks reachable from it by direct branches
/// and by returns from calls it makes (a bounded search) that lead back to it
/// along a back edge, the header first, in search order, up to
/// [`MAX_REGION_BLOCKS`]. Code after the loop stays out: it would only lengthen
/// the live ranges of the globals the loop keeps in registers.
fn form_region(pc: u64, mode: u32, cache: &BlockCache) -> Vec<u64> {
    let Some(entry) = cache.lookup(pc, mode) else {
        return Vec::new();
    };
    let mut order = vec![entry];
    let mut succs: Vec<Vec<usize>> = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let b = &cache.blocks[order[i] as usize];
        let mut targets = b.shape.targets.clone();
        // An indirect call's last target may join (not a return's: that would
        // pull in the caller).
        if let (Some(t), Some(_)) = (b.shape.last_target.as_ref(), b.shape.return_site) {
            let t = t.load(Ordering::Relaxed);
            if t != 0 {
                targets.push(t);
            }
        }
        // A call continues at its return site after the callee's return, an
        // indirect jump the region can check against the known site.
        if let Some(site) = b.shape.return_site {
            targets.push(site);
        }
        let mut out = Vec::new();
        for t in targets {
            let Some(id) = cache.lookup(t, mode) else {
                continue;
            };
            match order.iter().position(|&o| o == id) {
                Some(j) => out.push(j),
                None if order.len() < MAX_EXPLORED_BLOCKS => {
                    out.push(order.len());
                    order.push(id);
                }
                None => {}
            }
        }
        succs.push(out);
        i += 1;
    }
    // A return (an indirect exit) reachable from a call's target may go back to
    // that call's return site.
    let pos = |pc: u64| {
        order
            .iter()
            .position(|&o| cache.blocks[o as usize].pc == pc)
    };
    let mut returns = Vec::new();
    for &call in &order {
        let shape = &cache.blocks[call as usize].shape;
        let callee = match &shape.last_target {
            Some(t) => Some(t.load(Ordering::Relaxed)),
            None => shape.targets.last().copied(),
        };
        let (Some(site), Some(target)) = (shape.return_site, callee) else {
            continue;
        };
        let (Some(site), Some(target)) = (pos(site), pos(target)) else {
            continue;
        };
        let mut seen = vec![false; order.len()];
        let mut stack = vec![target];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            if cache.blocks[order[i] as usize].shape.last_target.is_some() {
                returns.push((i, site));
            }
            stack.extend(succs[i].iter().copied());
        }
    }
    for (i, site) in returns {
        succs[i].push(site);
    }
    // The loop of the back edges to the header (from blocks at or after it, the
    // branches tier 0 profiles): the blocks that reach one of those latches
    // without passing through the header. An enclosing loop that enters the
    // header from before it stays out (measured on `int`: regions that took in
    // the enclosing loops spilled the inner loop's registers).
    let header_pc = cache.blocks[entry as usize].pc;
    let mut in_loop: Vec<bool> = (0..order.len())
        .map(|i| {
            i == 0 || (succs[i].contains(&0) && cache.blocks[order[i] as usize].pc >= header_pc)
        })
        .collect();
    // A block that starts before the header and runs into it passes through it.
    let through_header: Vec<bool> = order
        .iter()
        .map(|&o| {
            let b = &cache.blocks[o as usize];
            b.pc < header_pc && header_pc < b.pc + b.guest_len
        })
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for (i, out) in succs.iter().enumerate() {
            if !in_loop[i] && !through_header[i] && out.iter().any(|&j| j != 0 && in_loop[j]) {
                in_loop[i] = true;
                changed = true;
            }
        }
    }
    order
        .iter()
        .zip(&in_loop)
        .filter(|&(_, &keep)| keep)
        .take(MAX_REGION_BLOCKS)
        .map(|(&id, _)| cache.blocks[id as usize].pc)
        .collect()
}
