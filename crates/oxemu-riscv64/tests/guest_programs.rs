//! The project's own riscv64 test programs (tests/guest/riscv64) under tier 0 and
//! the interpreter: output and exit status must match the recorded expectations.

mod common;

use common::{ENGINES, repo, run, shell_status};

fn check(name: &str, extra: &[&str]) {
    let dir = repo().join("tests/guest/riscv64");
    let want_out = std::fs::read(dir.join(format!("expected/{name}.out"))).unwrap();
    let want_status: i32 = std::fs::read_to_string(dir.join(format!("expected/{name}.status")))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    for engine in ENGINES {
        let opts: Vec<&str> = engine.iter().chain(extra).copied().collect();
        let out = run(&opts, &dir.join("bin").join(name), &[]);
        let got = String::from_utf8_lossy(&out.stdout);
        let want = String::from_utf8_lossy(&want_out);
        if got != want {
            let diff: Vec<String> = got
                .lines()
                .zip(want.lines())
                .filter(|(g, w)| g != w)
                .take(10)
                .map(|(g, w)| format!("  got  {g}\n  want {w}"))
                .collect();
            panic!(
                "{name} {engine:?}: output differs ({} vs {} lines)\n{}\nstderr: {}",
                got.lines().count(),
                want.lines().count(),
                diff.join("\n"),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(
            shell_status(&out),
            want_status,
            "{name} {engine:?}: exit status"
        );
    }
}

macro_rules! guest_tests {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { check(stringify!($name), &[]); })*
    };
}

guest_tests!(
    ebreak,
    exit42,
    fp_arith_d,
    fp_arith_s,
    fp_cvt,
    fp_nanbox,
    hello_static,
    illegal,
    illegal_frm,
    rv64a,
    rv64i_alu,
    rv64i_branch,
    rv64i_mem,
    rv64m,
    rvc,
    segv,
    smc,
    smc_hot,
    sys_files,
    sys_mem,
    sys_misc,
    sys_time,
    zbitmanip,
    zicsr,
);

#[test]
fn dynamic_program_with_ld_prefix() {
    let prefix = "/usr/riscv64-linux-gnu";
    if !std::path::Path::new(prefix)
        .join("lib/ld-linux-riscv64-lp64d.so.1")
        .exists()
    {
        eprintln!("skipped: {prefix} has no riscv64 libc (apt-get install libc6-riscv64-cross)");
        return;
    }
    check("hello_dyn", &["-L", prefix]);
}

#[test]
fn every_program_has_a_test() {
    let listed = include_str!("guest_programs.rs");
    for entry in std::fs::read_dir(repo().join("tests/guest/riscv64/bin")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            listed.contains(&format!("{name},")) || listed.contains(&format!("\"{name}\"")),
            "{name} is not tested"
        );
    }
}
