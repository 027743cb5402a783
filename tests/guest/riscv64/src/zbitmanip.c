/* Zba, Zbb and Zbs: every instruction (register and immediate forms, W
 * forms) over edge values, shift/rotate amounts 0, 1, 31, 32, 63 and
 * amounts that must be masked, bit indexes 0, 31, 32, 63. */
#include "rt.h"

static const u64 vals[] = {
    0, 1, 0xffffffffffffffff, 0x8000000000000000, 0x0000000080000000,
    0x00000000ffffffff, 0x123456789abcdef0, 0x00ff00000000ff80,
    0x7fffffffffffff7f,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))
static const u64 amts[] = {0, 1, 31, 32, 63, 64, 0xffffffffffffffe1};
#define NAMTS (sizeof(amts) / sizeof(amts[0]))

#define DEF2(fn, insn)                                                  \
    static u64 fn(u64 a, u64 b)                                         \
    {                                                                   \
        u64 r;                                                          \
        __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); \
        return r;                                                       \
    }
#define DEF1(fn, insn)                                                  \
    static u64 fn(u64 a, u64 b)                                         \
    {                                                                   \
        u64 r;                                                          \
        (void)b;                                                        \
        __asm__ volatile(insn " %0, %1" : "=r"(r) : "r"(a));            \
        return r;                                                       \
    }
#define DEFI(fn, insn, imm)                                             \
    static u64 fn(u64 a, u64 b)                                         \
    {                                                                   \
        u64 r;                                                          \
        (void)b;                                                        \
        __asm__ volatile(insn " %0, %1, " #imm : "=r"(r) : "r"(a));     \
        return r;                                                       \
    }

/* Zba */
DEF2(add_uw, "add.uw")
DEF2(sh1add, "sh1add")
DEF2(sh2add, "sh2add")
DEF2(sh3add, "sh3add")
DEF2(sh1add_uw, "sh1add.uw")
DEF2(sh2add_uw, "sh2add.uw")
DEF2(sh3add_uw, "sh3add.uw")
DEFI(slli_uw0, "slli.uw", 0)
DEFI(slli_uw1, "slli.uw", 1)
DEFI(slli_uw31, "slli.uw", 31)
DEFI(slli_uw32, "slli.uw", 32)
DEFI(slli_uw63, "slli.uw", 63)
/* Zbb */
DEF2(andn, "andn")
DEF2(orn, "orn")
DEF2(xnor, "xnor")
DEF2(max_, "max")
DEF2(maxu, "maxu")
DEF2(min_, "min")
DEF2(minu, "minu")
DEF1(clz, "clz")
DEF1(clzw, "clzw")
DEF1(ctz, "ctz")
DEF1(ctzw, "ctzw")
DEF1(cpop, "cpop")
DEF1(cpopw, "cpopw")
DEF1(sext_b, "sext.b")
DEF1(sext_h, "sext.h")
DEF1(zext_h, "zext.h")
DEF1(orc_b, "orc.b")
DEF1(rev8, "rev8")
DEF2(rol, "rol")
DEF2(ror, "ror")
DEF2(rolw, "rolw")
DEF2(rorw, "rorw")
DEFI(rori0, "rori", 0)
DEFI(rori1, "rori", 1)
DEFI(rori31, "rori", 31)
DEFI(rori32, "rori", 32)
DEFI(rori63, "rori", 63)
DEFI(roriw0, "roriw", 0)
DEFI(roriw1, "roriw", 1)
DEFI(roriw31, "roriw", 31)
/* Zbs */
DEF2(bclr, "bclr")
DEF2(bext, "bext")
DEF2(binv, "binv")
DEF2(bset, "bset")
DEFI(bclri0, "bclri", 0)
DEFI(bclri63, "bclri", 63)
DEFI(bexti31, "bexti", 31)
DEFI(bexti63, "bexti", 63)
DEFI(binvi32, "binvi", 32)
DEFI(binvi0, "binvi", 0)
DEFI(bseti31, "bseti", 31)
DEFI(bseti63, "bseti", 63)

enum { BIN, AMT, UN };
static const struct {
    const char *name;
    u64 (*fn)(u64, u64);
    int kind;
} ops[] = {
    {"add.uw", add_uw, BIN},       {"sh1add", sh1add, BIN},
    {"sh2add", sh2add, BIN},       {"sh3add", sh3add, BIN},
    {"sh1add.uw", sh1add_uw, BIN}, {"sh2add.uw", sh2add_uw, BIN},
    {"sh3add.uw", sh3add_uw, BIN}, {"slli.uw 0", slli_uw0, UN},
    {"slli.uw 1", slli_uw1, UN},   {"slli.uw 31", slli_uw31, UN},
    {"slli.uw 32", slli_uw32, UN}, {"slli.uw 63", slli_uw63, UN},
    {"andn", andn, BIN},           {"orn", orn, BIN},
    {"xnor", xnor, BIN},           {"max", max_, BIN},
    {"maxu", maxu, BIN},           {"min", min_, BIN},
    {"minu", minu, BIN},           {"clz", clz, UN},
    {"clzw", clzw, UN},            {"ctz", ctz, UN},
    {"ctzw", ctzw, UN},            {"cpop", cpop, UN},
    {"cpopw", cpopw, UN},          {"sext.b", sext_b, UN},
    {"sext.h", sext_h, UN},        {"zext.h", zext_h, UN},
    {"orc.b", orc_b, UN},          {"rev8", rev8, UN},
    {"rol", rol, AMT},             {"ror", ror, AMT},
    {"rolw", rolw, AMT},           {"rorw", rorw, AMT},
    {"rori 0", rori0, UN},         {"rori 1", rori1, UN},
    {"rori 31", rori31, UN},       {"rori 32", rori32, UN},
    {"rori 63", rori63, UN},       {"roriw 0", roriw0, UN},
    {"roriw 1", roriw1, UN},       {"roriw 31", roriw31, UN},
    {"bclr", bclr, AMT},           {"bext", bext, AMT},
    {"binv", binv, AMT},           {"bset", bset, AMT},
    {"bclri 0", bclri0, UN},       {"bclri 63", bclri63, UN},
    {"bexti 31", bexti31, UN},     {"bexti 63", bexti63, UN},
    {"binvi 32", binvi32, UN},     {"binvi 0", binvi0, UN},
    {"bseti 31", bseti31, UN},     {"bseti 63", bseti63, UN},
};

int main(void)
{
    for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        const u64 *bs = ops[k].kind == AMT ? amts : vals;
        unsigned nb = ops[k].kind == AMT ? NAMTS : ops[k].kind == BIN ? NVALS : 1;
        for (unsigned i = 0; i < NVALS; i++)
            for (unsigned j = 0; j < nb; j++) {
                out_str(ops[k].name);
                out_char(' ');
                out_hex(vals[i], 16);
                if (ops[k].kind != UN) {
                    out_char(' ');
                    out_hex(bs[j], 16);
                }
                out_str(": ");
                out_hex(ops[k].fn(vals[i], bs[j]), 16);
                out_char('\n');
            }
    }
    return 0;
}
