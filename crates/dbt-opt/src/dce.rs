//! Dead-code elimination: unused pure values and unobservable global writes.

use oxemu_dbt_ir::desc::{Effects, GuestDesc};
use oxemu_dbt_ir::{Block, Exit, Op, Value};

/// Whether an instruction must stay even if its value is unused.
fn has_effect<S>(op: &Op, desc: &GuestDesc<S>) -> bool {
    match op {
        Op::Const(_)
        | Op::Get(_)
        | Op::Unary(..)
        | Op::Binary(..)
        | Op::SetCond(..)
        | Op::Select(..) => false,
        Op::Call { helper, .. } => desc.helpers[helper.0 as usize].effects != Effects::Pure,
        _ => true,
    }
}

/// Marks global writes that are overwritten before anything observes them.
fn dead_global_writes<S>(block: &Block, desc: &GuestDesc<S>) -> Vec<bool> {
    let mut dead = vec![false; block.insts.len()];
    // Globals that the rest of the block overwrites before observing them.
    let mut overwritten = vec![false; desc.globals.len()];
    for (i, inst) in block.insts.iter().enumerate().rev() {
        match inst.op {
            Op::Set(g, _) => {
                let g = g.0 as usize;
                dead[i] = overwritten[g];
                overwritten[g] = true;
            }
            Op::Get(g) => overwritten[g.0 as usize] = false,
            Op::ExitIf(..) => overwritten.fill(false),
            Op::Call { helper, .. } => match desc.helpers[helper.0 as usize].effects {
                Effects::Pure => {}
                Effects::HelperGlobals => {
                    for (o, g) in overwritten.iter_mut().zip(desc.globals) {
                        *o &= !g.helper_visible;
                    }
                }
                Effects::AllGlobals => overwritten.fill(false),
            },
            ref op if op.may_fault() => overwritten.fill(false),
            _ => {}
        }
    }
    dead
}

/// Removes unused pure instructions and dead global writes, renumbering values.
pub fn eliminate_dead_code<S>(block: &Block, desc: &GuestDesc<S>) -> Block {
    let n = block.insts.len();
    let dead_sets = dead_global_writes(block, desc);
    let mut live = vec![false; n];
    if let Exit::Dynamic(v) = block.exit {
        live[v.index()] = true;
    }
    for i in (0..n).rev() {
        let op = &block.insts[i].op;
        let keep = if matches!(op, Op::Set(..)) {
            !dead_sets[i]
        } else {
            live[i] || has_effect(op, desc)
        };
        if keep {
            live[i] = true;
            op.for_each_use(|v| live[v.index()] = true);
        }
    }
    let mut map = vec![Value(u32::MAX); n];
    let mut insts = Vec::with_capacity(n);
    for (i, inst) in block.insts.iter().enumerate() {
        if !live[i] {
            continue;
        }
        let mut inst = *inst;
        inst.op.map_uses(|v| map[v.index()]);
        map[i] = Value(insts.len() as u32);
        insts.push(inst);
    }
    let exit = match block.exit {
        Exit::Dynamic(v) => Exit::Dynamic(map[v.index()]),
        e => e,
    };
    Block {
        pc: block.pc,
        guest_len: block.guest_len,
        guest_insns: block.guest_insns,
        insts,
        exit,
    }
}
