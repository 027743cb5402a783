//! Random well-formed blocks, for differential tests and fuzzing of the optimizer and
//! the backends. The generated blocks use globals `0..num_globals`, the helpers of
//! [`test_desc`], and guest addresses `(x & addr_mask) + addr_base` so a test can place
//! most accesses in valid memory and some outside it.

use crate::desc::{Effects, GlobalDesc, GuestDesc, GuestState, HelperDesc};
use crate::{
    AtomicOp, BinOp, Block, Builder, Cond, Exit, Global, HelperId, MemSize, TrapKind, Ty, UnOp,
    Value,
};

/// Number of globals of the test guest.
pub const TEST_GLOBALS: usize = 12;
/// The last global is helper-visible (like an FP flags register).
pub const TEST_FLAGS_GLOBAL: u16 = TEST_GLOBALS as u16 - 1;

/// Guest state of the test guest.
#[repr(C)]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestState {
    /// The register file.
    pub regs: [u64; TEST_GLOBALS],
}

impl GuestState for TestState {
    fn globals(&self) -> &[u64] {
        &self.regs
    }
    fn globals_mut(&mut self) -> &mut [u64] {
        &mut self.regs
    }
}

extern "C" fn mix(_: &mut TestState, a: u64, b: u64, c: u64, _: u64) -> u64 {
    a.rotate_left(7) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ c
}

extern "C" fn accrue(s: &mut TestState, a: u64, b: u64, _: u64, _: u64) -> u64 {
    s.regs[TEST_FLAGS_GLOBAL as usize] |= a & 0x1f;
    a.wrapping_add(b)
}

extern "C" fn everything(s: &mut TestState, a: u64, _: u64, _: u64, _: u64) -> u64 {
    let sum = s.regs.iter().fold(0u64, |x, &r| x.wrapping_add(r));
    s.regs[1] = s.regs[1].wrapping_add(a);
    sum
}

const GLOBAL_NAMES: [&str; TEST_GLOBALS] = [
    "g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10", "flags",
];

static TEST_GLOBAL_DESCS: [GlobalDesc; TEST_GLOBALS] = {
    let mut d = [GlobalDesc {
        name: "",
        helper_visible: false,
    }; TEST_GLOBALS];
    let mut i = 0;
    while i < TEST_GLOBALS {
        d[i].name = GLOBAL_NAMES[i];
        i += 1;
    }
    d[TEST_GLOBALS - 1].helper_visible = true;
    d
};

static TEST_HELPERS: [HelperDesc<TestState>; 3] = [
    HelperDesc {
        name: "mix",
        func: mix,
        nargs: 3,
        effects: Effects::Pure,
        fp: None,
    },
    HelperDesc {
        name: "accrue",
        func: accrue,
        nargs: 2,
        effects: Effects::HelperGlobals,
        fp: None,
    },
    HelperDesc {
        name: "everything",
        func: everything,
        nargs: 1,
        effects: Effects::AllGlobals,
        fp: None,
    },
];

/// The description of the test guest.
pub static TEST_DESC: GuestDesc<TestState> = GuestDesc {
    globals: &TEST_GLOBAL_DESCS,
    helpers: &TEST_HELPERS,
};

/// The description of the test guest (function form).
pub fn test_desc() -> &'static GuestDesc<TestState> {
    &TEST_DESC
}

/// A small deterministic generator (xorshift64*), so tests need no extra crate.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Seeds the generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// An interesting 64-bit constant: edge values or random bits.
    pub fn constant(&mut self) -> u64 {
        const EDGES: [u64; 10] = [
            0,
            1,
            2,
            u64::MAX,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            1 << 63,
            63,
            32,
        ];
        match self.below(3) {
            0 => EDGES[self.below(EDGES.len() as u64) as usize],
            1 => self.below(256),
            _ => self.next_u64(),
        }
    }
}

