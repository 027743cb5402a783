//! x86 CPU state as the traits exchange it, independent of any accelerator.

/// General-purpose registers, instruction pointer and flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Regs {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rsp: u64,
    pub rbp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rip: u64,
    pub rflags: u64,
}

/// A segment register with its hidden descriptor cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Segment {
    pub base: u64,
    pub limit: u32,
    pub selector: u16,
    /// Descriptor type field (4 bits).
    pub type_: u8,
    pub present: bool,
    pub dpl: u8,
    /// Default operation size (32-bit when set).
    pub db: bool,
    /// Code or data (not system) segment.
    pub s: bool,
    /// 64-bit code segment.
    pub l: bool,
    /// Limit in 4 KiB units.
    pub g: bool,
    pub avl: bool,
    pub unusable: bool,
}

/// GDTR or IDTR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct DescTable {
    pub base: u64,
    pub limit: u16,
}

/// Segment, descriptor-table and control registers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Sregs {
    pub cs: Segment,
    pub ds: Segment,
    pub es: Segment,
    pub fs: Segment,
    pub gs: Segment,
    pub ss: Segment,
    pub tr: Segment,
    pub ldt: Segment,
    pub gdt: DescTable,
    pub idt: DescTable,
    pub cr0: u64,
    pub cr2: u64,
    pub cr3: u64,
    pub cr4: u64,
    pub cr8: u64,
    pub efer: u64,
    pub apic_base: u64,
}

/// x87 and SSE control words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fpu {
    /// x87 control word.
    pub fcw: u16,
    /// SSE control and status.
    pub mxcsr: u32,
}

impl Default for Fpu {
    /// The values after `fninit` and at reset.
    fn default() -> Self {
        Fpu {
            fcw: 0x37f,
            mxcsr: 0x1f80,
        }
    }
}

/// One CPUID leaf (function, index) and its result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct CpuidEntry {
    pub function: u32,
    pub index: u32,
    /// Accelerator flags (e.g. index is significant).
    pub flags: u32,
    pub eax: u32,
    pub ebx: u32,
    pub ecx: u32,
    pub edx: u32,
}

/// A model-specific register value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msr {
    /// MSR number.
    pub index: u32,
    /// Value.
    pub data: u64,
}
