//! The list of guest mappings (kept behind the address space's mutex).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::types::{Mapping, Prot};

/// One guest mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: Prot,
    pub shared: bool,
    /// File offset of `start`, `None` for anonymous memory.
    pub offset: Option<u64>,
    pub dev: u64,
    pub inode: u64,
    /// Size of the file when it was mapped (`u64::MAX` if not a regular file).
    pub file_size: u64,
    pub name: Option<Arc<str>>,
}

impl Vma {
    /// State bits for the page at `addr` of this mapping: pages wholly past
    /// the end of the file raise SIGBUS.
    pub fn page_bits(&self, addr: u64, bits: u8) -> u8 {
        match self.offset {
            Some(off) => {
                let file_off = off + (addr - self.start);
                let eof = self.file_size.saturating_add(crate::host::PAGE_SIZE - 1)
                    & !(crate::host::PAGE_SIZE - 1);
                if file_off >= eof {
                    bits | crate::table::PAST_EOF
                } else {
                    bits
                }
            }
            None => bits,
        }
    }
}

impl Vma {
    /// Part of `self` restricted to `[start, end)` (which must overlap it).
    fn clip(&self, start: u64, end: u64) -> Vma {
        let s = self.start.max(start);
        let e = self.end.min(end);
        Vma {
            start: s,
            end: e,
            offset: self.offset.map(|o| o + (s - self.start)),
            ..self.clone()
        }
    }
}

/// Non-overlapping mappings keyed by start address.
#[derive(Default)]
pub struct VmaList {
    map: BTreeMap<u64, Vma>,
}

impl VmaList {
    fn overlapping(&self, start: u64, end: u64) -> Vec<u64> {
        self.map
            .range(..end)
            .rev()
            .take_while(|(_, v)| v.end > start)
            .map(|(&k, _)| k)
            .collect()
    }

    /// Removes `[start, end)` from the list, splitting mappings at the edges;
    /// returns the removed pieces.
    pub fn carve(&mut self, start: u64, end: u64) -> Vec<Vma> {
        let mut removed = Vec::new();
        for k in self.overlapping(start, end) {
            let Some(v) = self.map.remove(&k) else {
                continue;
            };
            if v.start < start {
                let left = v.clip(v.start, start);
                self.map.insert(left.start, left);
            }
            if v.end > end {
                let right = v.clip(end, v.end);
                self.map.insert(right.start, right);
            }
            removed.push(v.clip(start, end));
        }
        removed.reverse();
        removed
    }

    /// Adds a mapping (the range must be free), merging it with compatible
    /// neighbours as Linux does, so that later `mremap` sees one mapping.
    pub fn insert(&mut self, mut v: Vma) {
        let prev = self
            .map
            .range(..v.start)
            .next_back()
            .map(|(&k, p)| (k, p.clone()));
        if let Some((k, p)) = prev
            && p.end == v.start
            && Self::mergeable(&p, &v)
        {
            self.map.remove(&k);
            v.start = p.start;
            v.offset = p.offset;
        }
        if let Some(n) = self.map.get(&v.end).cloned()
            && Self::mergeable(&v, &n)
        {
            self.map.remove(&n.start);
            v.end = n.end;
        }
        self.map.insert(v.start, v);
    }

    /// Whether `b` (starting where `a` ends) can be merged into `a`.
    fn mergeable(a: &Vma, b: &Vma) -> bool {
        let offsets_follow = match (a.offset, b.offset) {
            (None, None) => true,
            (Some(x), Some(y)) => x + (a.end - a.start) == y,
            _ => false,
        };
        offsets_follow
            && a.prot == b.prot
            && a.shared == b.shared
            && a.dev == b.dev
            && a.inode == b.inode
            && a.name == b.name
    }

    /// Whether nothing is mapped in `[start, end)`.
    pub fn is_free(&self, start: u64, end: u64) -> bool {
        self.overlapping(start, end).is_empty()
    }

    /// Whether `[start, end)` is entirely mapped.
    pub fn is_covered(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        for (_, v) in self.map.range(..end) {
            if v.end <= at {
                continue;
            }
            if v.start > at {
                return false;
            }
            at = v.end;
            if at >= end {
                return true;
            }
        }
        at >= end
    }

    /// The mapping containing `addr`.
    pub fn find(&self, addr: u64) -> Option<&Vma> {
        self.map
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| v.end > addr)
    }

    /// Highest free `len`-byte range inside `[low, high)`.
    pub fn find_free_top_down(&self, len: u64, low: u64, high: u64) -> Option<u64> {
        let mut hi = high;
        for v in self.map.values().rev() {
            if v.start >= hi {
                continue;
            }
            let gap_lo = v.end.max(low);
            if v.end < hi && gap_lo < hi && hi - gap_lo >= len {
                return Some(hi - len);
            }
            hi = hi.min(v.start);
            if hi < low.saturating_add(len) {
                return None;
            }
        }
        (hi >= low.saturating_add(len)).then(|| hi - len)
    }

    /// Sets the name of the mapping that starts at `start`.
    pub fn set_name(&mut self, start: u64, name: &str) {
        if let Some(v) = self.map.get_mut(&start) {
            v.name = Some(Arc::from(name));
        }
    }

    /// All mappings, adjacent anonymous ones with equal attributes merged.
    pub fn mappings(&self) -> Vec<Mapping> {
        let mut out: Vec<Mapping> = Vec::new();
        for v in self.map.values() {
            if let Some(last) = out.last_mut()
                && v.offset.is_none()
                && last.end == v.start
                && last.inode == 0
                && last.prot == v.prot
                && last.shared == v.shared
                && last.name.as_deref() == v.name.as_deref()
            {
                last.end = v.end;
                continue;
            }
            out.push(Mapping {
                start: v.start,
                end: v.end,
                prot: v.prot,
                shared: v.shared,
                offset: v.offset.unwrap_or(0),
                dev: v.dev,
                inode: v.inode,
                name: v.name.as_deref().map(str::to_owned),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anon(start: u64, end: u64) -> Vma {
        Vma {
            start,
            end,
            prot: Prot::RW,
            shared: false,
            offset: None,
            dev: 0,
            inode: 0,
            file_size: u64::MAX,
            name: None,
        }
    }

    #[test]
    fn carve_splits_edges() {
        let mut l = VmaList::default();
        l.insert(anon(0x1000, 0x5000));
        let r = l.carve(0x2000, 0x3000);
        assert_eq!(r, vec![anon(0x2000, 0x3000)]);
        assert!(l.is_free(0x2000, 0x3000));
        assert!(l.is_covered(0x1000, 0x2000));
        assert!(l.is_covered(0x3000, 0x5000));
        assert!(!l.is_covered(0x1000, 0x5000));
    }

    #[test]
    fn top_down_search() {
        let mut l = VmaList::default();
        l.insert(anon(0x8000, 0x10000));
        assert_eq!(l.find_free_top_down(0x1000, 0x1000, 0x10000), Some(0x7000));
        assert_eq!(l.find_free_top_down(0x1000, 0x1000, 0x12000), Some(0x11000));
        assert_eq!(l.find_free_top_down(0x8000, 0x1000, 0x10000), None);
        assert_eq!(l.find_free_top_down(0x7000, 0x1000, 0x10000), Some(0x1000));
    }
}
