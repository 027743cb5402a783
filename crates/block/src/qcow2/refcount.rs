//! Refcount table and blocks: reading and writing entries of any width (1–64 bits),
//! cluster allocation, and growth of the refcount table.
//!
//! Ordering for crash safety: a cluster's refcount is written before anything points
//! to it, and decremented only after the last pointer is gone; a crash in between
//! leaks a cluster but never leaves a reference to a free one.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;

use super::io::{corrupt, pread_exact, read_be64_table};
use crate::{BlockError, Result};

struct RefBlock {
    data: Vec<u8>,
    dirty: bool,
    used: u64,
}

/// Refcount state of one image.
pub struct Refcounts {
    /// Host offsets of the refcount blocks (0 = not allocated).
    pub table: Vec<u64>,
    /// Host offset of the refcount table.
    pub table_offset: u64,
    cluster_bits: u32,
    order: u32,
    blocks: HashMap<usize, RefBlock>,
    clock: u64,
    capacity: usize,
    /// No cluster below this index is free.
    free_hint: u64,
    /// Refcount blocks are written back at flush instead of write-through.
    pub lazy: bool,
    /// Ordering points reach the disk (off with an unsafe cache mode).
    pub sync: bool,
    name: String,
}

impl Refcounts {
    /// Loads the refcount table.
    pub fn load(
        file: &File,
        name: &str,
        cluster_bits: u32,
        order: u32,
        table_offset: u64,
        table_clusters: u32,
    ) -> Result<Refcounts> {
        let entries = ((table_clusters as u64) << cluster_bits) / 8;
        let table = read_be64_table(file, table_offset, entries as usize, name, "refcount table")?;
        let cs = 1u64 << cluster_bits;
        for (i, &e) in table.iter().enumerate() {
            if e % cs != 0 || e >= super::header::MAX_HOST_OFFSET {
                return Err(corrupt(
                    name,
                    format!("refcount block {i} offset {e:#x} is invalid"),
                ));
            }
        }
        Ok(Refcounts {
            table,
            table_offset,
            cluster_bits,
            order,
            blocks: HashMap::new(),
            clock: 0,
            capacity: ((32usize << 20) >> cluster_bits).max(16),
            free_hint: 0,
            lazy: false,
            sync: true,
            name: name.to_owned(),
        })
    }

    /// log2 of the clusters one refcount block covers.
    fn per_block_bits(&self) -> u32 {
        self.cluster_bits + 3 - self.order
    }

    /// Largest refcount the width can hold.
    pub fn max_refcount(&self) -> u64 {
        if self.order == 6 {
            u64::MAX
        } else {
            (1u64 << (1 << self.order)) - 1
        }
    }

    /// Clusters covered by the current table.
    pub fn coverage(&self) -> u64 {
        (self.table.len() as u64) << self.per_block_bits()
    }

    fn block(&mut self, file: &File, ti: usize) -> Result<&mut RefBlock> {
        self.clock += 1;
        let clock = self.clock;
        if !self.blocks.contains_key(&ti) {
            if self.blocks.len() >= self.capacity {
                self.evict(file)?;
            }
            let mut data = vec![0u8; 1 << self.cluster_bits];
            pread_exact(
                file,
                &mut data,
                self.table[ti],
                &self.name,
                "refcount block",
            )?;
            self.blocks.insert(
                ti,
                RefBlock {
                    data,
                    dirty: false,
                    used: clock,
                },
            );
        }
        let b = self.blocks.get_mut(&ti).expect("just inserted");
        b.used = clock;
        Ok(b)
    }

    fn evict(&mut self, file: &File) -> Result<()> {
        if let Some((&ti, _)) = self.blocks.iter().min_by_key(|(_, b)| b.used) {
            let b = self.blocks.remove(&ti).expect("present");
            if b.dirty {
                file.write_all_at(&b.data, self.table[ti])?;
            }
        }
        Ok(())
    }

