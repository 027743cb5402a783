//! qcow2 images (QEMU's docs/interop/qcow2.txt): v2 and v3, any cluster size from
//! 512 B to 2 MiB, refcounts of any width, backing chains, zero and compressed
//! clusters, internal snapshots, lazy refcounts.
//!
//! ```text
//! guest offset ─▶ L1[vcl >> l2_bits] ─▶ L2 table (cached) ─▶ entry ─┬▶ data cluster
//!                                                                  ├▶ zero flag
//!                                                                  ├▶ compressed bytes
//!                                                                  └▶ unallocated: backing file
//! ```

mod check;
mod compress;
mod create;
pub mod header;
mod io;
mod l2cache;
mod refcount;
mod snapshot;

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

pub use check::{CheckReport, Repair};
pub use create::{CreateOptions, Preallocation};
pub use header::{Compression, Header};
pub use snapshot::SnapshotInfo;

use header::*;
use io::corrupt;
use l2cache::L2Cache;
use refcount::Refcounts;

use crate::raw::pread_zero_fill;
use crate::{BlockBackend, BlockError, BlockStatus, Result, check_range};

/// Offset bits of L1 and standard L2 entries.
const OFFSET_MASK: u64 = 0x00ff_ffff_ffff_fe00;
/// The entry's cluster has refcount exactly one (may be written in place).
const COPIED: u64 = 1 << 63;
/// The L2 entry describes compressed data.
const COMPRESSED: u64 = 1 << 62;
/// The L2 entry's cluster reads as zeroes (v3).
const ZERO: u64 = 1;
/// Backing chains deeper than this are refused (also catches loops).
const MAX_CHAIN: u32 = 64;
/// Memory for cached L2 tables.
const L2_CACHE_BYTES: usize = 4 << 20;

/// How to open a qcow2 image.
#[derive(Clone, Copy, Debug, Default)]
pub struct Qcow2Options {
    /// Refuse writes.
    pub read_only: bool,
    /// Do not open the backing file (reads of unallocated clusters return zeroes).
    pub no_backing: bool,
}

/// What one L2 entry says about a guest cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Unallocated,
    /// Reads as zeroes; may keep a preallocated host cluster.
    Zero(u64),
    Normal {
        host: u64,
        copied: bool,
    },
    Compressed {
        host: u64,
        sectors: u64,
    },
}

/// An open qcow2 image.
pub struct Qcow2 {
    file: File,
    name: String,
    path: PathBuf,
    h: Header,
    l1: Vec<u64>,
    l2: L2Cache,
    refs: Refcounts,
    backing: Option<Box<dyn BlockBackend>>,
    read_only: bool,
    snapshots: Vec<snapshot::Snapshot>,
    /// The last decompressed cluster, by L2 entry.
    comp_cache: Option<(u64, Vec<u8>)>,
    /// Next free byte in the cluster that receives compressed data (0 = none).
    comp_cursor: u64,
}

impl Qcow2 {
    /// Opens `path`, its backing chain included.
    pub fn open(path: &Path, read_only: bool) -> Result<Qcow2> {
        Self::open_with(
            path,
            Qcow2Options {
                read_only,
                no_backing: false,
            },
        )
    }

    /// Opens `path` with options.
    pub fn open_with(path: &Path, opts: Qcow2Options) -> Result<Qcow2> {
        Self::open_depth(path, opts, 0)
    }

