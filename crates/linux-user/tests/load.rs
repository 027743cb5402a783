//! Loading real riscv64 programs and reading their initial state back.

mod common;

use std::ffi::OsString;

use oxemu_linux_user::auxv::*;
use oxemu_linux_user::{GuestSpace, LoadOptions, LoadedProgram, elf, load_program};
use oxemu_memory::Prot;

fn read_u64(s: &GuestSpace, a: u64) -> u64 {
    s.load(a, 8).unwrap()
}

fn read_str(s: &GuestSpace, a: u64) -> String {
    String::from_utf8(s.read_cstr(a, 4096).unwrap()).unwrap()
}

struct Parsed {
    argv: Vec<String>,
    envp: Vec<String>,
    auxv: Vec<(u64, u64)>,
}

fn parse_stack(s: &GuestSpace, sp: u64) -> Parsed {
    let argc = read_u64(s, sp);
    let mut at = sp + 8;
    let argv = (0..argc)
        .map(|i| read_str(s, read_u64(s, at + 8 * i)))
        .collect();
    at += 8 * argc;
    assert_eq!(read_u64(s, at), 0);
    at += 8;
    let mut envp = Vec::new();
    while read_u64(s, at) != 0 {
        envp.push(read_str(s, read_u64(s, at)));
        at += 8;
    }
    at += 8;
    let mut auxv = Vec::new();
    loop {
        let (k, v) = (read_u64(s, at), read_u64(s, at + 8));
        auxv.push((k, v));
        at += 16;
        if k == AT_NULL {
            break;
        }
    }
    Parsed { argv, envp, auxv }
}

fn aux(p: &Parsed, key: u64) -> u64 {
    p.auxv
        .iter()
        .find(|e| e.0 == key)
        .unwrap_or_else(|| panic!("auxv {key} missing"))
        .1
}

fn load(path: &std::path::Path, prefix: Option<std::path::PathBuf>) -> (GuestSpace, LoadedProgram) {
    let space = GuestSpace::new(39).unwrap();
    let mut opts = LoadOptions::new(
        path,
        vec![OsString::from("prog"), OsString::from("arg one")],
        vec![OsString::from("A=1"), OsString::from("HOME=/h")],
    );
    opts.ld_prefix = prefix;
    let prog = load_program(&space, &opts).unwrap_or_else(|e| panic!("{e}"));
    (space, prog)
}

#[test]
fn static_binaries_load_with_linux_stack_layout() {
    let Some(bins) = common::static_binaries() else {
        return;
    };
    for bin in bins {
        let data = std::fs::read(&bin).unwrap();
        let img = elf::parse(&data, 1 << 39).unwrap();
        assert!(!img.is_dyn && img.interp.is_none(), "{}", bin.display());
        let (space, prog) = load(&bin, None);
        assert_eq!(prog.entry, img.entry);
        assert_eq!(prog.exe_entry, img.entry);
        assert_eq!(prog.interp_base, 0);
        assert_eq!(prog.sp % 16, 0);
        assert!(prog.sp < prog.stack_top && prog.sp > prog.stack_limit);
        let st = parse_stack(&space, prog.sp);
        assert_eq!(st.argv, ["prog", "arg one"]);
        assert_eq!(st.envp, ["A=1", "HOME=/h"]);
        assert_eq!(aux(&st, AT_ENTRY), img.entry);
        assert_eq!(aux(&st, AT_PHDR), prog.phdr);
        assert_eq!(aux(&st, AT_PHNUM), u64::from(img.phnum));
        assert_eq!(aux(&st, AT_PHENT), 56);
        assert_eq!(aux(&st, AT_PAGESZ), 4096);
        assert_eq!(aux(&st, AT_BASE), 0);
        assert_eq!(aux(&st, AT_CLKTCK), 100);
        assert_eq!(aux(&st, AT_HWCAP), 0x112d);
        assert_eq!(read_str(&space, aux(&st, AT_EXECFN)), bin.to_str().unwrap());
        let random = aux(&st, AT_RANDOM);
        let mut r = [0u8; 16];
        space.read(random, &mut r).unwrap();
        assert_ne!(r, [0; 16]);
        // The program headers are where AT_PHDR says: the first one is readable.
        let mut ph = [0u8; 56];
        space.read(prog.phdr, &mut ph).unwrap();
        assert_eq!(&ph[..], &data[img.phoff as usize..img.phoff as usize + 56]);
        // Segments: file bytes in memory, bss zeroed, protections applied.
        for seg in &img.segments {
            let mut mem = vec![0u8; seg.filesz as usize];
            space.read(seg.vaddr, &mut mem).unwrap();
            assert_eq!(
                mem,
                &data[seg.offset as usize..(seg.offset + seg.filesz) as usize]
            );
            let bss = seg.memsz - seg.filesz;
            let mut z = vec![1u8; bss as usize];
            space.read(seg.vaddr + seg.filesz, &mut z).unwrap();
            assert!(z.iter().all(|&b| b == 0), "bss zeroed in {}", bin.display());
            let last = (seg.vaddr + seg.memsz - 1) & !0xfff;
            assert_eq!(space.page_prot(last), seg.prot);
        }
        let (_, hi) = img.span();
        assert_eq!(prog.brk, (hi + 0xfff) & !0xfff);
        assert_eq!(space.page_prot(prog.brk), Prot::NONE);
        assert!(space.fetch(img.entry, 2).is_ok());
        let maps = space.mappings();
        assert!(
            maps.iter()
                .any(|m| m.name.as_deref() == Some("[stack]") && m.end == prog.stack_top)
        );
        let exe = std::fs::canonicalize(&bin).unwrap();
        assert!(maps.iter().any(|m| m.start <= img.entry
            && img.entry < m.end
            && m.name.as_deref() == exe.to_str()));
    }
}

