//! QEMU-compatible command line: `oxemu-riscv64 [options] program [arguments…]`.
//!
//! Options come before the program; the first argument that is not an option (or
//! anything after `--`) is the program. Unknown options are errors, never ignored.

use oxemu_dbt_exec::DEFAULT_HOT_THRESHOLD;
use std::ffi::OsString;
use std::path::PathBuf;

/// Which engine runs guest code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    /// Tier 0: translated x86-64 code.
    Tier0,
    /// The reference IR interpreter.
    Interp,
}

/// When hot loops are compiled by tier 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TierMode {
    /// Tier 0 only.
    Tier0Only,
    /// Loops compiled in the background once they ran this many iterations
    /// (default).
    Auto(u32),
    /// Every loop compiled at its first iteration, synchronously.
    Eager,
}

/// What `-d` asked to log.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogItems {
    pub in_asm: bool,
    pub op: bool,
    pub op_opt: bool,
    pub out_asm: bool,
    pub exec: bool,
    pub cpu: bool,
    pub unimp: bool,
    pub nochain: bool,
}

impl LogItems {
    /// The `-d` argument that selects these items again, if any.
    pub fn to_arg(self) -> Option<String> {
        let items = [
            (self.in_asm, "in_asm"),
            (self.op, "op"),
            (self.op_opt, "op_opt"),
            (self.out_asm, "out_asm"),
            (self.exec, "exec"),
            (self.cpu, "cpu"),
            (self.unimp, "unimp"),
            (self.nochain, "nochain"),
        ];
        let on: Vec<&str> = items.iter().filter(|(b, _)| *b).map(|(_, n)| *n).collect();
        (!on.is_empty()).then(|| on.join(","))
    }
}

/// Parsed command line.
#[derive(Debug)]
pub struct Options {
    pub ld_prefix: Option<PathBuf>,
    pub set_env: Vec<(OsString, OsString)>,
    pub unset_env: Vec<OsString>,
    pub argv0: Option<OsString>,
    pub strace: bool,
    pub log: LogItems,
    pub log_file: Option<PathBuf>,
    pub one_insn_per_tb: bool,
    pub engine: EngineKind,
    pub tier: TierMode,
    pub stack_size: Option<u64>,
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

/// What the command line asks for.
pub enum Command {
    Run(Box<Options>),
    Help,
    Version,
    CpuList,
    LogHelp,
}

pub const USAGE: &str = "\
usage: oxemu-riscv64 [options] program [arguments...]
Linux riscv64 user-mode emulator (QEMU-compatible options)

Options and environment variables:

Argument             Env-variable      Description
-h                                     print this help
-help                                  print this help
-L path              QEMU_LD_PREFIX    set the elf interpreter prefix to 'path'
-s size              QEMU_STACK_SIZE   set the stack size to 'size' bytes
-cpu model           QEMU_CPU          select CPU (-cpu help for list)
-E var=value         QEMU_SET_ENV      sets targets environment variable (see below)
-U var               QEMU_UNSET_ENV    unsets targets environment variable (see below)
-0 argv0             QEMU_ARGV0        forces target process argv[0] to be 'argv0'
-d item[,...]        QEMU_LOG          enable logging of specified items (use '-d help' for a list of items)
-D logfile           QEMU_LOG_FILENAME write logs to 'logfile' (default stderr)
-one-insn-per-tb                       run with one guest instruction per emulated TB
-strace              QEMU_STRACE       log system calls
-interp              OXEMU_INTERP      run guest code on the reference IR interpreter
                                       instead of the tier-0 x86-64 translator
-tier0                OXEMU_TIER=0      translate with tier 0 only (no hot-loop compiler)
-tier1                OXEMU_TIER=1      compile every loop with tier 1 at its first
                                       iteration (default: hot loops, in the background)
-tier1-threshold n    OXEMU_TIER1_THRESHOLD  iterations after which a loop is compiled
                                       by tier 1 in the background (default 2000)
-version             QEMU_VERSION      display version information and exit

Defaults:
QEMU_LD_PREFIX  = /etc/qemu-binfmt/riscv64
QEMU_STACK_SIZE = 8388608 byte

You can use -E and -U options or the QEMU_SET_ENV and
QEMU_UNSET_ENV environment variables to set and unset
environment variables for the target process.
It is possible to provide several variables by separating them
by commas in getsubopt(3) style. Additionally it is possible to
provide the -E and -U options multiple times.
";

pub const LOG_ITEMS: &str = "\
Log items (comma separated):
in_asm     show target assembly code for each compiled TB
op         show micro ops for each compiled TB
op_opt     show micro ops after optimization
out_asm    show generated host assembly code for each compiled TB
exec       show trace before each executed TB (lots of logs)
cpu        show CPU registers before entering a TB (lots of logs)
unimp      log unimplemented functionality
nochain    do not chain compiled TBs so that \"exec\" and \"cpu\" show complete traces
";

fn parse_log(items: &str, log: &mut LogItems) -> Result<bool, String> {
    for item in items.split(',').filter(|s| !s.is_empty()) {
        match item {
            "in_asm" => log.in_asm = true,
            "op" => log.op = true,
            "op_opt" => log.op_opt = true,
            "out_asm" => log.out_asm = true,
            "exec" => log.exec = true,
            "cpu" => log.cpu = true,
            "unimp" => log.unimp = true,
            "nochain" => log.nochain = true,
            "help" | "?" => return Ok(true),
            other => return Err(format!("-d: unknown log item '{other}'\n{LOG_ITEMS}")),
        }
    }
    Ok(false)
}

fn parse_size(s: &str) -> Result<u64, String> {
    let (num, mul) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&s[..s.len() - 1], 1 << 20),
        Some('g' | 'G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .filter(|&n| n > 0 && n <= 1 << 32)
        .ok_or_else(|| format!("-s: invalid stack size '{s}'"))
}

fn push_env(s: &str, set: &mut Vec<(OsString, OsString)>) -> Result<(), String> {
    for kv in s.split(',').filter(|s| !s.is_empty()) {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("-E: expected var=value, got '{kv}'"))?;
        set.push((k.into(), v.into()));
    }
    Ok(())
}