    /// Writes back refcount blocks held dirty (lazy refcounts).
    pub fn write_back(&mut self, file: &File) -> Result<()> {
        for (&ti, b) in self.blocks.iter_mut() {
            if b.dirty {
                file.write_all_at(&b.data, self.table[ti])?;
                b.dirty = false;
            }
        }
        Ok(())
    }

    /// Refcount of host cluster `c`.
    pub fn get(&mut self, file: &File, c: u64) -> Result<u64> {
        let ti = (c >> self.per_block_bits()) as usize;
        if ti >= self.table.len() || self.table[ti] == 0 {
            return Ok(0);
        }
        let idx = (c & ((1 << self.per_block_bits()) - 1)) as usize;
        let order = self.order;
        Ok(get_entry(&self.block(file, ti)?.data, idx, order))
    }

    /// Sets refcounts of clusters `c..c+n` (all in one refcount block) to `f(old)`.
    fn update_run(
        &mut self,
        file: &File,
        c: u64,
        n: u64,
        f: &dyn Fn(u64) -> Option<u64>,
    ) -> Result<()> {
        let pbb = self.per_block_bits();
        let ti = (c >> pbb) as usize;
        debug_assert_eq!(ti, ((c + n - 1) >> pbb) as usize);
        if ti >= self.table.len() {
            self.grow(file, ti)?;
        }
        if self.table[ti] == 0 {
            self.new_block(file, ti, c)?;
        }
        let first = (c & ((1 << pbb) - 1)) as usize;
        let (order, lazy, max) = (self.order, self.lazy, self.max_refcount());
        let name = self.name.clone();
        let off = self.table[ti];
        let b = self.block(file, ti)?;
        for i in first..first + n as usize {
            let old = get_entry(&b.data, i, order);
            let new = f(old).filter(|&v| v <= max).ok_or_else(|| {
                corrupt(
                    &name,
                    format!(
                        "refcount of cluster {:#x} would leave its range (now {old})",
                        c + (i - first) as u64
                    ),
                )
            })?;
            set_entry(&mut b.data, i, order, new);
        }
        if lazy {
            b.dirty = true;
        } else {
            let (lo, hi) = byte_span(first, n as usize, order);
            file.write_all_at(&b.data[lo..hi], off + lo as u64)?;
        }
        Ok(())
    }

    /// Applies `f` to the refcounts of clusters `c..c+n`, block by block.
    fn update(
        &mut self,
        file: &File,
        c: u64,
        n: u64,
        f: &dyn Fn(u64) -> Option<u64>,
    ) -> Result<()> {
        let pbb = self.per_block_bits();
        let mut c = c;
        let end = c + n;
        while c < end {
            let block_end = ((c >> pbb) + 1) << pbb;
            let run = block_end.min(end) - c;
            self.update_run(file, c, run, f)?;
            c += run;
        }
        Ok(())
    }

    /// Sets the refcount of `c..c+n` to `v`.
    pub fn set(&mut self, file: &File, c: u64, n: u64, v: u64) -> Result<()> {
        if v == 0 {
            self.free_hint = self.free_hint.min(c);
        }
        self.update(file, c, n, &|_| Some(v))
    }

    /// Adds `delta` (may be negative) to the refcounts of `c..c+n`.
    pub fn add(&mut self, file: &File, c: u64, n: u64, delta: i64) -> Result<()> {
        if delta < 0 {
            self.free_hint = self.free_hint.min(c);
        }
        self.update(file, c, n, &|old| old.checked_add_signed(delta))
    }

