//! Loading an ELF program (and its interpreter) into a fresh guest space.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use oxemu_memory::{GuestSpace, MapFlags, PAGE_SIZE, Prot};

use crate::auxv::{AuxvInput, RISCV_HWCAP_IMAFDC};
use crate::elf::{self, ElfImage, Segment};
use crate::error::LoadError;
use crate::stack::{self, StackInput, StackLayout};

/// Default stack size (Linux's default `RLIMIT_STACK`).
pub const DEFAULT_STACK_SIZE: u64 = 8 << 20;
/// Bytes kept free between the stack and the top of the `mmap` area.
const STACK_GAP: u64 = 128 << 20;
/// Largest file accepted as an executable or interpreter.
const MAX_FILE: u64 = 1 << 30;

/// What to load.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// The executable, as named on the command line.
    pub exe: PathBuf,
    /// Arguments, argv[0] first.
    pub argv: Vec<OsString>,
    /// Environment, `NAME=value` each.
    pub envp: Vec<OsString>,
    /// Directory under which `PT_INTERP` is looked up first (`-L`, `QEMU_LD_PREFIX`).
    pub ld_prefix: Option<PathBuf>,
    /// Stack size in bytes.
    pub stack_size: u64,
    /// `AT_HWCAP` value.
    pub hwcap: u64,
}

impl LoadOptions {
    /// Options with the default stack size and an RV64IMAFDC `AT_HWCAP`.
    pub fn new(exe: impl Into<PathBuf>, argv: Vec<OsString>, envp: Vec<OsString>) -> Self {
        LoadOptions {
            exe: exe.into(),
            argv,
            envp,
            ld_prefix: None,
            stack_size: DEFAULT_STACK_SIZE,
            hwcap: RISCV_HWCAP_IMAFDC,
        }
    }
}

/// A loaded program, ready to run.
#[derive(Clone, Debug)]
pub struct LoadedProgram {
    /// Where execution starts: the interpreter's entry if there is one.
    pub entry: u64,
    /// The executable's own entry point (`AT_ENTRY`).
    pub exe_entry: u64,
    /// Initial stack pointer.
    pub sp: u64,
    /// Initial program break (page aligned, just above the executable).
    pub brk: u64,
    /// Absolute host path of the executable (for `/proc/self/exe`).
    pub exe_path: PathBuf,
    /// Host path of the interpreter that was loaded.
    pub interp_path: Option<PathBuf>,
    /// Interpreter load address (`AT_BASE`), 0 if none.
    pub interp_base: u64,
    /// Load bias of the executable (0 for `ET_EXEC`).
    pub load_bias: u64,
    /// Guest address of the executable's program headers (`AT_PHDR`).
    pub phdr: u64,
    /// Number of program headers (`AT_PHNUM`).
    pub phnum: u64,
    /// One past the highest stack address.
    pub stack_top: u64,
    /// Lowest stack address.
    pub stack_limit: u64,
    /// Where argv, envp and auxv are.
    pub stack: StackLayout,
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    let io = |source| LoadError::Io {
        path: path_str(path),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    let bad = |problem: &str| LoadError::BadElf {
        path: path_str(path),
        problem: problem.into(),
    };
    if !meta.is_file() {
        return Err(bad("not a regular file"));
    }
    if meta.len() > MAX_FILE {
        return Err(bad("file too large"));
    }
    std::fs::read(path).map_err(io)
}

fn page_up(v: u64) -> u64 {
    v.saturating_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}

fn mem_err(path: &Path, what: &str, e: impl std::fmt::Display) -> LoadError {
    LoadError::Memory {
        path: path_str(path),
        problem: format!("{what}: {e}"),
    }
}

/// Copies one segment into guest memory the way Linux maps it: whole file
/// pages around the segment, zeroed from the end of the file part when the
/// segment has a bss, anonymous zero pages after that.
fn map_segment(
    space: &GuestSpace,
    data: &[u8],
    seg: &Segment,
    bias: u64,
    path: &Path,
) -> Result<(), LoadError> {
    let vaddr = seg.vaddr + bias;
    let map_start = vaddr & !(PAGE_SIZE - 1);
    let map_end = page_up(vaddr + seg.memsz);
    let fixed = MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED;
    space
        .mmap(map_start, map_end - map_start, Prot::RW, fixed, None, 0)
        .map_err(|e| mem_err(path, &format!("cannot map segment at {vaddr:#x}"), e))?;
    // Congruence was checked by the parser, so this cannot underflow.
    let file_start = seg.offset - (vaddr - map_start);
    let file_end_addr = vaddr + seg.filesz;
    let copy_len = (page_up(file_end_addr) - map_start).min(data.len() as u64 - file_start);
    let bytes = &data[file_start as usize..(file_start + copy_len) as usize];
    let write_err = |e| mem_err(path, "cannot write segment", e);
    space.write(map_start, bytes).map_err(write_err)?;
    if seg.memsz > seg.filesz {
        let zero_end = page_up(file_end_addr).min(map_start + copy_len);
        if zero_end > file_end_addr {
            space
                .zero(file_end_addr, zero_end - file_end_addr)
                .map_err(write_err)?;
        }
    }
    Ok(())
}

/// Maps all segments of `img` with load bias `bias` inside an already
/// reserved span, then applies their protections.
fn map_image(
    space: &GuestSpace,
    data: &[u8],
    img: &ElfImage,
    bias: u64,
    path: &Path,
) -> Result<(), LoadError> {
    for seg in &img.segments {
        map_segment(space, data, seg, bias, path)?;
    }
    for seg in &img.segments {
        let start = (seg.vaddr + bias) & !(PAGE_SIZE - 1);
        let end = page_up(seg.vaddr + bias + seg.memsz);
        space
            .mprotect(start, end - start, seg.prot)
            .map_err(|e| mem_err(path, "cannot protect segment", e))?;
        // Named like file mappings, so /proc/self/maps shows the program.
        space.label(
            start,
            &path_str(&std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())),
        );
    }
    Ok(())
}