fn check_cpu(model: &str) -> Result<bool, String> {
    match model {
        "help" | "?" => Ok(true),
        "any" | "max" | "rv64" | "rv64gc" => Ok(false),
        other => Err(format!("unable to find CPU model '{other}'")),
    }
}

/// Parses the arguments after the program name, with QEMU's environment variables as
/// defaults.
pub fn parse(args: Vec<OsString>, env: &dyn Fn(&str) -> Option<String>) -> Result<Command, String> {
    let mut o = Options {
        ld_prefix: env("QEMU_LD_PREFIX").map(PathBuf::from),
        set_env: Vec::new(),
        unset_env: Vec::new(),
        argv0: env("QEMU_ARGV0").map(OsString::from),
        strace: env("QEMU_STRACE").is_some(),
        log: LogItems::default(),
        log_file: env("QEMU_LOG_FILENAME").map(PathBuf::from),
        one_insn_per_tb: false,
        engine: if env("OXEMU_INTERP").is_some() {
            EngineKind::Interp
        } else {
            EngineKind::Tier0
        },
        tier: match env("OXEMU_TIER").as_deref() {
            Some("0") => TierMode::Tier0Only,
            Some("1") => TierMode::Eager,
            _ => TierMode::Auto(match env("OXEMU_TIER1_THRESHOLD") {
                Some(n) => parse_threshold(&n)?,
                None => DEFAULT_HOT_THRESHOLD,
            }),
        },
        stack_size: None,
        program: PathBuf::new(),
        args: Vec::new(),
    };
    if let Some(s) = env("QEMU_SET_ENV") {
        push_env(&s, &mut o.set_env)?;
    }
    if let Some(s) = env("QEMU_UNSET_ENV") {
        o.unset_env.extend(s.split(',').map(OsString::from));
    }
    if let Some(s) = env("QEMU_STACK_SIZE") {
        o.stack_size = Some(parse_size(&s)?);
    }
    if let Some(s) = env("QEMU_LOG")
        && parse_log(&s, &mut o.log)?
    {
        return Ok(Command::LogHelp);
    }
    if let Some(s) = env("QEMU_CPU")
        && check_cpu(&s)?
    {
        return Ok(Command::CpuList);
    }
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let Some(s) = arg.to_str().filter(|s| s.starts_with('-') && s.len() > 1) else {
            o.program = PathBuf::from(arg);
            o.args = it.collect();
            return Ok(Command::Run(Box::new(o)));
        };
        // QEMU accepts both -opt and --opt.
        let name = s.strip_prefix("--").map_or(&s[1..], |n| n);
        if s == "--" {
            let Some(p) = it.next() else { break };
            o.program = PathBuf::from(p);
            o.args = it.collect();
            return Ok(Command::Run(Box::new(o)));
        }
        let mut value = |what: &str| -> Result<String, String> {
            it.next()
                .map(|v| v.to_string_lossy().into_owned())
                .ok_or_else(|| format!("qemu: missing argument for option '{what}'"))
        };
        match name {
            "h" | "help" => return Ok(Command::Help),
            "version" => return Ok(Command::Version),
            "L" => o.ld_prefix = Some(PathBuf::from(value("L")?)),
            "E" => push_env(&value("E")?, &mut o.set_env)?,
            "U" => o
                .unset_env
                .extend(value("U")?.split(',').map(OsString::from)),
            "0" => o.argv0 = Some(value("0")?.into()),
            "s" => o.stack_size = Some(parse_size(&value("s")?)?),
            "cpu" => {
                if check_cpu(&value("cpu")?)? {
                    return Ok(Command::CpuList);
                }
            }
            "strace" => o.strace = true,
            "d" => {
                if parse_log(&value("d")?, &mut o.log)? {
                    return Ok(Command::LogHelp);
                }
            }
            "D" => o.log_file = Some(PathBuf::from(value("D")?)),
            "one-insn-per-tb" | "singlestep" => o.one_insn_per_tb = true,
            "interp" => o.engine = EngineKind::Interp,
            "tier0" => o.tier = TierMode::Tier0Only,
            "tier1" => o.tier = TierMode::Eager,
            "tier1-threshold" => {
                o.tier = TierMode::Auto(parse_threshold(&value("tier1-threshold")?)?)
            }
            other => return Err(format!("qemu: unknown option '-{other}'")),
        }
    }
    Err("qemu: no user program specified".to_string())
}