    /// Allocates up to `n` contiguous free clusters (at least one), refcount 1.
    /// Returns the first cluster index and the count.
    pub fn alloc(&mut self, file: &File, n: u64) -> Result<(u64, u64)> {
        let pbb = self.per_block_bits();
        let per = 1u64 << pbb;
        let mut c = self.free_hint.max(1);
        // Bounded by the clusters addressable in an image.
        while c < super::header::MAX_HOST_OFFSET >> self.cluster_bits {
            let ti = (c >> pbb) as usize;
            if ti >= self.table.len() {
                self.grow(file, ti)?;
                continue;
            }
            if self.table[ti] == 0 {
                self.new_block(file, ti, u64::MAX)?;
                continue;
            }
            let order = self.order;
            let first = (c & (per - 1)) as usize;
            let b = self.block(file, ti)?;
            let Some(start) = (first..per as usize).find(|&i| get_entry(&b.data, i, order) == 0)
            else {
                c = (ti as u64 + 1) << pbb;
                continue;
            };
            let limit = (start + n as usize).min(per as usize);
            let end = (start..limit)
                .find(|&i| get_entry(&b.data, i, order) != 0)
                .unwrap_or(limit);
            let start_c = ((ti as u64) << pbb) + start as u64;
            let count = (end - start) as u64;
            self.set(file, start_c, count, 1)?;
            self.free_hint = start_c + count;
            return Ok((start_c, count));
        }
        Err(BlockError::Corrupt(format!(
            "'{}': image is full",
            self.name
        )))
    }

    /// Allocates exactly `n` contiguous clusters.
    pub fn alloc_contiguous(&mut self, file: &File, n: u64) -> Result<u64> {
        let (mut start, mut got) = self.alloc(file, n)?;
        let mut released = u64::MAX;
        while got < n {
            let (s2, g2) = self.alloc(file, n - got)?;
            if s2 == start + got {
                got += g2;
                continue;
            }
            // Not adjacent: give the shorter run back and go on from the new one.
            self.set(file, start, got, 0)?;
            released = released.min(start);
            self.free_hint = s2 + g2;
            (start, got) = (s2, g2);
        }
        self.free_hint = self.free_hint.min(released);
        Ok(start)
    }

    /// Creates refcount block `ti` inside the range it covers (that range is free,
    /// having no block), avoiding cluster `avoid`.
    fn new_block(&mut self, file: &File, ti: usize, avoid: u64) -> Result<()> {
        let pbb = self.per_block_bits();
        let base = (ti as u64) << pbb;
        let at = if base == avoid { base + 1 } else { base };
        let mut data = vec![0u8; 1 << self.cluster_bits];
        set_entry(&mut data, (at - base) as usize, self.order, 1);
        let off = at << self.cluster_bits;
        file.write_all_at(&data, off)?;
        self.table[ti] = off;
        file.write_all_at(&off.to_be_bytes(), self.table_offset + ti as u64 * 8)?;
        self.clock += 1;
        self.blocks.insert(
            ti,
            RefBlock {
                data,
                dirty: false,
                used: self.clock,
            },
        );
        Ok(())
    }

    /// Grows the table to hold index `need`: a new table and the refcount blocks that
    /// describe it go right after the range the old table covers, then the header
    /// switches to it, then the old table is freed.
    fn grow(&mut self, file: &File, need: usize) -> Result<()> {
        let cb = self.cluster_bits;
        let pbb = self.per_block_bits();
        let per_table_cluster = 1u64 << (cb - 3);
        let old_len = self.table.len() as u64;
        let new_entries = (need as u64 + 1).max(old_len * 2);
        let table_clusters = new_entries.div_ceil(per_table_cluster);
        if table_clusters << cb > super::header::MAX_REFTABLE_BYTES {
            return Err(BlockError::Feature(format!(
                "'{}': refcount table would exceed its size limit",
                self.name
            )));
        }
        let new_len = (table_clusters * per_table_cluster) as usize;
        let start = old_len << pbb;
        // Refcount blocks for the range holding the new table and those blocks.
        let mut nblocks = 1u64;
        loop {
            let end = start + table_clusters + nblocks;
            let want = end.div_ceil(1 << pbb) - old_len;
            if want <= nblocks {
                break;
            }
            nblocks = want;
        }
        let table_at = start;
        let blocks_at = start + table_clusters;
        let used_end = blocks_at + nblocks;
        let mut table = self.table.clone();
        table.resize(new_len, 0);
        let per = 1u64 << pbb;
        for k in 0..nblocks {
            let ti = old_len + k;
            let mut data = vec![0u8; 1 << cb];
            let lo = ti << pbb;
            for c in lo.max(start)..(lo + per).min(used_end) {
                set_entry(&mut data, (c - lo) as usize, self.order, 1);
            }
            let off = (blocks_at + k) << cb;
            file.write_all_at(&data, off)?;
            table[ti as usize] = off;
        }
        let mut bytes = Vec::with_capacity(new_len * 8);
        for e in &table {
            bytes.extend_from_slice(&e.to_be_bytes());
        }
        file.write_all_at(&bytes, table_at << cb)?;
        if self.sync {
            file.sync_data()?;
        }
        let mut hdr = [0u8; 12];
        hdr[..8].copy_from_slice(&(table_at << cb).to_be_bytes());
        hdr[8..].copy_from_slice(&(table_clusters as u32).to_be_bytes());
        file.write_all_at(&hdr, 48)?;
        if self.sync {
            file.sync_data()?;
        }
        let old_off = self.table_offset;
        let old_clusters = (old_len * 8).div_ceil(1 << cb);
        self.table = table;
        self.table_offset = table_at << cb;
        self.set(file, old_off >> cb, old_clusters, 0)?;
        Ok(())
    }