    fn open_depth(path: &Path, opts: Qcow2Options, depth: u32) -> Result<Qcow2> {
        let name = path.display().to_string();
        let file = OpenOptions::new()
            .read(true)
            .write(!opts.read_only)
            .open(path)
            .map_err(|source| BlockError::Open {
                path: path.to_owned(),
                source,
            })?;
        let mut first = vec![0u8; 1 << MAX_CLUSTER_BITS];
        let flen = file.metadata()?.len();
        let n = (flen as usize).min(first.len());
        first.truncate(n);
        pread_zero_fill(&file, &mut first, 0)?;
        let h = Header::parse(&first, &name)?;
        if !opts.read_only && h.incompatible & INCOMPAT_CORRUPT != 0 {
            return Err(BlockError::Feature(format!(
                "'{name}': image is marked corrupt; it can only be opened read-only (repair it with check -r all)"
            )));
        }
        let cb = h.cluster_bits;
        let l1 = io::read_be64_table(
            &file,
            h.l1_table_offset,
            h.l1_size as usize,
            &name,
            "L1 table",
        )?;
        let mut refs = Refcounts::load(
            &file,
            &name,
            cb,
            h.refcount_order,
            h.refcount_table_offset,
            h.refcount_table_clusters,
        )?;
        refs.lazy = !opts.read_only && h.compatible & COMPAT_LAZY_REFCOUNTS != 0;
        let snapshots = snapshot::load(&file, &h, &name)?;
        let mut img = Qcow2 {
            file,
            name,
            path: path.to_owned(),
            l2: L2Cache::new(cb, L2_CACHE_BYTES),
            refs,
            backing: None,
            read_only: opts.read_only,
            snapshots,
            comp_cache: None,
            comp_cursor: 0,
            l1,
            h,
        };
        if let Some(b) = img.h.backing_file.clone()
            && !opts.no_backing
        {
            img.backing = Some(img.open_backing(&b, depth)?);
        }
        if !opts.read_only {
            if img.h.incompatible & INCOMPAT_DIRTY != 0 {
                // Refcounts may be stale (lazy refcounts, or a crash): rebuild them.
                img.check(Repair::All)?;
                img.set_incompatible(img.h.incompatible & !INCOMPAT_DIRTY)?;
            }
            if img.h.autoclear != 0 {
                // We keep none of the structures autoclear bits vouch for.
                img.h.autoclear = 0;
                img.file.write_all_at(&0u64.to_be_bytes(), 88)?;
            }
        }
        Ok(img)
    }

    fn open_backing(&self, name: &str, depth: u32) -> Result<Box<dyn BlockBackend>> {
        if depth + 1 >= MAX_CHAIN {
            return Err(BlockError::Feature(format!(
                "'{}': backing chain is longer than {MAX_CHAIN} images (a loop?)",
                self.name
            )));
        }
        let path = self.backing_path(name);
        let fmt = match self.h.backing_format.as_deref() {
            Some(f) => f,
            None => crate::probe_format(&path)?,
        };
        let opts = Qcow2Options {
            read_only: true,
            no_backing: false,
        };
        match fmt {
            "qcow2" => Ok(Box::new(Qcow2::open_depth(&path, opts, depth + 1)?)),
            "raw" => Ok(Box::new(crate::raw::RawImage::open(&path, true)?)),
            f => Err(BlockError::Feature(format!(
                "'{}': backing file format '{f}' is not supported",
                self.name
            ))),
        }
    }

    /// Where a backing file name points: relative names are relative to this image.
    pub fn backing_path(&self, name: &str) -> PathBuf {
        let p = Path::new(name);
        if p.is_absolute() {
            p.to_owned()
        } else {
            self.path.parent().unwrap_or(Path::new(".")).join(p)
        }
    }

    /// The parsed header.
    pub fn header(&self) -> &Header {
        &self.h
    }

    /// Cluster size in bytes.
    pub fn cluster_size(&self) -> u64 {
        self.h.cluster_size()
    }

    /// The image file name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The open backing image, if any.
    pub fn backing(&mut self) -> Option<&mut Box<dyn BlockBackend>> {
        self.backing.as_mut()
    }

    /// Bytes the file occupies on the host.
    pub fn allocated_bytes(&self) -> Result<u64> {
        use std::os::unix::fs::MetadataExt;
        Ok(self.file.metadata()?.blocks() * 512)
    }

