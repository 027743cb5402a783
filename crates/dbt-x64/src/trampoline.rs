//! The entry and exit path shared by all translated code.

use dynasm::dynasm;
use dynasmrt::{DynasmApi, DynasmLabelApi};

use crate::FRAME_SLOTS;
use crate::ctx::{ExecCtx, ctx_off, exit_code};
use crate::operand::Asm;

/// Bytes of the trampoline frame: the temporaries, padded so that `rsp` is 16-byte
/// aligned inside translated code (six pushes and the return address precede it).
pub(crate) const FRAME_BYTES: i32 = (FRAME_SLOTS * 8 + 8) as i32;

/// Machine code of the trampoline and the offsets of its entry points.
#[derive(Debug)]
pub struct Trampoline {
    /// The code, to be placed at the base address it was built for.
    pub code: Vec<u8>,
    /// `extern "C" fn(state: *mut S, guest_base: usize, code: usize) -> u64`.
    pub enter: usize,
    /// Where translated code jumps with the exit code in `rax`.
    pub epilogue: usize,
    /// Where the fault handler resumes a faulting thread (with `rsp` reset to
    /// `ExecCtx::host_sp`).
    pub fault: usize,
    /// Where the fault handler resumes a thread that faulted in tier-1 code (with
    /// `rsp` reset to `ExecCtx::host_sp`): returns [`exit_code::REPLAY`].
    pub replay: usize,
    /// `extern "C" fn(state: *mut S, guest_base: usize, func: usize) -> u64`: like
    /// `enter`, but *calls* `func(state, guest_base)`, a function following the
    /// System V ABI (tier-1 code) that returns an exit code; faults inside it unwind
    /// to the same frame as faults in tier-0 code.
    pub enter_call: usize,
    /// Returns a jump-cache miss; empty jump-cache entries point here, so an entry
    /// whose pc happens to match the empty marker still behaves as a miss.
    pub lookup_miss: usize,
}

/// Builds the trampoline for placement at host address `base`.
pub fn build_trampoline(base: usize) -> Trampoline {
    let mut a = Asm::new(base);
    let host_sp = ctx_off(std::mem::offset_of!(ExecCtx, host_sp));
    let enter = a.offset().0;
    dynasm!(a
        ; .arch x64
        ; push rbx
        ; push rbp
        ; push r12
        ; push r13
        ; push r14
        ; push r15
        ; sub rsp, FRAME_BYTES
        ; mov r15, rdi
        ; mov r14, rsi
        ; mov QWORD [r15 + host_sp], rsp
        ; jmp rdx
    );
    let epilogue = a.offset().0;
    dynasm!(a
        ; .arch x64
        ; ->epi:
        ; add rsp, FRAME_BYTES
        ; pop r15
        ; pop r14
        ; pop r13
        ; pop r12
        ; pop rbp
        ; pop rbx
        ; ret
    );
    let fault = a.offset().0;
    dynasm!(a
        ; .arch x64
        ; mov eax, exit_code::FAULT as i32
        ; jmp ->epi
    );
    let replay = a.offset().0;
    dynasm!(a
        ; .arch x64
        ; mov eax, exit_code::REPLAY as i32
        ; jmp ->epi
    );
    let enter_call = a.offset().0;
    dynasm!(a
        ; .arch x64
        ; push rbx
        ; push rbp
        ; push r12
        ; push r13
        ; push r14
        ; push r15
        ; sub rsp, FRAME_BYTES
        ; mov r15, rdi
        ; mov r14, rsi
        ; mov QWORD [r15 + host_sp], rsp
        ; call rdx
        ; jmp ->epi
    );
    let lookup_miss = a.offset().0;
    dynasm!(a
        ; .arch x64
        ; mov eax, exit_code::LOOKUP as i32
        ; jmp ->epi
    );
    let code = a
        .finalize()
        .expect("the trampoline has no unresolved labels");
    Trampoline {
        code,
        enter,
        epilogue,
        fault,
        replay,
        enter_call,
        lookup_miss,
    }
}
