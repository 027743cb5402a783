/* NaN-boxing of single values held in 64-bit f registers: a single
 * operand whose upper 32 bits are not all ones must read as the canonical
 * NaN (arithmetic, fsgnj*, fclass, compares, conversions, fmin), while
 * fmv.x.w and fsw move the low 32 bits untouched; flw, fmv.w.x and every
 * single-precision result are boxed. Also canonical NaN results (payloads
 * are not propagated), fsgnj keeping payloads, fld/fsd/flw/fsw, and
 * fflags accumulating across instructions. */
#include "fp.h"

static const u64 boxes[] = {
    0xffffffff3f800000, /* properly boxed 1.0f */
    0x000000003f800000, /* upper half zero */
    0xfffffffe3f800000, /* one bit missing */
    0x7fffffff3f800000,
    0x3ff0000000000000, /* the double 1.0 */
    0xffffffff7f800001, /* boxed sNaN */
    0x00000000ff800001, /* unboxed pattern of an sNaN */
};
#define NBOX (sizeof(boxes) / sizeof(boxes[0]))

/* operand a goes in raw with fmv.d.x, operand b is a boxed single
 * (2.0, or -2.0 for the sign-injection ops) */
#define RAW2(fn, ins)                                                    \
    static fres fn(u64 a, u64 b, u64 c)                                  \
        FBODY("fmv.d.x fa0, %2\n\tfmv.w.x fa1, %3\n\t" ins               \
              " fa3, fa0, fa1\n\tfmv.x.d %0, fa3", ins)
#define RAW2X(fn, ins)                                                   \
    static fres fn(u64 a, u64 b, u64 c)                                  \
        FBODY("fmv.d.x fa0, %2\n\tfmv.w.x fa1, %3\n\t" ins               \
              " %0, fa0, fa1", ins)
#define RAW1(fn, ins)                                                    \
    static fres fn(u64 a, u64 b, u64 c)                                  \
        FBODY("fmv.d.x fa0, %2\n\t" ins " fa3, fa0\n\tfmv.x.d %0, fa3", ins)
#define RAW1X(fn, ins)                                                   \
    static fres fn(u64 a, u64 b, u64 c)                                  \
        FBODY("fmv.d.x fa0, %2\n\t" ins " %0, fa0", ins)
/* both operands raw */
#define RAWSELF(fn, ins)                                                 \
    static fres fn(u64 a, u64 b, u64 c)                                  \
        FBODY("fmv.d.x fa0, %2\n\t" ins " fa3, fa0, fa0\n\tfmv.x.d %0, fa3", ins)

RAW2(add_s, "fadd.s")
RAW2(mul_s, "fmul.s")
RAW2(min_s, "fmin.s")
RAW2(max_s, "fmax.s")
RAW2(sgnj_s, "fsgnj.s")
RAW2(sgnjn_s, "fsgnjn.s")
RAW2(sgnjx_s, "fsgnjx.s")
RAWSELF(mv_s, "fsgnj.s")
RAWSELF(neg_s, "fsgnjn.s")
RAWSELF(abs_s, "fsgnjx.s")
RAW2X(feq_s, "feq.s")
RAW2X(flt_s, "flt.s")
RAW2X(fle_s, "fle.s")
RAW1(sqrt_s, "fsqrt.s")
RAW1(cvt_d_s, "fcvt.d.s")
RAW1X(fclass_s, "fclass.s")
RAW1X(cvt_w_s, "fcvt.w.s")
RAW1X(mv_x_w, "fmv.x.w")
static fres madd_s(u64 a, u64 b, u64 c)
    FBODY("fmv.d.x fa0, %2\n\tfmv.w.x fa1, %3\n\tfmadd.s fa3, fa1, fa1, fa0\n\t"
          "fmv.x.d %0, fa3", "fmadd.s")

static const struct fentry raw_ops[] = {
    {"fadd.s raw, boxed", "", add_s},    {"fmul.s raw, boxed", "", mul_s},
    {"fmin.s raw, boxed", "", min_s},    {"fmax.s raw, boxed", "", max_s},
    {"fsgnj.s raw, boxed", "", sgnj_s}, {"fsgnjn.s raw, boxed", "", sgnjn_s},
    {"fsgnjx.s raw, boxed", "", sgnjx_s}, {"fmv.s raw", "", mv_s},
    {"fneg.s raw", "", neg_s},        {"fabs.s raw", "", abs_s},
    {"feq.s raw, boxed", "", feq_s},     {"flt.s raw, boxed", "", flt_s},
    {"fle.s raw, boxed", "", fle_s},     {"fsqrt.s raw", "", sqrt_s},
    {"fcvt.d.s raw", "", cvt_d_s},    {"fclass.s raw", "", fclass_s},
    {"fcvt.w.s raw", "", cvt_w_s},    {"fmv.x.w raw", "", mv_x_w},
    {"fmadd.s boxed*boxed+raw", "", madd_s},
};

