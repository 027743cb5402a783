//! The text form of blocks, printed by `-d op` and compared by tests.

use std::fmt::{self, Write};

use crate::inst::{Block, Exit, Op};
use crate::types::{AtomicOp, BinOp, Cond, MemSize, TrapKind, UnOp, Value};

/// Names for globals and helpers, indexed like the frontend's tables.
#[derive(Clone, Copy, Debug)]
pub struct GlobalNames<'a> {
    /// Global names, indexed by `Global`.
    pub globals: &'a [&'a str],
    /// Helper names, indexed by `HelperId`.
    pub helpers: &'a [&'a str],
}

fn lower<T: fmt::Debug>(t: T) -> String {
    format!("{t:?}").to_ascii_lowercase()
}

fn size(s: MemSize) -> u8 {
    s.bytes()
}

fn exit(e: Exit) -> String {
    match e {
        Exit::Chain(pc) => format!("chain {pc:#x}"),
        Exit::Dynamic(v) => format!("dynamic {v}"),
        Exit::Trap(kind, pc) => format!("trap {} {pc:#x}", trap(kind)),
    }
}

fn trap(k: TrapKind) -> String {
    lower(k)
}

fn name<'a>(names: &'a [&'a str], i: usize, fallback: &'a str) -> String {
    names
        .get(i)
        .map_or_else(|| format!("{fallback}{i}"), |s| s.to_string())
}

fn args(vs: &[Value]) -> String {
    vs.iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders a block in the text form.
pub fn display_block(block: &Block, names: GlobalNames<'_>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "block {:#x} ({} insns, {} bytes)",
        block.pc, block.guest_insns, block.guest_len
    );
    for (i, inst) in block.insts.iter().enumerate() {
        let v = Value(i as u32);
        let ty = inst.ty;
        let g = |g: crate::Global| name(names.globals, g.0 as usize, "g");
        let line = match inst.op {
            Op::InsnStart(pc) => format!(" ---- {pc:#x}"),
            Op::Const(c) => format!("{v} = const.{ty} {c:#x}"),
            Op::Get(gl) => format!("{v} = get {}", g(gl)),
            Op::Set(gl, a) => format!("set {}, {a}", g(gl)),
            Op::Unary(op, a) => format!("{v} = {}.{ty} {a}", unop(op)),
            Op::Binary(op, a, b) => format!("{v} = {}.{ty} {a}, {b}", binop(op)),
            Op::SetCond(c, a, b) => format!("{v} = setcond.{ty} {} {a}, {b}", cond(c)),
            Op::Select(c, a, b, t, f) => {
                format!("{v} = select.{ty} {} {a}, {b}, {t}, {f}", cond(c))
            }
            Op::Load {
                size: sz,
                signed,
                addr,
            } => {
                let sign = if signed { 's' } else { 'u' };
                format!("{v} = load.{sign}{}.{ty} {addr}", size(sz))
            }
            Op::Store {
                size: sz,
                addr,
                value,
            } => format!("store.{} {addr}, {value}", size(sz)),
            Op::Atomic {
                op,
                size: sz,
                addr,
                value,
            } => {
                format!(
                    "{v} = atomic.{}.{}.{ty} {addr}, {value}",
                    atomic(op),
                    size(sz)
                )
            }
            Op::CmpXchg {
                size: sz,
                addr,
                expected,
                new,
            } => {
                format!("{v} = cmpxchg.{}.{ty} {addr}, {expected}, {new}", size(sz))
            }
            Op::Call {
                helper,
                args: a,
                nargs,
            } => format!(
                "{v} = call {}({})",
                name(names.helpers, helper.0 as usize, "helper"),
                args(&a[..nargs as usize])
            ),
            Op::Fence => "fence".to_string(),
            Op::ExitIf(c, a, b, e) => format!("exit_if {} {a}, {b} -> {}", cond(c), exit(e)),
        };
        let _ = writeln!(s, "  {line}");
    }
    let _ = writeln!(s, "  exit {}", exit(block.exit));
    s
}

fn unop(op: UnOp) -> String {
    lower(op)
}
fn binop(op: BinOp) -> String {
    lower(op)
}
fn cond(c: Cond) -> String {
    lower(c)
}
fn atomic(op: AtomicOp) -> String {
    lower(op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Builder, Global, Ty};

    #[test]
    fn renders_every_kind_of_line() {
        let mut b = Builder::new(0x1000);
        b.insn_start(0x1000);
        let x = b.get(Global(1));
        let c = b.iconst(Ty::I64, 5);
        let s = b.binary(Ty::I64, BinOp::Add, x, c);
        let l = b.load(Ty::I64, MemSize::B4, true, s);
        b.set(Global(2), l);
        b.exit_if(Cond::LtU, x, c, Exit::Chain(0x2000));
        let block = b.finish(Exit::Trap(TrapKind::Syscall, 0x1000), 4, 1);
        let text = display_block(
            &block,
            GlobalNames {
                globals: &["zero", "ra", "sp"],
                helpers: &[],
            },
        );
        let want = "block 0x1000 (1 insns, 4 bytes)
   ---- 0x1000
  v1 = get ra
  v2 = const.i64 0x5
  v3 = add.i64 v1, v2
  v4 = load.s4.i64 v3
  set sp, v4
  exit_if ltu v1, v2 -> chain 0x2000
  exit trap syscall 0x1000
";
        assert_eq!(text, want);
    }
}
