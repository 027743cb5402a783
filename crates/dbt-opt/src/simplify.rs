//! Constant folding, algebraic identities and copy propagation in one forward pass.

use oxemu_dbt_ir::desc::{Effects, GuestDesc};
use oxemu_dbt_ir::{BinOp, Block, Exit, Inst, Op, Ty, Value, eval};

struct Rewriter<'a, S: 'static> {
    desc: &'a GuestDesc<S>,
    out: Vec<Inst>,
    /// Old value → new value.
    map: Vec<Value>,
    /// Known current value of each global.
    globals: Vec<Option<Value>>,
}

impl<S> Rewriter<'_, S> {
    fn push(&mut self, inst: Inst) -> Value {
        self.out.push(inst);
        Value(self.out.len() as u32 - 1)
    }

    fn konst(&self, v: Value) -> Option<u64> {
        match self.out[v.index()].op {
            Op::Const(c) => Some(c),
            _ => None,
        }
    }

    fn iconst(&mut self, ty: Ty, c: u64) -> Value {
        self.push(Inst {
            ty,
            op: Op::Const(ty.canon(c)),
        })
    }

    fn forget_globals(&mut self, effects: Effects) {
        for (i, g) in self.globals.iter_mut().enumerate() {
            let visible = self.desc.globals[i].helper_visible;
            if effects == Effects::AllGlobals || visible {
                *g = None;
            }
        }
    }

    /// Folds a binary op whose result is an operand or a constant.
    fn fold_binary(&mut self, ty: Ty, op: BinOp, a: Value, b: Value) -> Option<Value> {
        let (ca, cb) = (self.konst(a), self.konst(b));
        if let (Some(x), Some(y)) = (ca, cb) {
            return Some(self.iconst(ty, eval::binary(op, ty, x, y)));
        }
        let zero = |c: Option<u64>| c.map(|c| ty.canon(c)) == Some(0);
        let ones = |c: Option<u64>| c.map(|c| ty.canon(c)) == Some(ty.canon(u64::MAX));
        use BinOp::*;
        match op {
            Add | Or | Xor if zero(cb) => Some(a),
            Add | Or | Xor if zero(ca) => Some(b),
            Sub | Shl | Shr | Sar | Rotl | Rotr | AndNot if zero(cb) => Some(a),
            And if ones(cb) => Some(a),
            And if ones(ca) => Some(b),
            Mul if cb.map(|c| ty.canon(c)) == Some(1) => Some(a),
            Mul if ca.map(|c| ty.canon(c)) == Some(1) => Some(b),
            And | Mul if zero(ca) || zero(cb) => Some(self.iconst(ty, 0)),
            Sub | Xor if a == b => Some(self.iconst(ty, 0)),
            And | Or if a == b => Some(a),
            _ => None,
        }
    }

    fn rewrite(&mut self, inst: Inst) -> Option<Value> {
        let ty = inst.ty;
        match inst.op {
            Op::Get(g) => {
                if let Some(v) = self.globals[g.0 as usize] {
                    return Some(v);
                }
                let v = self.push(inst);
                self.globals[g.0 as usize] = Some(v);
                Some(v)
            }
            Op::Set(g, v) => {
                if self.globals[g.0 as usize] != Some(v) {
                    self.push(inst);
                    self.globals[g.0 as usize] = Some(v);
                }
                None
            }
            Op::Unary(op, a) => match self.konst(a) {
                Some(c) => Some(self.iconst(ty, eval::unary(op, ty, c))),
                None => Some(self.push(inst)),
            },
            Op::Binary(op, a, b) => match self.fold_binary(ty, op, a, b) {
                Some(v) => Some(v),
                None => Some(self.push(inst)),
            },
            Op::SetCond(c, a, b) => match (self.konst(a), self.konst(b)) {
                (Some(x), Some(y)) => {
                    let r = eval::cond(c, self.out[a.index()].ty, x, y);
                    Some(self.iconst(ty, r as u64))
                }
                _ => Some(self.push(inst)),
            },
            Op::Select(c, a, b, t, f) => match (self.konst(a), self.konst(b)) {
                (Some(x), Some(y)) => Some(if eval::cond(c, self.out[a.index()].ty, x, y) {
                    t
                } else {
                    f
                }),
                _ if t == f => Some(t),
                _ => Some(self.push(inst)),
            },
            Op::Call { helper, .. } => {
                let effects = self.desc.helpers[helper.0 as usize].effects;
                let v = self.push(inst);
                self.forget_globals(effects);
                Some(v)
            }
            _ => {
                let v = self.push(inst);
                inst.op.defines_value().then_some(v)
            }
        }
    }
}

/// Folds constants, applies identities and propagates copies. Conditional exits whose
/// condition is constant are dropped or become the block's exit.
pub fn simplify<S>(block: &Block, desc: &GuestDesc<S>) -> Block {
    let mut rw = Rewriter {
        desc,
        out: Vec::with_capacity(block.insts.len()),
        map: Vec::with_capacity(block.insts.len()),
        globals: vec![None; desc.globals.len()],
    };
    let mut exit = None;
    for inst in &block.insts {
        let mut inst = *inst;
        let map = &rw.map;
        inst.op.map_uses(|v| map[v.index()]);
        if let Op::ExitIf(c, a, b, e) = inst.op
            && let (Some(x), Some(y)) = (rw.konst(a), rw.konst(b))
        {
            if eval::cond(c, rw.out[a.index()].ty, x, y) {
                exit = Some(e);
                break;
            }
            rw.map.push(Value(u32::MAX));
            continue;
        }
        let v = rw.rewrite(inst).unwrap_or(Value(u32::MAX));
        rw.map.push(v);
    }
    let exit = exit.unwrap_or_else(|| match block.exit {
        Exit::Dynamic(v) => match rw.konst(rw.map[v.index()]) {
            Some(pc) => Exit::Chain(pc),
            None => Exit::Dynamic(rw.map[v.index()]),
        },
        e => e,
    });
    Block {
        pc: block.pc,
        guest_len: block.guest_len,
        guest_insns: block.guest_insns,
        insts: rw.out,
        exit,
    }
}
