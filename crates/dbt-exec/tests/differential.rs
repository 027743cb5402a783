//! Random IR blocks run on the reference interpreter (unoptimized) and on tier 0
//! (optimized and not): final globals, memory and exit must be identical, including
//! the state at guest memory faults.

mod common;

use common::{HostSpace, LIMIT, MAPPED, VecMem, random_state, same_outcome, seeds, test_jit};
use oxemu_dbt_exec::{Event, GUARD_BYTES, Jit, JitOptions};
use oxemu_dbt_ir::interp::{self, MemFault, Outcome};
use oxemu_dbt_ir::testgen::{GenParams, Rng, TEST_DESC, TestState, random_block};
use oxemu_dbt_ir::{Block, Builder, Exit, MemSize, TrapKind};

/// Runs on tier 0 and maps the event to the interpreter's outcome.
fn run_jit(jit: &mut Jit<TestState>, block: &Block) -> Outcome {
    let mut translate = |pc: u64| {
        if pc == block.pc {
            block.clone()
        } else {
            Builder::new(pc).finish(Exit::Trap(TrapKind::Breakpoint, pc), 4, 1)
        }
    };
    match jit.run(block.pc, 0, &mut translate) {
        Event::Trap(TrapKind::Breakpoint, pc) => Outcome::Jump(pc),
        Event::Trap(k, pc) => Outcome::Trap(k, pc),
        Event::Fault { pc, addr } => Outcome::Fault {
            pc,
            fault: MemFault { addr, write: false },
        },
        Event::Request(pc) => panic!("unexpected exit request at {pc:#x}"),
    }
}

fn differential(optimize: bool, seeds: std::ops::Range<u64>) {
    let mut space = HostSpace::new();
    let mut jit = test_jit(
        &space,
        JitOptions {
            optimize,
            ..JitOptions::default()
        },
    );
    let mut vals = Vec::new();
    for seed in seeds {
        let mut rng = Rng::new(seed);
        let mask = if rng.below(4) == 0 { 0x1_ffff } else { 0xffff };
        let len = 10 + rng.below(120) as usize;
        let block = random_block(
            &mut rng,
            GenParams {
                len,
                addr_mask: mask,
                addr_base: 0,
            },
        );
        let state = random_state(&mut rng);
        let mut mem: Vec<u8> = (0..MAPPED).map(|_| rng.next_u64() as u8).collect();
        space.fill(&mem);

        let mut istate = state.clone();
        let mut imem = VecMem(std::mem::take(&mut mem));
        let want = interp::run(&block, &TEST_DESC, &mut istate, &mut imem, &mut vals);
        if want == Outcome::Jump(block.pc) {
            continue;
        }

        jit.flush();
        *jit.state_mut() = state.clone();
        let got = run_jit(&mut jit, &block);
        let text = || {
            oxemu_dbt_ir::display_block(
                &block,
                oxemu_dbt_ir::GlobalNames {
                    globals: &[],
                    helpers: &["mix", "accrue", "everything"],
                },
            )
        };
        assert!(
            same_outcome(want, got),
            "seed {seed}: interpreter {want:?}, tier 0 {got:?}\n{}",
            text()
        );
        assert_eq!(
            istate,
            *jit.state(),
            "seed {seed}: globals differ\n{}",
            text()
        );
        assert!(
            imem.0 == space.bytes(),
            "seed {seed}: memory differs\n{}",
            text()
        );
    }
}

#[test]
fn tier0_matches_interpreter_unoptimized() {
    differential(false, 0..seeds());
}

#[test]
fn tier0_matches_interpreter_optimized() {
    differential(true, 1_000_000..1_000_000 + seeds());
}

#[test]
fn optimizer_preserves_semantics() {
    let mut vals = Vec::new();
    for seed in 0..5000 {
        let mut rng = Rng::new(seed);
        let len = 10 + rng.below(120) as usize;
        let block = random_block(
            &mut rng,
            GenParams {
                len,
                addr_mask: 0x1_ffff,
                addr_base: 0,
            },
        );
        let opt = oxemu_dbt_opt::optimize(&block, &TEST_DESC);
        oxemu_dbt_ir::verify(&opt, &TEST_DESC).unwrap();
        let state = random_state(&mut rng);
        let mem: Vec<u8> = (0..MAPPED).map(|_| rng.next_u64() as u8).collect();
        let (mut s1, mut s2) = (state.clone(), state);
        let (mut m1, mut m2) = (VecMem(mem.clone()), VecMem(mem));
        let o1 = interp::run(&block, &TEST_DESC, &mut s1, &mut m1, &mut vals);
        let o2 = interp::run(&opt, &TEST_DESC, &mut s2, &mut m2, &mut vals);
        assert_eq!(o1, o2, "seed {seed}");
        assert_eq!(s1, s2, "seed {seed}");
        assert!(m1.0 == m2.0, "seed {seed}");
    }
}

#[test]
fn addresses_beyond_the_limit_fault_inside_the_guard() {
    let space = HostSpace::new();
    let mut jit = Jit::new(
        &TEST_DESC,
        TestState::default(),
        space.base as usize,
        LIMIT,
        JitOptions::default(),
    )
    .unwrap();
    for addr in [LIMIT, LIMIT + 5, u64::MAX - 3, 1 << 63, (-4096i64) as u64] {
        let mut b = Builder::new(0x1000);
        b.insn_start(0x1000);
        let a = b.iconst(oxemu_dbt_ir::Ty::I64, addr);
        let v = b.iconst(oxemu_dbt_ir::Ty::I64, 42);
        b.store(MemSize::B8, a, v);
        let block = b.finish(Exit::Chain(0x1004), 4, 1);
        jit.flush();
        match run_jit(&mut jit, &block) {
            Outcome::Fault { pc, fault } => {
                assert_eq!(pc, 0x1000);
                assert!(fault.addr >= LIMIT && fault.addr < LIMIT + GUARD_BYTES);
            }
            o => panic!("store to {addr:#x} gave {o:?}"),
        }
    }
}
