//! Consistency check and repair, as `qemu-img check` does it: count every reference
//! from the metadata, compare with the stored refcounts, and check COPIED flags.
//! Repairing everything rebuilds the refcount structures from the counted references.

use std::collections::BTreeMap;
use std::os::unix::fs::FileExt;

use super::header::MAX_REFTABLE_BYTES;
use super::io::{be64_bytes, read_be64_table};
use super::refcount::{Refcounts, set_entry};
use super::{COPIED, Kind, OFFSET_MASK, Qcow2, compressed_clusters};
use crate::{BlockError, Result};

/// What to repair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repair {
    /// Only report.
    None,
    /// Free leaked clusters.
    Leaks,
    /// Fix leaks and errors.
    All,
}

/// Results of a check, with qemu-img's meanings.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// Corruptions found and not fixed.
    pub corruptions: u64,
    /// Leaked clusters found and not fixed.
    pub leaks: u64,
    /// Internal errors during the check.
    pub check_errors: u64,
    /// Corruptions fixed.
    pub corruptions_fixed: u64,
    /// Leaks fixed.
    pub leaks_fixed: u64,
    /// One message per problem.
    pub messages: Vec<String>,
    /// Guest clusters of the virtual disk.
    pub total_clusters: u64,
    /// Guest clusters allocated in the active image.
    pub allocated_clusters: u64,
    /// Allocated clusters not contiguous with the previous one.
    pub fragmented_clusters: u64,
    /// Compressed clusters.
    pub compressed_clusters: u64,
    /// End of the last used cluster.
    pub image_end_offset: u64,
}

/// Counted references per host cluster.
struct Counter {
    refs: BTreeMap<u64, u64>,
    file_clusters: u64,
    cs: u64,
}

impl Counter {
    fn add(&mut self, r: &mut CheckReport, offset: u64, len: u64, what: &str) {
        if len == 0 {
            return;
        }
        let first = offset / self.cs;
        let last = (offset + len - 1) / self.cs;
        if last >= self.file_clusters {
            r.corruptions += 1;
            r.messages.push(format!(
                "ERROR: {what} at {offset:#x} lies beyond the end of the image file"
            ));
            return;
        }
        for c in first..=last {
            *self.refs.entry(c).or_insert(0) += 1;
        }
    }
}

impl Qcow2 {
    /// Checks the image; with `repair`, fixes what it can (the image must be writable).
    pub fn check(&mut self, repair: Repair) -> Result<CheckReport> {
        if repair != Repair::None {
            self.writable()?;
        }
        let mut r = CheckReport::default();
        let counter = self.count_references(&mut r, true)?;
        let cs = self.cluster_size();
        // Compare stored with counted.
        let coverage = self.refs.coverage();
        let max_counted = counter.refs.keys().next_back().copied().unwrap_or(0);
        // Past the end of the file only the clusters just after it matter (allocated
        // by a write that never completed); a hostile table could make the rest of
        // the range astronomically large.
        let per_block = 1u64 << (self.h.cluster_bits + 3 - self.h.refcount_order);
        let end = coverage
            .min(counter.file_clusters + per_block)
            .max(max_counted + 1);
        let mut leaked = Vec::new();
        let mut wrong = Vec::new();
        let mut highest = 0;
        let mut c = 0;
        while c < end {
            let ti = c >> (self.h.cluster_bits + 3 - self.h.refcount_order);
            let per = 1u64 << (self.h.cluster_bits + 3 - self.h.refcount_order);
            if (ti as usize) < self.refs.table.len() && self.refs.table[ti as usize] == 0 {
                // No block: all zero. Only counted clusters matter.
                let next = (ti + 1) * per;
                for (&k, &v) in counter.refs.range(c..next) {
                    wrong.push((k, 0, v));
                }
                c = next;
                continue;
            }
            let stored = self.refs.get(&self.file, c)?;
            let counted = counter.refs.get(&c).copied().unwrap_or(0);
            if stored > 0 || counted > 0 {
                highest = c;
            }
            if stored != counted {
                if stored > counted {
                    leaked.push((c, stored, counted));
                } else {
                    wrong.push((c, stored, counted));
                }
            }
            c += 1;
        }
        for &(c, s, n) in &wrong {
            r.messages
                .push(format!("ERROR cluster {c} refcount={s} reference={n}"));
        }
        for &(c, s, n) in &leaked {
            r.messages
                .push(format!("Leaked cluster {c} refcount={s} reference={n}"));
        }
        r.image_end_offset = (highest + 1) * cs;
        let copied_errors = self.copied_flag_errors(&mut r)?;
        r.corruptions += wrong.len() as u64 + copied_errors;
        r.leaks = leaked.len() as u64;
        match repair {
            Repair::None => {}
            Repair::Leaks => {
                for &(c, _, n) in &leaked {
                    self.refs.set(&self.file, c, 1, n)?;
                }
                r.leaks_fixed = r.leaks;
                r.leaks = 0;
                self.barrier()?;
            }
            Repair::All => {
                if r.corruptions > 0 || r.leaks > 0 {
                    // Counting again without reporting: the rebuild needs plain numbers.
                    let mut scratch = CheckReport::default();
                    let counter = self.count_references(&mut scratch, false)?;
                    self.rebuild_refcounts(counter)?;
                    self.fix_copied_flags()?;
                    self.barrier()?;
                    r.corruptions_fixed = r.corruptions;
                    r.leaks_fixed = r.leaks;
                    r.corruptions = 0;
                    r.leaks = 0;
                }
            }
        }
        Ok(r)
    }

