//! Parsing and comparing the dump a generated program writes.

use crate::{
    DUMP_F_OFFSET, DUMP_FCSR_OFFSET, DUMP_SCRATCH_OFFSET, DUMP_SIZE, DUMP_X_OFFSET, SCRATCH_SIZE,
};

/// Final machine state printed by a generated program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dump {
    /// x0..=x31 (x0 is always 0: it is not in the dump).
    pub x: [u64; 32],
    /// f0..=f31, raw 64-bit contents.
    pub f: [u64; 32],
    pub fcsr: u64,
    /// The scratch data area.
    pub scratch: Vec<u8>,
}

fn u64_at(bytes: &[u8], off: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[off..off + 8]);
    u64::from_le_bytes(b)
}

impl Dump {
    /// `None` unless `bytes` is exactly [`DUMP_SIZE`] long.
    pub fn parse(bytes: &[u8]) -> Option<Dump> {
        if bytes.len() != DUMP_SIZE {
            return None;
        }
        let mut x = [0u64; 32];
        for (n, r) in x.iter_mut().enumerate().skip(1) {
            *r = u64_at(bytes, DUMP_X_OFFSET + 8 * (n - 1));
        }
        let mut f = [0u64; 32];
        for (n, r) in f.iter_mut().enumerate() {
            *r = u64_at(bytes, DUMP_F_OFFSET + 8 * n);
        }
        Some(Dump {
            x,
            f,
            fcsr: u64_at(bytes, DUMP_FCSR_OFFSET),
            scratch: bytes[DUMP_SCRATCH_OFFSET..DUMP_SCRATCH_OFFSET + SCRATCH_SIZE].to_vec(),
        })
    }

    /// One line per difference, `self` value first, e.g.
    /// `x5: 0000000000000001 != 0000000000000002`; empty when equal.
    pub fn diff(&self, other: &Dump) -> Vec<String> {
        let mut out = Vec::new();
        for n in 1..32 {
            if self.x[n] != other.x[n] {
                out.push(format!("x{n}: {:016x} != {:016x}", self.x[n], other.x[n]));
            }
        }
        for n in 0..32 {
            if self.f[n] != other.f[n] {
                out.push(format!("f{n}: {:016x} != {:016x}", self.f[n], other.f[n]));
            }
        }
        if self.fcsr != other.fcsr {
            out.push(format!("fcsr: {:02x} != {:02x}", self.fcsr, other.fcsr));
        }
        for (i, (a, b)) in self.scratch.iter().zip(&other.scratch).enumerate() {
            if a != b {
                out.push(format!("scratch[{i}]: {a:02x} != {b:02x}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        (0..DUMP_SIZE).map(|i| (i * 7) as u8).collect()
    }

    #[test]
    fn parse_reads_each_field_at_its_offset() {
        let bytes = sample();
        let d = Dump::parse(&bytes).unwrap();
        assert_eq!(d.x[0], 0);
        assert_eq!(d.x[1], u64_at(&bytes, 0));
        assert_eq!(d.x[31], u64_at(&bytes, 240));
        assert_eq!(d.f[0], u64_at(&bytes, 248));
        assert_eq!(d.f[31], u64_at(&bytes, 496));
        assert_eq!(d.fcsr, u64_at(&bytes, 504));
        assert_eq!(d.scratch[0], bytes[512]);
        assert_eq!(d.scratch.len(), SCRATCH_SIZE);
        assert!(Dump::parse(&bytes[1..]).is_none());
    }

    #[test]
    fn diff_names_every_changed_field() {
        let a = Dump::parse(&sample()).unwrap();
        assert!(a.diff(&a).is_empty());
        let mut b = a.clone();
        b.x[5] ^= 1;
        b.f[31] ^= 2;
        b.fcsr ^= 4;
        b.scratch[1023] ^= 8;
        let d = a.diff(&b);
        assert_eq!(d.len(), 4, "{d:?}");
        assert!(d[0].starts_with("x5: "));
        assert!(d[1].starts_with("f31: "));
        assert!(d[2].starts_with("fcsr: "));
        assert!(d[3].starts_with("scratch[1023]: "));
    }
}
