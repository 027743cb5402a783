//! Lock-free log of guest pages whose translations must be dropped.
//!
//! Written from the host SIGSEGV handler, so pushing only uses atomics: a
//! fixed set of slots claimed with compare-and-swap. When every slot is
//! taken the log records an overflow, which means "drop everything".

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

const SLOTS: usize = 512;

/// Pages waiting to be invalidated.
pub struct CodeLog {
    slots: [AtomicU64; SLOTS],
    overflow: AtomicBool,
}

impl CodeLog {
    /// An empty log.
    pub fn new() -> CodeLog {
        CodeLog {
            slots: [const { AtomicU64::new(0) }; SLOTS],
            overflow: AtomicBool::new(false),
        }
    }

    /// Records `page` (a page number). Async-signal-safe.
    pub fn push(&self, page: u64) {
        let start = (page.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 55) as usize % SLOTS;
        for i in 0..SLOTS {
            let slot = &self.slots[(start + i) % SLOTS];
            if slot
                .compare_exchange(0, page + 1, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
        self.overflow.store(true, Ordering::Release);
    }

    /// Moves every logged page into `pages`; returns whether the log overflowed.
    pub fn drain(&self, pages: &mut Vec<u64>) -> bool {
        for slot in &self.slots {
            if slot.load(Ordering::Relaxed) != 0 {
                let v = slot.swap(0, Ordering::AcqRel);
                if v != 0 {
                    pages.push(v - 1);
                }
            }
        }
        self.overflow.swap(false, Ordering::AcqRel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_drain_and_overflow() {
        let log = CodeLog::new();
        log.push(0);
        log.push(7);
        let mut v = Vec::new();
        assert!(!log.drain(&mut v));
        v.sort();
        assert_eq!(v, vec![0, 7]);
        for p in 0..(SLOTS as u64 + 3) {
            log.push(p);
        }
        v.clear();
        assert!(log.drain(&mut v));
        assert_eq!(v.len(), SLOTS);
    }
}