    /// Counts references from every structure; with `stats`, fills the statistics.
    fn count_references(&mut self, r: &mut CheckReport, stats: bool) -> Result<Counter> {
        let cs = self.cluster_size();
        let flen = self.file.metadata()?.len();
        let mut k = Counter {
            refs: BTreeMap::new(),
            file_clusters: flen.div_ceil(cs),
            cs,
        };
        k.add(r, 0, cs, "header");
        k.add(
            r,
            self.h.l1_table_offset,
            self.h.l1_size as u64 * 8,
            "L1 table",
        );
        let active = self.l1.clone();
        self.count_tree(&mut k, r, &active, stats)?;
        if self.h.nb_snapshots > 0 {
            let len = super::snapshot::serialized_len(self.snapshot_entries());
            k.add(r, self.h.snapshots_offset, len, "snapshot table");
        }
        for s in self.snapshot_entries().to_vec() {
            k.add(r, s.l1_offset, s.l1_size as u64 * 8, "snapshot L1 table");
            let l1 = self.snapshot_l1(&s)?;
            self.count_tree(&mut k, r, &l1, false)?;
        }
        // The rebuild replaces the refcount structures, so it does not count them.
        if stats {
            let (off, len) = (self.refs.table_offset, self.refs.table_clusters() * cs);
            k.add(r, off, len, "refcount table");
            for (i, &b) in self.refs.table.clone().iter().enumerate() {
                if b != 0 {
                    k.add(r, b, cs, &format!("refcount block {i}"));
                }
            }
        }
        r.total_clusters = self.h.size.div_ceil(cs);
        Ok(k)
    }

    fn count_tree(
        &mut self,
        k: &mut Counter,
        r: &mut CheckReport,
        l1: &[u64],
        stats: bool,
    ) -> Result<()> {
        let cs = self.cluster_size();
        let mut prev_host: Option<u64> = None;
        for (i, &l1e) in l1.iter().enumerate() {
            let l2off = l1e & OFFSET_MASK;
            if l2off == 0 {
                continue;
            }
            if !l2off.is_multiple_of(cs) {
                r.corruptions += 1;
                r.messages.push(format!(
                    "ERROR l2_offset={l2off:#x}: L2 table is not cluster aligned; L1 index {i}"
                ));
                continue;
            }
            if l2off >= k.file_clusters * cs {
                k.add(r, l2off, cs, "L2 table");
                continue;
            }
            k.add(r, l2off, cs, "L2 table");
            let table =
                read_be64_table(&self.file, l2off, (cs / 8) as usize, &self.name, "L2 table")?;
            for e in table {
                match self.classify(e) {
                    Err(err) => {
                        r.corruptions += 1;
                        r.messages.push(format!("ERROR {err}"));
                    }
                    Ok(Kind::Normal { host, .. }) => {
                        k.add(r, host, cs, "data cluster");
                        if stats {
                            r.allocated_clusters += 1;
                            if prev_host.is_some_and(|p| p + cs != host) {
                                r.fragmented_clusters += 1;
                            }
                            prev_host = Some(host);
                        }
                    }
                    Ok(Kind::Zero(host)) => {
                        if host != 0 {
                            k.add(r, host, cs, "preallocated zero cluster");
                        }
                    }
                    Ok(Kind::Compressed { host, sectors }) => {
                        if e & COPIED != 0 {
                            r.corruptions += 1;
                            r.messages.push(format!(
                                "ERROR: compressed cluster at {host:#x} has the COPIED flag"
                            ));
                        }
                        let (first, n) = compressed_clusters(host, sectors, cs);
                        k.add(r, first * cs, n * cs, "compressed cluster");
                        if stats {
                            r.allocated_clusters += 1;
                            r.compressed_clusters += 1;
                        }
                    }
                    Ok(Kind::Unallocated) => {}
                }
            }
        }
        Ok(())
    }

