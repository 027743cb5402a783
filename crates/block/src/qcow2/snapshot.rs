//! Internal snapshots: the snapshot table, and create / apply / delete, which move
//! refcounts of whole L1/L2 trees.
//!
//! Ordering: references are added before a table points at them and dropped after
//! the last table stops pointing at them, so a crash leaks clusters at worst.

use std::fs::File;
use std::os::unix::fs::FileExt;

use super::header::{Header, MAX_L1_BYTES};
use super::io::{be64_bytes, check_inside, corrupt, pread_exact, read_be64_table};
use super::{COPIED, Kind, OFFSET_MASK, Qcow2, compressed_clusters};
use crate::{BlockBackend, BlockError, Result};

/// Bound on the snapshot table, as QEMU's.
const MAX_TABLE_BYTES: u64 = 64 << 20;
/// Bound on one entry's extra data, as QEMU's.
const MAX_EXTRA: u32 = 1024;

/// One snapshot table entry.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub l1_offset: u64,
    pub l1_size: u32,
    pub id: String,
    pub name: String,
    pub date_sec: u32,
    pub date_nsec: u32,
    pub vm_clock_nsec: u64,
    pub vm_state_size: u64,
    pub disk_size: u64,
    pub icount: Option<u64>,
    /// Extra data beyond the fields we know, kept as is.
    pub extra_rest: Vec<u8>,
    /// Bytes the entry occupies in the table (padding included).
    pub entry_len: u64,
}

/// Bytes the table of `snaps` occupies on disk.
pub fn serialized_len(snaps: &[Snapshot]) -> u64 {
    snaps.iter().map(|s| s.entry_len).sum()
}

/// What `snapshot -l` and `info` show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// Numeric id as a string.
    pub id: String,
    /// Tag (name).
    pub name: String,
    /// Creation time, seconds since the epoch.
    pub date_sec: u32,
    /// Creation time, nanoseconds.
    pub date_nsec: u32,
    /// Guest clock at creation.
    pub vm_clock_nsec: u64,
    /// Size of saved VM state.
    pub vm_state_size: u64,
    /// Instruction count, if recorded.
    pub icount: Option<u64>,
    /// Disk size at creation.
    pub disk_size: u64,
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}
fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().expect("4"))
}
fn be64(b: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(b[at..at + 8].try_into().expect("8"))
}

/// Reads the snapshot table the header points at.
pub fn load(file: &File, h: &Header, name: &str) -> Result<Vec<Snapshot>> {
    let mut out = Vec::new();
    if h.nb_snapshots == 0 {
        return Ok(out);
    }
    let cs = h.cluster_size();
    if !h.snapshots_offset.is_multiple_of(cs) || h.snapshots_offset == 0 {
        return Err(corrupt(name, "snapshot table offset is invalid"));
    }
    let mut at = h.snapshots_offset;
    for i in 0..h.nb_snapshots {
        if at - h.snapshots_offset > MAX_TABLE_BYTES {
            return Err(corrupt(name, "snapshot table is too large"));
        }
        let mut fixed = [0u8; 40];
        pread_exact(file, &mut fixed, at, name, "snapshot table")?;
        let id_len = be16(&fixed, 12) as u64;
        let name_len = be16(&fixed, 14) as u64;
        let extra_len = be32(&fixed, 36);
        if extra_len > MAX_EXTRA {
            return Err(corrupt(
                name,
                format!("snapshot {i} has too much extra data"),
            ));
        }
        let var = extra_len as u64 + id_len + name_len;
        check_inside(file, at + 40, var, name, "snapshot table")?;
        let mut rest = vec![0u8; var as usize];
        pread_exact(file, &mut rest, at + 40, name, "snapshot table")?;
        let extra = &rest[..extra_len as usize];
        let id = String::from_utf8_lossy(
            &rest[extra_len as usize..(extra_len as u64 + id_len) as usize],
        )
        .into_owned();
        let sname =
            String::from_utf8_lossy(&rest[(extra_len as u64 + id_len) as usize..]).into_owned();
        let l1_offset = be64(&fixed, 0);
        let l1_size = be32(&fixed, 8);
        if !l1_offset.is_multiple_of(cs) || l1_size as u64 * 8 > MAX_L1_BYTES {
            return Err(corrupt(
                name,
                format!("snapshot '{sname}' has an invalid L1 table"),
            ));
        }
        if h.version >= 3 && extra.len() < 16 {
            return Err(corrupt(
                name,
                format!("snapshot '{sname}' lacks the extra data v3 requires"),
            ));
        }
        let vm_state_small = be32(&fixed, 32) as u64;
        out.push(Snapshot {
            l1_offset,
            l1_size,
            id,
            name: sname,
            date_sec: be32(&fixed, 16),
            date_nsec: be32(&fixed, 20),
            vm_clock_nsec: be64(&fixed, 24),
            vm_state_size: if extra.len() >= 8 {
                be64(extra, 0)
            } else {
                vm_state_small
            },
            disk_size: if extra.len() >= 16 {
                be64(extra, 8)
            } else {
                h.size
            },
            icount: (extra.len() >= 24)
                .then(|| be64(extra, 16))
                .filter(|&c| c != u64::MAX),
            extra_rest: extra.get(24..).unwrap_or(&[]).to_vec(),
            entry_len: (40 + var).div_ceil(8) * 8,
        });
        at += (40 + var).div_ceil(8) * 8;
    }
    Ok(out)
}

