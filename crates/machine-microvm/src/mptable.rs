//! The Intel MultiProcessor table (spec 1.4): how a guest finds its CPUs, the
//! IOAPIC and the ISA interrupt wiring without ACPI.

use crate::layout::{IOAPIC_ADDR, LAPIC_ADDR};

fn checksum(bytes: &[u8]) -> u8 {
    0u8.wrapping_sub(bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b)))
}

/// Builds the floating pointer followed by the configuration table, to be placed
/// at guest-physical `at`.
pub fn build(at: u64, ncpu: u8) -> Vec<u8> {
    let mut entries: Vec<u8> = Vec::new();
    let mut count = 0u16;
    for id in 0..ncpu {
        entries.extend_from_slice(&[0, id, 0x14, if id == 0 { 3 } else { 1 }]);
        entries.extend_from_slice(&0x600u32.to_le_bytes()); // family 6
        entries.extend_from_slice(&0x201u32.to_le_bytes()); // FPU, APIC
        entries.extend_from_slice(&[0; 8]);
        count += 1;
    }
    entries.extend_from_slice(&[1, 0]);
    entries.extend_from_slice(b"ISA   ");
    count += 1;
    let ioapic_id = ncpu;
    entries.extend_from_slice(&[2, ioapic_id, 0x11, 1]);
    entries.extend_from_slice(&IOAPIC_ADDR.to_le_bytes());
    count += 1;
    // ISA IRQ i on IOAPIC pin i, except IRQ 0 (the PIT) on pin 2.
    for irq in 0u8..16 {
        if irq == 2 {
            continue;
        }
        let pin = if irq == 0 { 2 } else { irq };
        entries.extend_from_slice(&[3, 0, 0, 0, 0, irq, ioapic_id, pin]);
        count += 1;
    }
    // LINT0 ExtINT and LINT1 NMI on every local APIC.
    entries.extend_from_slice(&[4, 3, 0, 0, 0, 0, 0xff, 0]);
    entries.extend_from_slice(&[4, 1, 0, 0, 0, 0, 0xff, 1]);
    count += 2;

    let table_at = at + 16;
    let mut table = Vec::with_capacity(44 + entries.len());
    table.extend_from_slice(b"PCMP");
    table.extend_from_slice(&((44 + entries.len()) as u16).to_le_bytes());
    table.extend_from_slice(&[4, 0]); // spec 1.4, checksum below
    table.extend_from_slice(b"OXEMU   ");
    table.extend_from_slice(b"MICROVM     ");
    table.extend_from_slice(&0u32.to_le_bytes());
    table.extend_from_slice(&0u16.to_le_bytes());
    table.extend_from_slice(&count.to_le_bytes());
    table.extend_from_slice(&LAPIC_ADDR.to_le_bytes());
    table.extend_from_slice(&[0, 0, 0, 0]);
    table.extend_from_slice(&entries);
    table[7] = checksum(&table);

    let mut fp = Vec::with_capacity(16);
    fp.extend_from_slice(b"_MP_");
    fp.extend_from_slice(&(table_at as u32).to_le_bytes());
    fp.extend_from_slice(&[1, 4, 0, 0, 0, 0, 0, 0]);
    fp[10] = checksum(&fp);
    fp.extend_from_slice(&table);
    fp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(b: &[u8]) -> u8 {
        b.iter().fold(0u8, |a, &x| a.wrapping_add(x))
    }

    #[test]
    fn checksums_and_processor_entries() {
        let t = build(0x9fc00, 3);
        assert_eq!(&t[..4], b"_MP_");
        assert_eq!(sum(&t[..16]), 0);
        assert_eq!(u32::from_le_bytes(t[4..8].try_into().unwrap()), 0x9fc10);
        let cfg = &t[16..];
        let len = u16::from_le_bytes([cfg[4], cfg[5]]) as usize;
        assert_eq!(len, cfg.len());
        assert_eq!(sum(cfg), 0);
        let procs: Vec<_> = (0..3).map(|i| &cfg[44 + i * 20..64 + i * 20]).collect();
        for (i, p) in procs.iter().enumerate() {
            assert_eq!((p[0], p[1]), (0, i as u8));
        }
        assert_eq!(procs[0][3], 3, "enabled BSP");
        assert_eq!(procs[2][3], 1, "enabled AP");
    }
}
