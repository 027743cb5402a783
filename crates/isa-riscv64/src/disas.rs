//! Disassembly in objdump-like syntax (ABI register names, objdump's aliases), for
//! `-d in_asm` and test failure messages.

use crate::decode::{Insn, Opcode, csr, decode16, decode32};
use crate::state::{F_NAMES, X_NAMES};

/// Disassembles one instruction of `len` bytes (2 or 4) held in the low bits of `insn`.
/// Branch and jump targets are printed as pc-relative offsets.
pub fn disassemble(insn: u32, len: u8) -> String {
    render(None, insn, len)
}

/// Like [`disassemble`], for the instruction at `pc`: targets are absolute addresses.
pub fn disassemble_at(pc: u64, insn: u32, len: u8) -> String {
    render(Some(pc), insn, len)
}

fn render(pc: Option<u64>, raw: u32, len: u8) -> String {
    let decoded = if len == 2 {
        decode16(raw as u16)
    } else {
        decode32(raw)
    };
    let Some(i) = decoded else {
        return if len == 2 {
            format!(".2byte\t{:#06x}", raw as u16)
        } else {
            format!(".4byte\t{raw:#010x}")
        };
    };
    let (name, operands) =
        alias(&i, pc).unwrap_or_else(|| (i.op.name().to_string(), operands(&i, pc)));
    if operands.is_empty() {
        name
    } else {
        format!("{name}\t{operands}")
    }
}

fn xr(r: u8) -> &'static str {
    X_NAMES[usize::from(r & 31)]
}

fn fr(r: u8) -> &'static str {
    F_NAMES[usize::from(r & 31)]
}

fn target(i: &Insn, pc: Option<u64>) -> String {
    match pc {
        Some(pc) => format!("{:#x}", pc.wrapping_add(i.imm as u64)),
        None => format!("{}", i.imm),
    }
}

fn rounding(rm: u8) -> &'static str {
    ["rne", "rtz", "rdn", "rup", "rmm", "rm5", "rm6", "dyn"][usize::from(rm & 7)]
}

fn csr_name(num: i64) -> String {
    csr::name(num as u16).map_or_else(|| format!("{num:#x}"), str::to_string)
}

fn fence_set(bits: i64) -> String {
    let s: String = "iorw"
        .chars()
        .enumerate()
        .filter(|(k, _)| bits >> (3 - k) & 1 != 0)
        .map(|(_, c)| c)
        .collect();
    if s.is_empty() { "0".to_string() } else { s }
}

/// Operand pattern: tokens separated by commas. Lower case are integer registers,
/// upper case float registers: d/D = rd, s/S = rs1, t/T = rs2, R = rs3; `i` immediate,
/// `h` shift amount, `o(s)` memory operand, `u` upper immediate, `b` branch target, `c` CSR, `z` CSR
/// immediate, `m` rounding mode (omitted when dynamic), `n` rounding mode of an exact
/// conversion (omitted when rne, the assembler's default), `(s)` atomic address.
fn pattern(op: Opcode) -> &'static str {
    use Opcode::*;
    match op {
        Lui | Auipc => "d,u",
        Jal => "d,b",
        Jalr | Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => "d,o(s)",
        Flw | Fld => "D,o(s)",
        Sb | Sh | Sw | Sd => "t,o(s)",
        Fsw | Fsd => "T,o(s)",
        Beq | Bne | Blt | Bge | Bltu | Bgeu => "s,t,b",
        Addi | Slti | Sltiu | Xori | Ori | Andi | Addiw => "d,s,i",
        Slli | Srli | Srai | Slliw | Srliw | Sraiw | Rori | Roriw | Bclri | Bexti | Binvi
        | Bseti | SlliUw => "d,s,h",
        Clz | Clzw | Ctz | Ctzw | Cpop | Cpopw | SextB | SextH | ZextH | OrcB | Rev8 => "d,s",
        Fence | FenceI | Ecall | Ebreak => "",
        Csrrw | Csrrs | Csrrc => "d,c,s",
        Csrrwi | Csrrsi | Csrrci => "d,c,z",
        LrW | LrD => "d,(s)",
        ScW | ScD | AmoswapW | AmoaddW | AmoxorW | AmoandW | AmoorW | AmominW | AmomaxW
        | AmominuW | AmomaxuW | AmoswapD | AmoaddD | AmoxorD | AmoandD | AmoorD | AmominD
        | AmomaxD | AmominuD | AmomaxuD => "d,t,(s)",
        FmaddS | FmsubS | FnmsubS | FnmaddS | FmaddD | FmsubD | FnmsubD | FnmaddD => "D,S,T,R,m",
        FaddS | FsubS | FmulS | FdivS | FaddD | FsubD | FmulD | FdivD => "D,S,T,m",
        FsqrtS | FsqrtD | FcvtSD => "D,S,m",
        FcvtDS => "D,S,n",
        FcvtDW | FcvtDWu => "D,s,n",
        FcvtWS | FcvtWuS | FcvtLS | FcvtLuS | FcvtWD | FcvtWuD | FcvtLD | FcvtLuD => "d,S,m",
        FcvtSW | FcvtSWu | FcvtSL | FcvtSLu | FcvtDL | FcvtDLu => "D,s,m",
        FsgnjS | FsgnjnS | FsgnjxS | FsgnjD | FsgnjnD | FsgnjxD | FminS | FmaxS | FminD | FmaxD => {
            "D,S,T"
        }
        FeqS | FltS | FleS | FeqD | FltD | FleD => "d,S,T",
        FclassS | FclassD | FmvXW | FmvXD => "d,S",
        FmvWX | FmvDX => "D,s",
        _ => "d,s,t",
    }
}

