//! Errors of program loading.

use std::io;

/// Why a program could not be loaded. `Display` gives `<file>: <problem>`;
/// the front end prefixes its own name (`oxemu-riscv64: `).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File concerned.
        path: String,
        /// Host error.
        source: io::Error,
    },
    /// The file is not a loadable riscv64 ELF (truncated, corrupt, wrong machine…).
    #[error("{path}: {problem}")]
    BadElf {
        /// File concerned.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// Guest memory could not be set up (address clash, out of memory…).
    #[error("{path}: {problem}")]
    Memory {
        /// File concerned.
        path: String,
        /// What failed.
        problem: String,
    },
    /// The arguments and environment do not fit on the stack.
    #[error("{path}: argument list too long")]
    TooBig {
        /// File concerned.
        path: String,
    },
}