fn parse_threshold(s: &str) -> Result<u32, String> {
    s.parse::<u32>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("qemu: invalid tier-1 threshold '{s}' (a positive count)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from).collect(), &|_| None)
    }

    #[test]
    fn options_stop_at_the_program() {
        let Ok(Command::Run(o)) = run(&[
            "-L",
            "/x",
            "-strace",
            "-d",
            "in_asm,unimp",
            "prog",
            "-L",
            "a",
        ]) else {
            panic!("expected a run");
        };
        assert_eq!(o.ld_prefix.as_deref(), Some(std::path::Path::new("/x")));
        assert!(o.strace && o.log.in_asm && o.log.unimp && !o.log.exec);
        assert_eq!(o.program, PathBuf::from("prog"));
        assert_eq!(o.args, vec![OsString::from("-L"), OsString::from("a")]);
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            run(&["-bogus", "p"]).err().unwrap(),
            "qemu: unknown option '-bogus'"
        );
        assert!(
            run(&["-d", "nonsense", "p"])
                .err()
                .unwrap()
                .contains("nonsense")
        );
        assert!(run(&["-L"]).err().unwrap().contains("missing argument"));
        assert!(
            run(&["-cpu", "pentium", "p"])
                .err()
                .unwrap()
                .contains("pentium")
        );
        assert!(run(&[]).err().unwrap().contains("no user program"));
        assert!(run(&["-s", "0", "p"]).is_err());
    }

    #[test]
    fn environment_edits() {
        let Ok(Command::Run(o)) = run(&["-E", "A=1,B=2", "-U", "C", "-interp", "p"]) else {
            panic!("expected a run");
        };
        assert_eq!(o.set_env.len(), 2);
        assert_eq!(o.unset_env, vec![OsString::from("C")]);
        assert_eq!(o.engine, EngineKind::Interp);
    }
}
