//! Random loops run on the reference interpreter, on tier 0 only and with tier 1
//! compiling the loop at its first iteration: final globals, memory and exit must be
//! identical, including the state at guest memory faults taken inside tier-1 code
//! (which the runtime replays in tier 0 from the last checkpoint).
//!
//! Each loop is a random body of one-instruction blocks (loads, stores, atomics,
//! helpers, conditional exits, faults) followed by a latch that walks a pointer
//! towards unmapped memory, counts down a counter in guest memory and branches back
//! to the body while it is not zero.

mod common;

use std::sync::Arc;

use common::{HostSpace, MAPPED, VecMem, random_state, same_outcome, seeds, test_jit};
use oxemu_dbt_cranelift::{RegionCompiler, Tier1Error};
use oxemu_dbt_exec::{Event, Jit, JitOptions, TierPolicy};
use oxemu_dbt_ir::interp::{self, MemFault, Outcome};
use oxemu_dbt_ir::testgen::{GenParams, Rng, TEST_DESC, TestState, random_block};
use oxemu_dbt_ir::{
    AtomicOp, BinOp, Block, Builder, Cond, Exit, Global, GlobalNames, Inst, MemSize, Op, TrapKind,
    Ty, display_block,
};

const BODY: u64 = 0x1000;
/// Distance between the pcs of the body's instructions.
const INSN: u64 = 0x10;
const LATCH: u64 = 0x2000;
const LATCH2: u64 = 0x2010;
const DONE: u64 = 0x3000;
/// The loop counter (4 bytes) in guest memory, below every address the random
/// body accesses (they start at ACCESS_BASE), so each loop ends after at most 255
/// rounds.
const COUNTER: u64 = 0x80;
const ACCESS_BASE: u64 = 0x1000;

/// The loop: body instructions (one block each), then the latch blocks.
struct Loop {
    blocks: Vec<Block>,
}

impl Loop {
    fn block(&self, pc: u64) -> Option<Block> {
        self.blocks.iter().find(|b| b.pc == pc).cloned()
    }
}

/// A random body of `n` one-instruction blocks, each with its global writes moved
/// to its end, as frontends emit them (after every op that may fault).
fn random_body(rng: &mut Rng, n: usize, mask: u64) -> Vec<Block> {
    (0..n as u64)
        .map(|i| {
            let len = 3 + rng.below(10) as usize;
            let mut b = random_block(
                rng,
                GenParams {
                    len,
                    addr_mask: mask,
                    addr_base: ACCESS_BASE,
                },
            );
            let pc = BODY + i * INSN;
            b.pc = pc;
            b.exit = Exit::Chain(if i + 1 == n as u64 { LATCH } else { pc + INSN });
            let mut sets = Vec::new();
            for (k, inst) in b.insts.iter_mut().enumerate() {
                match inst.op {
                    Op::InsnStart(_) if k == 0 => inst.op = Op::InsnStart(pc),
                    Op::InsnStart(_) => inst.op = Op::Const(0),
                    Op::Set(..) => sets.push(std::mem::replace(&mut inst.op, Op::Const(0))),
                    _ => continue,
                }
                inst.ty = Ty::I64;
            }
            for op in sets {
                b.insts.push(Inst { ty: Ty::I64, op });
            }
            b
        })
        .collect()
}

/// The latch advances global `stride_reg` by 2 KiB per round and loads through it
/// into global 9, a walk that reaches unmapped memory and faults in a later round
/// (inside tier-1 code, not in the first round that tier 0 runs); then it counts
/// the counter down atomically and branches back while it is not zero.
fn latch(stride_reg: u16) -> [Block; 2] {
    let mut b = Builder::new(LATCH);
    b.insn_start(LATCH);
    let g = Global(stride_reg);
    let r = b.get(g);
    let step = b.iconst(Ty::I64, 0x800);
    let r2 = b.binary(Ty::I64, BinOp::Add, r, step);
    let mask = b.iconst(Ty::I64, 0x1_ffff);
    let off = b.binary(Ty::I64, BinOp::And, r2, mask);
    let base = b.iconst(Ty::I64, ACCESS_BASE);
    let walk = b.binary(Ty::I64, BinOp::Add, off, base);
    let probe = b.load(Ty::I64, MemSize::B8, false, walk);
    b.set(g, r2);
    b.set(Global(9), probe);
    let first = b.finish(Exit::Chain(LATCH2), 4, 1);

    let mut b = Builder::new(LATCH2);
    b.insn_start(LATCH2);
    let at = b.iconst(Ty::I64, COUNTER);
    let minus1 = b.iconst(Ty::I64, 0xffff_ffff);
    let old = b.atomic(Ty::I64, AtomicOp::Add, MemSize::B4, at, minus1);
    let one = b.iconst(Ty::I64, 1);
    let n1 = b.binary(Ty::I64, BinOp::Sub, old, one);
    let ff = b.iconst(Ty::I64, 0xff);
    let left = b.binary(Ty::I64, BinOp::And, n1, ff);
    let zero = b.iconst(Ty::I64, 0);
    b.exit_if(Cond::Ne, left, zero, Exit::Chain(BODY));
    [
        first,
        b.finish(Exit::Trap(TrapKind::Breakpoint, DONE), 4, 1),
    ]
}

