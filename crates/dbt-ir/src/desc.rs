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