/// Parameters of [`random_block`].
#[derive(Clone, Copy, Debug)]
pub struct GenParams {
    /// Approximate number of instructions.
    pub len: usize,
    /// Mask applied to generated addresses.
    pub addr_mask: u64,
    /// Added to masked addresses.
    pub addr_base: u64,
}

const BINOPS: [BinOp; 25] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::MulHS,
    BinOp::MulHU,
    BinOp::MulHSU,
    BinOp::DivS,
    BinOp::DivU,
    BinOp::RemS,
    BinOp::RemU,
    BinOp::And,
    BinOp::Or,
    BinOp::Xor,
    BinOp::AndNot,
    BinOp::OrNot,
    BinOp::XorNot,
    BinOp::Shl,
    BinOp::Shr,
    BinOp::Sar,
    BinOp::Rotl,
    BinOp::Rotr,
    BinOp::MinS,
    BinOp::MaxS,
    BinOp::MinU,
    BinOp::MaxU,
];
const UNOPS: [UnOp; 13] = [
    UnOp::Neg,
    UnOp::Not,
    UnOp::Clz,
    UnOp::Ctz,
    UnOp::Popcnt,
    UnOp::Bswap,
    UnOp::Sext8,
    UnOp::Sext16,
    UnOp::Sext32,
    UnOp::Zext8,
    UnOp::Zext16,
    UnOp::Zext32,
    UnOp::OrcB,
];
const CONDS: [Cond; 10] = [
    Cond::Eq,
    Cond::Ne,
    Cond::LtS,
    Cond::GeS,
    Cond::LeS,
    Cond::GtS,
    Cond::LtU,
    Cond::GeU,
    Cond::LeU,
    Cond::GtU,
];
const ATOMICS: [AtomicOp; 9] = [
    AtomicOp::Swap,
    AtomicOp::Add,
    AtomicOp::And,
    AtomicOp::Or,
    AtomicOp::Xor,
    AtomicOp::MinS,
    AtomicOp::MaxS,
    AtomicOp::MinU,
    AtomicOp::MaxU,
];
const SIZES: [MemSize; 4] = [MemSize::B1, MemSize::B2, MemSize::B4, MemSize::B8];

struct Gen<'a> {
    rng: &'a mut Rng,
    b: Builder,
    vals: Vec<(Value, Ty)>,
    p: GenParams,
}

