//! FP helpers' common case on the host FPU (see [`FpFast`]).
//!
//! With round-to-nearest-even, finite operands and a result of safe normal
//! magnitude, the host result is the guest result and the only flag to accrue is
//! *inexact*, which an error-free transformation decides exactly: the rounding
//! error of a sum (TwoSum), of a product (`fma(x, y, -r)`), the remainder of a
//! quotient (`fma(r, y, -x)`) or of a square root (`fma(r, r, -x)`) is
//! representable, and zero exactly when the result is. The magnitude bounds keep
//! those errors away from underflow and the intermediates away from overflow.
//! Everything else (other rounding modes, NaNs, infinities, tiny or huge values,
//! improperly boxed singles) calls the helper.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Type, Value as ClValue, types};
use oxemu_dbt_ir::desc::{FpFast, FpOp};
use oxemu_dbt_ir::{Block, Op, Value};

use super::{Lowering, state_flags};

/// Magnitude bounds of the fast path: (lowest result and divisor/radicand operand,
/// highest operand or result), as powers of two.
fn bounds(double: bool) -> (i32, i32) {
    if double { (-916, 1000) } else { (-100, 120) }
}

impl<S: 'static> Lowering<'_, '_, S> {
    /// Lowers a call of an FP helper with a fast path, or None when its form does
    /// not allow one (the caller then emits a plain call).
    pub(super) fn fp_call(
        &mut self,
        block: &Block,
        helper: usize,
        f: FpFast,
        args: &[Value],
    ) -> Option<ClValue> {
        let nops = if f.op == FpOp::Sqrt { 1 } else { 2 };
        if args.len() != nops + 1 || (!self.fma && !matches!(f.op, FpOp::Add | FpOp::Sub)) {
            return None;
        }
        let Op::Const(rm) = block.insts[args[nops].index()].op else {
            return None;
        };
        let dynamic = match rm {
            r if r == f.rm_nearest => false,
            r if r == f.rm_dynamic => true,
            _ => return None,
        };
        let (fast, commit, set_flag, slow, done) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.set_cold_block(slow);
        self.b.append_block_param(done, types::I64);
        if dynamic {
            let frm = self.b.ins().load(
                types::I64,
                state_flags(),
                self.state,
                8 * i32::from(f.frm.0),
            );
            let want = self.b.ins().iconst(types::I64, f.rm_nearest as i64);
            let nearest = self.b.ins().icmp(IntCC::Equal, frm, want);
            self.b.ins().brif(nearest, fast, &[], slow, &[]);
        } else {
            self.b.ins().jump(fast, &[]);
        }

        self.b.switch_to_block(fast);
        let ft = if f.double { types::F64 } else { types::F32 };
        let (low, high) = bounds(f.double);
        let mut ok = self.b.ins().iconst(types::I8, 1);
        let mut xs = Vec::new();
        for (i, a) in args[..nops].iter().enumerate() {
            let bits = self.vals[a.index()];
            let x = if f.double {
                self.b.ins().bitcast(types::F64, MemFlagsData::new(), bits)
            } else {
                let k32 = self.b.ins().iconst(types::I64, 32);
                let hi = self.b.ins().ushr(bits, k32);
                let ones = self.b.ins().iconst(types::I64, 0xffff_ffff);
                let boxed = self.b.ins().icmp(IntCC::Equal, hi, ones);
                ok = self.b.ins().band(ok, boxed);
                let lo = self.b.ins().ireduce(types::I32, bits);
                self.b.ins().bitcast(types::F32, MemFlagsData::new(), lo)
            };
            let below = self.magnitude(x, ft, FloatCC::LessThan, high);
            ok = self.b.ins().band(ok, below);
            if i == 0 && matches!(f.op, FpOp::Div | FpOp::Sqrt) {
                let above = self.magnitude(x, ft, FloatCC::GreaterThan, low);
                ok = self.b.ins().band(ok, above);
            }
            xs.push(x);
        }
        let (r, err) = self.op_and_error(f.op, &xs);
        for (cc, bound) in [(FloatCC::GreaterThan, low), (FloatCC::LessThan, high)] {
            let inside = self.magnitude(r, ft, cc, bound);
            ok = self.b.ins().band(ok, inside);
        }
        let zero = self.fconst(ft, 0.0);
        let inexact = self.b.ins().fcmp(FloatCC::NotEqual, err, zero);
        let bits = if f.double {
            self.b.ins().bitcast(types::I64, MemFlagsData::new(), r)
        } else {
            let b32 = self.b.ins().bitcast(types::I32, MemFlagsData::new(), r);
            let wide = self.b.ins().uextend(types::I64, b32);
            let boxing = self
                .b
                .ins()
                .iconst(types::I64, 0xffff_ffff_0000_0000u64 as i64);
            self.b.ins().bor(wide, boxing)
        };
        self.b.ins().brif(ok, commit, &[], slow, &[]);

        // Accrue inexact unless already set (a store per op would chain the ops
        // through memory).
        self.b.switch_to_block(commit);
        let off = 8 * i32::from(f.flags.0);
        let flags = self
            .b
            .ins()
            .load(types::I64, state_flags(), self.state, off);
        let nx = self.b.ins().iconst(types::I64, f.inexact as i64);
        let has = self.b.ins().band(flags, nx);
        let none = self.b.ins().iconst(types::I64, 0);
        let unset = self.b.ins().icmp(IntCC::Equal, has, none);
        let need = self.b.ins().band(unset, inexact);
        let done_args = [bits.into()];
        self.b.ins().brif(need, set_flag, &[], done, &done_args);
        self.b.switch_to_block(set_flag);
        let with = self.b.ins().bor(flags, nx);
        self.b.ins().store(state_flags(), with, self.state, off);
        self.b.ins().jump(done, &done_args);

        self.b.switch_to_block(slow);
        let r = self.plain_call(helper, args);
        self.b.ins().jump(done, &[r.into()]);
        self.b.switch_to_block(done);
        Some(self.b.block_params(done)[0])
    }

    /// `|x| cc 2^exp`.
    fn magnitude(&mut self, x: ClValue, ft: Type, cc: FloatCC, exp: i32) -> ClValue {
        let a = self.b.ins().fabs(x);
        let bound = self.fconst(ft, 2f64.powi(exp));
        self.b.ins().fcmp(cc, a, bound)
    }

    fn fconst(&mut self, ft: Type, v: f64) -> ClValue {
        if ft == types::F64 {
            self.b.ins().f64const(v)
        } else {
            self.b.ins().f32const(v as f32)
        }
    }

    /// The rounded result and an error term that is zero iff it is exact.
    fn op_and_error(&mut self, op: FpOp, xs: &[ClValue]) -> (ClValue, ClValue) {
        match op {
            FpOp::Add | FpOp::Sub => {
                let (a, b) = (xs[0], xs[1]);
                let b = if op == FpOp::Sub {
                    self.b.ins().fneg(b)
                } else {
                    b
                };
                let s = self.b.ins().fadd(a, b);
                let bb = self.b.ins().fsub(s, a);
                let s_bb = self.b.ins().fsub(s, bb);
                let ea = self.b.ins().fsub(a, s_bb);
                let eb = self.b.ins().fsub(b, bb);
                (s, self.b.ins().fadd(ea, eb))
            }
            FpOp::Mul => {
                let r = self.b.ins().fmul(xs[0], xs[1]);
                let neg = self.b.ins().fneg(r);
                (r, self.b.ins().fma(xs[0], xs[1], neg))
            }
            FpOp::Div => {
                let r = self.b.ins().fdiv(xs[0], xs[1]);
                let neg = self.b.ins().fneg(xs[0]);
                (r, self.b.ins().fma(r, xs[1], neg))
            }
            FpOp::Sqrt => {
                let r = self.b.ins().sqrt(xs[0]);
                let neg = self.b.ins().fneg(xs[0]);
                (r, self.b.ins().fma(r, r, neg))
            }
        }
    }
}
