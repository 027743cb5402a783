//! Signal dispositions, mask and alternate stack as the guest set them.
//! Delivery is done elsewhere; system calls only record.

/// Number of signals (1..=64).
pub const NSIG: usize = 64;
/// `SIGKILL`.
pub const SIGKILL: u32 = 9;
/// `SIGSTOP`.
pub const SIGSTOP: u32 = 19;

/// One `struct sigaction`, guest values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigAction {
    /// `sa_handler` (0 = `SIG_DFL`, 1 = `SIG_IGN`).
    pub handler: u64,
    /// `sa_flags`.
    pub flags: u64,
    /// `sa_restorer` (only on ABIs that have it).
    pub restorer: u64,
    /// `sa_mask`.
    pub mask: u64,
}

/// A `stack_t` (`sigaltstack`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AltStack {
    /// `ss_sp`.
    pub sp: u64,
    /// `ss_flags` (`SS_DISABLE` = 2).
    pub flags: i32,
    /// `ss_size`.
    pub size: u64,
}

/// Signal state of the process.
#[derive(Clone, Debug)]
pub struct SignalState {
    /// Dispositions, index `sig - 1`.
    pub actions: [SigAction; NSIG],
    /// Blocked signals, bit `sig - 1`.
    pub mask: u64,
    /// Alternate signal stack.
    pub altstack: AltStack,
    /// Signals sent to the process itself and not yet delivered, bit `sig - 1`.
    pub pending: u64,
}

impl Default for SignalState {
    fn default() -> Self {
        SignalState {
            actions: [SigAction::default(); NSIG],
            mask: 0,
            altstack: AltStack {
                flags: 2,
                ..AltStack::default()
            },
            pending: 0,
        }
    }
}

impl SignalState {
    /// Disposition of `sig` (1..=64).
    pub fn action(&self, sig: u32) -> Option<&SigAction> {
        self.actions.get((sig as usize).wrapping_sub(1))
    }

    /// Takes the pending signals that are not blocked.
    pub fn take_deliverable(&mut self) -> u64 {
        let d = self.pending & !self.mask;
        self.pending &= !d;
        d
    }
}

/// What a signal does when its disposition is `SIG_DFL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    /// The process ends.
    Terminate,
    /// The process ends with a core dump.
    Core,
    /// Nothing happens.
    Ignore,
    /// The process stops.
    Stop,
    /// A stopped process continues.
    Continue,
}

/// Linux's default action for `sig` (1..=64).
pub fn default_action(sig: u32) -> DefaultAction {
    match sig {
        3 | 4 | 5 | 6 | 7 | 8 | 11 | 24 | 25 | 31 => DefaultAction::Core,
        17 | 23 | 28 => DefaultAction::Ignore,
        19..=22 => DefaultAction::Stop,
        18 => DefaultAction::Continue,
        _ => DefaultAction::Terminate,
    }
}

/// `SIG_DFL`.
pub const SIG_DFL: u64 = 0;
/// `SIG_IGN`.
pub const SIG_IGN: u64 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_actions() {
        assert_eq!(default_action(15), DefaultAction::Terminate);
        assert_eq!(default_action(6), DefaultAction::Core);
        assert_eq!(default_action(17), DefaultAction::Ignore);
        assert_eq!(default_action(19), DefaultAction::Stop);
        assert_eq!(default_action(40), DefaultAction::Terminate);
    }
}