/// The interpreter's run of the loop: the outcome when it leaves it.
fn interpret(lp: &Loop, state: &mut TestState, mem: &mut VecMem) -> Outcome {
    let mut vals = Vec::new();
    let mut pc = BODY;
    loop {
        let Some(block) = lp.block(pc) else {
            return Outcome::Jump(pc);
        };
        match interp::run(&block, &TEST_DESC, state, mem, &mut vals) {
            Outcome::Jump(next) => pc = next,
            Outcome::Trap(TrapKind::Breakpoint, at) => return Outcome::Jump(at),
            other => return other,
        }
    }
}

fn run_jit(jit: &mut Jit<TestState>, lp: &Loop) -> Outcome {
    let mut translate = |pc: u64| {
        lp.block(pc)
            .unwrap_or_else(|| Builder::new(pc).finish(Exit::Trap(TrapKind::Breakpoint, pc), 4, 1))
    };
    match jit.run(BODY, 0, &mut translate) {
        Event::Trap(TrapKind::Breakpoint, pc) => Outcome::Jump(pc),
        Event::Trap(k, pc) => Outcome::Trap(k, pc),
        Event::Fault { pc, addr } => Outcome::Fault {
            pc,
            fault: MemFault { addr, write: false },
        },
        Event::Request(pc) => panic!("unexpected exit request at {pc:#x}"),
    }
}

fn new_jit(space: &HostSpace, tier: TierPolicy) -> Jit<TestState> {
    let mut jit = test_jit(
        space,
        JitOptions {
            tier,
            ..JitOptions::default()
        },
    );
    if tier != TierPolicy::Tier0Only {
        let compiler = RegionCompiler::new(true).expect("Cranelift supports the host");
        jit.set_region_compiler(Arc::new(move |blocks: &[Block]| {
            match compiler.compile(blocks, &TEST_DESC) {
                Ok(code) => Some(code),
                // Random blocks may put several effects in one instruction.
                Err(Tier1Error::Lower(_)) => None,
                Err(e) => panic!("tier 1 failed: {e}"),
            }
        }));
    }
    jit
}

#[test]
fn tier1_loops_match_interpreter_and_tier0() {
    let mut space = HostSpace::new();
    let mut tier0 = new_jit(&space, TierPolicy::Tier0Only);
    let mut tier1 = new_jit(&space, TierPolicy::Eager);
    let (mut regions, mut replays) = (0, 0);
    for seed in 0..seeds() / 4 {
        let mut rng = Rng::new(seed ^ 0x7133);
        // The larger mask reaches past the mapped memory: those accesses fault.
        let mask = if rng.below(3) == 0 { 0x1_ffff } else { 0xefff };
        let n = 1 + rng.below(6) as usize;
        let mut blocks = random_body(&mut rng, n, mask);
        blocks.extend(latch(rng.below(10) as u16));
        let lp = Loop { blocks };
        let state = random_state(&mut rng);
        let mut mem: Vec<u8> = (0..MAPPED).map(|_| rng.next_u64() as u8).collect();
        mem[COUNTER as usize..COUNTER as usize + 4].copy_from_slice(&[
            1 + rng.below(40) as u8,
            0,
            0,
            0,
        ]);

        let mut want_state = state.clone();
        let mut want_mem = VecMem(mem.clone());
        let want = interpret(&lp, &mut want_state, &mut want_mem);

        for (name, jit) in [("tier 0", &mut tier0), ("tier 1", &mut tier1)] {
            space.fill(&mem);
            jit.flush();
            *jit.state_mut() = state.clone();
            let got = run_jit(jit, &lp);
            let text = || {
                lp.blocks
                    .iter()
                    .map(|b| {
                        display_block(
                            b,
                            GlobalNames {
                                globals: &[],
                                helpers: &["mix", "accrue", "everything"],
                            },
                        )
                    })
                    .collect::<String>()
            };
            assert!(
                same_outcome(want, got),
                "seed {seed}: interpreter {want:?}, {name} {got:?}\n{}",
                text()
            );
            assert_eq!(
                want_state,
                *jit.state(),
                "seed {seed}: {name} globals, outcome {want:?}\n{}",
                text()
            );
            let diff: Vec<usize> = (0..MAPPED)
                .filter(|&i| want_mem.0[i] != space.bytes()[i])
                .take(8)
                .collect();
            assert!(
                diff.is_empty(),
                "seed {seed}: {name} memory differs at {diff:x?}, outcome {want:?}\n{}",
                text()
            );
        }
        regions += tier1.stats.regions;
        replays += tier1.stats.replays;
        tier1.stats = Default::default();
    }
    eprintln!("tier-1 regions {regions}, faults replayed {replays}");
    assert!(regions > 0, "no loop reached tier 1");
    assert!(replays > 0, "no fault was taken inside tier-1 code");
}
