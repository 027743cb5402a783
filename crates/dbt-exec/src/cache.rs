//! The translated-block cache: blocks keyed by (guest pc, mode), a page index for
//! invalidation, and the chaining links between blocks.

use std::collections::HashMap;

use std::sync::atomic::AtomicU64;

use oxemu_dbt_ir::{Block, Exit};

use oxemu_dbt_ir::Global;
use oxemu_dbt_x64::{ExitSite, MemSite};

/// Guest page size used by the invalidation index.
pub const PAGE: u64 = 4096;

/// A block in the code buffer.
#[derive(Debug)]
pub struct BlockInfo {
    /// Guest pc of the first instruction.
    pub pc: u64,
    /// CPU mode flags it was translated for.
    pub mode: u32,
    /// Guest bytes covered.
    pub guest_len: u64,
    /// Executable address of the code.
    pub code: usize,
    /// Code size in bytes.
    pub code_len: usize,
    /// Chainable exits.
    pub exits: Vec<ExitSite>,
    /// Instructions that may fault.
    pub mem_sites: Vec<MemSite>,
    /// Globals cached in host registers.
    pub cached: Vec<(Global, u8)>,
    /// Its control flow, for tier-1 region formation (which translates the
    /// blocks again: keeping every block's IR would cost far more memory).
    pub shape: BlockShape,
    /// Exits of other blocks chained to this one: (block id, exit index).
    pub incoming: Vec<(u32, u8)>,
    /// False once invalidated.
    pub alive: bool,
}

/// The control flow of a block.
#[derive(Debug, Default)]
pub struct BlockShape {
    /// Targets of its direct exits (conditional ones first).
    pub targets: Vec<u64>,
    /// Where a call it makes returns ([`Block::return_site`]).
    pub return_site: Option<u64>,
    /// Set when it ends in an indirect jump: the target that jump took last,
    /// which its tier-0 code stores here (0 before the first).
    pub last_target: Option<Box<AtomicU64>>,
}

impl BlockShape {
    /// The shape of `block`.
    pub fn of(block: &Block) -> BlockShape {
        BlockShape {
            targets: block.direct_targets().collect(),
            return_site: block.return_site(),
            last_target: matches!(block.exit, Exit::Dynamic(_))
                .then(|| Box::new(AtomicU64::new(0))),
        }
    }
}

/// All blocks of one code buffer generation.
#[derive(Default)]
pub struct BlockCache {
    /// Blocks by id, in code-address order.
    pub blocks: Vec<BlockInfo>,
    map: HashMap<(u64, u32), u32>,
    pages: HashMap<u64, Vec<u32>>,
}

impl BlockCache {
    /// The live block for (pc, mode).
    pub fn lookup(&self, pc: u64, mode: u32) -> Option<u32> {
        self.map.get(&(pc, mode)).copied()
    }

    /// Id the next inserted block will get.
    pub fn next_id(&self) -> u32 {
        self.blocks.len() as u32
    }

    /// Adds a block; returns its id.
    pub fn insert(&mut self, info: BlockInfo) -> u32 {
        let id = self.blocks.len() as u32;
        let first = info.pc / PAGE;
        let last = info.pc.saturating_add(info.guest_len.max(1) - 1) / PAGE;
        for page in first..=last {
            self.pages.entry(page).or_default().push(id);
        }
        self.map.insert((info.pc, info.mode), id);
        self.blocks.push(info);
        id
    }

    /// Marks every block overlapping [start, start+len) dead and returns their ids.
    pub fn invalidate(&mut self, start: u64, len: u64) -> Vec<u32> {
        let end = start.saturating_add(len.max(1));
        let mut dead = Vec::new();
        let (first, last) = (start / PAGE, (end - 1) / PAGE);
        if last - first > self.pages.len() as u64 {
            // A huge range: walk the index instead of the range.
            let pages: Vec<u64> = self
                .pages
                .keys()
                .copied()
                .filter(|p| (first..=last).contains(p))
                .collect();
            for p in pages {
                self.invalidate_page(p, start, end, &mut dead);
            }
        } else {
            for p in first..=last {
                self.invalidate_page(p, start, end, &mut dead);
            }
        }
        dead
    }

    fn invalidate_page(&mut self, page: u64, start: u64, end: u64, dead: &mut Vec<u32>) {
        let Some(ids) = self.pages.get_mut(&page) else {
            return;
        };
        ids.retain(|&id| {
            let b = &mut self.blocks[id as usize];
            let overlaps = b.pc < end && b.pc.saturating_add(b.guest_len.max(1)) > start;
            if overlaps && b.alive {
                b.alive = false;
                if self.map.get(&(b.pc, b.mode)) == Some(&id) {
                    self.map.remove(&(b.pc, b.mode));
                }
                dead.push(id);
            }
            b.alive
        });
        if ids.is_empty() {
            self.pages.remove(&page);
        }
    }

    /// The block whose code contains executable address `addr`.
    pub fn block_at(&self, addr: usize) -> Option<&BlockInfo> {
        let i = self.blocks.partition_point(|b| b.code <= addr);
        let b = self.blocks.get(i.checked_sub(1)?)?;
        (addr < b.code + b.code_len).then_some(b)
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        self.blocks.clear();
        self.map.clear();
        self.pages.clear();
    }
}
