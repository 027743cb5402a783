//! Differential test against QEMU: random straight-line programs of integer, Zb* and
//! FP instructions run under `qemu-riscv64` and in the interpreter must leave the same
//! registers and fcsr. Skips (saying why) when the cross toolchain or QEMU is absent.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use oxemu_dbt_ir::MemSize;

use super::harness::{DATA, Machine, done};
use crate::decode::decode32;
use crate::{FFLAGS, FRM, f};

const CC: &str = "riscv64-linux-gnu-gcc";
const QEMU: &str = "qemu-riscv64";
/// The register holding the state table's address; programs never touch it.
const BASE: u8 = 31;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Register values that hit the interesting cases of integer and FP ops.
    fn value(&mut self) -> u64 {
        const SPECIAL: [u64; 12] = [
            0,
            1,
            u64::MAX,
            0x8000_0000_0000_0000,
            0x7fff_ffff_ffff_ffff,
            0x0000_0000_8000_0000,
            0xffff_ffff_7fff_ffff,
            0x7ff8_0000_0000_0000, // qNaN (double)
            0x7ff0_0000_0000_0001, // sNaN (double)
            0xffff_ffff_3fc0_0000, // 1.5f, boxed
            0xffff_ffff_7f80_0001, // sNaN single, boxed
            0x3ff8_0000_0000_0000, // 1.5
        ];
        let v = self.next();
        match v % 4 {
            0 => SPECIAL[(v >> 8) as usize % SPECIAL.len()],
            1 => (v >> 8) % 64,
            2 => f64::from_bits(0x3ff0_0000_0000_0000 | v >> 12).to_bits() ^ (v & 1) << 63,
            _ => self.next(),
        }
    }

    /// A random word that decodes, from the register-only major opcodes.
    fn insn(&mut self) -> u32 {
        const MAJOR: [u32; 10] = [0x13, 0x1b, 0x33, 0x3b, 0x37, 0x53, 0x43, 0x47, 0x4b, 0x4f];
        loop {
            let v = self.next();
            let major = MAJOR[(v % MAJOR.len() as u64) as usize];
            let mut w = (v >> 16) as u32 & !0x7f | major;
            // Bias OP/OP-32 towards the defined funct7 values.
            if matches!(major, 0x33 | 0x3b) {
                const F7: [u32; 9] = [0x00, 0x20, 0x01, 0x04, 0x05, 0x10, 0x14, 0x24, 0x30];
                w = w & 0x01ff_ffff | F7[(v >> 8) as usize % F7.len()] << 25;
            }
            if let Some(i) = decode32(w)
                && [i.rd, i.rs1, i.rs2, i.rs3].iter().all(|&r| r < ADDR)
            {
                return w;
            }
        }
    }
}

