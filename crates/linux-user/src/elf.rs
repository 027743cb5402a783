//! Parsing and validating the ELF headers a loader needs.
//!
//! Every size and offset from the file is checked against the file length
//! before use, so a truncated or damaged file gives an error, never a panic.

use goblin::container::{Container, Ctx, Endian};
use goblin::elf::Elf;
use goblin::elf::header::{
    EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB, ELFMAG, ET_DYN, ET_EXEC, SELFMAG,
};
use goblin::elf::program_header::{
    PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR, ProgramHeader,
};
use oxemu_memory::{PAGE_SIZE, Prot};

/// `e_machine` of RISC-V.
pub const EM_RISCV: u16 = 243;
/// Size of an ELF64 program header.
const PHENT_SIZE: u16 = 56;
/// More program headers than any real program has; Linux caps at 64 KiB of them.
const MAX_PHNUM: u16 = 1024;
/// Longest `PT_INTERP` accepted (Linux: PATH_MAX).
const MAX_INTERP: u64 = 4096;

/// One `PT_LOAD` segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Virtual address (before load bias).
    pub vaddr: u64,
    /// Bytes in memory.
    pub memsz: u64,
    /// Bytes taken from the file.
    pub filesz: u64,
    /// File offset.
    pub offset: u64,
    /// Protection.
    pub prot: Prot,
}

/// A validated ELF image.
#[derive(Clone, Debug)]
pub struct ElfImage {
    /// `ET_DYN` (position independent) rather than `ET_EXEC`.
    pub is_dyn: bool,
    /// Entry point (before load bias).
    pub entry: u64,
    /// File offset of the program headers.
    pub phoff: u64,
    /// Number of program headers.
    pub phnum: u16,
    /// Address of `PT_PHDR`, if present (before load bias).
    pub phdr_vaddr: Option<u64>,
    /// Loadable segments in file order.
    pub segments: Vec<Segment>,
    /// `PT_INTERP` path, without the NUL.
    pub interp: Option<Vec<u8>>,
    /// `PT_GNU_STACK` asks for an executable stack.
    pub exec_stack: bool,
}

impl ElfImage {
    /// Lowest page-aligned address and highest end address of the segments.
    pub fn span(&self) -> (u64, u64) {
        let lo = self.segments.iter().map(|s| s.vaddr).min().unwrap_or(0) & !(PAGE_SIZE - 1);
        let hi = self
            .segments
            .iter()
            .map(|s| s.vaddr + s.memsz)
            .max()
            .unwrap_or(0);
        (lo, hi)
    }

    /// Address of the program headers in memory (before load bias), as
    /// Linux computes `AT_PHDR`.
    pub fn phdr_addr(&self) -> u64 {
        if let Some(a) = self.phdr_vaddr {
            return a;
        }
        self.segments
            .iter()
            .find(|s| s.offset <= self.phoff && self.phoff < s.offset + s.filesz)
            .map(|s| s.vaddr + (self.phoff - s.offset))
            .unwrap_or_else(|| self.span().0 + self.phoff)
    }
}

fn prot_of(flags: u32) -> Prot {
    let mut p = Prot::NONE;
    if flags & PF_R != 0 {
        p |= Prot::R;
    }
    if flags & PF_W != 0 {
        p |= Prot::W;
    }
    if flags & PF_X != 0 {
        p |= Prot::X;
    }
    p
}

