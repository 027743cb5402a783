//! The qcow2 header (v2 and v3) and its extensions, parsed and written.

use crate::{BlockError, Result};

/// Incompatible feature bits.
pub const INCOMPAT_DIRTY: u64 = 1 << 0;
/// The image is known to be corrupt.
pub const INCOMPAT_CORRUPT: u64 = 1 << 1;
/// Guest data lives in an external file.
pub const INCOMPAT_DATA_FILE: u64 = 1 << 2;
/// The compression type field is valid.
pub const INCOMPAT_COMPRESSION: u64 = 1 << 3;
/// L2 entries have subcluster bitmaps.
pub const INCOMPAT_EXTL2: u64 = 1 << 4;
/// Compatible feature: refcounts may be stale while the dirty bit is set.
pub const COMPAT_LAZY_REFCOUNTS: u64 = 1 << 0;

/// Header extension types.
const EXT_END: u32 = 0;
const EXT_BACKING_FORMAT: u32 = 0xe279_2aca;
const EXT_FEATURE_TABLE: u32 = 0x6803_f857;

/// Smallest and largest cluster sizes (512 B … 2 MiB).
pub const MIN_CLUSTER_BITS: u32 = 9;
/// See [`MIN_CLUSTER_BITS`].
pub const MAX_CLUSTER_BITS: u32 = 21;
/// Upper bound on the L1 table (as QEMU: 32 MiB), so a hostile header cannot make us
/// allocate without limit.
pub const MAX_L1_BYTES: u64 = 32 << 20;
/// Upper bound on the refcount table (as QEMU: 8 MiB).
pub const MAX_REFTABLE_BYTES: u64 = 8 << 20;
/// Largest host offset an L1/L2 entry can hold.
pub const MAX_HOST_OFFSET: u64 = 1 << 56;

/// Compression methods of compressed clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Raw deflate, 4 KiB window.
    Zlib,
    /// Zstandard.
    Zstd,
}

impl Compression {
    /// The name QEMU uses.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Zlib => "zlib",
            Compression::Zstd => "zstd",
        }
    }
}

