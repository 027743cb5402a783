//! Kernel, initrd and command line into guest memory; the boot structures each
//! entry protocol needs (PVH start_info, Linux boot_params, e820 map).

use crate::layout::*;
use linux_loader::loader::{KernelLoader, bzimage::BzImage, elf::Elf, elf::PvhBootCapability};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

/// Errors loading a guest.
#[derive(Debug, thiserror::Error)]
pub enum BootError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The kernel file is neither an ELF with a PVH note nor a bzImage.
    #[error("{0}: not a bzImage or an ELF kernel with a PVH entry note")]
    UnknownFormat(String),
    /// The ELF kernel has no PVH entry point.
    #[error("{0}: ELF kernel without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)")]
    NoPvhEntry(String),
    /// The kernel is shorter than its header says.
    #[error("{path}: kernel image is truncated ({have} bytes, header needs {need})")]
    Truncated {
        /// The file.
        path: String,
        /// Its size.
        have: u64,
        /// What the header claims.
        need: u64,
    },
    /// linux-loader refused the image.
    #[error("{path}: cannot load the kernel: {msg}")]
    Load {
        /// The file.
        path: String,
        /// linux-loader's reason.
        msg: String,
    },
    /// Something does not fit in guest memory.
    #[error("{0} does not fit in guest memory")]
    NoRoom(&'static str),
    /// The command line is too long.
    #[error("the kernel command line is longer than {0} bytes")]
    CmdlineTooLong(usize),
}

type Result<T> = std::result::Result<T, BootError>;

/// How the boot vCPU starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// 32-bit protected mode, paging off, EBX = start_info.
    Pvh {
        /// Entry point.
        rip: u64,
    },
    /// 64-bit mode with identity paging, RSI = boot_params.
    Linux64 {
        /// Entry point (load address + 0x200).
        rip: u64,
    },
    /// Real mode at the setup code, DS = setup segment.
    RealMode,
}

/// RAM ranges: low RAM from 0, optional high RAM from 4 GiB.
#[derive(Debug, Clone, Copy)]
pub struct RamLayout {
    /// End of RAM below 4 GiB.
    pub low_end: u64,
    /// Bytes of RAM above 4 GiB.
    pub high_size: u64,
}

impl RamLayout {
    /// Splits `size` bytes around the MMIO hole.
    pub fn new(size: u64) -> Self {
        let low_end = size.min(MMIO_START);
        RamLayout {
            low_end,
            high_size: size - low_end,
        }
    }

    /// The e820 map: (start, length, type) with 1 = RAM, 2 = reserved.
    pub fn e820(&self) -> Vec<(u64, u64, u32)> {
        let mut map = vec![
            (0, BASE_RAM_END, 1),
            (MPTABLE_START, 0xa0000 - MPTABLE_START, 2),
            (HIMEM_START, self.low_end - HIMEM_START, 1),
        ];
        if self.high_size > 0 {
            map.push((HIGH_RAM_START, self.high_size, 1));
        }
        map
    }
}

fn read_err(path: &Path) -> impl FnOnce(std::io::Error) -> BootError + '_ {
    move |source| BootError::Read {
        path: path.display().to_string(),
        source,
    }
}

fn write(mem: &GuestMemoryMmap, at: u64, bytes: &[u8], what: &'static str) -> Result<()> {
    mem.write_slice(bytes, GuestAddress(at))
        .map_err(|_| BootError::NoRoom(what))
}

/// What [`load`] put where.
pub struct Loaded {
    /// How to start the boot CPU.
    pub entry: Entry,
}