#[test]
fn dynamic_program_loads_interpreter_under_prefix() {
    let Some(prefix) = common::riscv_prefix() else {
        return;
    };
    // libc.so.6 is a PIE-like ET_DYN with a PT_INTERP: a handy dynamic program.
    let libc = prefix.join("lib/libc.so.6");
    let data = std::fs::read(&libc).unwrap();
    let img = elf::parse(&data, 1 << 39).unwrap();
    assert!(img.is_dyn);
    assert_eq!(
        img.interp.as_deref(),
        Some(&b"/lib/ld-linux-riscv64-lp64d.so.1"[..])
    );
    let (space, prog) = load(&libc, Some(prefix.clone()));
    assert_eq!(
        prog.interp_path.as_deref(),
        Some(prefix.join("lib/ld-linux-riscv64-lp64d.so.1").as_path())
    );
    assert_ne!(prog.interp_base, 0);
    assert_eq!(prog.interp_base % 4096, 0);
    assert_ne!(prog.load_bias, 0);
    assert_eq!(prog.exe_entry, img.entry + prog.load_bias);
    let st = parse_stack(&space, prog.sp);
    assert_eq!(aux(&st, AT_BASE), prog.interp_base);
    assert_eq!(aux(&st, AT_ENTRY), prog.exe_entry);
    assert_eq!(aux(&st, AT_PHDR), prog.phdr);
    // The interpreter's entry is executable code inside its image.
    let idata = std::fs::read(prog.interp_path.as_ref().unwrap()).unwrap();
    let iimg = elf::parse(&idata, 1 << 39).unwrap();
    assert_eq!(prog.entry, prog.interp_base + iimg.entry);
    assert!(space.fetch(prog.entry, 4).is_ok());
    assert!(space.page_prot(prog.exe_entry).contains(Prot::X));
    assert!(prog.brk > prog.load_bias && space.page_prot(prog.brk) == Prot::NONE);
}

#[test]
fn missing_interpreter_is_a_clear_error() {
    let Some(prefix) = common::riscv_prefix() else {
        return;
    };
    let space = GuestSpace::new(39).unwrap();
    let mut opts = LoadOptions::new(prefix.join("lib/libc.so.6"), vec!["x".into()], vec![]);
    opts.ld_prefix = Some("/nonexistent-prefix".into());
    // Without the prefix the interpreter is looked up as named; on a host
    // without a riscv64 root there it is missing.
    if std::path::Path::new("/lib/ld-linux-riscv64-lp64d.so.1").exists() {
        return;
    }
    let e = load_program(&space, &opts).unwrap_err().to_string();
    assert!(e.starts_with("/lib/ld-linux-riscv64-lp64d.so.1: "), "{e}");
}

#[test]
fn bad_files_give_errors() {
    let dir = std::env::temp_dir().join(format!("oxemu-lu-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("script");
    std::fs::write(&f, b"#!/bin/sh\necho hi\n").unwrap();
    let space = GuestSpace::new(39).unwrap();
    let e = load_program(&space, &LoadOptions::new(&f, vec![], vec![])).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: not an ELF file", f.display()));
    let e = load_program(
        &space,
        &LoadOptions::new(dir.join("missing"), vec![], vec![]),
    )
    .unwrap_err();
    assert!(e.to_string().contains("No such file"), "{e}");
    let e = load_program(&space, &LoadOptions::new(&dir, vec![], vec![])).unwrap_err();
    assert!(e.to_string().ends_with("not a regular file"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