/// Parses and validates `data` as a riscv64 Linux executable (or
/// interpreter). `limit` is the first invalid guest address. Errors are
/// human-readable problems.
pub fn parse(data: &[u8], limit: u64) -> Result<ElfImage, String> {
    if data.len() < 64 {
        return Err(if data.len() >= SELFMAG && &data[..SELFMAG] == ELFMAG {
            "truncated ELF header".into()
        } else {
            "not an ELF file".into()
        });
    }
    if &data[..SELFMAG] != ELFMAG {
        return Err("not an ELF file".into());
    }
    if data[EI_CLASS] != ELFCLASS64 {
        return Err("not a 64-bit ELF file".into());
    }
    if data[EI_DATA] != ELFDATA2LSB {
        return Err("not a little-endian ELF file".into());
    }
    let h = Elf::parse_header(data).map_err(|e| format!("bad ELF header: {e}"))?;
    if h.e_machine != EM_RISCV {
        return Err(format!(
            "not a RISC-V executable (e_machine {})",
            h.e_machine
        ));
    }
    if h.e_type != ET_EXEC && h.e_type != ET_DYN {
        return Err(format!(
            "not an executable or shared object (e_type {})",
            h.e_type
        ));
    }
    if h.e_phentsize != PHENT_SIZE {
        return Err(format!("bad program header size {}", h.e_phentsize));
    }
    if h.e_phnum == 0 || h.e_phnum > MAX_PHNUM {
        return Err(format!("bad program header count {}", h.e_phnum));
    }
    let ph_end = h
        .e_phoff
        .checked_add(u64::from(h.e_phnum) * u64::from(PHENT_SIZE));
    if ph_end.is_none_or(|e| e > data.len() as u64) {
        return Err("program headers extend past the end of the file".into());
    }
    let ctx = Ctx::new(Container::Big, Endian::Little);
    let phdrs = ProgramHeader::parse(data, h.e_phoff as usize, h.e_phnum as usize, ctx)
        .map_err(|e| format!("bad program headers: {e}"))?;
    let file_len = data.len() as u64;
    let mut img = ElfImage {
        is_dyn: h.e_type == ET_DYN,
        entry: h.e_entry,
        phoff: h.e_phoff,
        phnum: h.e_phnum,
        phdr_vaddr: None,
        segments: Vec::new(),
        interp: None,
        exec_stack: false,
    };
    for (i, ph) in phdrs.iter().enumerate() {
        match ph.p_type {
            PT_LOAD => {
                if ph.p_filesz > ph.p_memsz {
                    return Err(format!("segment {i}: file size exceeds memory size"));
                }
                if ph
                    .p_offset
                    .checked_add(ph.p_filesz)
                    .is_none_or(|e| e > file_len)
                {
                    return Err(format!("segment {i} extends past the end of the file"));
                }
                if ph.p_vaddr.checked_add(ph.p_memsz).is_none_or(|e| e > limit) {
                    return Err(format!("segment {i} lies outside the guest address space"));
                }
                if ph.p_vaddr % PAGE_SIZE != ph.p_offset % PAGE_SIZE {
                    return Err(format!(
                        "segment {i}: address and file offset are not congruent modulo the page size"
                    ));
                }
                if ph.p_memsz > 0 {
                    img.segments.push(Segment {
                        vaddr: ph.p_vaddr,
                        memsz: ph.p_memsz,
                        filesz: ph.p_filesz,
                        offset: ph.p_offset,
                        prot: prot_of(ph.p_flags),
                    });
                }
            }
            PT_INTERP if img.interp.is_none() => {
                if ph.p_filesz < 2 || ph.p_filesz > MAX_INTERP {
                    return Err("bad PT_INTERP size".into());
                }
                let end = ph
                    .p_offset
                    .checked_add(ph.p_filesz)
                    .filter(|&e| e <= file_len);
                let Some(end) = end else {
                    return Err("PT_INTERP extends past the end of the file".into());
                };
                let raw = &data[ph.p_offset as usize..end as usize];
                let Some(nul) = raw.iter().position(|&b| b == 0) else {
                    return Err("PT_INTERP is not NUL-terminated".into());
                };
                if nul == 0 {
                    return Err("empty PT_INTERP".into());
                }
                img.interp = Some(raw[..nul].to_vec());
            }
            PT_PHDR => img.phdr_vaddr = Some(ph.p_vaddr),
            PT_GNU_STACK => img.exec_stack = ph.p_flags & PF_X != 0,
            _ => {}
        }
    }
    if img.segments.is_empty() {
        return Err("no loadable segments".into());
    }
    let (lo, hi) = img.span();
    if hi - lo > limit / 2 {
        return Err("segments span more than half the guest address space".into());
    }
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Vec<u8> {
        let mut d = vec![0u8; 64 + 56 + 16];
        d[..4].copy_from_slice(ELFMAG);
        d[EI_CLASS] = ELFCLASS64;
        d[EI_DATA] = ELFDATA2LSB;
        d[6] = 1;
        d[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
        d[18..20].copy_from_slice(&EM_RISCV.to_le_bytes());
        d[20..24].copy_from_slice(&1u32.to_le_bytes());
        d[24..32].copy_from_slice(&0x10078u64.to_le_bytes());
        d[32..40].copy_from_slice(&64u64.to_le_bytes());
        d[52..54].copy_from_slice(&64u16.to_le_bytes());
        d[54..56].copy_from_slice(&56u16.to_le_bytes());
        d[56..58].copy_from_slice(&1u16.to_le_bytes());
        let ph = &mut d[64..120];
        ph[0..4].copy_from_slice(&PT_LOAD.to_le_bytes());
        ph[4..8].copy_from_slice(&(PF_R | PF_X).to_le_bytes());
        ph[16..24].copy_from_slice(&0x10000u64.to_le_bytes());
        ph[32..40].copy_from_slice(&136u64.to_le_bytes());
        ph[40..48].copy_from_slice(&136u64.to_le_bytes());
        d
    }

    #[test]
    fn accepts_minimal_executable() {
        let img = parse(&minimal(), 1 << 39).unwrap();
        assert_eq!(img.entry, 0x10078);
        assert_eq!(img.segments.len(), 1);
        assert_eq!(img.segments[0].prot, Prot::RX);
        assert_eq!(img.phdr_addr(), 0x10040);
    }

    #[test]
    fn rejects_wrong_machine_class_and_endianness() {
        let mut d = minimal();
        d[18] = 62;
        assert!(parse(&d, 1 << 39).unwrap_err().contains("not a RISC-V"));
        let mut d = minimal();
        d[EI_CLASS] = 1;
        assert!(parse(&d, 1 << 39).unwrap_err().contains("64-bit"));
        let mut d = minimal();
        d[EI_DATA] = 2;
        assert!(parse(&d, 1 << 39).unwrap_err().contains("little-endian"));
        assert_eq!(
            parse(b"#!/bin/sh\n", 1 << 39).unwrap_err(),
            "not an ELF file"
        );
    }

    #[test]
    fn rejects_segment_past_end_of_file() {
        let mut d = minimal();
        d[64 + 32..64 + 40].copy_from_slice(&1000u64.to_le_bytes());
        d[64 + 40..64 + 48].copy_from_slice(&1000u64.to_le_bytes());
        assert!(parse(&d, 1 << 39).unwrap_err().contains("past the end"));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let d = minimal();
        for n in 0..d.len() - 16 {
            assert!(parse(&d[..n], 1 << 39).is_err(), "length {n}");
        }
    }
}