/// Loads the kernel (bzImage or PVH ELF), initrd and command line.
pub fn load(
    mem: &GuestMemoryMmap,
    ram: &RamLayout,
    kernel: &Path,
    initrd: Option<&Path>,
    cmdline: &str,
) -> Result<Loaded> {
    if cmdline.len() + 1 > CMDLINE_MAX {
        return Err(BootError::CmdlineTooLong(CMDLINE_MAX - 1));
    }
    let mut file = File::open(kernel).map_err(read_err(kernel))?;
    let size = file.metadata().map_err(read_err(kernel))?.len();
    let mut head = [0u8; 0x270];
    let n = read_up_to(&mut file, &mut head).map_err(read_err(kernel))?;
    let name = kernel.display().to_string();
    let mut c = cmdline.as_bytes().to_vec();
    c.push(0);
    write(mem, CMDLINE, &c, "the command line")?;

    if n >= 4 && &head[..4] == b"\x7fELF" {
        let r = Elf::load(mem, None, &mut file, Some(GuestAddress(HIMEM_START))).map_err(|e| {
            BootError::Load {
                path: name.clone(),
                msg: e.to_string(),
            }
        })?;
        let PvhBootCapability::PvhEntryPresent(rip) = r.pvh_boot_cap else {
            return Err(BootError::NoPvhEntry(name));
        };
        let initrd = load_initrd(mem, ram, initrd, r.kernel_end, u64::from(u32::MAX))?;
        write_pvh_info(mem, ram, initrd)?;
        return Ok(Loaded {
            entry: Entry::Pvh { rip: rip.0 },
        });
    }
    if n < 0x270 || &head[0x202..0x206] != b"HdrS" {
        return Err(BootError::UnknownFormat(name));
    }
    let setup_sects = match head[0x1f1] {
        0 => 4,
        s => u64::from(s),
    };
    let setup_size = (setup_sects + 1) * 512;
    let syssize = u64::from(u32::from_le_bytes(head[0x1f4..0x1f8].try_into().unwrap()));
    let need = setup_size + syssize * 16;
    if size < need || size <= setup_size {
        return Err(BootError::Truncated {
            path: name,
            have: size,
            need: need.max(setup_size + 1),
        });
    }
    let version = u16::from_le_bytes([head[0x206], head[0x207]]);
    let xloadflags = u16::from_le_bytes([head[0x236], head[0x237]]);
    let initrd_max = if version >= 0x203 {
        u64::from(u32::from_le_bytes(head[0x22c..0x230].try_into().unwrap()))
    } else {
        0x37ff_ffff
    };
    let r = BzImage::load(mem, None, &mut file, Some(GuestAddress(HIMEM_START))).map_err(|e| {
        BootError::Load {
            path: name.clone(),
            msg: e.to_string(),
        }
    })?;
    let initrd = load_initrd(mem, ram, initrd, r.kernel_end, initrd_max)?;
    // Header bytes from 0x1f1 to the end the jump at 0x200 names.
    let hdr_end = (0x202 + usize::from(head[0x201])).min(head.len());
    let long_mode = version >= 0x20c && xloadflags & 1 != 0;
    let (zero_page, entry) = if long_mode {
        (
            ZERO_PAGE,
            Entry::Linux64 {
                rip: r.kernel_load.0 + 0x200,
            },
        )
    } else {
        if setup_size > 0x8000 {
            return Err(BootError::NoRoom("the real-mode setup code"));
        }
        let mut setup = vec![0u8; setup_size as usize];
        file.seek(SeekFrom::Start(0)).map_err(read_err(kernel))?;
        file.read_exact(&mut setup).map_err(read_err(kernel))?;
        write(mem, REAL_MODE_SETUP, &setup, "the setup code")?;
        (REAL_MODE_SETUP, Entry::RealMode)
    };
    write_boot_params(
        mem,
        ram,
        zero_page,
        &head[0x1f1..hdr_end],
        initrd,
        !long_mode,
    )?;
    Ok(Loaded { entry })
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Puts the initrd as high in low RAM as `max` allows, page-aligned, above the kernel.
fn load_initrd(
    mem: &GuestMemoryMmap,
    ram: &RamLayout,
    initrd: Option<&Path>,
    kernel_end: u64,
    max: u64,
) -> Result<Option<(u64, u64)>> {
    let Some(path) = initrd else { return Ok(None) };
    let data = std::fs::read(path).map_err(read_err(path))?;
    let len = data.len() as u64;
    let top = ram.low_end.min(max.saturating_add(1));
    let at = top.checked_sub(len).map(|a| a & !0xfff);
    match at {
        Some(at) if at >= kernel_end && at >= HIMEM_START => {
            write(mem, at, &data, "the initrd")?;
            Ok(Some((at, len)))
        }
        _ => Err(BootError::NoRoom("the initrd")),
    }
}

fn write_pvh_info(
    mem: &GuestMemoryMmap,
    ram: &RamLayout,
    initrd: Option<(u64, u64)>,
) -> Result<()> {
    let e820 = ram.e820();
    let memmap_at = PVH_INFO + 0x40;
    let modlist_at = memmap_at + 24 * e820.len() as u64;
    let mut info = vec![0u8; 56];
    info[0..4].copy_from_slice(&0x336e_c578u32.to_le_bytes());
    info[4..8].copy_from_slice(&1u32.to_le_bytes());
    if let Some((at, len)) = initrd {
        info[12..16].copy_from_slice(&1u32.to_le_bytes());
        info[16..24].copy_from_slice(&modlist_at.to_le_bytes());
        let mut m = [0u8; 32];
        m[0..8].copy_from_slice(&at.to_le_bytes());
        m[8..16].copy_from_slice(&len.to_le_bytes());
        write(mem, modlist_at, &m, "the PVH module list")?;
    }
    info[24..32].copy_from_slice(&CMDLINE.to_le_bytes());
    info[40..48].copy_from_slice(&memmap_at.to_le_bytes());
    info[48..52].copy_from_slice(&(e820.len() as u32).to_le_bytes());
    let mut map = Vec::new();
    for (start, len, kind) in e820 {
        map.extend_from_slice(&start.to_le_bytes());
        map.extend_from_slice(&len.to_le_bytes());
        map.extend_from_slice(&kind.to_le_bytes());
        map.extend_from_slice(&0u32.to_le_bytes());
    }
    write(mem, memmap_at, &map, "the PVH memory map")?;
    write(mem, PVH_INFO, &info, "the PVH start_info")
}

fn write_boot_params(
    mem: &GuestMemoryMmap,
    ram: &RamLayout,
    at: u64,
    header: &[u8],
    initrd: Option<(u64, u64)>,
    real_mode: bool,
) -> Result<()> {
    let mut zp = vec![0u8; 4096];
    if real_mode {
        // The setup code is already there: keep what is not the header.
        mem.read_slice(&mut zp, GuestAddress(at))
            .map_err(|_| BootError::NoRoom("boot_params"))?;
    }
    zp[0x1f1..0x1f1 + header.len()].copy_from_slice(header);
    zp[0x210] = 0xff; // type_of_loader: undefined
    if real_mode {
        zp[0x211] |= 0x80; // CAN_USE_HEAP
        zp[0x224..0x226].copy_from_slice(&0xfe00u16.to_le_bytes());
    }
    zp[0x228..0x22c].copy_from_slice(&(CMDLINE as u32).to_le_bytes());
    if let Some((addr, len)) = initrd {
        zp[0x218..0x21c].copy_from_slice(&(addr as u32).to_le_bytes());
        zp[0x21c..0x220].copy_from_slice(&(len as u32).to_le_bytes());
    }
    if real_mode {
        // Past the header is the setup code itself; the memory map is the
        // BIOS's business there (and we have none), as under QEMU.
        return write(mem, at, &zp[..0x1f1 + header.len()], "boot_params");
    }
    let e820 = ram.e820();
    zp[0x1e8] = e820.len() as u8;
    for (i, (start, len, kind)) in e820.into_iter().enumerate() {
        let o = 0x2d0 + i * 20;
        zp[o..o + 8].copy_from_slice(&start.to_le_bytes());
        zp[o + 8..o + 16].copy_from_slice(&len.to_le_bytes());
        zp[o + 16..o + 20].copy_from_slice(&kind.to_le_bytes());
    }
    write(mem, at, &zp, "boot_params")
}
