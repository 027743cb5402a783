//! qemu-img's progress display: "    (42.00/100%)" rewritten in place.

use std::io::Write;

/// Progress of a long operation over `total` bytes.
pub struct Progress {
    on: bool,
    total: u64,
    shown: f64,
}

impl Progress {
    /// A display that prints only when `on`.
    pub fn new(on: bool, total: u64) -> Progress {
        let p = Progress {
            on,
            total,
            shown: -1.0,
        };
        p.print(0.0);
        p
    }

    fn print(&self, pct: f64) {
        if self.on {
            print!("    ({pct:.2}/100%)\r");
            let _ = std::io::stdout().flush();
        }
    }

    /// Reports `done` bytes; prints when at least 1% more is done.
    pub fn update(&mut self, done: u64) {
        let pct = if self.total == 0 {
            100.0
        } else {
            done as f64 * 100.0 / self.total as f64
        };
        if pct - self.shown >= 1.0 || (pct >= 100.0 && self.shown < 100.0) {
            self.shown = pct;
            self.print(pct);
        }
    }

    /// Ends the display line.
    pub fn finish(&mut self) {
        self.update(self.total);
        if self.on {
            println!();
        }
    }
}
