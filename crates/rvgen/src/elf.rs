//! Minimal ELF64 writer: an ET_EXEC with one R+X segment (headers and
//! code) and, when there is data, one R+W segment.

/// Virtual address of the first byte of the file (ELF header).
pub const TEXT_BASE: u64 = 0x10000;
/// Virtual address of the data segment.
pub const DATA_BASE: u64 = 0x20_0000;
/// File offset (and address offset from TEXT_BASE) of the first
/// instruction: right after the ELF header and two program headers.
pub const CODE_OFFSET: u64 = 64 + 2 * 56;
const PAGE: u64 = 4096;

pub struct Image {
    /// Instructions, loaded at TEXT_BASE + CODE_OFFSET (the entry point).
    pub code: Vec<u8>,
    /// Initialised data at DATA_BASE.
    pub data: Vec<u8>,
    /// Size of the data segment in memory (>= data.len(); rest zeroed).
    pub data_mem_size: u64,
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn program_header(out: &mut Vec<u8>, flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) {
    put32(out, 1); // PT_LOAD
    put32(out, flags);
    put64(out, offset);
    put64(out, vaddr);
    put64(out, vaddr);
    put64(out, filesz);
    put64(out, memsz);
    put64(out, PAGE);
}

pub fn write(image: &Image) -> Vec<u8> {
    let has_data = image.data_mem_size > 0;
    let text_size = CODE_OFFSET + image.code.len() as u64;
    let data_offset = text_size.div_ceil(PAGE) * PAGE;
    let mut out = Vec::with_capacity((data_offset as usize) + image.data.len());

    // ELF header
    out.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
    out.extend_from_slice(&[0; 8]);
    put16(&mut out, 2); // ET_EXEC
    put16(&mut out, 243); // EM_RISCV
    put32(&mut out, 1);
    put64(&mut out, TEXT_BASE + CODE_OFFSET);
    put64(&mut out, 64); // e_phoff
    put64(&mut out, 0); // e_shoff
    put32(&mut out, 0x5); // EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE
    put16(&mut out, 64);
    put16(&mut out, 56);
    put16(&mut out, if has_data { 2 } else { 1 });
    put16(&mut out, 64);
    put16(&mut out, 0);
    put16(&mut out, 0);

    program_header(&mut out, 5, 0, TEXT_BASE, text_size, text_size);
    if has_data {
        program_header(
            &mut out,
            6,
            data_offset,
            DATA_BASE,
            image.data.len() as u64,
            image.data_mem_size,
        );
    } else {
        out.extend_from_slice(&[0; 56]);
    }
    debug_assert_eq!(out.len() as u64, CODE_OFFSET);
    out.extend_from_slice(&image.code);
    if has_data {
        out.resize(data_offset as usize, 0);
        out.extend_from_slice(&image.data);
    }
    out
}
