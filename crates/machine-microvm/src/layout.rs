//! The guest-physical memory map, following QEMU's microvm where a guest can see it.

/// Start of the (unused) 8 MiB hole below 4 GiB where devices live.
pub const MMIO_START: u64 = 0xc000_0000;
/// Highest RAM below 4 GiB ends at the MMIO hole; the rest goes above 4 GiB.
pub const HIGH_RAM_START: u64 = 0x1_0000_0000;

/// End of conventional memory (640 KiB minus the EBDA-like area for the MP table).
pub const BASE_RAM_END: u64 = 0x9fc00;
/// The MP floating pointer and configuration table.
pub const MPTABLE_START: u64 = 0x9fc00;
/// Start of extended memory.
pub const HIMEM_START: u64 = 0x10_0000;

/// GDT and IDT the VMM sets up for protected and long mode entry.
pub const BOOT_GDT: u64 = 0x500;
/// Empty IDT.
pub const BOOT_IDT: u64 = 0x520;
/// PVH hvm_start_info and its memory map.
pub const PVH_INFO: u64 = 0x6000;
/// Linux boot_params (the zero page) for 32/64-bit entry.
pub const ZERO_PAGE: u64 = 0x7000;
/// Identity page tables for 64-bit entry: PML4, PDPT, PD (1 GiB of 2 MiB pages).
pub const PML4: u64 = 0x9000;
/// Stack pointer given to 64-bit entry (below the page tables).
pub const BOOT_STACK: u64 = 0x8ff0;
/// Real-mode setup code of a bzImage (segment 0x1000), as QEMU loads it.
pub const REAL_MODE_SETUP: u64 = 0x1_0000;
/// Kernel command line.
pub const CMDLINE: u64 = 0x2_0000;
/// Longest command line accepted.
pub const CMDLINE_MAX: usize = 4096;

/// 8250 UART (COM1) ports and IRQ.
pub const COM1_PORT: u64 = 0x3f8;
/// COM1 interrupt.
pub const COM1_IRQ: u32 = 4;
/// i8042 ports 0x60..=0x64.
pub const I8042_PORT: u64 = 0x60;

/// The GED register block (sleep control, sleep status, reset).
pub const GED_REGS: u64 = 0xfea0_0200;
/// First virtio-mmio transport; each has a 512-byte window.
pub const VIRTIO_MMIO_BASE: u64 = 0xfeb0_0000;
/// Size of a virtio-mmio window.
pub const VIRTIO_MMIO_SIZE: u64 = 0x200;
/// Number of virtio-mmio transports.
pub const VIRTIO_MMIO_COUNT: usize = 8;
/// GSI of transport 0; transport i uses VIRTIO_IRQ_BASE + i (QEMU with KVM's irqchip).
pub const VIRTIO_IRQ_BASE: u32 = 5;

/// IOAPIC and local APIC MMIO (served by the in-kernel irqchip).
pub const IOAPIC_ADDR: u32 = 0xfec0_0000;
/// Local APIC base.
pub const LAPIC_ADDR: u32 = 0xfee0_0000;
