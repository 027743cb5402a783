//! Test support shared by the differential tests: a host guest space, a `Vec`-backed
//! memory for the interpreter, random states and outcome comparison.
#![allow(dead_code)]

use oxemu_dbt_exec::{GUARD_BYTES, Jit, JitOptions};
use oxemu_dbt_ir::interp::{GuestMemory, MemFault, Outcome};
use oxemu_dbt_ir::testgen::{Rng, TEST_DESC, TestState};
use oxemu_dbt_ir::{AtomicOp, MemSize, eval};

pub const MAPPED: usize = 64 << 10;
pub const LIMIT: u64 = 1 << 20;

/// Host memory laid out like a user-mode guest space: MAPPED bytes readable and
/// writable, the rest up to the limit and the guard inaccessible.
pub struct HostSpace {
    pub base: *mut u8,
}

impl HostSpace {
    pub fn new() -> HostSpace {
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
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the first MAPPED bytes are mapped read/write for the test's lifetime;
        // translated code does not run while the slice is in use.
        unsafe { std::slice::from_raw_parts(self.base, MAPPED) }
    }
    pub fn fill(&mut self, data: &[u8]) {
        // SAFETY: as in `bytes`, with exclusive access through &mut self.
        unsafe { std::slice::from_raw_parts_mut(self.base, MAPPED) }.copy_from_slice(data);
    }
}

pub struct VecMem(pub Vec<u8>);

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

pub fn random_state(rng: &mut Rng) -> TestState {
    let mut s = TestState::default();
    for r in &mut s.regs {
        *r = rng.constant();
    }
    s
}

pub fn same_outcome(a: Outcome, b: Outcome) -> bool {
    match (a, b) {
        (Outcome::Fault { pc: p1, fault: f1 }, Outcome::Fault { pc: p2, fault: f2 }) => {
            // Hosts report the faulting page's first byte or the address itself.
            p1 == p2 && (f1.addr & !0xfff) == (f2.addr & !0xfff)
        }
        _ => a == b,
    }
}

/// Number of random blocks per test (`OXEMU_DIFF_SEEDS` raises it for long runs).
pub fn seeds() -> u64 {
    std::env::var("OXEMU_DIFF_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000)
}

/// A JIT for the test guest over `space`, with a 16 MiB code buffer.
pub fn test_jit(space: &HostSpace, opts: JitOptions) -> Jit<TestState> {
    let opts = JitOptions {
        code_size: 16 << 20,
        ..opts
    };
    Jit::new(
        &TEST_DESC,
        TestState::default(),
        space.base as usize,
        LIMIT,
        opts,
    )
    .unwrap()
}
