//! What a frontend tells the rest of the translator about its guest state and helpers.

/// Functions called from translated code. They get the guest state (for helpers that
/// read or write helper-visible globals) and up to four 64-bit arguments.
pub type HelperFn<S> = extern "C" fn(&mut S, u64, u64, u64, u64) -> u64;

/// A guest-state global.
#[derive(Clone, Copy, Debug)]
pub struct GlobalDesc {
    /// Name used by the text form.
    pub name: &'static str,
    /// Helpers may read or write this global directly in the guest state, so backends
    /// never keep it in a host register.
    pub helper_visible: bool,
}

/// How a helper interacts with the guest state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effects {
    /// Result depends only on the arguments; no state access. Removable when unused.
    Pure,
    /// Reads or writes only helper-visible globals.
    HelperGlobals,
    /// May read or write any global: backends store every global to the state before
    /// the call and reload them after it.
    AllGlobals,
}

/// An IEEE 754 operation a helper implements, for backends that compute the common
/// case on the host FPU and call the helper for the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpOp {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
    /// `sqrt(a)`
    Sqrt,
}

/// What a backend needs to know to run an FP helper's common case inline: with
/// round-to-nearest-even and a finite result of safe normal magnitude (and
/// operands that are neither NaN nor infinite), the result is the host's and the
/// only exception flag is *inexact*. The arguments are the operands' register bits
/// (one for square roots) followed by the instruction's rounding-mode field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FpFast {
    /// The operation.
    pub op: FpOp,
    /// binary64 (else binary32, NaN-boxed in 64-bit registers: upper half all ones).
    pub double: bool,
    /// The helper-visible global of accrued exception flags.
    pub flags: crate::Global,
    /// Its *inexact* bit.
    pub inexact: u64,
    /// The helper-visible global holding the dynamic rounding mode.
    pub frm: crate::Global,
    /// Rounding-mode field value meaning round to nearest, ties to even (also the
    /// value of `frm` meaning it).
    pub rm_nearest: u64,
    /// Rounding-mode field value meaning "the dynamic mode in `frm`".
    pub rm_dynamic: u64,
}

/// A helper function.
pub struct HelperDesc<S> {
    /// Name used by the text form.
    pub name: &'static str,
    /// The function.
    pub func: HelperFn<S>,
    /// Number of arguments it takes.
    pub nargs: u8,
    /// What it touches.
    pub effects: Effects,
    /// Set for IEEE arithmetic a backend may compute inline in the common case.
    pub fp: Option<FpFast>,
}

/// A frontend's description of its guest state and helpers.
pub struct GuestDesc<S: 'static> {
    /// Globals, indexed by `Global`.
    pub globals: &'static [GlobalDesc],
    /// Helpers, indexed by `HelperId`.
    pub helpers: &'static [HelperDesc<S>],
}

/// Access to a guest state's register file of 64-bit globals.
pub trait GuestState {
    /// The register file, indexed by `Global`.
    fn globals(&self) -> &[u64];
    /// The register file, mutably.
    fn globals_mut(&mut self) -> &mut [u64];
}