fn operands(i: &Insn, pc: Option<u64>) -> String {
    if i.op == Opcode::Fence {
        return format!("{},{}", fence_set(i.imm >> 4 & 15), fence_set(i.imm & 15));
    }
    let mut out: Vec<String> = Vec::new();
    for token in pattern(i.op).split(',').filter(|t| !t.is_empty()) {
        let text = match token {
            "d" => xr(i.rd).to_string(),
            "s" => xr(i.rs1).to_string(),
            "t" => xr(i.rs2).to_string(),
            "D" => fr(i.rd).to_string(),
            "S" => fr(i.rs1).to_string(),
            "T" => fr(i.rs2).to_string(),
            "R" => fr(i.rs3).to_string(),
            "i" => i.imm.to_string(),
            "h" => format!("{:#x}", i.imm),
            "u" => format!("{:#x}", (i.imm >> 12) & 0xf_ffff),
            "b" => target(i, pc),
            "c" => csr_name(i.imm),
            "z" => i.rs1.to_string(),
            "o(s)" => format!("{}({})", i.imm, xr(i.rs1)),
            "(s)" => format!("({})", xr(i.rs1)),
            "m" if i.rm == 7 => continue,
            "n" if i.rm == 0 => continue,
            _ => rounding(i.rm).to_string(),
        };
        out.push(text);
    }
    out.join(",")
}

/// The ordering suffix of an atomic.
fn ordering(i: &Insn) -> &'static str {
    ["", ".rl", ".aq", ".aqrl"][usize::from(i.rm & 3)]
}

