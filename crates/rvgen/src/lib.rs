#![forbid(unsafe_code)]
//! Random riscv64 test programs for differential testing of the emulator.
//!
//! [`generate`] builds a complete static riscv64 Linux ELF executable (no
//! libc) that loads seed-derived values into every integer and FP
//! register, runs a random instruction sequence, then writes a register
//! and memory dump to stdout and exits 0. Running the same file under two
//! emulators (or hardware) and comparing the bytes they print checks the
//! whole instruction set at once. [`generate_garbage`] builds an ELF whose
//! code is random bytes, for robustness tests. [`Dump`] parses what a
//! program printed and lists the registers and bytes that differ between
//! two runs.
//!
//! # Dump layout
//!
//! The program writes exactly [`DUMP_SIZE`] bytes, all little-endian:
//!
//! | offset | size | contents |
//! |---:|---:|---|
//! | 0 | 31 x 8 | x1 ..= x31 |
//! | 248 | 32 x 8 | f0 ..= f31, raw 64-bit register contents |
//! | 504 | 8 | fcsr (zero-extended) |
//! | 512 | 1024 | the scratch data area after the run |
//!
//! # Program conventions
//!
//! The data segment is at 0x20_0000: the dump header (512 bytes), then the
//! scratch area at 0x20_0200 (initialised with seed-derived bytes), then
//! the initial register values. Three registers are reserved so that
//! every memory access stays inside the scratch area and every loop ends:
//! x9 (s1) always holds the scratch address, x2 (sp) scratch + 512 (for
//! the `c.*sp` forms) and x18 (s2) is the counter of the short backward
//! loops (0 at the start). All other x registers and all f registers
//! start with seed-derived values: special and random integers; doubles,
//! properly NaN-boxed singles and single patterns whose upper half is not
//! all ones. `frm` starts as a seed-derived valid rounding mode. The
//! random body never contains `ecall`, `ebreak` or illegal encodings,
//! uses only valid rounding modes and never writes an invalid `frm`.

mod dump;
mod elf;
pub mod encode;
mod program;
mod rng;

pub use dump::Dump;
pub use rng::Rng;

/// Bytes written by a generated program.
pub const DUMP_SIZE: usize = 1536;
/// Offset of x1 in the dump (x0 is not stored).
pub const DUMP_X_OFFSET: usize = 0;
/// Offset of f0 in the dump.
pub const DUMP_F_OFFSET: usize = 248;
/// Offset of fcsr in the dump.
pub const DUMP_FCSR_OFFSET: usize = 504;
/// Offset of the scratch area in the dump.
pub const DUMP_SCRATCH_OFFSET: usize = 512;
/// Size of the scratch area that random loads, stores and AMOs use.
pub const SCRATCH_SIZE: usize = 1024;

/// Which instruction groups the random part may use. The default enables
/// everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// RV64M multiply and divide.
    pub muldiv: bool,
    /// RV64A: AMOs of both widths with random aq/rl, and LR/SC pairs and
    /// lone (failing) SCs.
    pub atomics: bool,
    /// F and D: arithmetic with static and dynamic rounding, fused
    /// multiply-add, conversions, moves, compares, classify, FP loads and
    /// stores.
    pub fp: bool,
    /// Compressed (RVC) encodings mixed into the stream.
    pub compressed: bool,
    /// Zba, Zbb and Zbs.
    pub bitmanip: bool,
    /// Reads and writes of fflags, frm and fcsr (frm only ever gets valid
    /// rounding modes).
    pub csr: bool,
    /// Integer and FP loads and stores (and AMOs) into the scratch area.
    pub memory: bool,
    /// Forward branches over a few instructions and short counted loops.
    pub control_flow: bool,
    /// Whether Zbb's `ctzw` may appear (with `bitmanip`). QEMU 7.2 gets
    /// `ctzw` wrong when the low word is zero and the upper word is not
    /// (it returns the 64-bit count); turn this off to compare against it.
    pub ctzw: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            muldiv: true,
            atomics: true,
            fp: true,
            compressed: true,
            bitmanip: true,
            csr: true,
            memory: true,
            control_flow: true,
            ctzw: true,
        }
    }
}

/// A static riscv64 ELF executable with `len` random instructions chosen
/// from `opts`, seeded by `seed` (same inputs, same bytes). `len` counts
/// instructions in the program text: loop bodies run up to four times and
/// blocks that a taken branch or jump skips do not run. See the crate
/// documentation for what it prints.
pub fn generate(seed: u64, len: usize, opts: &GenOptions) -> Vec<u8> {
    let image = program::build(seed, len, opts);
    elf::write(&image)
}

/// A static riscv64 ELF executable whose entry point runs `len` random
/// bytes. Emulators must turn whatever happens into a guest signal
/// (usually SIGILL or SIGSEGV), never crash themselves.
pub fn generate_garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ 0x6761_7262_6167_6521);
    let code: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
    elf::write(&elf::Image {
        code,
        data: Vec::new(),
        data_mem_size: 0,
    })
}
