//! Cross-check against a second implementation: `tests/riscv/fpu_exec` (a
//! tiny static riscv64 program, source beside it) executes the real
//! instructions under `qemu-riscv64`, and its results and fflags must equal
//! the crate's. Skipped, with a message, when qemu-riscv64 is not installed.

mod common;

use common::inputs::{Rng, operands, uses_rm};
use common::ops::OPS;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

const CASES_PER_MODE: usize = 5000;

fn program_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("riscv")
}

/// The op numbering of the C program must follow the shared table.
#[test]
fn program_op_table_matches() {
    let source = std::fs::read_to_string(program_dir().join("fpu_exec.c")).unwrap();
    let names: Vec<&str> = source
        .lines()
        .filter_map(|line| line.trim().strip_prefix("CASE("))
        .map(|rest| rest.split('"').nth(1).unwrap())
        .collect();
    let expected: Vec<&str> = OPS.iter().map(|op| op.name).collect();
    assert_eq!(names, expected);
}

#[test]
fn matches_qemu() {
    if Command::new("qemu-riscv64")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("skipped: qemu-riscv64 is not installed");
        return;
    }
    let mut requests = Vec::new();
    let mut input = Vec::new();
    for (index, op) in OPS.iter().enumerate() {
        let modes: &[u8] = if uses_rm(op) { &[0, 1, 2, 3, 4] } else { &[0] };
        for &rm in modes {
            let mut rng = Rng::new(0x9e3a_0000 + (index as u64) * 8 + rm as u64);
            for _ in 0..CASES_PER_MODE {
                let (a, b, c) = operands(&mut rng, op);
                input.extend_from_slice(&(index as u32).to_le_bytes());
                input.extend_from_slice(&(rm as u32).to_le_bytes());
                for v in [a, b, c] {
                    input.extend_from_slice(&v.to_le_bytes());
                }
                requests.push((index, rm, a, b, c));
            }
        }
    }
    let mut child = Command::new("qemu-riscv64")
        .arg(program_dir().join("fpu_exec"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start qemu-riscv64");
    let mut stdin = child.stdin.take().unwrap();
    // Feed from a thread so neither pipe can fill up and block both sides.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut output)
        .unwrap();
    writer.join().unwrap().unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        output.len(),
        requests.len() * 16,
        "short reply from fpu_exec"
    );

    let mut failures = Vec::new();
    for (i, &(index, rm, a, b, c)) in requests.iter().enumerate() {
        let word = |k: usize| u64::from_le_bytes(output[16 * i + 8 * k..][..8].try_into().unwrap());
        let want = (word(0), word(1) as u8);
        let op = &OPS[index];
        let mut flags = 0;
        let got = (op.run)(a, b, c, rm, &mut flags);
        if (got, flags) != want && failures.len() < 40 {
            failures.push(format!(
                "{} rm={rm} a={a:#018x} b={b:#018x} c={c:#018x}: got {got:#018x}/{flags:#04x}, qemu {:#018x}/{:#04x}",
                op.name, want.0, want.1
            ));
        }
    }
    println!("{} cases compared with qemu-riscv64", requests.len());
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