/// objdump's preferred spellings of common idioms.
fn alias(i: &Insn, pc: Option<u64>) -> Option<(String, String)> {
    use Opcode::*;
    let (rd, rs1, rs2) = (xr(i.rd), xr(i.rs1), xr(i.rs2));
    let a = |name: &str, ops: String| Some((name.to_string(), ops));
    match i.op {
        Addi if i.rd == 0 && i.rs1 == 0 && i.imm == 0 => a("nop", String::new()),
        Addi if i.rs1 == 0 => a("li", format!("{rd},{}", i.imm)),
        Addi if i.imm == 0 => a("mv", format!("{rd},{rs1}")),
        Add if i.rs1 == 0 => a("mv", format!("{rd},{rs2}")),
        Addiw if i.imm == 0 => a("sext.w", format!("{rd},{rs1}")),
        Xori if i.imm == -1 => a("not", format!("{rd},{rs1}")),
        Andi if i.imm == 255 => a("zext.b", format!("{rd},{rs1}")),
        Fence if i.imm == 0x0ff => a("fence", String::new()),
        Sltiu if i.imm == 1 => a("seqz", format!("{rd},{rs1}")),
        Sltu if i.rs1 == 0 => a("snez", format!("{rd},{rs2}")),
        Sub if i.rs1 == 0 => a("neg", format!("{rd},{rs2}")),
        Subw if i.rs1 == 0 => a("negw", format!("{rd},{rs2}")),
        AddUw if i.rs2 == 0 => a("zext.w", format!("{rd},{rs1}")),
        Jal if i.rd == 0 => a("j", target(i, pc)),
        Jal if i.rd == 1 => a("jal", target(i, pc)),
        Jalr if i.rd == 0 && i.rs1 == 1 && i.imm == 0 => a("ret", String::new()),
        Jalr if i.rd == 0 && i.imm == 0 => a("jr", rs1.to_string()),
        Jalr if i.rd == 1 && i.imm == 0 => a("jalr", rs1.to_string()),
        Jalr if i.rd == 1 => a("jalr", format!("{}({rs1})", i.imm)),
        Beq if i.rs2 == 0 => a("beqz", format!("{rs1},{}", target(i, pc))),
        Bne if i.rs2 == 0 => a("bnez", format!("{rs1},{}", target(i, pc))),
        Csrrs | Csrrw if fp_csr_alias(i).is_some() => {
            let (name, ops) = fp_csr_alias(i)?;
            a(name, ops)
        }
        Csrrs if i.rs1 == 0 => match i.imm as u16 {
            csr::CYCLE => a("rdcycle", rd.to_string()),
            csr::TIME => a("rdtime", rd.to_string()),
            csr::INSTRET => a("rdinstret", rd.to_string()),
            _ => a("csrr", format!("{rd},{}", csr_name(i.imm))),
        },
        Csrrw if i.rd == 0 => a("csrw", format!("{},{rs1}", csr_name(i.imm))),
        Csrrs if i.rd == 0 => a("csrs", format!("{},{rs1}", csr_name(i.imm))),
        Csrrc if i.rd == 0 => a("csrc", format!("{},{rs1}", csr_name(i.imm))),
        FsgnjS | FsgnjD | FsgnjnS | FsgnjnD | FsgnjxS | FsgnjxD if i.rs1 == i.rs2 => {
            let (base, suffix) = i.op.name().split_at(i.op.name().len() - 2);
            let name = match base {
                "fsgnj" => "fmv",
                "fsgnjn" => "fneg",
                _ => "fabs",
            };
            a(
                &format!("{name}{suffix}"),
                format!("{},{}", fr(i.rd), fr(i.rs1)),
            )
        }
        LrW | LrD | ScW | ScD | AmoswapW | AmoaddW | AmoxorW | AmoandW | AmoorW | AmominW
        | AmomaxW | AmominuW | AmomaxuW | AmoswapD | AmoaddD | AmoxorD | AmoandD | AmoorD
        | AmominD | AmomaxD | AmominuD | AmomaxuD
            if i.rm & 3 != 0 =>
        {
            a(&format!("{}{}", i.op.name(), ordering(i)), operands(i, pc))
        }
        _ => None,
    }
}

/// frflags/fsflags, frrm/fsrm, frcsr/fscsr.
fn fp_csr_alias(i: &Insn) -> Option<(&'static str, String)> {
    let (read, write) = match i.imm as u16 {
        csr::FFLAGS => ("frflags", "fsflags"),
        csr::FRM => ("frrm", "fsrm"),
        csr::FCSR => ("frcsr", "fscsr"),
        _ => return None,
    };
    let (rd, rs1) = (xr(i.rd), xr(i.rs1));
    match (i.op, i.rd, i.rs1) {
        (Opcode::Csrrs, _, 0) => Some((read, rd.to_string())),
        (Opcode::Csrrw, 0, _) => Some((write, rs1.to_string())),
        (Opcode::Csrrw, _, _) => Some((write, format!("{rd},{rs1}"))),
        _ => None,
    }
}