    /// Length of the image file.
    pub fn file_len(&self) -> Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    fn l2_entries(&self) -> u64 {
        self.cluster_size() / 8
    }

    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(BlockError::ReadOnly)
        } else {
            Ok(())
        }
    }

    fn classify(&self, e: u64) -> Result<Kind> {
        let cb = self.h.cluster_bits;
        if e & COMPRESSED != 0 {
            let shift = 62 - (cb - 8);
            let sectors = ((e >> shift) & ((1 << (cb - 8)) - 1)) + 1;
            return Ok(Kind::Compressed {
                host: e & ((1 << shift) - 1),
                sectors,
            });
        }
        let host = e & OFFSET_MASK;
        if !host.is_multiple_of(self.cluster_size()) {
            return Err(corrupt(
                &self.name,
                format!("data cluster offset {host:#x} is not cluster aligned"),
            ));
        }
        if e & ZERO != 0 {
            if self.h.version < 3 {
                return Err(corrupt(
                    &self.name,
                    "zero cluster flag in a version 2 image",
                ));
            }
            return Ok(Kind::Zero(host));
        }
        Ok(if host == 0 {
            Kind::Unallocated
        } else {
            Kind::Normal {
                host,
                copied: e & COPIED != 0,
            }
        })
    }

    /// Host offset of the L2 table for guest cluster `vcl` (0 = none).
    fn l2_offset(&self, vcl: u64) -> Result<u64> {
        let l1i = (vcl / self.l2_entries()) as usize;
        let Some(&e) = self.l1.get(l1i) else {
            return Ok(0);
        };
        let off = e & OFFSET_MASK;
        if !off.is_multiple_of(self.cluster_size()) {
            return Err(corrupt(
                &self.name,
                format!("L2 table offset {off:#x} is not cluster aligned"),
            ));
        }
        Ok(off)
    }

    /// The L2 entry of guest cluster `vcl`.
    fn entry(&mut self, vcl: u64) -> Result<u64> {
        let off = self.l2_offset(vcl)?;
        if off == 0 {
            return Ok(0);
        }
        let i = (vcl % self.l2_entries()) as usize;
        Ok(self.l2.get(&self.file, off, &self.name)?[i])
    }

    fn read_backing(&mut self, buf: &mut [u8], offset: u64) -> Result<()> {
        let Some(b) = self.backing.as_mut() else {
            buf.fill(0);
            return Ok(());
        };
        let bsize = b.size();
        let n = bsize.saturating_sub(offset).min(buf.len() as u64) as usize;
        if n > 0 {
            b.read_at(&mut buf[..n], offset)?;
        }
        buf[n..].fill(0);
        Ok(())
    }

    fn read_compressed(&mut self, e: u64, host: u64, sectors: u64) -> Result<&[u8]> {
        if self.comp_cache.as_ref().is_none_or(|(k, _)| *k != e) {
            let len = sectors * 512 - (host & 511);
            let mut src = vec![0u8; len as usize];
            pread_zero_fill(&self.file, &mut src, host)?;
            let mut out = vec![0u8; self.cluster_size() as usize];
            if !compress::decompress(self.h.compression, &src, &mut out) {
                return Err(corrupt(
                    &self.name,
                    format!(
                        "compressed cluster at {host:#x} does not decompress ({})",
                        self.h.compression.name()
                    ),
                ));
            }
            self.comp_cache = Some((e, out));
        }
        Ok(&self.comp_cache.as_ref().expect("filled").1)
    }

    /// Reads guest bytes at `offset` from this image (backing included).
    fn read_inner(&mut self, buf: &mut [u8], offset: u64) -> Result<()> {
        let cs = self.cluster_size();
        let len = buf.len() as u64;
        let mut pos = 0u64;
        while pos < len {
            let off = offset + pos;
            let vcl = off / cs;
            let in_cl = off % cs;
            let n = (cs - in_cl).min(len - pos);
            let e = self.entry(vcl)?;
            let kind = self.classify(e)?;
            // Coalesce following clusters of the same kind into one transfer.
            let mut run = n;
            let mut k = 1;
            while pos + run < len
                && matches!(
                    kind,
                    Kind::Normal { .. } | Kind::Unallocated | Kind::Zero(_)
                )
            {
                let next = {
                    let e = self.entry(vcl + k)?;
                    self.classify(e)?
                };
                let same = match (kind, next) {
                    (Kind::Normal { host: a, .. }, Kind::Normal { host: b, .. }) => b == a + k * cs,
                    (Kind::Unallocated, Kind::Unallocated) => true,
                    (Kind::Zero(_), Kind::Zero(_)) => true,
                    _ => false,
                };
                if !same {
                    break;
                }
                run += cs.min(len - pos - run);
                k += 1;
            }
            let out = &mut buf[pos as usize..(pos + run) as usize];
            match kind {
                Kind::Normal { host, .. } => pread_zero_fill(&self.file, out, host + in_cl)?,
                Kind::Unallocated => self.read_backing(out, off)?,
                Kind::Zero(_) => out.fill(0),
                Kind::Compressed { host, sectors } => {
                    let data = self.read_compressed(e, host, sectors)?;
                    out.copy_from_slice(&data[in_cl as usize..(in_cl + run) as usize]);
                }
            }
            pos += run;
        }
        Ok(())
    }

    /// An ordering point: what was written before reaches the disk before what is
    /// written after. Skipped with an unsafe cache (a crash of the host may then
    /// lose ordering, a crash of the process does not).
    fn barrier(&self) -> Result<()> {
        if self.refs.sync {
            self.file.sync_data()?;
        }
        Ok(())
    }

    /// Cache mode "unsafe": no flush reaches the disk (qemu-img convert's default).
    pub fn set_unsafe_cache(&mut self, on: bool) {
        self.refs.sync = !on;
    }

    fn set_l1(&mut self, i: usize, v: u64) -> Result<()> {
        self.l1[i] = v;
        self.file
            .write_all_at(&v.to_be_bytes(), self.h.l1_table_offset + i as u64 * 8)?;
        Ok(())
    }

    /// Sets the dirty bit before the first metadata change when refcounts are lazy.
    fn before_write(&mut self) -> Result<()> {
        self.writable()?;
        if self.refs.lazy && self.h.incompatible & INCOMPAT_DIRTY == 0 {
            self.set_incompatible(self.h.incompatible | INCOMPAT_DIRTY)?;
            self.barrier()?;
        }
        Ok(())
    }

    fn set_incompatible(&mut self, bits: u64) -> Result<()> {
        if self.h.version < 3 {
            return Ok(());
        }
        self.h.incompatible = bits;
        self.file.write_all_at(&bits.to_be_bytes(), 72)?;
        Ok(())
    }

    /// Marks the image corrupt (so no one writes it further) and returns the error.
    fn mark_corrupt(&mut self, msg: String) -> BlockError {
        if !self.read_only && self.h.version >= 3 {
            let _ = self.set_incompatible(self.h.incompatible | INCOMPAT_CORRUPT);
            let _ = self.barrier();
            self.read_only = true;
        }
        corrupt(&self.name, msg)
    }

    /// The L2 table for `vcl`, allocated or copied so that this image owns it alone.
    fn l2_for_write(&mut self, vcl: u64) -> Result<u64> {
        let cs = self.cluster_size();
        let l1i = (vcl / self.l2_entries()) as usize;
        let Some(&e) = self.l1.get(l1i) else {
            return Err(self.mark_corrupt(format!("L1 table has no entry {l1i}")));
        };
        let old = self.l2_offset(vcl)?;
        if old != 0 && e & COPIED != 0 {
            return Ok(old);
        }
        let new = self.refs.alloc_contiguous(&self.file, 1)? * cs;
        let entries = if old == 0 {
            vec![0u64; self.l2_entries() as usize]
        } else {
            self.l2.get(&self.file, old, &self.name)?.to_vec()
        };
        self.file.write_all_at(&io::be64_bytes(&entries), new)?;
        self.l2.insert(new, entries);
        self.set_l1(l1i, new | COPIED)?;
        if old != 0 {
            self.refs.add(&self.file, old / cs, 1, -1)?;
        }
        Ok(new)
    }

    /// Drops the reference an old L2 entry held.
    fn release(&mut self, e: u64) -> Result<()> {
        let cs = self.cluster_size();
        let (first, n) = match self.classify(e)? {
            Kind::Normal { host, .. } => (host / cs, 1),
            Kind::Zero(host) if host != 0 => (host / cs, 1),
            Kind::Compressed { host, sectors } => compressed_clusters(host, sectors, cs),
            _ => return Ok(()),
        };
        // A freed cluster may be reused for anything: stop appending compressed data.
        self.comp_cursor = 0;
        self.refs.add(&self.file, first, n, -1)
    }

    /// The current contents of guest cluster `vcl` (zero padded past the disk end).
    fn read_cluster(&mut self, vcl: u64, out: &mut [u8]) -> Result<()> {
        let cs = self.cluster_size();
        let start = vcl * cs;
        let n = self.h.size.saturating_sub(start).min(cs) as usize;
        self.read_inner(&mut out[..n], start)?;
        out[n..].fill(0);
        Ok(())
    }

    fn write_inner(&mut self, buf: &[u8], offset: u64) -> Result<()> {
        let cs = self.cluster_size();
        let len = buf.len() as u64;
        let end = offset + len;
        let mut pos = 0u64;
        while pos < len {
            let off = offset + pos;
            let vcl = off / cs;
            let in_cl = off % cs;
            let l2off = self.l2_for_write(vcl)?;
            let l2i = (vcl % self.l2_entries()) as usize;
            let in_table = self.l2_entries() as usize - l2i;
            let last_vcl = (end - 1) / cs;
            let want = ((last_vcl - vcl + 1) as usize).min(in_table);
            let entries: Vec<u64> =
                self.l2.get(&self.file, l2off, &self.name)?[l2i..l2i + want].to_vec();
            let in_place =
                |e: u64| e & (COPIED | COMPRESSED | ZERO) == COPIED && e & OFFSET_MASK != 0;
            if in_place(entries[0]) {
                let host = self.classify(entries[0])?;
                let Kind::Normal { host, .. } = host else {
                    unreachable!("in_place means a normal cluster")
                };
                let mut k = 1;
                while k < want
                    && in_place(entries[k])
                    && entries[k] & OFFSET_MASK == host + k as u64 * cs
                {
                    k += 1;
                }
                let stop = end.min((vcl + k as u64) * cs);
                let n = stop - off;
                self.file
                    .write_all_at(&buf[pos as usize..(pos + n) as usize], host + in_cl)?;
                pos += n;
                continue;
            }
            let mut k = 1;
            while k < want && !in_place(entries[k]) {
                k += 1;
            }
            let (first, m) = self.refs.alloc(&self.file, k as u64)?;
            let m = m as usize;
            let span_start = vcl * cs;
            let span_end = (vcl + m as u64) * cs;
            let stop = end.min(span_end);
            let host = first * cs;
            let data = &buf[pos as usize..(pos + stop - off) as usize];
            if off == span_start && stop == span_end {
                self.file.write_all_at(data, host)?;
            } else {
                let mut tmp = vec![0u8; m * cs as usize];
                if off > span_start {
                    self.read_cluster(vcl, &mut tmp[..cs as usize])?;
                }
                if stop < span_end && (m > 1 || off == span_start) {
                    let last = vcl + m as u64 - 1;
                    self.read_cluster(last, &mut tmp[(m - 1) * cs as usize..])?;
                }
                let a = (off - span_start) as usize;
                tmp[a..a + data.len()].copy_from_slice(data);
                self.file.write_all_at(&tmp, host)?;
            }
            let new: Vec<u64> = (0..m as u64).map(|i| (host + i * cs) | COPIED).collect();
            self.l2.set(&self.file, l2off, l2i, &new, &self.name)?;
            self.comp_cache = None;
            for &e in &entries[..m] {
                self.release(e)?;
            }
            pos += stop - off;
        }
        Ok(())
    }

    /// Sets whole guest clusters `first..first+n` to `value` (0 or ZERO), releasing
    /// what they held. The entry is changed before the reference is dropped.
    fn clear_clusters(&mut self, first: u64, n: u64, value: u64) -> Result<()> {
        let mut vcl = first;
        let end = first + n;
        while vcl < end {
            let l2i = (vcl % self.l2_entries()) as usize;
            let k = (self.l2_entries() - l2i as u64).min(end - vcl);
            if self.l2_offset(vcl)? == 0 && value == 0 {
                vcl += k;
                continue;
            }
            let l2off = self.l2_for_write(vcl)?;
            let old: Vec<u64> =
                self.l2.get(&self.file, l2off, &self.name)?[l2i..l2i + k as usize].to_vec();
            if old.iter().all(|&e| e == value) {
                vcl += k;
                continue;
            }
            let new = vec![value; k as usize];
            self.l2.set(&self.file, l2off, l2i, &new, &self.name)?;
            self.comp_cache = None;
            for e in old {
                self.release(e)?;
            }
            vcl += k;
        }
        Ok(())
    }

    /// Writes one guest cluster compressed (`buf` is a whole cluster, or the tail of
    /// the disk). Incompressible data is written plainly.
    pub fn write_compressed(&mut self, buf: &[u8], offset: u64) -> Result<()> {
        self.before_write()?;
        let cs = self.cluster_size();
        check_range(offset, buf.len() as u64, self.h.size)?;
        if !offset.is_multiple_of(cs)
            || (buf.len() as u64 != cs && offset + buf.len() as u64 != self.h.size)
        {
            return Err(BlockError::Unsupported(
                "compressed writes must cover whole clusters",
            ));
        }
        let mut full;
        let src = if buf.len() as u64 == cs {
            buf
        } else {
            full = vec![0u8; cs as usize];
            full[..buf.len()].copy_from_slice(buf);
            &full[..]
        };
        let Some(c) = compress::compress(self.h.compression, src) else {
            return self.write_inner(buf, offset);
        };
        let sectors = (c.len() as u64).div_ceil(512);
        let bytes = sectors * 512;
        let cur = self.comp_cursor;
        let host = if cur != 0 && !cur.is_multiple_of(cs) && cur % cs + bytes <= cs {
            self.refs.add(&self.file, cur / cs, 1, 1)?;
            cur
        } else {
            self.refs.alloc_contiguous(&self.file, 1)? * cs
        };
        full = c;
        full.resize(bytes as usize, 0);
        self.file.write_all_at(&full, host)?;
        self.comp_cursor = host + bytes;
        let vcl = offset / cs;
        let l2off = self.l2_for_write(vcl)?;
        let l2i = (vcl % self.l2_entries()) as usize;
        let old = self.l2.get(&self.file, l2off, &self.name)?[l2i];
        let shift = 62 - (self.h.cluster_bits - 8);
        let e = COMPRESSED | ((sectors - 1) << shift) | host;
        self.l2.set(&self.file, l2off, l2i, &[e], &self.name)?;
        self.comp_cache = None;
        self.release(old)
    }

    /// Replaces the L1 table with `entries` (possibly larger), written to new clusters
    /// before the header points at them.
    fn replace_l1(&mut self, entries: Vec<u64>) -> Result<()> {
        let cs = self.cluster_size();
        let clusters = (entries.len() as u64 * 8).div_ceil(cs).max(1);
        let at = self.refs.alloc_contiguous(&self.file, clusters)? * cs;
        let mut bytes = io::be64_bytes(&entries);
        bytes.resize((clusters * cs) as usize, 0);
        self.file.write_all_at(&bytes, at)?;
        self.barrier()?;
        let mut hdr = [0u8; 12];
        hdr[..4].copy_from_slice(&(entries.len() as u32).to_be_bytes());
        hdr[4..].copy_from_slice(&at.to_be_bytes());
        self.file.write_all_at(&hdr, 36)?;
        self.barrier()?;
        let old = self.h.l1_table_offset;
        let old_clusters = (self.h.l1_size as u64 * 8).div_ceil(cs);
        self.h.l1_table_offset = at;
        self.h.l1_size = entries.len() as u32;
        self.l1 = entries;
        if old_clusters > 0 && old != 0 {
            self.refs.add(&self.file, old / cs, old_clusters, -1)?;
        }
        Ok(())
    }
}