#define N(a) (sizeof(a) / sizeof(a[0]))

static void loads_stores(void)
{
    static u64 mem[4];
    u64 r, fl;
    /* flw boxes; fsw stores the low half of an unboxed register */
    mem[0] = 0x11111111c0490fdb;
    __asm__ volatile("flw fa0, 0(%1)\n\tfmv.x.d %0, fa0" : "=r"(r) : "r"(mem) : "fa0", "memory");
    kv("flw boxes", r);
    mem[1] = 0x5555555555555555;
    __asm__ volatile("fmv.d.x fa0, %0\n\tfsw fa0, 8(%1)"
                     ::"r"(0x123456789abcdef0UL), "r"(mem) : "fa0", "memory");
    kv("fsw of unboxed value", mem[1]);
    __asm__ volatile("fmv.d.x fa0, %0\n\tfsd fa0, 16(%1)\n\tfld fa1, 16(%1)\n\t"
                     "fmv.x.d %0, fa1" : "=r"(r) : "r"(mem), "0"(0xfff4000000000abcUL)
                     : "fa0", "fa1", "memory");
    kv("fsd/fld keep sNaN bits", r);
    /* misaligned FP load and store */
    u8 *b = (u8 *)mem;
    __asm__ volatile("fmv.d.x fa0, %1\n\tfsd fa0, 3(%2)\n\tfld fa1, 3(%2)\n\tfmv.x.d %0, fa1"
                     : "=&r"(r) : "r"(0x0102030405060708UL), "r"(b) : "fa0", "fa1", "memory");
    kv("misaligned fsd/fld", r);
    __asm__ volatile("flw fa0, 5(%1)\n\tfmv.x.d %0, fa0" : "=r"(r) : "r"(b) : "fa0", "memory");
    kv("misaligned flw", r);

    /* fflags accumulate until cleared */
    __asm__ volatile("csrw fflags, zero\n\t"
                     "fmv.d.x fa0, %1\n\tfmv.d.x fa1, %2\n\t"
                     "fdiv.d fa2, fa0, fa1\n\t"   /* 1/0: DZ */
                     "fmul.d fa2, fa0, fa0\n\t"   /* exact: nothing */
                     "fdiv.d fa2, fa0, fa0\n\t"   /* exact */
                     "frflags %0"
                     : "=&r"(fl) : "r"(D_ONE), "r"(D_PZ) : "fa0", "fa1", "fa2");
    kv("flags after 1/0, 1*1, 1/1", fl);
    __asm__ volatile("fmv.d.x fa0, %1\n\tfmv.d.x fa1, %2\n\t"
                     "fadd.d fa2, fa0, fa1\n\t"   /* max+max: OF|NX */
                     "fsqrt.d fa2, %3\n\t"
                     "frflags %0"
                     : "=&r"(fl) : "r"(D_MAX), "r"(D_MAX), "f"(-1.0) : "fa0", "fa1", "fa2");
    kv("flags accumulated with max+max, sqrt(-1)", fl);
    /* canonical NaN from an operation vs payload kept by sign injection */
    __asm__ volatile("fmv.d.x fa0, %1\n\tfadd.d fa1, fa0, fa0\n\tfmv.x.d %0, fa1"
                     : "=r"(r) : "r"(0x7ff800000000dead) : "fa0", "fa1");
    kv("fadd.d of payload NaN", r);
    __asm__ volatile("fmv.d.x fa0, %1\n\tfneg.d fa1, fa0\n\tfmv.x.d %0, fa1"
                     : "=r"(r) : "r"(0x7ff800000000dead) : "fa0", "fa1");
    kv("fneg.d of payload NaN", r);
    __asm__ volatile("fmv.d.x fa0, %1\n\tfsgnjx.d fa1, fa0, fa0\n\tfmv.x.d %0, fa1"
                     : "=r"(r) : "r"(0xfff000000000beef) : "fa0", "fa1");
    kv("fsgnjx.d self of negative sNaN", r);
    __asm__ volatile("csrw fflags, zero\n\tfmv.d.x fa0, %2\n\tfmax.d fa1, fa0, fa0\n\t"
                     "fmv.x.d %0, fa1\n\tfrflags %1"
                     : "=&r"(r), "=&r"(fl) : "r"(0x7ff000000000beef) : "fa0", "fa1");
    kv("fmax.d sNaN,sNaN", r);
    kv("fmax.d sNaN,sNaN flags", fl);
}

int main(void)
{
    for (unsigned k = 0; k < N(raw_ops); k++)
        for (unsigned i = 0; i < NBOX; i++) {
            int neg = k >= 4 && k <= 6;
            u64 ops[2] = {boxes[i], neg ? 0xc0000000UL : 0x40000000UL};
            run_entry(&raw_ops[k], ops, 2, 16);
        }
    loads_stores();
    return 0;
}