fn serialize(snaps: &mut [Snapshot]) -> Vec<u8> {
    let mut v = Vec::new();
    for s in snaps.iter_mut() {
        let mut extra = Vec::new();
        extra.extend_from_slice(&s.vm_state_size.to_be_bytes());
        extra.extend_from_slice(&s.disk_size.to_be_bytes());
        extra.extend_from_slice(&s.icount.unwrap_or(u64::MAX).to_be_bytes());
        extra.extend_from_slice(&s.extra_rest);
        let start = v.len();
        v.extend_from_slice(&s.l1_offset.to_be_bytes());
        v.extend_from_slice(&s.l1_size.to_be_bytes());
        v.extend_from_slice(&(s.id.len() as u16).to_be_bytes());
        v.extend_from_slice(&(s.name.len() as u16).to_be_bytes());
        v.extend_from_slice(&s.date_sec.to_be_bytes());
        v.extend_from_slice(&s.date_nsec.to_be_bytes());
        v.extend_from_slice(&s.vm_clock_nsec.to_be_bytes());
        v.extend_from_slice(&(s.vm_state_size.min(u32::MAX as u64) as u32).to_be_bytes());
        v.extend_from_slice(&(extra.len() as u32).to_be_bytes());
        v.extend_from_slice(&extra);
        v.extend_from_slice(s.id.as_bytes());
        v.extend_from_slice(s.name.as_bytes());
        let len = v.len() - start;
        v.resize(start + len.div_ceil(8) * 8, 0);
        s.entry_len = (v.len() - start) as u64;
    }
    v
}

impl Qcow2 {
    /// The snapshots, in table order.
    pub fn snapshots(&self) -> Vec<SnapshotInfo> {
        self.snapshots
            .iter()
            .map(|s| SnapshotInfo {
                id: s.id.clone(),
                name: s.name.clone(),
                date_sec: s.date_sec,
                date_nsec: s.date_nsec,
                vm_clock_nsec: s.vm_clock_nsec,
                vm_state_size: s.vm_state_size,
                icount: s.icount,
                disk_size: s.disk_size,
            })
            .collect()
    }

    pub(super) fn snapshot_entries(&self) -> &[Snapshot] {
        &self.snapshots
    }

