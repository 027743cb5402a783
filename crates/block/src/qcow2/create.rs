//! Creating qcow2 images: a minimal self-describing layout (header, refcount table,
//! one refcount block), then the L1 table through the normal allocation path.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::header::*;
use super::refcount::set_entry;
use super::{COPIED, Qcow2, Qcow2Options};
use crate::{BlockBackend, BlockError, Result};

/// Space preallocated at creation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Preallocation {
    /// Nothing: clusters are allocated on first write.
    #[default]
    Off,
    /// L2 tables and data clusters are allocated, data is not written.
    Metadata,
    /// As metadata, with the file's blocks reserved by the host file system.
    Falloc,
    /// As metadata, with zeroes written to every data cluster.
    Full,
}

/// Parameters of a new image.
#[derive(Clone, Debug)]
pub struct CreateOptions {
    /// Virtual size in bytes.
    pub size: u64,
    /// Cluster size in bytes (power of two, 512 B … 2 MiB).
    pub cluster_size: u64,
    /// 2 (compat=0.10) or 3 (compat=1.1).
    pub version: u32,
    /// Backing file name as stored in the header.
    pub backing_file: Option<String>,
    /// Backing file format.
    pub backing_format: Option<String>,
    /// Lazy refcounts (v3).
    pub lazy_refcounts: bool,
    /// Compression type for compressed clusters (zstd needs v3).
    pub compression: Compression,
    /// Refcount width in bits (1, 2, 4, …, 64; v2 needs 16).
    pub refcount_bits: u32,
    /// Preallocation mode.
    pub preallocation: Preallocation,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            size: 0,
            cluster_size: 65536,
            version: 3,
            backing_file: None,
            backing_format: None,
            lazy_refcounts: false,
            compression: Compression::Zlib,
            refcount_bits: 16,
            preallocation: Preallocation::Off,
        }
    }
}

impl Qcow2 {
    /// Creates (or truncates) `path` as a qcow2 image and opens it read-write
    /// (without opening its backing file).
    pub fn create(path: &Path, o: &CreateOptions) -> Result<Qcow2> {
        Self::create_with_cache(path, o, false)
    }

    /// [`Qcow2::create`] with the cache mode "unsafe" from the start: no flush
    /// reaches the disk (the caller decides when to sync).
    pub fn create_with_cache(path: &Path, o: &CreateOptions, unsafe_cache: bool) -> Result<Qcow2> {
        let bad = |m: String| BlockError::Feature(format!("'{}': {m}", path.display()));
        let cs = o.cluster_size;
        if !cs.is_power_of_two() || !(1 << MIN_CLUSTER_BITS..=1 << MAX_CLUSTER_BITS).contains(&cs) {
            return Err(bad(format!(
                "cluster size must be a power of two between 512 and 2097152 bytes, not {cs}"
            )));
        }
        if !o.refcount_bits.is_power_of_two() || o.refcount_bits > 64 {
            return Err(bad(format!(
                "refcount width {} is not a power of two up to 64",
                o.refcount_bits
            )));
        }
        if o.version != 2 && o.version != 3 {
            return Err(bad(format!("unsupported qcow2 version {}", o.version)));
        }
        if o.version == 2 {
            if o.refcount_bits != 16 {
                return Err(bad(
                    "version 2 images need 16-bit refcounts (compat=1.1 allows others)".into(),
                ));
            }
            if o.lazy_refcounts {
                return Err(bad("lazy refcounts need compat=1.1".into()));
            }
            if o.compression != Compression::Zlib {
                return Err(bad(
                    "compression types other than zlib need compat=1.1".into()
                ));
            }
        }
        let cb = cs.trailing_zeros();
        let order = o.refcount_bits.trailing_zeros();
        let mut h = Header {
            version: o.version,
            backing_file: o.backing_file.clone(),
            backing_format: o.backing_format.clone(),
            cluster_bits: cb,
            size: 0,
            l1_size: 0,
            l1_table_offset: 0,
            refcount_table_offset: cs,
            refcount_table_clusters: 1,
            nb_snapshots: 0,
            snapshots_offset: 0,
            incompatible: 0,
            compatible: if o.lazy_refcounts {
                COMPAT_LAZY_REFCOUNTS
            } else {
                0
            },
            autoclear: 0,
            refcount_order: order,
            header_length: if o.version == 3 { 112 } else { 72 },
            compression: o.compression,
        };
        if o.compression != Compression::Zlib {
            h.incompatible |= INCOMPAT_COMPRESSION;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|source| BlockError::Open {
                path: path.to_owned(),
                source,
            })?;
        let mut table = vec![0u8; cs as usize];
        table[..8].copy_from_slice(&(2 * cs).to_be_bytes());
        let mut block = vec![0u8; cs as usize];
        for c in 0..3 {
            set_entry(&mut block, c, order, 1);
        }
        file.write_all_at(&h.to_bytes()?, 0)?;
        file.write_all_at(&table, cs)?;
        file.write_all_at(&block, 2 * cs)?;
        drop(file);
        let mut img = Qcow2::open_with(
            path,
            Qcow2Options {
                read_only: false,
                no_backing: true,
            },
        )?;
        img.set_unsafe_cache(unsafe_cache);
        img.resize(o.size)?;
        if o.preallocation != Preallocation::Off {
            img.preallocate(o.preallocation)?;
        }
        img.flush()?;
        Ok(img)
    }

    /// Allocates every L2 table and data cluster of the disk.
    fn preallocate(&mut self, mode: Preallocation) -> Result<()> {
        let cs = self.cluster_size();
        let clusters = self.h.size.div_ceil(cs);
        let per = self.l2_entries();
        let mut vcl = 0;
        while vcl < clusters {
            let l2off = self.l2_for_write(vcl)?;
            let l2i = (vcl % per) as usize;
            let n = (per - l2i as u64).min(clusters - vcl);
            let (first, got) = self.refs.alloc(&self.file, n)?;
            if mode == Preallocation::Full {
                let zeros = vec![0u8; (got * cs) as usize];
                self.file.write_all_at(&zeros, first * cs)?;
            }
            let entries: Vec<u64> = (0..got).map(|i| ((first + i) * cs) | COPIED).collect();
            self.l2.set(&self.file, l2off, l2i, &entries, &self.name)?;
            vcl += got;
        }
        // Make the file cover the last data cluster.
        let end = self.refs_end()?;
        if self.file.metadata()?.len() < end {
            if mode == Preallocation::Falloc {
                let _ =
                    rustix::fs::fallocate(&self.file, rustix::fs::FallocateFlags::empty(), 0, end);
            }
            self.file.set_len(end)?;
        }
        Ok(())
    }

    /// End of the highest cluster with a nonzero refcount.
    fn refs_end(&mut self) -> Result<u64> {
        let cs = self.cluster_size();
        let mut c = self.refs.coverage();
        while c > 0 && self.refs.get(&self.file, c - 1)? == 0 {
            c -= 1;
        }
        Ok(c * cs)
    }
}