    /// COPIED flags of the active tree that disagree with the refcounts.
    fn copied_flag_errors(&mut self, r: &mut CheckReport) -> Result<u64> {
        let cs = self.cluster_size();
        let mut n = 0;
        for &l1e in &self.l1.clone() {
            let l2off = l1e & OFFSET_MASK;
            if l2off == 0
                || !l2off.is_multiple_of(cs)
                || super::io::check_inside(&self.file, l2off, cs, &self.name, "L2").is_err()
            {
                continue;
            }
            let rc = self.refs.get(&self.file, l2off / cs)?;
            if (rc == 1) != (l1e & COPIED != 0) {
                n += 1;
                r.messages.push(format!(
                    "ERROR OFLAG_COPIED L2 cluster: l1_entry={l1e:x} refcount={rc}"
                ));
            }
            let table =
                read_be64_table(&self.file, l2off, (cs / 8) as usize, &self.name, "L2 table")?;
            for e in table {
                let host = match self.classify(e) {
                    Ok(Kind::Normal { host, .. }) => host,
                    Ok(Kind::Zero(host)) if host != 0 => host,
                    _ => continue,
                };
                let rc = self.refs.get(&self.file, host / cs)?;
                if (rc == 1) != (e & COPIED != 0) {
                    n += 1;
                    r.messages.push(format!(
                        "ERROR OFLAG_COPIED data cluster: l2_entry={e:x} refcount={rc}"
                    ));
                }
            }
        }
        Ok(n)
    }

    /// Writes new refcount structures holding the counted references, after the last
    /// used cluster, then switches the header to them. The old ones become free space.
    fn rebuild_refcounts(&mut self, k: Counter) -> Result<()> {
        let cs = self.cluster_size();
        let cb = self.h.cluster_bits;
        let order = self.h.refcount_order;
        let pbb = cb + 3 - order;
        let per = 1u64 << pbb;
        let max = self.refs.max_refcount();
        if let Some((&c, &v)) = k.refs.iter().find(|(_, v)| **v > max) {
            return Err(BlockError::Feature(format!(
                "'{}': cluster {c} has {v} references, more than {}-bit refcounts hold",
                self.name,
                1u32 << order
            )));
        }
        let used_end = k.refs.keys().next_back().map_or(1, |c| c + 1);
        let start = used_end;
        let (mut nblocks, mut tclusters) = (1u64, 1u64);
        loop {
            let total = start + tclusters + nblocks;
            let nb = total.div_ceil(per);
            let tc = (nb * 8).div_ceil(cs);
            if nb == nblocks && tc == tclusters {
                break;
            }
            (nblocks, tclusters) = (nb, tc);
        }
        if tclusters * cs > MAX_REFTABLE_BYTES {
            return Err(BlockError::Feature(format!(
                "'{}': refcount table would be too large",
                self.name
            )));
        }
        let table_at = start;
        let blocks_at = start + tclusters;
        let mut refs = k.refs;
        for c in start..blocks_at + nblocks {
            refs.insert(c, 1);
        }
        let mut table = vec![0u64; (tclusters * cs / 8) as usize];
        for b in 0..nblocks {
            let mut data = vec![0u8; cs as usize];
            for (&c, &v) in refs.range(b * per..(b + 1) * per) {
                set_entry(&mut data, (c - b * per) as usize, order, v);
            }
            let off = (blocks_at + b) * cs;
            self.file.write_all_at(&data, off)?;
            table[b as usize] = off;
        }
        self.file.write_all_at(&be64_bytes(&table), table_at * cs)?;
        self.barrier()?;
        let mut hdr = [0u8; 12];
        hdr[..8].copy_from_slice(&(table_at * cs).to_be_bytes());
        hdr[8..].copy_from_slice(&(tclusters as u32).to_be_bytes());
        self.file.write_all_at(&hdr, 48)?;
        self.barrier()?;
        self.h.refcount_table_offset = table_at * cs;
        self.h.refcount_table_clusters = tclusters as u32;
        let (lazy, sync) = (self.refs.lazy, self.refs.sync);
        self.refs = Refcounts::load(
            &self.file,
            &self.name,
            cb,
            order,
            table_at * cs,
            tclusters as u32,
        )?;
        self.refs.lazy = lazy;
        self.refs.sync = sync;
        self.l2.clear();
        Ok(())
    }
}