    /// Reads a snapshot's L1 table.
    pub(super) fn snapshot_l1(&self, s: &Snapshot) -> Result<Vec<u64>> {
        read_be64_table(
            &self.file,
            s.l1_offset,
            s.l1_size as usize,
            &self.name,
            "snapshot L1 table",
        )
    }

    fn find_snapshot(&self, key: &str) -> Result<usize> {
        self.snapshots
            .iter()
            .position(|s| s.id == key)
            .or_else(|| self.snapshots.iter().position(|s| s.name == key))
            .ok_or_else(|| {
                BlockError::Feature(format!("'{}': snapshot '{key}' not found", self.name))
            })
    }

    /// Writes a new snapshot table, then points the header at it, then frees the old.
    fn write_snapshot_table(&mut self, mut snaps: Vec<Snapshot>) -> Result<()> {
        let cs = self.cluster_size();
        let bytes = serialize(&mut snaps);
        let new_off = if snaps.is_empty() {
            0
        } else {
            let clusters = (bytes.len() as u64).div_ceil(cs);
            let at = self.refs.alloc_contiguous(&self.file, clusters)? * cs;
            self.file.write_all_at(&bytes, at)?;
            self.barrier()?;
            at
        };
        let old_off = self.h.snapshots_offset;
        let old_len = serialized_len(&self.snapshots);
        let mut hdr = [0u8; 12];
        hdr[..4].copy_from_slice(&(snaps.len() as u32).to_be_bytes());
        hdr[4..].copy_from_slice(&new_off.to_be_bytes());
        self.file.write_all_at(&hdr, 60)?;
        self.barrier()?;
        self.h.nb_snapshots = snaps.len() as u32;
        self.h.snapshots_offset = new_off;
        self.snapshots = snaps;
        if old_off != 0 && old_len > 0 {
            self.refs
                .add(&self.file, old_off / cs, old_len.div_ceil(cs), -1)?;
        }
        Ok(())
    }

    /// Adds `delta` to the refcount of every cluster an L1 tree references.
    fn tree_refcounts(&mut self, l1: &[u64], delta: i64) -> Result<()> {
        let cs = self.cluster_size();
        for &l1e in l1 {
            let l2off = l1e & OFFSET_MASK;
            if l2off == 0 {
                continue;
            }
            if !l2off.is_multiple_of(cs) {
                return Err(corrupt(
                    &self.name,
                    format!("L2 table offset {l2off:#x} is not aligned"),
                ));
            }
            let table = self.l2.get(&self.file, l2off, &self.name)?.to_vec();
            for e in table {
                match self.classify(e)? {
                    Kind::Normal { host, .. } | Kind::Zero(host) if host != 0 => {
                        self.refs.add(&self.file, host / cs, 1, delta)?
                    }
                    Kind::Compressed { host, sectors } => {
                        let (first, n) = compressed_clusters(host, sectors, cs);
                        self.refs.add(&self.file, first, n, delta)?
                    }
                    _ => {}
                }
            }
            self.refs.add(&self.file, l2off / cs, 1, delta)?;
        }
        Ok(())
    }

    /// Makes COPIED flags of the active tree say exactly "refcount is 1".
    pub(super) fn fix_copied_flags(&mut self) -> Result<u64> {
        let cs = self.cluster_size();
        let mut fixed = 0;
        for i in 0..self.l1.len() {
            let l1e = self.l1[i];
            let l2off = l1e & OFFSET_MASK;
            if l2off == 0 {
                continue;
            }
            let one = self.refs.get(&self.file, l2off / cs)? == 1;
            if one != (l1e & COPIED != 0) {
                self.set_l1(i, if one { l1e | COPIED } else { l1e & !COPIED })?;
                fixed += 1;
            }
            let table = self.l2.get(&self.file, l2off, &self.name)?.to_vec();
            for (j, &e) in table.iter().enumerate() {
                let host = match self.classify(e)? {
                    Kind::Normal { host, .. } | Kind::Zero(host) if host != 0 => host,
                    _ => continue,
                };
                let one = self.refs.get(&self.file, host / cs)? == 1;
                if one != (e & COPIED != 0) {
                    let v = if one { e | COPIED } else { e & !COPIED };
                    self.l2.set(&self.file, l2off, j, &[v], &self.name)?;
                    fixed += 1;
                }
            }
        }
        Ok(fixed)
    }

