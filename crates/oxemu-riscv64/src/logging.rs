//! `-d` logging in QEMU's formats, to stderr or the `-D` file.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write;

use oxemu_dbt_ir::{Block, GlobalNames, display_block};
use oxemu_isa_riscv64::{F_NAMES, GUEST_DESC, PC, RvCpu, X_NAMES, disassemble_at, f, x};

use crate::cli::LogItems;

/// The log sink and what to write to it.
pub struct Logger {
    pub items: LogItems,
    out: RefCell<Box<dyn Write>>,
}

impl Logger {
    pub fn new(items: LogItems, out: Box<dyn Write>) -> Logger {
        Logger {
            items,
            out: RefCell::new(out),
        }
    }

    pub fn write(&self, s: &str) {
        let mut out = self.out.borrow_mut();
        let _ = out.write_all(s.as_bytes());
        let _ = out.flush();
    }

    /// `-d in_asm`: the guest instructions of a new block.
    pub fn in_asm(&self, block: &Block, fetch: &dyn Fn(u64) -> Option<u16>) {
        let mut s = String::from("----------------\nIN: \n");
        let mut pc = block.pc;
        while pc < block.pc.wrapping_add(block.guest_len) {
            let Some(lo) = fetch(pc) else { break };
            let (insn, len) = if lo & 3 == 3 {
                let hi = fetch(pc.wrapping_add(2)).unwrap_or(0);
                (u32::from(lo) | u32::from(hi) << 16, 4u8)
            } else {
                (u32::from(lo), 2)
            };
            let hex = if len == 4 {
                format!("{insn:08x}")
            } else {
                format!("{insn:04x}    ")
            };
            let _ = writeln!(
                s,
                "0x{pc:016x}:  {hex}          {}",
                disassemble_at(pc, insn, len)
            );
            pc = pc.wrapping_add(u64::from(len));
        }
        s.push('\n');
        self.write(&s);
    }

    /// `-d op` / `op_opt`: the IR of a block.
    pub fn ir(&self, title: &str, block: &Block) {
        let globals: Vec<&str> = GUEST_DESC.globals.iter().map(|g| g.name).collect();
        let helpers: Vec<&str> = GUEST_DESC.helpers.iter().map(|h| h.name).collect();
        let text = display_block(
            block,
            GlobalNames {
                globals: &globals,
                helpers: &helpers,
            },
        );
        self.write(&format!("{title}\n{text}\n"));
    }

    /// `-d out_asm`: the host code of a block.
    pub fn out_asm(&self, addr: usize, code: &[u8]) {
        self.write(&hex_dump(
            format!("OUT: [size={}]\n", code.len()),
            addr,
            code,
        ));
    }

    /// `-d out_asm`: a tier-1 region and the guest blocks it covers.
    pub fn region(&self, pcs: &[u64], addr: usize, code: &[u8]) {
        let blocks: Vec<String> = pcs.iter().map(|pc| format!("{pc:#x}")).collect();
        let head = format!(
            "OUT (tier 1 region: {}): [size={}]\n",
            blocks.join(" "),
            code.len()
        );
        self.write(&hex_dump(head, addr, code));
    }

    /// `-d exec`: a block is about to run.
    pub fn exec(&self, pc: u64) {
        self.write(&format!(
            "Trace 0: 0x0 [00000000/{pc:016x}/00000000/00000000] \n"
        ));
    }

    /// `-d cpu`: the registers before a block runs.
    pub fn cpu(&self, cpu: &RvCpu) {
        let mut s = format!(" pc       {:016x}\n", cpu.get(PC));
        for i in 0..32u8 {
            let name = format!("x{i}/{}", X_NAMES[i as usize]);
            let _ = write!(s, " {name:<8} {:016x}", cpu.get(x(i)));
            s.push(if i % 4 == 3 { '\n' } else { ' ' });
        }
        for i in 0..32u8 {
            let name = format!("f{i}/{}", F_NAMES[i as usize]);
            let _ = write!(s, " {name:<8} {:016x}", cpu.get(f(i)));
            s.push(if i % 4 == 3 { '\n' } else { ' ' });
        }
        self.write(&s);
    }
}

/// `head` followed by `code` as rows of 16 hex bytes with their host addresses.
fn hex_dump(mut s: String, addr: usize, code: &[u8]) -> String {
    for (i, chunk) in code.chunks(16).enumerate() {
        let bytes: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(s, "  0x{:016x}:  {}", addr + 16 * i, bytes.join(" "));
    }
    s.push('\n');
    s
}
