//! The instruction set as a flat list of mnemonics.

macro_rules! opcodes {
    ($($variant:ident = $name:literal,)*) => {
        /// Every instruction the frontend decodes (compressed forms decode to these too).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Opcode {
            $($variant,)*
        }

        impl Opcode {
            /// Assembler mnemonic.
            pub fn name(self) -> &'static str {
                match self {
                    $(Opcode::$variant => $name,)*
                }
            }
        }
    };
}

opcodes! {
    // RV64I
    Lui = "lui", Auipc = "auipc", Jal = "jal", Jalr = "jalr",
    Beq = "beq", Bne = "bne", Blt = "blt", Bge = "bge", Bltu = "bltu", Bgeu = "bgeu",
    Lb = "lb", Lh = "lh", Lw = "lw", Ld = "ld", Lbu = "lbu", Lhu = "lhu", Lwu = "lwu",
    Sb = "sb", Sh = "sh", Sw = "sw", Sd = "sd",
    Addi = "addi", Slti = "slti", Sltiu = "sltiu", Xori = "xori", Ori = "ori", Andi = "andi",
    Slli = "slli", Srli = "srli", Srai = "srai",
    Addiw = "addiw", Slliw = "slliw", Srliw = "srliw", Sraiw = "sraiw",
    Add = "add", Sub = "sub", Sll = "sll", Slt = "slt", Sltu = "sltu", Xor = "xor",
    Srl = "srl", Sra = "sra", Or = "or", And = "and",
    Addw = "addw", Subw = "subw", Sllw = "sllw", Srlw = "srlw", Sraw = "sraw",
    Fence = "fence", FenceI = "fence.i", Ecall = "ecall", Ebreak = "ebreak",
    // Zicsr
    Csrrw = "csrrw", Csrrs = "csrrs", Csrrc = "csrrc",
    Csrrwi = "csrrwi", Csrrsi = "csrrsi", Csrrci = "csrrci",
    // M
    Mul = "mul", Mulh = "mulh", Mulhsu = "mulhsu", Mulhu = "mulhu",
    Div = "div", Divu = "divu", Rem = "rem", Remu = "remu",
    Mulw = "mulw", Divw = "divw", Divuw = "divuw", Remw = "remw", Remuw = "remuw",
    // A
    LrW = "lr.w", ScW = "sc.w", AmoswapW = "amoswap.w", AmoaddW = "amoadd.w",
    AmoxorW = "amoxor.w", AmoandW = "amoand.w", AmoorW = "amoor.w",
    AmominW = "amomin.w", AmomaxW = "amomax.w", AmominuW = "amominu.w", AmomaxuW = "amomaxu.w",
    LrD = "lr.d", ScD = "sc.d", AmoswapD = "amoswap.d", AmoaddD = "amoadd.d",
    AmoxorD = "amoxor.d", AmoandD = "amoand.d", AmoorD = "amoor.d",
    AmominD = "amomin.d", AmomaxD = "amomax.d", AmominuD = "amominu.d", AmomaxuD = "amomaxu.d",
    // Zba
    AddUw = "add.uw", Sh1add = "sh1add", Sh2add = "sh2add", Sh3add = "sh3add",
    Sh1addUw = "sh1add.uw", Sh2addUw = "sh2add.uw", Sh3addUw = "sh3add.uw", SlliUw = "slli.uw",
    // Zbb
    Andn = "andn", Orn = "orn", Xnor = "xnor",
    Clz = "clz", Clzw = "clzw", Ctz = "ctz", Ctzw = "ctzw", Cpop = "cpop", Cpopw = "cpopw",
    Max = "max", Maxu = "maxu", Min = "min", Minu = "minu",
    SextB = "sext.b", SextH = "sext.h", ZextH = "zext.h",
    Rol = "rol", Rolw = "rolw", Ror = "ror", Rori = "rori", Roriw = "roriw", Rorw = "rorw",
    OrcB = "orc.b", Rev8 = "rev8",
    // Zbs
    Bclr = "bclr", Bclri = "bclri", Bext = "bext", Bexti = "bexti",
    Binv = "binv", Binvi = "binvi", Bset = "bset", Bseti = "bseti",
    // F
    Flw = "flw", Fsw = "fsw",
    FmaddS = "fmadd.s", FmsubS = "fmsub.s", FnmsubS = "fnmsub.s", FnmaddS = "fnmadd.s",
    FaddS = "fadd.s", FsubS = "fsub.s", FmulS = "fmul.s", FdivS = "fdiv.s", FsqrtS = "fsqrt.s",
    FsgnjS = "fsgnj.s", FsgnjnS = "fsgnjn.s", FsgnjxS = "fsgnjx.s",
    FminS = "fmin.s", FmaxS = "fmax.s",
    FcvtWS = "fcvt.w.s", FcvtWuS = "fcvt.wu.s", FcvtLS = "fcvt.l.s", FcvtLuS = "fcvt.lu.s",
    FmvXW = "fmv.x.w", FeqS = "feq.s", FltS = "flt.s", FleS = "fle.s", FclassS = "fclass.s",
    FcvtSW = "fcvt.s.w", FcvtSWu = "fcvt.s.wu", FcvtSL = "fcvt.s.l", FcvtSLu = "fcvt.s.lu",
    FmvWX = "fmv.w.x",
    // D
    Fld = "fld", Fsd = "fsd",
    FmaddD = "fmadd.d", FmsubD = "fmsub.d", FnmsubD = "fnmsub.d", FnmaddD = "fnmadd.d",
    FaddD = "fadd.d", FsubD = "fsub.d", FmulD = "fmul.d", FdivD = "fdiv.d", FsqrtD = "fsqrt.d",
    FsgnjD = "fsgnj.d", FsgnjnD = "fsgnjn.d", FsgnjxD = "fsgnjx.d",
    FminD = "fmin.d", FmaxD = "fmax.d",
    FcvtSD = "fcvt.s.d", FcvtDS = "fcvt.d.s",
    FeqD = "feq.d", FltD = "flt.d", FleD = "fle.d", FclassD = "fclass.d",
    FcvtWD = "fcvt.w.d", FcvtWuD = "fcvt.wu.d", FcvtLD = "fcvt.l.d", FcvtLuD = "fcvt.lu.d",
    FmvXD = "fmv.x.d",
    FcvtDW = "fcvt.d.w", FcvtDWu = "fcvt.d.wu", FcvtDL = "fcvt.d.l", FcvtDLu = "fcvt.d.lu",
    FmvDX = "fmv.d.x",
}