    /// Creates snapshot `name` of the current disk.
    pub fn snapshot_create(&mut self, name: &str) -> Result<()> {
        self.before_write()?;
        if name.len() > u16::MAX as usize {
            return Err(BlockError::Feature("snapshot name is too long".into()));
        }
        let cs = self.cluster_size();
        let id = self
            .snapshots
            .iter()
            .filter_map(|s| s.id.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        // 1. the snapshot's own copy of L1
        let l1: Vec<u64> = self.l1.iter().map(|e| e & !COPIED).collect();
        let clusters = (l1.len() as u64 * 8).div_ceil(cs);
        let mut l1_at = 0;
        if clusters > 0 {
            l1_at = self.refs.alloc_contiguous(&self.file, clusters)? * cs;
            let mut bytes = be64_bytes(&l1);
            bytes.resize((clusters * cs) as usize, 0);
            self.file.write_all_at(&bytes, l1_at)?;
        }
        // 2. every cluster of the tree gains a reference; flags follow
        let active = self.l1.clone();
        self.tree_refcounts(&active, 1)?;
        self.fix_copied_flags()?;
        self.barrier()?;
        // 3. the table entry makes it visible
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let mut snaps = self.snapshots.clone();
        snaps.push(Snapshot {
            l1_offset: l1_at,
            l1_size: l1.len() as u32,
            id: id.to_string(),
            name: name.to_owned(),
            date_sec: now.as_secs() as u32,
            date_nsec: now.subsec_nanos(),
            vm_clock_nsec: 0,
            vm_state_size: 0,
            disk_size: self.h.size,
            icount: None,
            extra_rest: Vec::new(),
            entry_len: 0,
        });
        self.write_snapshot_table(snaps)?;
        self.barrier()?;
        Ok(())
    }

    /// Makes the disk what it was when snapshot `key` (id or name) was taken.
    pub fn snapshot_apply(&mut self, key: &str) -> Result<()> {
        self.before_write()?;
        let idx = self.find_snapshot(key)?;
        let s = self.snapshots[idx].clone();
        let mut l1 = self.snapshot_l1(&s)?;
        self.tree_refcounts(&l1, 1)?;
        let need = self.h.l1_entries_for(s.disk_size).unwrap_or(0) as usize;
        if l1.len() < need {
            l1.resize(need, 0);
        }
        let old = std::mem::take(&mut self.l1);
        self.l1 = old.clone();
        self.replace_l1(l1)?;
        self.tree_refcounts(&old, -1)?;
        if s.disk_size != self.h.size {
            self.file.write_all_at(&s.disk_size.to_be_bytes(), 24)?;
            self.h.size = s.disk_size;
        }
        self.fix_copied_flags()?;
        self.comp_cache = None;
        self.barrier()?;
        Ok(())
    }

    /// Deletes snapshot `key` (id or name).
    pub fn snapshot_delete(&mut self, key: &str) -> Result<()> {
        self.before_write()?;
        let cs = self.cluster_size();
        let idx = self.find_snapshot(key)?;
        let s = self.snapshots[idx].clone();
        let l1 = self.snapshot_l1(&s)?;
        let mut snaps = self.snapshots.clone();
        snaps.remove(idx);
        self.write_snapshot_table(snaps)?;
        self.tree_refcounts(&l1, -1)?;
        let clusters = (s.l1_size as u64 * 8).div_ceil(cs);
        if clusters > 0 && s.l1_offset != 0 {
            self.refs.add(&self.file, s.l1_offset / cs, clusters, -1)?;
        }
        self.fix_copied_flags()?;
        self.flush()?;
        Ok(())
    }
}