    /// Clusters of the refcount table.
    pub fn table_clusters(&self) -> u64 {
        (self.table.len() as u64 * 8).div_ceil(1 << self.cluster_bits)
    }
}

/// Byte range of the block holding entries `first..first+n`.
fn byte_span(first: usize, n: usize, order: u32) -> (usize, usize) {
    let bits = 1usize << order;
    let lo = first * bits / 8;
    let hi = ((first + n) * bits).div_ceil(8);
    (lo, hi)
}

/// Entry `i` of a refcount block with entries of 2^`order` bits (sub-byte entries are
/// packed from the least significant bit, wider ones are big endian).
pub fn get_entry(data: &[u8], i: usize, order: u32) -> u64 {
    match order {
        0..=2 => {
            let bits = 1usize << order;
            let per_byte = 8 / bits;
            let shift = (i % per_byte) * bits;
            ((data[i / per_byte] >> shift) as u64) & ((1 << bits) - 1)
        }
        3 => data[i] as u64,
        4 => u16::from_be_bytes([data[2 * i], data[2 * i + 1]]) as u64,
        5 => u32::from_be_bytes(data[4 * i..4 * i + 4].try_into().expect("4")) as u64,
        _ => u64::from_be_bytes(data[8 * i..8 * i + 8].try_into().expect("8")),
    }
}

/// Sets entry `i` (see [`get_entry`]); `v` must fit the width.
pub fn set_entry(data: &mut [u8], i: usize, order: u32, v: u64) {
    match order {
        0..=2 => {
            let bits = 1usize << order;
            let per_byte = 8 / bits;
            let shift = (i % per_byte) * bits;
            let mask = (((1u16 << bits) - 1) as u8) << shift;
            let b = &mut data[i / per_byte];
            *b = (*b & !mask) | (((v as u8) << shift) & mask);
        }
        3 => data[i] = v as u8,
        4 => data[2 * i..2 * i + 2].copy_from_slice(&(v as u16).to_be_bytes()),
        5 => data[4 * i..4 * i + 4].copy_from_slice(&(v as u32).to_be_bytes()),
        _ => data[8 * i..8 * i + 8].copy_from_slice(&v.to_be_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_of_every_width() {
        for order in 0..=6u32 {
            let bits = 1u32 << order;
            let max = if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
            let mut d = vec![0u8; 512];
            let n = 512 * 8 / bits as usize;
            for i in 0..n {
                set_entry(&mut d, i, order, (i as u64 * 2654435761) & max);
            }
            for i in 0..n {
                assert_eq!(
                    get_entry(&d, i, order),
                    (i as u64 * 2654435761) & max,
                    "order {order}"
                );
            }
        }
        let mut d = [0u8; 1];
        set_entry(&mut d, 1, 0, 1);
        assert_eq!(d[0], 0b10, "1-bit entries are packed from the low bit");
    }
}
