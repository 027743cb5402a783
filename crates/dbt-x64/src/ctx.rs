//! The execution context shared by translated code and the runtime.

/// Lives immediately below the guest state in memory: translated code reaches it at
/// negative offsets from `r15`.
#[repr(C)]
#[derive(Debug)]
pub struct ExecCtx {
    /// Non-zero asks translated code to return to the runtime at the next block entry
    /// (signals, invalidation, other threads).
    pub exit_request: u32,
    /// Padding.
    pub _pad: u32,
    /// Guest pc at which execution continues after an exit.
    pub next_pc: u64,
    /// Host stack pointer inside the trampoline frame (used to unwind after a fault).
    pub host_sp: u64,
    /// Address of the indirect-jump cache ([`JMP_CACHE_SIZE`] entries).
    pub jmp_cache: u64,
    /// Guest addresses at or above this limit are redirected to it (a guard area).
    pub mem_limit: u64,
    /// Guest address of the last faulting access (filled by the fault handler).
    pub fault_addr: u64,
    /// Tier-1 checkpoint: the guest pc at which the guest state in memory was last
    /// made exact by tier-1 code (tier 0 finds a fault's pc from the host pc).
    pub cur_pc: u64,
}

/// One entry of the indirect-jump cache: guest pc → host code.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct JmpCacheEntry {
    /// Guest pc (`u64::MAX` when empty).
    pub pc: u64,
    /// Host address of the block's code.
    pub code: u64,
}

/// Tier-1 profile of one loop header, shared by the backward branches to it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct HotRecord {
    /// Iterations left before the loop is reported hot.
    pub counter: i32,
    /// Padding.
    pub _pad: u32,
    /// Address of the published tier-1 function for the loop (0 if none): an
    /// `extern "C" fn(state, guest_base) -> exit code`.
    pub region: u64,
}

/// Number of entries of the indirect-jump cache (a power of two).
pub const JMP_CACHE_SIZE: usize = 4096;

/// Offset of a context field relative to the guest state pointer.
pub(crate) fn ctx_off(field: usize) -> i32 {
    field as i32 - std::mem::size_of::<ExecCtx>() as i32
}

/// What the value returned by translated code means. The low byte is the kind.
pub mod exit_code {
    /// A direct exit not chained yet: bits 8..16 = exit index, bits 16.. = block id.
    pub const CHAIN: u64 = 1;
    /// An indirect jump missed the jump cache; `next_pc` holds the target.
    pub const LOOKUP: u64 = 2;
    /// A trap: bits 8..16 = the `TrapKind` number; `next_pc` = the trapping pc.
    pub const TRAP: u64 = 3;
    /// A guest memory fault; `next_pc` and `fault_addr` say where.
    pub const FAULT: u64 = 4;
    /// The runtime asked for an exit; `next_pc` is where to resume.
    pub const REQUEST: u64 = 5;
    /// A loop header became hot; `next_pc` is its pc.
    pub const HOT: u64 = 6;
    /// A guest memory access faulted in tier-1 code: the state is exact at the
    /// checkpoint `next_pc`, and `fault_addr` holds the region's host address. The
    /// runtime re-runs from the checkpoint in tier 0 (nothing between the checkpoint
    /// and the fault changed memory), which reaches the fault precisely.
    pub const REPLAY: u64 = 7;
}