impl Qcow2 {
    /// Makes whole clusters in `offset..offset+len` unallocated, so they show the
    /// backing file again (used by commit).
    pub fn deallocate(&mut self, offset: u64, len: u64) -> Result<()> {
        check_range(offset, len, self.h.size)?;
        self.before_write()?;
        let cs = self.cluster_size();
        let first = offset.div_ceil(cs);
        let end = (offset + len).div_ceil(cs).min(self.h.size.div_ceil(cs));
        if end > first {
            self.clear_clusters(first, end - first, 0)?;
        }
        Ok(())
    }

    /// Changes the backing file name and format recorded in the header (the data is
    /// not touched; see rebase for the safe variant). The backing file is reopened.
    pub fn set_backing(&mut self, file: Option<&str>, format: Option<&str>) -> Result<()> {
        self.before_write()?;
        let mut h = self.h.clone();
        h.backing_file = file.map(str::to_owned);
        h.backing_format = file.and(format).map(str::to_owned);
        h.refcount_table_offset = self.refs.table_offset;
        h.refcount_table_clusters = self.refs.table_clusters() as u32;
        let bytes = h.to_bytes()?;
        self.barrier()?;
        self.file.write_all_at(&bytes, 0)?;
        self.barrier()?;
        self.h = h;
        self.backing = match file {
            Some(f) => Some(self.open_backing(f, 0)?),
            None => None,
        };
        Ok(())
    }
}

