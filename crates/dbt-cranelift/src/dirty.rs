//! Which globals may differ between their register copy and the guest state, and
//! where tier-1 code makes the state exact (checkpoints).
//!
//! Region code keeps globals in Cranelift variables. The state in memory is made
//! exact, with the guest pc stored in `cur_pc`, at *checkpoints*: on entry, before
//! every store, before and after every atomic op and every helper that may read any
//! global. A fault on a load is then handled by replaying from the last checkpoint
//! in tier 0: only loads and idempotent stores lie between it and the fault, so the
//! replay computes the same values and faults at the same access, precisely.
//! (Re-executing a store writes the value it already wrote.)
//!
//! A global written since the last checkpoint is *dirty* and is stored at the next
//! one. Across the edges inside a region the dirty sets of the predecessors are
//! merged (a union): storing a global that one path left clean writes the value it
//! already has, so the union is always safe, and a loop without stores stores
//! nothing per iteration.

use oxemu_dbt_ir::desc::GuestDesc;
use oxemu_dbt_ir::{Block, Exit, Op};

/// A set of globals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GlobalSet(Vec<u64>);

impl GlobalSet {
    pub fn new(n: usize) -> GlobalSet {
        GlobalSet(vec![0; n.div_ceil(64)])
    }
    pub fn insert(&mut self, g: u16) {
        self.0[g as usize / 64] |= 1 << (g % 64);
    }
    pub fn clear(&mut self) {
        self.0.fill(0);
    }
    /// Adds `other`; returns whether anything was new.
    pub fn union(&mut self, other: &GlobalSet) -> bool {
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            changed |= *b & !*a != 0;
            *a |= b;
        }
        changed
    }
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &bits)| {
            (0..64)
                .filter(move |b| bits & (1 << b) != 0)
                .map(move |b| (w * 64 + b) as u16)
        })
    }
}

/// What an op needs around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Checkpoint {
    /// Nothing.
    None,
    /// A checkpoint before it (a store: replaying it is harmless).
    Before,
    /// Checkpoints before and after it (replaying it would repeat its effect).
    Around,
}

/// The checkpoints an op needs.
pub(crate) fn checkpoint<S>(op: &Op, desc: &GuestDesc<S>) -> Checkpoint {
    match op {
        Op::Store { .. } => Checkpoint::Before,
        Op::Atomic { .. } | Op::CmpXchg { .. } => Checkpoint::Around,
        Op::Call { helper, .. }
            if desc.helpers[helper.0 as usize].effects
                == oxemu_dbt_ir::desc::Effects::AllGlobals =>
        {
            Checkpoint::Around
        }
        _ => Checkpoint::None,
    }
}

/// Calls `edge(target, dirty)` for every exit of `block` to a region block, with the
/// dirty set on that edge, starting from `dirty` at the block's entry. An edge
/// taken while a checkpoint is pending makes it (so carries an empty set).
pub(crate) fn walk<S>(
    block: &Block,
    desc: &GuestDesc<S>,
    sites: &[u64],
    mut dirty: GlobalSet,
    mut edge: impl FnMut(u64, &GlobalSet),
) {
    let empty = GlobalSet::new(desc.globals.len());
    let mut pending = false;
    for inst in &block.insts {
        match inst.op {
            Op::InsnStart(_) if pending => {
                dirty.clear();
                pending = false;
            }
            Op::Set(g, _) if !desc.globals[g.0 as usize].helper_visible => dirty.insert(g.0),
            Op::ExitIf(_, _, _, Exit::Chain(t)) => edge(t, if pending { &empty } else { &dirty }),
            ref op => match checkpoint(op, desc) {
                Checkpoint::None => {}
                Checkpoint::Before => dirty.clear(),
                Checkpoint::Around => {
                    dirty.clear();
                    pending = true;
                }
            },
        }
    }
    let out = if pending { &empty } else { &dirty };
    match block.exit {
        Exit::Chain(t) => edge(t, out),
        Exit::Dynamic(_) => sites.iter().for_each(|&t| edge(t, out)),
        Exit::Trap(..) => {}
    }
}

/// The region blocks an indirect exit may continue at inside the region: return
/// sites of calls in the region, and blocks no region block reaches directly
/// (callees of indirect calls, switch cases). Every indirect exit is compared
/// against them; any other target leaves the region.
pub(crate) fn return_sites(blocks: &[Block]) -> Vec<u64> {
    let direct = |pc: u64| blocks.iter().any(|b| b.direct_targets().any(|t| t == pc));
    let mut sites: Vec<u64> = blocks
        .iter()
        .filter_map(Block::return_site)
        .filter(|&pc| blocks.iter().any(|b| b.pc == pc))
        .collect();
    for b in blocks.iter().skip(1) {
        if !direct(b.pc) && !sites.contains(&b.pc) {
            sites.push(b.pc);
        }
    }
    sites
}
/// Dirty sets at the entry of every region block (the entry block starts clean: the
/// caller stored everything).
pub(crate) fn entry_sets<S>(blocks: &[Block], desc: &GuestDesc<S>) -> Vec<GlobalSet> {
    let n = desc.globals.len();
    let mut sets = vec![GlobalSet::new(n); blocks.len()];
    let index = |pc: u64| blocks.iter().position(|b| b.pc == pc);
    let sites = return_sites(blocks);
    let mut changed = true;
    while changed {
        changed = false;
        for (i, b) in blocks.iter().enumerate() {
            let start = sets[i].clone();
            walk(b, desc, &sites, start, |t, d| {
                if let Some(j) = index(t) {
                    changed |= sets[j].union(d);
                }
            });
        }
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut a = GlobalSet::new(100);
        a.insert(3);
        a.insert(70);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![3, 70]);
        let mut b = GlobalSet::new(100);
        assert!(b.union(&a));
        assert!(!b.union(&a));
        b.clear();
        assert_eq!(b.iter().count(), 0);
    }
}