/// A parsed qcow2 header.
#[derive(Clone, Debug)]
pub struct Header {
    /// 2 or 3.
    pub version: u32,
    /// Backing file name, if any.
    pub backing_file: Option<String>,
    /// Backing file format from the header extension.
    pub backing_format: Option<String>,
    /// log2 of the cluster size.
    pub cluster_bits: u32,
    /// Virtual disk size in bytes.
    pub size: u64,
    /// Entries in the active L1 table.
    pub l1_size: u32,
    /// Host offset of the active L1 table.
    pub l1_table_offset: u64,
    /// Host offset of the refcount table.
    pub refcount_table_offset: u64,
    /// Clusters of the refcount table.
    pub refcount_table_clusters: u32,
    /// Snapshots in the snapshot table.
    pub nb_snapshots: u32,
    /// Host offset of the snapshot table.
    pub snapshots_offset: u64,
    /// Incompatible feature bits (v3).
    pub incompatible: u64,
    /// Compatible feature bits (v3).
    pub compatible: u64,
    /// Autoclear feature bits (v3).
    pub autoclear: u64,
    /// log2 of the refcount width in bits (4 for v2).
    pub refcount_order: u32,
    /// Length of the fixed header (72 for v2).
    pub header_length: u32,
    /// Compression type for compressed clusters.
    pub compression: Compression,
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn be64(b: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl Header {
    /// Cluster size in bytes.
    pub fn cluster_size(&self) -> u64 {
        1 << self.cluster_bits
    }

    /// Parses the first cluster of an image (`buf` holds at least its first 4 KiB or
    /// the whole file if shorter). `name` is used in error messages.
    pub fn parse(buf: &[u8], name: &str) -> Result<Header> {
        let bad = |msg: String| BlockError::Corrupt(format!("'{name}': {msg}"));
        if buf.len() < 72 {
            return Err(bad("file is too short for a qcow2 header".into()));
        }
        if buf[0..4] != crate::QCOW2_MAGIC {
            return Err(bad("not a qcow2 image (bad magic)".into()));
        }
        let version = be32(buf, 4);
        if version != 2 && version != 3 {
            return Err(BlockError::Feature(format!(
                "'{name}': unsupported qcow2 version {version}"
            )));
        }
        let cluster_bits = be32(buf, 20);
        if !(MIN_CLUSTER_BITS..=MAX_CLUSTER_BITS).contains(&cluster_bits) {
            return Err(bad(format!(
                "cluster size 2^{cluster_bits} is outside 512 B..2 MiB"
            )));
        }
        let crypt = be32(buf, 32);
        if crypt != 0 {
            return Err(BlockError::Feature(format!(
                "'{name}': encrypted images are not supported (crypt method {crypt})"
            )));
        }
        let mut h = Header {
            version,
            backing_file: None,
            backing_format: None,
            cluster_bits,
            size: be64(buf, 24),
            l1_size: be32(buf, 36),
            l1_table_offset: be64(buf, 40),
            refcount_table_offset: be64(buf, 48),
            refcount_table_clusters: be32(buf, 56),
            nb_snapshots: be32(buf, 60),
            snapshots_offset: be64(buf, 64),
            incompatible: 0,
            compatible: 0,
            autoclear: 0,
            refcount_order: 4,
            header_length: 72,
            compression: Compression::Zlib,
        };
        if version == 3 {
            if buf.len() < 104 {
                return Err(bad("file is too short for a v3 header".into()));
            }
            h.incompatible = be64(buf, 72);
            h.compatible = be64(buf, 80);
            h.autoclear = be64(buf, 88);
            h.refcount_order = be32(buf, 96);
            h.header_length = be32(buf, 100);
            if h.header_length < 104 || h.header_length as usize > buf.len() {
                return Err(bad(format!("invalid header length {}", h.header_length)));
            }
            if h.header_length > 104 {
                h.compression = match buf[104] {
                    0 => Compression::Zlib,
                    1 => Compression::Zstd,
                    t => {
                        return Err(BlockError::Feature(format!(
                            "'{name}': unknown compression type {t}"
                        )));
                    }
                };
            }
            if h.compression != Compression::Zlib && h.incompatible & INCOMPAT_COMPRESSION == 0 {
                return Err(bad(
                    "compression type is set but the compression feature bit is not".into(),
                ));
            }
        }
        if h.refcount_order > 6 {
            return Err(bad(format!(
                "refcount width 2^{} is invalid",
                h.refcount_order
            )));
        }
        let cs = h.cluster_size();
        let aligned = |o: u64| o.is_multiple_of(cs) && o < MAX_HOST_OFFSET;
        if !aligned(h.l1_table_offset) || !aligned(h.refcount_table_offset) {
            return Err(bad(
                "L1 or refcount table offset is not cluster aligned".into()
            ));
        }
        if h.refcount_table_offset == 0 || h.refcount_table_clusters == 0 {
            return Err(bad("image has no refcount table".into()));
        }
        if h.refcount_table_clusters as u64 * cs > MAX_REFTABLE_BYTES {
            return Err(bad(format!(
                "refcount table of {} clusters is too large",
                h.refcount_table_clusters
            )));
        }
        if h.l1_size as u64 * 8 > MAX_L1_BYTES {
            return Err(bad(format!(
                "L1 table of {} entries is too large",
                h.l1_size
            )));
        }
        let needed = h.l1_entries_for(h.size);
        if needed.is_none_or(|n| n > h.l1_size as u64) {
            return Err(bad(format!(
                "L1 table of {} entries is too small for a {} byte disk",
                h.l1_size, h.size
            )));
        }
        if h.nb_snapshots > 65536 {
            return Err(bad(format!("{} snapshots is too many", h.nb_snapshots)));
        }
        let mut unknown =
            h.incompatible & !(INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_COMPRESSION);
        let feature_names = h.parse_extensions(buf, name)?;
        if unknown != 0 {
            let mut names = Vec::new();
            while unknown != 0 {
                let bit = unknown.trailing_zeros();
                unknown &= unknown - 1;
                let known = match bit {
                    2 => Some("external data file".to_string()),
                    4 => Some("extended L2 entries".to_string()),
                    _ => None,
                };
                let n = known
                    .or_else(|| feature_names.get(&bit).cloned())
                    .unwrap_or_else(|| format!("unknown incompatible feature bit {bit}"));
                names.push(n);
            }
            return Err(BlockError::Feature(format!(
                "'{name}': unsupported qcow2 feature(s): {}",
                names.join(", ")
            )));
        }
        if let Some(off) = (be64(buf, 8) != 0).then(|| be64(buf, 8)) {
            let len = be32(buf, 16) as u64;
            if len > 1023 || off.checked_add(len).is_none_or(|e| e > buf.len() as u64) {
                return Err(bad("backing file name is out of the first cluster".into()));
            }
            let raw = &buf[off as usize..(off + len) as usize];
            let s = String::from_utf8(raw.to_vec())
                .map_err(|_| bad("backing file name is not UTF-8".into()))?;
            h.backing_file = Some(s);
        }
        Ok(h)
    }

    /// Walks the header extensions; returns the feature name table.
    fn parse_extensions(
        &mut self,
        buf: &[u8],
        name: &str,
    ) -> Result<std::collections::HashMap<u32, String>> {
        let bad = |msg: &str| BlockError::Corrupt(format!("'{name}': {msg}"));
        let mut names = std::collections::HashMap::new();
        let mut at = self.header_length as usize;
        let limit = buf.len().min(self.cluster_size() as usize);
        loop {
            if at + 8 > limit {
                // v2 images may end the header cluster without an end marker.
                break;
            }
            let ty = be32(buf, at);
            let len = be32(buf, at + 4) as usize;
            let data = at + 8;
            if ty == EXT_END {
                break;
            }
            if data + len > limit {
                return Err(bad("header extension runs past the first cluster"));
            }
            let body = &buf[data..data + len];
            match ty {
                EXT_BACKING_FORMAT => {
                    self.backing_format = Some(
                        String::from_utf8(body.to_vec())
                            .map_err(|_| bad("backing format is not UTF-8"))?,
                    );
                }
                EXT_FEATURE_TABLE => {
                    for e in body.chunks_exact(48) {
                        if e[0] == 0 {
                            let n = e[2..].split(|&b| b == 0).next().unwrap_or(&[]);
                            names.insert(e[1] as u32, String::from_utf8_lossy(n).into_owned());
                        }
                    }
                }
                _ => {}
            }
            at = data + len.div_ceil(8) * 8;
        }
        Ok(names)
    }

    /// L1 entries needed for a disk of `size` bytes.
    pub fn l1_entries_for(&self, size: u64) -> Option<u64> {
        let per_l1 = self.cluster_size() / 8 * self.cluster_size();
        Some(size.checked_add(per_l1 - 1)? / per_l1)
    }

    /// Serializes the header and its extensions into one cluster; the feature name
    /// table is left out when it does not fit (small clusters, long backing names).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        self.to_bytes_with(true)
            .or_else(|_| self.to_bytes_with(false))
    }

    fn to_bytes_with(&self, feature_names: bool) -> Result<Vec<u8>> {
        let cs = self.cluster_size() as usize;
        let mut b = vec![0u8; cs];
        let put32 =
            |b: &mut [u8], at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_be_bytes());
        let put64 =
            |b: &mut [u8], at: usize, v: u64| b[at..at + 8].copy_from_slice(&v.to_be_bytes());
        b[0..4].copy_from_slice(&crate::QCOW2_MAGIC);
        put32(&mut b, 4, self.version);
        put32(&mut b, 20, self.cluster_bits);
        put64(&mut b, 24, self.size);
        put32(&mut b, 36, self.l1_size);
        put64(&mut b, 40, self.l1_table_offset);
        put64(&mut b, 48, self.refcount_table_offset);
        put32(&mut b, 56, self.refcount_table_clusters);
        put32(&mut b, 60, self.nb_snapshots);
        put64(&mut b, 64, self.snapshots_offset);
        let mut at = 72;
        if self.version == 3 {
            put64(&mut b, 72, self.incompatible);
            put64(&mut b, 80, self.compatible);
            put64(&mut b, 88, self.autoclear);
            put32(&mut b, 96, self.refcount_order);
            put32(&mut b, 100, 112);
            b[104] = match self.compression {
                Compression::Zlib => 0,
                Compression::Zstd => 1,
            };
            at = 112;
        }
        let ext = |b: &mut [u8], at: &mut usize, ty: u32, body: &[u8]| -> Result<()> {
            let end = *at + 8 + body.len().div_ceil(8) * 8;
            if end + 8 > cs {
                return Err(BlockError::Feature(
                    "header extensions do not fit in one cluster".into(),
                ));
            }
            put32(b, *at, ty);
            put32(b, *at + 4, body.len() as u32);
            b[*at + 8..*at + 8 + body.len()].copy_from_slice(body);
            *at = end;
            Ok(())
        };
        if let Some(f) = &self.backing_format {
            ext(&mut b, &mut at, EXT_BACKING_FORMAT, f.as_bytes())?;
        }
        if self.version == 3 && feature_names {
            ext(&mut b, &mut at, EXT_FEATURE_TABLE, &feature_table())?;
        }
        at += 8; // end-of-extensions marker (zeroes)
        if let Some(bf) = &self.backing_file {
            if bf.len() > 1023 || at + bf.len() > cs {
                return Err(BlockError::Feature(format!(
                    "backing file name '{bf}' is too long"
                )));
            }
            b[at..at + bf.len()].copy_from_slice(bf.as_bytes());
            put64(&mut b, 8, at as u64);
            put32(&mut b, 16, bf.len() as u32);
        }
        Ok(b)
    }
}