/// Host clusters a compressed cluster's bytes touch: first index and count.
fn compressed_clusters(host: u64, sectors: u64, cs: u64) -> (u64, u64) {
    let start = host & !511;
    let end = start + sectors * 512;
    (start / cs, (end - 1) / cs - start / cs + 1)
}

impl BlockBackend for Qcow2 {
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> Result<()> {
        check_range(offset, buf.len() as u64, self.h.size)?;
        self.read_inner(buf, offset)
    }

    fn write_at(&mut self, buf: &[u8], offset: u64) -> Result<()> {
        check_range(offset, buf.len() as u64, self.h.size)?;
        if buf.is_empty() {
            return Ok(());
        }
        self.before_write()?;
        self.write_inner(buf, offset)
    }

    fn flush(&mut self) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        if self.refs.lazy {
            self.refs.write_back(&self.file)?;
        }
        self.barrier()?;
        if self.h.incompatible & INCOMPAT_DIRTY != 0 {
            self.set_incompatible(self.h.incompatible & !INCOMPAT_DIRTY)?;
            self.barrier()?;
        }
        Ok(())
    }

    fn discard(&mut self, offset: u64, len: u64) -> Result<()> {
        check_range(offset, len, self.h.size)?;
        self.before_write()?;
        let cs = self.cluster_size();
        let first = offset.div_ceil(cs);
        let end = if offset + len == self.h.size {
            (offset + len).div_ceil(cs)
        } else {
            (offset + len) / cs
        };
        if end <= first {
            return Ok(());
        }
        // With a backing file an unallocated cluster would show the backing data.
        let value = if self.h.backing_file.is_some() {
            if self.h.version < 3 {
                return Ok(());
            }
            ZERO
        } else {
            0
        };
        self.clear_clusters(first, end - first, value)
    }

    fn write_zeroes(&mut self, offset: u64, len: u64) -> Result<()> {
        check_range(offset, len, self.h.size)?;
        self.before_write()?;
        let cs = self.cluster_size();
        let end = offset + len;
        let first = offset.div_ceil(cs);
        let last = if end == self.h.size {
            end.div_ceil(cs)
        } else {
            end / cs
        };
        let zero_bytes = |img: &mut Qcow2, a: u64, b: u64| -> Result<()> {
            if b > a {
                let z = vec![0u8; (b - a) as usize];
                img.write_inner(&z, a)?;
            }
            Ok(())
        };
        if last <= first {
            return zero_bytes(self, offset, end);
        }
        zero_bytes(self, offset, first * cs)?;
        let whole_end = (last * cs).min(end);
        if self.h.version >= 3 {
            let value = if self.backing.is_some() || self.h.backing_file.is_some() {
                ZERO
            } else {
                0
            };
            self.clear_clusters(first, last - first, value)?;
        } else {
            // v2 has no zero flag: unallocated reads as zeroes only without backing.
            let mut vcl = first;
            while vcl < last {
                let k = (last - vcl).min(256);
                if self.h.backing_file.is_none() {
                    self.clear_clusters(vcl, k, 0)?;
                } else {
                    zero_bytes(self, vcl * cs, ((vcl + k) * cs).min(whole_end))?;
                }
                vcl += k;
            }
        }
        zero_bytes(self, whole_end, end)
    }

    fn size(&self) -> u64 {
        self.h.size
    }

    fn resize(&mut self, new_size: u64) -> Result<()> {
        self.before_write()?;
        let cs = self.cluster_size();
        if new_size < self.h.size {
            if !self.snapshots.is_empty() {
                return Err(BlockError::Feature(format!(
                    "'{}': cannot shrink an image that has snapshots",
                    self.name
                )));
            }
            let first = new_size.div_ceil(cs);
            let end = self.h.size.div_ceil(cs);
            self.clear_clusters(first, end - first, 0)?;
            if !new_size.is_multiple_of(cs) {
                // The tail of the now partial last cluster must read as zeroes later.
                let z = vec![0u8; (cs - new_size % cs).min(self.h.size - new_size) as usize];
                self.write_inner(&z, new_size)?;
            }
        }
        let need = self
            .h
            .l1_entries_for(new_size)
            .filter(|&n| n * 8 <= MAX_L1_BYTES)
            .ok_or_else(|| {
                BlockError::Feature(format!("'{}': size {new_size} is too large", self.name))
            })?;
        if need > self.l1.len() as u64 {
            let mut l1 = self.l1.clone();
            l1.resize(need as usize, 0);
            self.replace_l1(l1)?;
        }
        self.file.write_all_at(&new_size.to_be_bytes(), 24)?;
        self.h.size = new_size;
        self.barrier()?;
        Ok(())
    }

    fn block_status(&mut self, offset: u64, len: u64) -> Result<BlockStatus> {
        check_range(offset, len, self.h.size)?;
        let cs = self.cluster_size();
        let vcl = offset / cs;
        let first_len = (cs - offset % cs).min(len);
        let kind = {
            let e = self.entry(vcl)?;
            self.classify(e)?
        };
        let mut run = first_len;
        let mut k = 1;
        while run < len {
            let next = {
                let e = self.entry(vcl + k)?;
                self.classify(e)?
            };
            let same = match (kind, next) {
                (Kind::Normal { host: a, .. }, Kind::Normal { host: b, .. }) => b == a + k * cs,
                (Kind::Compressed { .. }, Kind::Compressed { .. }) => true,
                (a, b) => std::mem::discriminant(&a) == std::mem::discriminant(&b),
            };
            if !same {
                break;
            }
            run += cs.min(len - run);
            k += 1;
        }
        let here = |zero, data, host_offset| BlockStatus {
            len: run,
            zero,
            data,
            present: true,
            depth: 0,
            host_offset,
        };
        Ok(match kind {
            Kind::Normal { host, .. } => here(false, true, Some(host + offset % cs)),
            Kind::Compressed { .. } => here(false, true, None),
            Kind::Zero(_) => here(true, false, None),
            Kind::Unallocated => {
                let bsize = self.backing.as_ref().map_or(0, |b| b.size());
                match self.backing.as_mut() {
                    Some(b) if offset < bsize => {
                        let mut st = b.block_status(offset, run.min(bsize - offset))?;
                        st.depth += 1;
                        st
                    }
                    _ => BlockStatus {
                        len: run,
                        zero: true,
                        data: false,
                        present: false,
                        depth: 0,
                        host_offset: None,
                    },
                }
            }
        })
    }

    fn format_name(&self) -> &'static str {
        "qcow2"
    }

    fn write_compressed(&mut self, buf: &[u8], offset: u64) -> Result<()> {
        Qcow2::write_compressed(self, buf, offset)
    }
}

impl Drop for Qcow2 {
    fn drop(&mut self) {
        // Clean close: refcounts written back and the dirty bit cleared.
        if !self.read_only {
            let _ = BlockBackend::flush(self);
        }
    }
}

#[cfg(test)]
mod tests;