/// Scratch memory for loads, stores and atomics: bytes [SCRATCH, STATE_LEN) of the
/// state table, whose address the programs keep in `BASE`.
const SCRATCH: i32 = 512;
const STATE_LEN: usize = 1024;
/// Register the atomics take their address from.
const ADDR: u8 = 30;

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A destination or source register other than `BASE` and `ADDR`.
    fn reg(&mut self) -> u8 {
        1 + self.below(29) as u8
    }

    /// An 8-byte aligned offset into the scratch area.
    fn offset(&mut self) -> i32 {
        SCRATCH + 8 * self.below(((STATE_LEN as i32 - SCRATCH) / 8) as u64) as i32
    }

    /// A compressed instruction that computes on registers only.
    fn compressed(&mut self) -> u16 {
        use crate::decode::{Opcode::*, decode16};
        loop {
            let p = self.next() as u16;
            let Some(i) = decode16(p) else { continue };
            let control = matches!(i.op, Jal | Jalr | Beq | Bne | Ebreak);
            let memory = matches!(i.op, Lw | Ld | Sw | Sd | Fld | Fsd);
            if !control && !memory && [i.rd, i.rs1, i.rs2].iter().all(|&r| r < ADDR) {
                return p;
            }
        }
    }

    /// A load, store, AMO or lr/sc pair on the scratch area, as parcels.
    fn memory(&mut self) -> Vec<u32> {
        use super::enc::*;
        let (rd, rs2, off) = (self.reg(), self.reg(), self.offset());
        let frd = self.below(32) as u8;
        let point = addi(ADDR, BASE, off);
        let width = 2 + self.below(2) as u32;
        match self.below(6) {
            0 => vec![i(off, BASE, self.below(7) as u32, rd, LOAD)],
            1 => vec![s(off, rs2, BASE, self.below(4) as u32, STORE)],
            2 => vec![i(off, BASE, width, frd, 0x07)],
            3 => vec![s(off, frd, BASE, width, 0x27)],
            4 => {
                const AMOS: [u32; 9] = [0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c];
                let f5 = AMOS[self.below(9) as usize];
                vec![point, amo(f5, self.below(4) as u32, rs2, ADDR, width, rd)]
            }
            _ => {
                let (rd2, other) = (self.reg(), self.offset());
                let lr = amo(0x02, 0, 0, ADDR, width, rd);
                let sc = amo(0x03, 0, rs2, ADDR, width, rd2);
                match self.below(3) {
                    0 => vec![point, lr, sc],
                    // sc on another address, or with no reservation: both fail.
                    1 => vec![point, lr, addi(ADDR, BASE, other), sc],
                    _ => vec![point, sc],
                }
            }
        }
    }

    /// A conditional branch (or `j`) over `skip`, followed by `skip`.
    fn branch_over(&mut self, skip: Vec<u16>) -> Vec<u16> {
        let (rs1, rs2) = (self.reg(), self.reg());
        let over = 2 * skip.len() as i32;
        let head: Vec<u16> = match self.below(4) {
            0 if over <= 250 => {
                // c.beqz / c.bnez on x8..x15, offset = 2 + over (at most 256).
                let off = (2 + over) as u32;
                let rs = (self.below(8)) as u16;
                let f3 = if self.below(2) == 0 { 6 } else { 7 };
                let imm = ((off >> 8 & 1) << 12
                    | (off >> 3 & 3) << 10
                    | (off >> 6 & 3) << 5
                    | (off >> 1 & 3) << 3
                    | (off >> 5 & 1) << 2) as u16;
                vec![f3 << 13 | imm | rs << 7 | 1]
            }
            1 => {
                let w = super::enc::j(4 + over, 0);
                vec![w as u16, (w >> 16) as u16]
            }
            _ => {
                const F3: [u32; 6] = [0, 1, 4, 5, 6, 7];
                let f3 = F3[self.below(6) as usize];
                let w = super::enc::b(4 + over, rs2, rs1, f3);
                vec![w as u16, (w >> 16) as u16]
            }
        };
        head.into_iter().chain(skip).collect()
    }

    /// One test item: a few instructions as 16-bit parcels.
    fn item(&mut self) -> Vec<u16> {
        if self.below(12) == 0 {
            let skip = self.item();
            return self.branch_over(skip);
        }
        let words = match self.below(10) {
            0..=5 => vec![self.insn()],
            6 => return vec![self.compressed()],
            7 => {
                // FP CSR accesses; frm stays a valid mode.
                use super::enc::csr;
                let rd = self.reg();
                match self.below(4) {
                    0 => vec![csr(5, 0x002, self.below(5) as u8, rd)],
                    1 => vec![csr(
                        5 + self.below(3) as u32,
                        0x001,
                        self.below(32) as u8,
                        rd,
                    )],
                    2 => vec![csr(2, 0x003, 0, rd)],
                    _ => vec![csr(1 + self.below(3) as u32, 0x001, self.reg(), rd)],
                }
            }
            _ => self.memory(),
        };
        words
            .iter()
            .flat_map(|&w| [w as u16, (w >> 16) as u16])
            .collect()
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Assembles `parcels` between a prologue loading x1..x30, f0..f31 from the state
/// table and an epilogue storing them and fcsr back and writing the table to stdout.
/// Table layout (u64 slots): x1..x30, f0..f31, fcsr, padding, scratch memory.
fn program(state: &[u64], parcels: &[u16]) -> String {
    let mut s = String::from(".globl _start\n.text\n_start:\n  la t6, state\n");
    for r in 1..31 {
        let _ = writeln!(s, "  ld x{r}, {}(t6)", 8 * (r - 1));
    }
    for r in 0..32 {
        let _ = writeln!(s, "  fld f{r}, {}(t6)", 240 + 8 * r);
    }
    for p in parcels {
        let _ = writeln!(s, "  .half {p:#06x}");
    }
    for r in 1..31 {
        let _ = writeln!(s, "  sd x{r}, {}(t6)", 8 * (r - 1));
    }
    for r in 0..32 {
        let _ = writeln!(s, "  fsd f{r}, {}(t6)", 240 + 8 * r);
    }
    s.push_str("  frcsr t0\n  sd t0, 496(t6)\n");
    let _ = writeln!(
        s,
        "  li a7, 64\n  li a0, 1\n  mv a1, t6\n  li a2, {STATE_LEN}\n  ecall"
    );
    s.push_str("  li a7, 93\n  li a0, 0\n  ecall\n.data\n.balign 8\nstate:\n");
    for v in state {
        let _ = writeln!(s, "  .dword {v:#x}");
    }
    s
}

fn run_qemu(dir: &Path, name: &str, asm: &str) -> Vec<u64> {
    let src = dir.join(format!("{name}.s"));
    let exe = dir.join(name);
    std::fs::write(&src, asm).expect("write assembly");
    let cc = Command::new(CC)
        .args(["-nostdlib", "-static", "-march=rv64gc_zba_zbb_zbs", "-o"])
        .arg(&exe)
        .arg(&src)
        .output()
        .expect("run the cross compiler");
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let out = Command::new(QEMU).arg(&exe).output().expect("run qemu");
    assert!(out.status.success(), "qemu: {:?}", out.status);
    out.stdout
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

#[test]
fn random_programs_match_qemu() {
    if !have(CC) || !have(QEMU) {
        eprintln!("skipped: needs {CC} and {QEMU} on PATH");
        return;
    }
    let dir = std::env::temp_dir().join(format!("oxemu-rv-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut rng = Rng(0x5eed_0f0e_ed00);
    // OXEMU_DIFF_PROGRAMS=n runs a longer campaign.
    let programs = std::env::var("OXEMU_DIFF_PROGRAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32u32);
    for prog in 0..programs {
        let mut state = vec![0u64; STATE_LEN / 8];
        state.iter_mut().for_each(|v| *v = rng.value());
        state[62] = 0; // fcsr
        let parcels: Vec<u16> = (0..300).flat_map(|_| rng.item()).collect();
        let expected = run_qemu(&dir, &format!("p{prog}"), &program(&state, &parcels));
        assert_eq!(expected.len(), STATE_LEN / 8, "qemu output");

        let mut m = Machine::new().code16(&parcels);
        for r in 1..31u8 {
            m.set_x(r, state[usize::from(r) - 1]);
        }
        for r in 0..32u8 {
            m.cpu.set(f(r), state[30 + usize::from(r)]);
        }
        m.set_x(BASE, DATA);
        for (k, &v) in state.iter().enumerate() {
            m.mem.write(DATA + 8 * k as u64, MemSize::B8, v);
        }
        assert_eq!(m.run(), done(&m), "program {prog}");
        let why = |what: String| format!("program {prog}: {what}\n{}", listing(&parcels));
        // x30 only ever holds scratch addresses, which differ between the two runs.
        for r in 1..ADDR {
            let want = expected[usize::from(r) - 1];
            assert_eq!(m.x(r), want, "{}", why(format!("x{r}")));
        }
        for r in 0..32u8 {
            let want = expected[30 + usize::from(r)];
            assert_eq!(m.cpu.get(f(r)), want, "{}", why(format!("f{r}")));
        }
        let fcsr = m.cpu.get(FRM) << 5 | m.cpu.get(FFLAGS);
        assert_eq!(fcsr, expected[62], "{}", why("fcsr".into()));
        let scratch = SCRATCH as usize / 8;
        for (k, &want) in expected.iter().enumerate().skip(scratch) {
            let got = m.mem.read(DATA + 8 * k as u64, MemSize::B8);
            assert_eq!(got, want, "{}", why(format!("memory slot {k}")));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn listing(parcels: &[u16]) -> String {
    let mut out = String::new();
    let mut k = 0;
    while k < parcels.len() {
        let lo = u32::from(parcels[k]);
        let (word, len) = if lo & 3 == 3 && k + 1 < parcels.len() {
            (lo | u32::from(parcels[k + 1]) << 16, 4)
        } else {
            (lo, 2)
        };
        let _ = writeln!(
            out,
            "{:4x}: {word:08x}  {}",
            2 * k,
            crate::disassemble(word, len)
        );
        k += usize::from(len / 2);
    }
    out
}
