//! `oxemu-riscv64`: runs a riscv64 Linux program on this x86-64 host.
//!
//! QEMU-compatible: `oxemu-riscv64 [options] program [arguments…]`; see `-h`.

mod cli;
mod engine;
mod fatal;
mod logging;
mod run;

use std::ffi::OsString;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;

use anyhow::Context;

/// Translation allocates and frees many small vectors per block; mimalloc makes
/// that markedly cheaper than glibc's allocator (see docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use oxemu_isa_riscv64::{PC, RvCpu, TranslateOptions, x};
use oxemu_linux_user::{LoadOptions, Process, ProcessInit, ProcessOptions, abi, load_program};
use oxemu_memory::GuestSpace;

use cli::{Command, EngineKind, Options, TierMode};
use engine::{Engine, Translator};
use logging::Logger;
use run::{GuestExit, cpu_loop};

/// Guest virtual address bits (Sv39-sized user space).
const GUEST_VA_BITS: u32 = 39;

fn guest_env(o: &Options) -> Vec<OsString> {
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    env.retain(|(k, _)| !o.unset_env.contains(k));
    for (k, v) in &o.set_env {
        env.retain(|(key, _)| key != k);
        env.push((k.clone(), v.clone()));
    }
    env.into_iter()
        .map(|(k, v)| {
            let mut kv = k;
            kv.push("=");
            kv.push(v);
            kv
        })
        .collect()
}

/// How a guest `execve` of a guest program runs it: this emulator again, with the
/// options that shape execution carried over.
fn exec_command(o: &Options) -> oxemu_linux_user::ExecCommand {
    let me = std::env::current_exe().unwrap_or_else(|_| "oxemu-riscv64".into());
    let mut opts: Vec<OsString> = Vec::new();
    if let Some(p) = &o.ld_prefix {
        opts.extend(["-L".into(), p.clone().into_os_string()]);
    }
    if o.strace {
        opts.push("-strace".into());
    }
    if o.one_insn_per_tb {
        opts.push("-one-insn-per-tb".into());
    }
    if o.engine == EngineKind::Interp {
        opts.push("-interp".into());
    }
    match o.tier {
        TierMode::Tier0Only => opts.push("-tier0".into()),
        TierMode::Eager => opts.push("-tier1".into()),
        TierMode::Auto(n) => opts.extend(["-tier1-threshold".into(), n.to_string().into()]),
    }
    if let Some(items) = o.log.to_arg() {
        opts.extend(["-d".into(), items.into()]);
    }
    Arc::new(move |exe, argv| {
        let mut cmd = vec![me.clone().into_os_string()];
        cmd.extend(opts.iter().cloned());
        if let Some(a0) = argv.first() {
            cmd.extend(["-0".into(), a0.clone()]);
        }
        cmd.push("--".into());
        cmd.push(exe.as_os_str().to_owned());
        cmd.extend(argv.iter().skip(1).cloned());
        cmd
    })
}

fn run(o: Options) -> anyhow::Result<GuestExit> {
    let log_out: Box<dyn Write> = match &o.log_file {
        Some(p) => Box::new(
            std::fs::File::create(p)
                .with_context(|| format!("cannot open log file {}", p.display()))?,
        ),
        None => Box::new(std::io::stderr()),
    };
    let log = Rc::new(Logger::new(o.log, log_out));
    let space =
        Arc::new(GuestSpace::new(GUEST_VA_BITS).context("cannot reserve the guest address space")?);
    let mut argv = vec![
        o.argv0
            .clone()
            .unwrap_or_else(|| o.program.clone().into_os_string()),
    ];
    argv.extend(o.args.iter().cloned());
    let mut lopts = LoadOptions::new(&o.program, argv, guest_env(&o));
    lopts.ld_prefix = o.ld_prefix.clone();
    if let Some(s) = o.stack_size {
        lopts.stack_size = s;
    }
    let loaded = load_program(&space, &lopts)
        .map_err(|e| anyhow::anyhow!("{}: {e}", o.program.display()))?;
    let mut process = Process::new(
        Arc::clone(&space),
        &abi::RISCV64,
        ProcessInit::from(&loaded),
        ProcessOptions {
            strace: o.strace,
            log_unimp: o.log.unimp,
            ld_prefix: o.ld_prefix.clone(),
            exec_command: Some(exec_command(&o)),
        },
    );
    let mut cpu = RvCpu::new();
    cpu.set(x(2), loaded.sp);
    cpu.set(PC, loaded.entry);
    let tr = Translator {
        space: Arc::clone(&space),
        opts: TranslateOptions {
            one_insn_per_block: o.one_insn_per_tb,
            ..TranslateOptions::default()
        },
        log: Rc::clone(&log),
    };
    let mut engine = match o.engine {
        EngineKind::Tier0 => {
            Engine::tier0(&space, cpu, &log, o.tier).context("cannot start the translator")?
        }
        EngineKind::Interp => Engine::interp(cpu),
    };
    let exit = cpu_loop(&mut engine, &tr, &mut process, loaded.entry);
    if let (Some(path), Engine::Jit(jit)) = (std::env::var_os("OXEMU_STATS"), &engine) {
        // Translator counters for performance work, appended to the named file.
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(f, "{:?}", jit.stats)?;
    }
    Ok(exit)
}

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let cmd = match cli::parse(args, &|k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let opts = match cmd {
        Command::Help => {
            print!("{}", cli::USAGE);
            return;
        }
        Command::Version => {
            println!("oxemu-riscv64 version {}", env!("CARGO_PKG_VERSION"));
            println!("Copyright (c) The oxemu developers");
            return;
        }
        Command::CpuList => {
            println!("Available CPUs:\n  any\n  max\n  rv64\n  rv64gc");
            return;
        }
        Command::LogHelp => {
            print!("{}", cli::LOG_ITEMS);
            return;
        }
        Command::Run(o) => *o,
    };
    match run(opts) {
        Ok(GuestExit::Exited(status)) => std::process::exit(status & 0xff),
        Ok(GuestExit::Signal(sig)) => fatal::die_by_signal(sig),
        Err(e) => {
            eprintln!("oxemu-riscv64: {e:#}");
            std::process::exit(1);
        }
    }
}
