//! A bounded cache of L2 tables, write-through: entries are written to the file as
//! they change, so eviction never writes and a crash loses nothing that was written.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;

use super::io::read_be64_table;
use crate::Result;

struct Table {
    entries: Vec<u64>,
    used: u64,
}

/// L2 tables by host offset.
pub struct L2Cache {
    tables: HashMap<u64, Table>,
    entries_per_table: usize,
    capacity: usize,
    clock: u64,
}

impl L2Cache {
    /// A cache of tables of `1 << cluster_bits` bytes holding about `bytes` in total.
    pub fn new(cluster_bits: u32, bytes: usize) -> L2Cache {
        L2Cache {
            tables: HashMap::new(),
            entries_per_table: (1usize << cluster_bits) / 8,
            capacity: (bytes >> cluster_bits).max(4),
            clock: 0,
        }
    }

    /// The table at `offset`, loaded if needed.
    pub fn get(&mut self, file: &File, offset: u64, name: &str) -> Result<&mut [u64]> {
        self.clock += 1;
        let clock = self.clock;
        if !self.tables.contains_key(&offset) {
            if self.tables.len() >= self.capacity
                && let Some((&victim, _)) = self.tables.iter().min_by_key(|(_, t)| t.used)
            {
                self.tables.remove(&victim);
            }
            let entries = read_be64_table(file, offset, self.entries_per_table, name, "L2 table")?;
            self.tables.insert(
                offset,
                Table {
                    entries,
                    used: clock,
                },
            );
        }
        let t = self.tables.get_mut(&offset).expect("just inserted");
        t.used = clock;
        Ok(&mut t.entries)
    }

    /// Installs a table just written to the file at `offset`.
    pub fn insert(&mut self, offset: u64, entries: Vec<u64>) {
        self.clock += 1;
        if self.tables.len() >= self.capacity
            && let Some((&victim, _)) = self.tables.iter().min_by_key(|(_, t)| t.used)
        {
            self.tables.remove(&victim);
        }
        self.tables.insert(
            offset,
            Table {
                entries,
                used: self.clock,
            },
        );
    }

    /// Sets entries `first..first+values.len()` of the table at `offset`, in the cache
    /// and in the file.
    pub fn set(
        &mut self,
        file: &File,
        offset: u64,
        first: usize,
        values: &[u64],
        name: &str,
    ) -> Result<()> {
        let t = self.get(file, offset, name)?;
        t[first..first + values.len()].copy_from_slice(values);
        let bytes = super::io::be64_bytes(values);
        file.write_all_at(&bytes, offset + first as u64 * 8)?;
        Ok(())
    }

    /// Forgets every table (after tables were rewritten elsewhere).
    pub fn clear(&mut self) {
        self.tables.clear();
    }
}
