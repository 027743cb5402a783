//! Where every global and value lives while a block runs.
//!
//! Globals used by the block are cached in host registers from block entry to every
//! exit. A value read from a global keeps living in that register (or in the state,
//! for uncached globals) as long as the global is not overwritten before the value's
//! last use; constants are immediates; everything else gets a frame slot.

use oxemu_dbt_ir::desc::{Effects, GuestDesc};
use oxemu_dbt_ir::{Block, Exit, Global, Op};

pub(crate) const RAX: u8 = 0;
pub(crate) const RCX: u8 = 1;
pub(crate) const RDX: u8 = 2;
pub(crate) const RSI: u8 = 6;
pub(crate) const RDI: u8 = 7;
pub(crate) const R8: u8 = 8;
pub(crate) const R11: u8 = 11;
pub(crate) const R15: u8 = 15;
pub(crate) const RSP: u8 = 4;

/// Host registers that can cache globals, callee-saved ones first.
const POOL: [u8; 9] = [3, 5, 12, 13, 6, 7, 8, 9, 10];
/// Of those, the ones that can hold temporaries when no global uses them: never
/// an argument register (calls load arguments from temporaries) or a scratch one.
const TEMP_POOL: [u8; 6] = [9, 10, 13, 12, 5, 3];

/// Whether a host register is clobbered by calls (System V).
pub(crate) fn caller_saved(r: u8) -> bool {
    matches!(r, 0 | 1 | 2 | 6 | 7 | 8 | 9 | 10 | 11)
}

/// Where a value can be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    /// A constant.
    Imm(u64),
    /// A host register caching this global.
    Reg(u8, Global),
    /// A global in the guest state (displacement from r15).
    Env(i32),
    /// A frame slot (displacement from rsp).
    Slot(i32),
    /// A host register holding a temporary value.
    Temp(u8),
    /// Defines no value.
    None,
}

/// Register assignment of one block.
pub(crate) struct Alloc {
    /// Host register caching each global, if any.
    pub cached: Vec<Option<u8>>,
    /// (global, host register) pairs, in assignment order.
    pub cached_list: Vec<(Global, u8)>,
    /// Location of every value.
    pub locs: Vec<Loc>,
}

pub(crate) fn global_disp(g: Global) -> i32 {
    8 * g.0 as i32
}

/// Whether instruction `op` may change global `g` (as seen by a value read earlier).
fn clobbers<S>(op: &Op, g: Global, desc: &GuestDesc<S>) -> bool {
    match *op {
        Op::Set(s, _) => s == g,
        Op::Call { helper, .. } => match desc.helpers[helper.0 as usize].effects {
            Effects::Pure => false,
            Effects::HelperGlobals => desc.globals[g.0 as usize].helper_visible,
            Effects::AllGlobals => true,
        },
        _ => false,
    }
}

pub(crate) fn allocate<S>(block: &Block, desc: &GuestDesc<S>) -> Alloc {
    let n = block.insts.len();
    let mut uses = vec![0u32; desc.globals.len()];
    for inst in &block.insts {
        if let Op::Get(g) | Op::Set(g, _) = inst.op {
            uses[g.0 as usize] += 1;
        }
    }
    let mut order: Vec<usize> = (0..uses.len())
        .filter(|&g| uses[g] > 0 && !desc.globals[g].helper_visible)
        .collect();
    order.sort_by_key(|&g| std::cmp::Reverse(uses[g]));
    let mut cached = vec![None; desc.globals.len()];
    let mut cached_list = Vec::new();
    for (&g, &r) in order.iter().zip(POOL.iter()) {
        cached[g] = Some(r);
        cached_list.push((Global(g as u16), r));
    }

    let mut last_use = vec![0usize; n];
    for (i, inst) in block.insts.iter().enumerate() {
        inst.op.for_each_use(|v| last_use[v.index()] = i);
    }
    if let Exit::Dynamic(v) = block.exit {
        last_use[v.index()] = n;
    }
    let locs: Vec<Loc> = block
        .insts
        .iter()
        .enumerate()
        .map(|(i, inst)| match inst.op {
            Op::Const(c) => Loc::Imm(c),
            Op::Get(g) => {
                let end = last_use[i].min(n.saturating_sub(1));
                let overwritten = (i + 1..=end).any(|j| clobbers(&block.insts[j].op, g, desc));
                match (overwritten, cached[g.0 as usize]) {
                    (true, _) => Loc::Slot(8 * i as i32),
                    (false, Some(r)) => Loc::Reg(r, g),
                    (false, None) => Loc::Env(global_disp(g)),
                }
            }
            ref op if op.defines_value() => Loc::Slot(8 * i as i32),
            _ => Loc::None,
        })
        .collect();
    let mut locs = locs;
    assign_temp_registers(block, &cached_list, &last_use, &mut locs);
    Alloc {
        cached,
        cached_list,
        locs,
    }
}

/// Linear scan: values in frame slots whose live range crosses no call get a free
/// temp register instead, while one is free.
fn assign_temp_registers(
    block: &Block,
    cached: &[(Global, u8)],
    last_use: &[usize],
    locs: &mut [Loc],
) {
    let calls: Vec<usize> = (0..block.insts.len())
        .filter(|&i| matches!(block.insts[i].op, Op::Call { .. }))
        .collect();
    let mut free: Vec<u8> = TEMP_POOL
        .iter()
        .copied()
        .filter(|r| !cached.iter().any(|&(_, c)| c == *r))
        .collect();
    // (last use, register) of temps in registers.
    let mut active: Vec<(usize, u8)> = Vec::new();
    for i in 0..locs.len() {
        active.retain(|&(end, r)| {
            if end < i {
                free.push(r);
                false
            } else {
                true
            }
        });
        if !matches!(locs[i], Loc::Slot(_)) {
            continue;
        }
        let end = last_use[i];
        if end <= i || calls.iter().any(|&c| c > i && c < end) {
            continue;
        }
        if let Some(r) = free.pop() {
            locs[i] = Loc::Temp(r);
            active.push((end, r));
        }
    }
}