fn parse(path: &Path, data: &[u8], space: &GuestSpace) -> Result<ElfImage, LoadError> {
    elf::parse(data, space.limit()).map_err(|problem| LoadError::BadElf {
        path: path_str(path),
        problem,
    })
}

/// Loads `img` at a fixed bias, refusing to overlap anything already mapped.
fn load_fixed(
    space: &GuestSpace,
    data: &[u8],
    img: &ElfImage,
    bias: u64,
    path: &Path,
) -> Result<(), LoadError> {
    let (lo, hi) = img.span();
    let (start, end) = (lo.wrapping_add(bias), page_up(hi.wrapping_add(bias)));
    if start < oxemu_memory::MMAP_MIN_ADDR || end > space.limit() || end <= start {
        return Err(mem_err(
            path,
            "segments",
            format!("cannot be placed at {start:#x}"),
        ));
    }
    let flags = MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED_NOREPLACE;
    space
        .mmap(start, end - start, Prot::NONE, flags, None, 0)
        .map_err(|e| mem_err(path, &format!("cannot reserve {start:#x}-{end:#x}"), e))?;
    map_image(space, data, img, bias, path)
}

/// Loads `img` wherever `mmap` finds room; returns the load bias.
fn load_anywhere(
    space: &GuestSpace,
    data: &[u8],
    img: &ElfImage,
    path: &Path,
) -> Result<u64, LoadError> {
    let (lo, hi) = img.span();
    let len = page_up(hi) - lo;
    let base = space
        .mmap(
            0,
            len,
            Prot::NONE,
            MapFlags::PRIVATE | MapFlags::ANONYMOUS,
            None,
            0,
        )
        .map_err(|e| mem_err(path, "cannot reserve space", e))?;
    let bias = base - lo;
    map_image(space, data, img, bias, path)?;
    Ok(bias)
}

/// Finds the interpreter: under the prefix first, then as named.
fn resolve_interp(interp: &[u8], prefix: Option<&Path>) -> PathBuf {
    let named = Path::new(std::ffi::OsStr::from_bytes(interp));
    if let Some(prefix) = prefix {
        let under = prefix.join(named.strip_prefix("/").unwrap_or(named));
        if under.exists() {
            return under;
        }
    }
    named.to_path_buf()
}

