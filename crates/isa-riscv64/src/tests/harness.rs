//! A flat guest memory and a loop that runs translated blocks in the interpreter.

use oxemu_dbt_ir::interp::{self, GuestMemory, MemFault, Outcome};
use oxemu_dbt_ir::{AtomicOp, MemSize, eval, verify};

use crate::{GUEST_DESC, RvCpu, TranslateOptions, translate};

/// Where test programs are placed.
pub const CODE: u64 = 0x1000;
/// A scratch data area.
pub const DATA: u64 = 0x8000;
const SIZE: usize = 0x10000;

/// `SIZE` bytes of memory at address 0; everything else faults.
pub struct FlatMem {
    pub bytes: Vec<u8>,
}

impl FlatMem {
    pub fn new() -> FlatMem {
        FlatMem {
            bytes: vec![0; SIZE],
        }
    }

    fn range(&self, addr: u64, n: u8, write: bool) -> Result<usize, MemFault> {
        let end = addr.checked_add(u64::from(n));
        match end {
            Some(end) if end <= SIZE as u64 => Ok(addr as usize),
            _ => Err(MemFault { addr, write }),
        }
    }

    pub fn read(&self, addr: u64, size: MemSize) -> u64 {
        let a = addr as usize;
        let mut v = 0u64;
        for k in (0..size.bytes() as usize).rev() {
            v = v << 8 | u64::from(self.bytes[a + k]);
        }
        v
    }

    pub fn write(&mut self, addr: u64, size: MemSize, v: u64) {
        let a = addr as usize;
        for k in 0..size.bytes() as usize {
            self.bytes[a + k] = (v >> (8 * k)) as u8;
        }
    }

    pub fn parcel(&self, addr: u64) -> Option<u16> {
        self.range(addr, 2, false).ok()?;
        Some(self.read(addr, MemSize::B2) as u16)
    }
}

impl GuestMemory for FlatMem {
    fn load(&mut self, addr: u64, size: MemSize) -> Result<u64, MemFault> {
        self.range(addr, size.bytes(), false)?;
        Ok(self.read(addr, size))
    }
    fn store(&mut self, addr: u64, size: MemSize, value: u64) -> Result<(), MemFault> {
        self.range(addr, size.bytes(), true)?;
        self.write(addr, size, value);
        Ok(())
    }
    fn atomic(
        &mut self,
        op: AtomicOp,
        size: MemSize,
        addr: u64,
        value: u64,
    ) -> Result<u64, MemFault> {
        self.range(addr, size.bytes(), true)?;
        let old = self.read(addr, size);
        self.write(addr, size, eval::atomic(op, size.bytes(), old, value));
        Ok(old)
    }
    fn cmpxchg(
        &mut self,
        size: MemSize,
        addr: u64,
        expected: u64,
        new: u64,
    ) -> Result<u64, MemFault> {
        self.range(addr, size.bytes(), true)?;
        let old = self.read(addr, size);
        if old == expected {
            self.write(addr, size, new);
        }
        Ok(old)
    }
}

/// A CPU, memory and a program at [`CODE`].
pub struct Machine {
    pub cpu: RvCpu,
    pub mem: FlatMem,
    /// Address just past the program: reaching it ends the run.
    pub end: u64,
}

impl Machine {
    pub fn new() -> Machine {
        Machine {
            cpu: RvCpu::new(),
            mem: FlatMem::new(),
            end: CODE,
        }
    }

    /// Appends 32-bit instructions to the program.
    pub fn code(mut self, words: &[u32]) -> Machine {
        for &w in words {
            self.mem.write(self.end, MemSize::B4, u64::from(w));
            self.end += 4;
        }
        self
    }

    /// Appends 16-bit (compressed) instructions to the program.
    pub fn code16(mut self, parcels: &[u16]) -> Machine {
        for &p in parcels {
            self.mem.write(self.end, MemSize::B2, u64::from(p));
            self.end += 2;
        }
        self
    }

    pub fn x(&self, r: u8) -> u64 {
        self.cpu.get(crate::x(r))
    }

    pub fn set_x(&mut self, r: u8, v: u64) -> &mut Machine {
        self.cpu.set(crate::x(r), v);
        self
    }

    /// Runs blocks from [`CODE`] until the program end, a trap or a fault.
    pub fn run(&mut self) -> Outcome {
        self.run_with(&TranslateOptions::default())
    }

    pub fn run_with(&mut self, opts: &TranslateOptions) -> Outcome {
        let mut pc = CODE;
        let mut vals = Vec::new();
        for _ in 0..1000 {
            let (mem, end) = (&self.mem, self.end);
            // Code past the program is unfetchable, so blocks stop at its end.
            let fetch = &mut |a| if a < end { mem.parcel(a) } else { None };
            let block = translate(pc, fetch, opts);
            verify(&block, &GUEST_DESC).expect("translated block verifies");
            match interp::run(&block, &GUEST_DESC, &mut self.cpu, &mut self.mem, &mut vals) {
                Outcome::Jump(next) if next != self.end => pc = next,
                outcome => return outcome,
            }
        }
        panic!("program did not finish");
    }
}

/// The outcome of a program that runs to its end.
pub fn done(m: &Machine) -> Outcome {
    Outcome::Jump(m.end)
}
