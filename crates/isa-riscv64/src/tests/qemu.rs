//! Differential test against QEMU: random straight-line programs of integer, Zb* and
//! FP instructions run under `qemu-riscv64` and in the interpreter must leave the same
//! registers and fcsr. Skips (saying why) when the cross toolchain or QEMU is absent.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use super::harness::{Machine, done};
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
                && i.rd != BASE
                && i.rs1 != BASE
                && i.rs2 != BASE
                && i.rs3 != BASE
            {
                return w;
            }
        }
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Assembles `words` between a prologue loading x1..x30, f0..f31 from `init` and an
/// epilogue writing them and fcsr to stdout.
fn program(init: &[u64; 62], words: &[u32]) -> String {
    let mut s = String::from(".globl _start\n.text\n_start:\n  la t6, state\n");
    for r in 1..31 {
        let _ = writeln!(s, "  ld x{r}, {}(t6)", 8 * (r - 1));
    }
    for r in 0..32 {
        let _ = writeln!(s, "  fld f{r}, {}(t6)", 240 + 8 * r);
    }
    for w in words {
        let _ = writeln!(s, "  .word {w:#010x}");
    }
    for r in 1..31 {
        let _ = writeln!(s, "  sd x{r}, {}(t6)", 8 * (r - 1));
    }
    for r in 0..32 {
        let _ = writeln!(s, "  fsd f{r}, {}(t6)", 240 + 8 * r);
    }
    s.push_str("  frcsr t0\n  sd t0, 496(t6)\n");
    s.push_str("  li a7, 64\n  li a0, 1\n  mv a1, t6\n  li a2, 504\n  ecall\n");
    s.push_str("  li a7, 93\n  li a0, 0\n  ecall\n.data\n.balign 8\nstate:\n");
    for v in init {
        let _ = writeln!(s, "  .dword {v:#x}");
    }
    s.push_str("  .dword 0\n");
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
    for prog in 0..32 {
        let mut init = [0u64; 62];
        init.iter_mut().for_each(|v| *v = rng.value());
        let words: Vec<u32> = (0..300).map(|_| rng.insn()).collect();
        let expected = run_qemu(&dir, &format!("p{prog}"), &program(&init, &words));
        assert_eq!(expected.len(), 63, "qemu output");

        let mut m = Machine::new().code(&words);
        for r in 1..31u8 {
            m.set_x(r, init[usize::from(r) - 1]);
        }
        for r in 0..32u8 {
            m.cpu.set(f(r), init[30 + usize::from(r)]);
        }
        assert_eq!(m.run(), done(&m), "program {prog}");
        for r in 1..31u8 {
            let want = expected[usize::from(r) - 1];
            assert_eq!(m.x(r), want, "program {prog}: x{r}\n{}", listing(&words));
        }
        for r in 0..32u8 {
            let want = expected[30 + usize::from(r)];
            assert_eq!(
                m.cpu.get(f(r)),
                want,
                "program {prog}: f{r}\n{}",
                listing(&words)
            );
        }
        let fcsr = m.cpu.get(FRM) << 5 | m.cpu.get(FFLAGS);
        assert_eq!(
            fcsr,
            expected[62],
            "program {prog}: fcsr\n{}",
            listing(&words)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn listing(words: &[u32]) -> String {
    words
        .iter()
        .map(|&w| format!("{w:08x}  {}\n", crate::disassemble(w, 4)))
        .collect()
}
