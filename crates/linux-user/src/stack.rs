//! The initial process stack, laid out exactly as the riscv64 Linux kernel
//! does (`create_elf_tables`): from the top, a zero word, the executable
//! name, the environment and argument strings, 16 random bytes, then
//! (16-byte aligned) argc, argv[], NULL, envp[], NULL and the auxiliary vector.

use oxemu_memory::GuestSpace;

use crate::auxv::{self, AuxvInput};

/// Where the pieces of the initial stack ended up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackLayout {
    /// Initial stack pointer (points at argc).
    pub sp: u64,
    /// Address of argv[0] pointer.
    pub argv: u64,
    /// Address of envp[0] pointer.
    pub envp: u64,
    /// Address of the auxiliary vector.
    pub auxv: u64,
    /// The auxiliary vector as written.
    pub auxv_entries: Vec<(u64, u64)>,
}

/// What goes on the stack.
pub struct StackInput<'a> {
    /// Arguments (argv[0] first).
    pub argv: &'a [&'a [u8]],
    /// Environment (`NAME=value`).
    pub envp: &'a [&'a [u8]],
    /// Executable name for `AT_EXECFN`.
    pub execfn: &'a [u8],
    /// Bytes for `AT_RANDOM`.
    pub random: [u8; 16],
    /// Auxiliary vector contents; `random` and `execfn` are filled in here.
    pub aux: AuxvInput,
}

/// Writes the initial stack below `top` (the stack must already be mapped
/// from `top - size` to `top`). Returns `None` if it does not fit.
pub fn build(
    space: &GuestSpace,
    top: u64,
    size: u64,
    input: &StackInput<'_>,
) -> Option<StackLayout> {
    let strings: u64 = input
        .argv
        .iter()
        .chain(input.envp)
        .map(|s| s.len() as u64 + 1)
        .sum::<u64>()
        + input.execfn.len() as u64
        + 1;
    let words = 1 + input.argv.len() as u64 + 1 + input.envp.len() as u64 + 1 + 2 * 17;
    // Linux limits strings to a quarter of the stack; keep the same margin.
    if strings > size / 4 || words * 8 + strings + 64 > size / 2 {
        return None;
    }
    let mut p = top - 8;
    space.write(p, &[0; 8]).ok()?;
    p -= input.execfn.len() as u64 + 1;
    let execfn = p;
    put_str(space, p, input.execfn)?;
    let place = |p: &mut u64, list: &[&[u8]]| -> Option<Vec<u64>> {
        *p -= list.iter().map(|s| s.len() as u64 + 1).sum::<u64>();
        let mut at = *p;
        let mut addrs = Vec::with_capacity(list.len());
        for s in list {
            put_str(space, at, s)?;
            addrs.push(at);
            at += s.len() as u64 + 1;
        }
        Some(addrs)
    };
    let env_addrs = place(&mut p, input.envp)?;
    let arg_addrs = place(&mut p, input.argv)?;
    p &= !15;
    p -= 16;
    let random = p;
    space.write(random, &input.random).ok()?;
    let aux = auxv::build(&AuxvInput {
        random,
        execfn,
        ..input.aux
    });
    let items = 1 + (arg_addrs.len() + 1) + (env_addrs.len() + 1) + 2 * aux.len();
    let sp = (p - 8 * items as u64) & !15;
    let mut words: Vec<u64> = Vec::with_capacity(items);
    words.push(arg_addrs.len() as u64);
    words.extend(&arg_addrs);
    words.push(0);
    words.extend(&env_addrs);
    words.push(0);
    for &(k, v) in &aux {
        words.push(k);
        words.push(v);
    }
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    space.write(sp, &bytes).ok()?;
    let argv = sp + 8;
    let envp = argv + 8 * (arg_addrs.len() as u64 + 1);
    let auxv = envp + 8 * (env_addrs.len() as u64 + 1);
    Some(StackLayout {
        sp,
        argv,
        envp,
        auxv,
        auxv_entries: aux,
    })
}

fn put_str(space: &GuestSpace, at: u64, s: &[u8]) -> Option<()> {
    space.write(at, s).ok()?;
    space.write(at + s.len() as u64, &[0]).ok()
}