impl Gen<'_> {
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.rng.below(xs.len() as u64) as usize]
    }

    fn value(&mut self, ty: Ty) -> Value {
        let of_ty: Vec<Value> = self
            .vals
            .iter()
            .filter(|(_, t)| *t == ty)
            .map(|(v, _)| *v)
            .collect();
        if of_ty.is_empty() || self.rng.below(8) == 0 {
            let c = self.rng.constant();
            let v = self.b.iconst(ty, c);
            self.vals.push((v, ty));
            return v;
        }
        of_ty[self.rng.below(of_ty.len() as u64) as usize]
    }

    fn global(&mut self) -> Global {
        Global(self.rng.below(TEST_GLOBALS as u64) as u16)
    }

    fn addr(&mut self) -> Value {
        let x = self.value(Ty::I64);
        let m = self.b.iconst(Ty::I64, self.p.addr_mask);
        let masked = self.b.binary(Ty::I64, BinOp::And, x, m);
        let base = self.b.iconst(Ty::I64, self.p.addr_base);
        self.b.binary(Ty::I64, BinOp::Add, masked, base)
    }

    fn exit(&mut self) -> Exit {
        match self.rng.below(4) {
            0 => Exit::Dynamic(self.value(Ty::I64)),
            1 => Exit::Trap(TrapKind::Syscall, 0x1000 + 4 * self.rng.below(64)),
            _ => Exit::Chain(0x2000 + 4 * self.rng.below(64)),
        }
    }

    fn step(&mut self, pc: &mut u64) {
        let ty = if self.rng.below(3) == 0 {
            Ty::I32
        } else {
            Ty::I64
        };
        let def = match self.rng.below(20) {
            0 => {
                *pc += 4;
                self.b.insn_start(*pc);
                None
            }
            1 | 2 => {
                let g = self.global();
                Some((self.b.get(g), Ty::I64))
            }
            3 | 4 => {
                let g = self.global();
                let v = self.value(Ty::I64);
                self.b.set(g, v);
                None
            }
            5 => {
                let op = self.pick(&UNOPS);
                let src_ty = if self.rng.below(2) == 0 {
                    Ty::I32
                } else {
                    Ty::I64
                };
                let extends = matches!(
                    op,
                    UnOp::Sext8
                        | UnOp::Sext16
                        | UnOp::Sext32
                        | UnOp::Zext8
                        | UnOp::Zext16
                        | UnOp::Zext32
                );
                let a = self.value(if extends { src_ty } else { ty });
                Some((self.b.unary(ty, op, a), ty))
            }
            6..=9 => {
                let op = self.pick(&BINOPS);
                let (a, c) = (self.value(ty), self.value(ty));
                Some((self.b.binary(ty, op, a, c), ty))
            }
            10 => {
                let c = self.pick(&CONDS);
                let ct = if self.rng.below(2) == 0 {
                    Ty::I32
                } else {
                    Ty::I64
                };
                let (a, b) = (self.value(ct), self.value(ct));
                Some((self.b.setcond(ty, c, a, b), ty))
            }
            11 => {
                let c = self.pick(&CONDS);
                let (a, b, t, f) = (
                    self.value(Ty::I64),
                    self.value(Ty::I64),
                    self.value(ty),
                    self.value(ty),
                );
                Some((self.b.select(ty, c, a, b, t, f), ty))
            }
            12 | 13 => {
                let size = self.pick(&SIZES);
                let signed = self.rng.below(2) == 0;
                let a = self.addr();
                Some((self.b.load(ty, size, signed, a), ty))
            }
            14 | 15 => {
                let size = self.pick(&SIZES);
                let a = self.addr();
                let v = self.value(Ty::I64);
                self.b.store(size, a, v);
                None
            }
            16 => {
                let op = self.pick(&ATOMICS);
                let size = self.pick(&[MemSize::B4, MemSize::B8]);
                let a = self.addr();
                let v = self.value(Ty::I64);
                Some((self.b.atomic(Ty::I64, op, size, a, v), Ty::I64))
            }
            17 => {
                let size = self.pick(&[MemSize::B4, MemSize::B8]);
                let a = self.addr();
                let (e, n) = (self.value(Ty::I64), self.value(Ty::I64));
                Some((self.b.cmpxchg(Ty::I64, size, a, e, n), Ty::I64))
            }
            18 => {
                let h = self.rng.below(3) as u16;
                let n = TEST_HELPERS[h as usize].nargs as usize;
                let args: Vec<Value> = (0..n).map(|_| self.value(Ty::I64)).collect();
                Some((self.b.call(HelperId(h), &args), Ty::I64))
            }
            _ => {
                if self.rng.below(4) == 0 {
                    let c = self.pick(&CONDS);
                    let (a, b) = (self.value(Ty::I64), self.value(Ty::I64));
                    let e = self.exit();
                    self.b.exit_if(c, a, b, e);
                } else if self.rng.below(4) == 0 {
                    self.b.fence();
                }
                None
            }
        };
        if let Some(d) = def {
            self.vals.push(d);
        }
    }
}

/// A random well-formed block starting at pc 0x1000.
pub fn random_block(rng: &mut Rng, p: GenParams) -> Block {
    let mut g = Gen {
        rng,
        b: Builder::new(0x1000),
        vals: Vec::new(),
        p,
    };
    let mut pc = 0x1000;
    g.b.insn_start(pc);
    while g.b.len() < p.len {
        g.step(&mut pc);
    }
    let exit = g.exit();
    g.b.finish(exit, pc + 4 - 0x1000, ((pc - 0x1000) / 4 + 1) as u32)
}
