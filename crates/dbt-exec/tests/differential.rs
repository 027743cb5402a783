//! Random IR blocks run on the reference interpreter (unoptimized) and on tier 0
//! (optimized and not): final globals, memory and exit must be identical, including
//! the state at guest memory faults.

use oxemu_dbt_exec::{Event, GUARD_BYTES, Jit, JitOptions};
use oxemu_dbt_ir::interp::{self, GuestMemory, MemFault, Outcome};
use oxemu_dbt_ir::testgen::{GenParams, Rng, TEST_DESC, TestState, random_block};
use oxemu_dbt_ir::{AtomicOp, Block, Builder, Exit, MemSize, TrapKind, eval};

const MAPPED: usize = 64 << 10;
const LIMIT: u64 = 1 << 20;

/// Host memory laid out like a user-mode guest space: MAPPED bytes readable and
/// writable, the rest up to the limit and the guard inaccessible.
struct HostSpace {
    base: *mut u8,
}

impl HostSpace {
    fn new() -> HostSpace {
        let total = LIMIT as usize + GUARD_BYTES as usize;
        // SAFETY: a fresh private anonymous reservation; then the first part is made
        // accessible.
        unsafe {
            let p = libc::mmap(
                std::ptr::null_mut(),
                total,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            );
            assert_ne!(p, libc::MAP_FAILED);
            assert_eq!(
                libc::mprotect(p, MAPPED, libc::PROT_READ | libc::PROT_WRITE),
                0
            );
            HostSpace { base: p as *mut u8 }
        }
    }
    fn bytes(&self) -> &[u8] {
        // SAFETY: the first MAPPED bytes are mapped read/write for the test's lifetime;
        // translated code does not run while the slice is in use.
        unsafe { std::slice::from_raw_parts(self.base, MAPPED) }
    }
    fn fill(&mut self, data: &[u8]) {
        // SAFETY: as in `bytes`, with exclusive access through &mut self.
        unsafe { std::slice::from_raw_parts_mut(self.base, MAPPED) }.copy_from_slice(data);
    }
}

struct VecMem(Vec<u8>);

impl VecMem {
    fn range(&self, addr: u64, size: MemSize, write: bool) -> Result<usize, MemFault> {
        let n = size.bytes() as u64;
        if addr
            .checked_add(n)
            .is_none_or(|end| end > self.0.len() as u64)
        {
            // Report the first inaccessible byte, as the host fault does.
            let first_bad = addr.max(self.0.len() as u64);
            return Err(MemFault {
                addr: first_bad,
                write,
            });
        }
        Ok(addr as usize)
    }
}

impl GuestMemory for VecMem {
    fn load(&mut self, addr: u64, size: MemSize) -> Result<u64, MemFault> {
        let a = self.range(addr, size, false)?;
        let mut b = [0u8; 8];
        b[..size.bytes() as usize].copy_from_slice(&self.0[a..a + size.bytes() as usize]);
        Ok(u64::from_le_bytes(b))
    }
    fn store(&mut self, addr: u64, size: MemSize, value: u64) -> Result<(), MemFault> {
        let a = self.range(addr, size, true)?;
        let n = size.bytes() as usize;
        self.0[a..a + n].copy_from_slice(&value.to_le_bytes()[..n]);
        Ok(())
    }
    fn atomic(
        &mut self,
        op: AtomicOp,
        size: MemSize,
        addr: u64,
        value: u64,
    ) -> Result<u64, MemFault> {
        let old = self.load(addr, size)?;
        self.store(addr, size, eval::atomic(op, size.bytes(), old, value))?;
        Ok(old)
    }
    fn cmpxchg(
        &mut self,
        size: MemSize,
        addr: u64,
        expected: u64,
        new: u64,
    ) -> Result<u64, MemFault> {
        let old = self.load(addr, size)?;
        if old == expected {
            self.store(addr, size, new)?;
        }
        Ok(old)
    }
}

fn random_state(rng: &mut Rng) -> TestState {
    let mut s = TestState::default();
    for r in &mut s.regs {
        *r = rng.constant();
    }
    s
}

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

fn same_outcome(a: Outcome, b: Outcome) -> bool {
    match (a, b) {
        (Outcome::Fault { pc: p1, fault: f1 }, Outcome::Fault { pc: p2, fault: f2 }) => {
            // Hosts report the faulting page's first byte or the address itself.
            p1 == p2 && (f1.addr & !0xfff) == (f2.addr & !0xfff)
        }
        _ => a == b,
    }
}

fn differential(optimize: bool, seeds: std::ops::Range<u64>) {
    let mut space = HostSpace::new();
    let opts = JitOptions {
        optimize,
        code_size: 16 << 20,
        ..JitOptions::default()
    };
    let mut jit = Jit::new(
        &TEST_DESC,
        TestState::default(),
        space.base as usize,
        LIMIT,
        opts,
    )
    .unwrap();
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

/// Number of random blocks per test (`OXEMU_DIFF_SEEDS` raises it for long runs).
fn seeds() -> u64 {
    std::env::var("OXEMU_DIFF_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000)
}