/// Fills a buffer with random bytes from the host.
pub(crate) fn host_random(buf: &mut [u8]) {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: writes at most the remaining length into `buf`.
        let n = unsafe { libc::getrandom(buf[done..].as_mut_ptr().cast(), buf.len() - done, 0) };
        if n <= 0 {
            break;
        }
        done += n as usize;
    }
}

/// Loads the program of `opts` into `space` (which should be fresh): the
/// executable, its interpreter, the stack with argv/envp/auxv. Never panics
/// on a bad file.
pub fn load_program(space: &GuestSpace, opts: &LoadOptions) -> Result<LoadedProgram, LoadError> {
    let data = read_file(&opts.exe)?;
    load_program_bytes(space, opts, &data)
}

/// Like [`load_program`], with the executable's contents already in
/// memory (`opts.exe` still names it; the interpreter is read from disk).
pub fn load_program_bytes(
    space: &GuestSpace,
    opts: &LoadOptions,
    data: &[u8],
) -> Result<LoadedProgram, LoadError> {
    let exe = &opts.exe;
    let img = parse(exe, data, space)?;

    let stack_top = space.limit().min(1 << 38);
    let stack_size = page_up(opts.stack_size.clamp(64 << 10, stack_top / 8));
    let stack_limit = stack_top - stack_size;
    let stack_prot = if img.exec_stack {
        Prot::RW | Prot::X
    } else {
        Prot::RW
    };
    let stack_flags = MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED_NOREPLACE;
    space
        .mmap(stack_limit, stack_size, stack_prot, stack_flags, None, 0)
        .map_err(|e| mem_err(exe, "cannot map the stack", e))?;
    space.label(stack_limit, "[stack]");
    space.set_mmap_base(stack_limit.saturating_sub(STACK_GAP));

    let bias = if img.is_dyn {
        let et_dyn_base = (stack_top / 3 * 2) & !(PAGE_SIZE - 1);
        et_dyn_base - img.span().0
    } else {
        0
    };
    load_fixed(space, data, &img, bias, exe)?;
    let brk = page_up(img.span().1 + bias);

    let (interp_path, interp_base, entry) = match &img.interp {
        None => (None, 0, img.entry.wrapping_add(bias)),
        Some(name) => {
            let path = resolve_interp(name, opts.ld_prefix.as_deref());
            let idata = read_file(&path)?;
            let iimg = parse(&path, &idata, space)?;
            let ibias = if iimg.is_dyn {
                load_anywhere(space, &idata, &iimg, &path)?
            } else {
                load_fixed(space, &idata, &iimg, 0, &path)?;
                0
            };
            let base = iimg.span().0 + ibias;
            (Some(path), base, iimg.entry.wrapping_add(ibias))
        }
    };

    let exe_path = std::fs::canonicalize(exe).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(exe))
            .unwrap_or_else(|_| exe.clone())
    });
    let mut random = [0u8; 16];
    host_random(&mut random);
    let argv: Vec<&[u8]> = opts.argv.iter().map(|a| a.as_bytes()).collect();
    let envp: Vec<&[u8]> = opts.envp.iter().map(|a| a.as_bytes()).collect();
    let phdr = img.phdr_addr().wrapping_add(bias);
    let input = StackInput {
        argv: &argv,
        envp: &envp,
        execfn: exe.as_os_str().as_bytes(),
        random,
        aux: AuxvInput {
            phdr,
            phnum: img.phnum.into(),
            interp_base,
            entry: img.entry.wrapping_add(bias),
            hwcap: opts.hwcap,
            random: 0,
            execfn: 0,
        },
    };
    let layout =
        stack::build(space, stack_top, stack_size, &input).ok_or_else(|| LoadError::TooBig {
            path: path_str(exe),
        })?;
    Ok(LoadedProgram {
        entry,
        exe_entry: img.entry.wrapping_add(bias),
        sp: layout.sp,
        brk,
        exe_path,
        interp_path,
        interp_base,
        load_bias: bias,
        phdr,
        phnum: img.phnum.into(),
        stack_top,
        stack_limit,
        stack: layout,
    })
}