/// The feature name table QEMU writes, so other tools can name our bits.
fn feature_table() -> Vec<u8> {
    let rows: [(u8, u8, &str); 6] = [
        (0, 0, "dirty bit"),
        (0, 1, "corrupt bit"),
        (0, 2, "external data file"),
        (0, 3, "compression type"),
        (0, 4, "extended L2 entries"),
        (1, 0, "lazy refcounts"),
    ];
    let mut v = Vec::new();
    for (ty, bit, name) in rows {
        let mut e = [0u8; 48];
        e[0] = ty;
        e[1] = bit;
        e[2..2 + name.len()].copy_from_slice(name.as_bytes());
        v.extend_from_slice(&e);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(version: u32) -> Header {
        Header {
            version,
            backing_file: Some("base.img".into()),
            backing_format: Some("raw".into()),
            cluster_bits: 16,
            size: 1 << 30,
            l1_size: 2,
            l1_table_offset: 3 << 16,
            refcount_table_offset: 1 << 16,
            refcount_table_clusters: 1,
            nb_snapshots: 0,
            snapshots_offset: 0,
            incompatible: 0,
            compatible: COMPAT_LAZY_REFCOUNTS,
            autoclear: 0,
            refcount_order: 4,
            header_length: if version == 3 { 112 } else { 72 },
            compression: Compression::Zlib,
        }
    }

    #[test]
    fn roundtrip_v2_v3() {
        for v in [2, 3] {
            let h = sample(v);
            let b = h.to_bytes().unwrap();
            let p = Header::parse(&b, "t").unwrap();
            assert_eq!(p.version, v);
            assert_eq!(p.backing_file.as_deref(), Some("base.img"));
            assert_eq!(p.backing_format.as_deref(), Some("raw"));
            assert_eq!(p.size, 1 << 30);
            assert_eq!(p.l1_table_offset, 3 << 16);
        }
    }

    #[test]
    fn refuses_unknown_incompatible_bits() {
        let mut h = sample(3);
        h.incompatible = 1 << 40 | INCOMPAT_EXTL2;
        let b = h.to_bytes().unwrap();
        let e = Header::parse(&b, "x.qcow2").unwrap_err().to_string();
        assert!(
            e.contains("x.qcow2") && e.contains("bit 40") && e.contains("extended L2"),
            "{e}"
        );
    }

    #[test]
    fn refuses_small_l1() {
        let mut h = sample(3);
        h.l1_size = 1;
        let b = h.to_bytes().unwrap();
        assert!(Header::parse(&b, "t").is_err());
    }
}
