/* Harness for the F/D tests: run one instruction on raw bit patterns with
 * fflags cleared first, return the raw result and the accrued flags.
 * FP results are read back with fmv.x.d so NaN-boxing of single results
 * is visible (upper 32 bits must be all ones). */
#pragma once
#include "rt.h"

typedef struct {
    u64 r;
    u64 fl;
} fres;
typedef fres (*fop)(u64 a, u64 b, u64 c);

/* Static rounding-mode suffixes; DYN leaves the rm field = 7 (use frm). */
#define RNE ", rne"
#define RTZ ", rtz"
#define RDN ", rdn"
#define RUP ", rup"
#define RMM ", rmm"
#define DYN ""

#define FBODY(code, ins)                                                  \
    {                                                                     \
        fres o;                                                           \
        __asm__ volatile("csrw fflags, zero\n\t" code "\n\tfrflags %1"    \
                         : "=&r"(o.r), "=&r"(o.fl)                        \
                         : "r"(a), "r"(b), "r"(c)                         \
                         : "fa0", "fa1", "fa2", "fa3");                   \
        return o;                                                         \
    }
/* fp op fp [, fp [, fp]] -> fp;  ld = fmv.w.x or fmv.d.x */
#define FF1(fn, ins, ld, rm)                                              \
    static fres fn(u64 a, u64 b, u64 c) FBODY(ld " fa0, %2\n\t" ins       \
        " fa3, fa0" rm "\n\tfmv.x.d %0, fa3", ins)
#define FF2(fn, ins, ld, rm)                                              \
    static fres fn(u64 a, u64 b, u64 c) FBODY(ld " fa0, %2\n\t" ld        \
        " fa1, %3\n\t" ins " fa3, fa0, fa1" rm "\n\tfmv.x.d %0, fa3", ins)
#define FF3(fn, ins, ld, rm)                                              \
    static fres fn(u64 a, u64 b, u64 c) FBODY(ld " fa0, %2\n\t" ld        \
        " fa1, %3\n\t" ld " fa2, %4\n\t" ins " fa3, fa0, fa1, fa2" rm     \
        "\n\tfmv.x.d %0, fa3", ins)
/* fp -> integer register (fcvt.w.*, fclass, fmv.x.*) */
#define FX1(fn, ins, ld, rm)                                              \
    static fres fn(u64 a, u64 b, u64 c) FBODY(ld " fa0, %2\n\t" ins       \
        " %0, fa0" rm, ins)
/* fp, fp -> integer register (feq/flt/fle) */
#define FX2(fn, ins, ld)                                                  \
    static fres fn(u64 a, u64 b, u64 c) FBODY(ld " fa0, %2\n\t" ld        \
        " fa1, %3\n\t" ins " %0, fa0, fa1", ins)
/* integer register -> fp (fcvt.*.w/l) */
#define XF1(fn, ins, rm)                                                  \
    static fres fn(u64 a, u64 b, u64 c) FBODY(ins " fa3, %2" rm           \
        "\n\tfmv.x.d %0, fa3", ins)

/* One function per static rounding mode plus the dynamic one. */
#define RM6(KIND, fn, ins, ld)        \
    KIND(fn##_rne, ins, ld, RNE)      \
    KIND(fn##_rtz, ins, ld, RTZ)      \
    KIND(fn##_rdn, ins, ld, RDN)      \
    KIND(fn##_rup, ins, ld, RUP)      \
    KIND(fn##_rmm, ins, ld, RMM)      \
    KIND(fn##_dyn, ins, ld, DYN)
#define XRM6(fn, ins)          \
    XF1(fn##_rne, ins, RNE)    \
    XF1(fn##_rtz, ins, RTZ)    \
    XF1(fn##_rdn, ins, RDN)    \
    XF1(fn##_rup, ins, RUP)    \
    XF1(fn##_rmm, ins, RMM)    \
    XF1(fn##_dyn, ins, DYN)

struct fentry {
    const char *name;
    const char *rm; /* "rne".."rmm", "dyn" or "" (no rounding) */
    fop fn;
};
#define E6(fn, ins)                                                      \
    {ins, "rne", fn##_rne}, {ins, "rtz", fn##_rtz},                      \
        {ins, "rdn", fn##_rdn}, {ins, "rup", fn##_rup},                  \
        {ins, "rmm", fn##_rmm}, {ins, "dyn", fn##_dyn}

static inline void set_frm(u64 rm)
{
    __asm__ volatile("fsrm %0" ::"r"(rm));
}

static const char *const rm_names[] = {"rne", "rtz", "rdn", "rup", "rmm"};

static inline void out_flags(u64 fl)
{
    static const char *const names[] = {"NX", "UF", "OF", "DZ", "NV"};
    int any = 0;
    for (int i = 4; i >= 0; i--)
        if (fl & (1u << i)) {
            if (any)
                out_char('|');
            out_str(names[i]);
            any = 1;
        }
    if (!any)
        out_char('-');
}

/* Prints "<ins>[.<rm>] <operands>: <result> <flags>"; dyn entries run
 * once per frm value and print "dyn=<mode>". */
static inline void run_entry(const struct fentry *e, const u64 *ops, int nops,
                             int width)
{
    int dyn = e->rm[0] == 'd';
    for (int m = 0; m < (dyn ? 5 : 1); m++) {
        if (dyn)
            set_frm((u64)m);
        fres o = e->fn(ops[0], nops > 1 ? ops[1] : 0, nops > 2 ? ops[2] : 0);
        if (dyn)
            set_frm(0);
        out_str(e->name);
        if (e->rm[0]) {
            out_char(' ');
            out_str(e->rm);
            if (dyn) {
                out_char('=');
                out_str(rm_names[m]);
            }
        }
        for (int i = 0; i < nops; i++) {
            out_char(' ');
            out_hex(ops[i], width);
        }
        out_str(": ");
        out_hex(o.r, 16);
        out_char(' ');
        out_flags(o.fl);
        out_char('\n');
    }
}

/* double constants */
#define D_PZ 0x0000000000000000UL
#define D_NZ 0x8000000000000000UL
#define D_ONE 0x3ff0000000000000UL
#define D_MONE 0xbff0000000000000UL
#define D_HALF 0x3fe0000000000000UL
#define D_TWO 0x4000000000000000UL
#define D_THREE 0x4008000000000000UL
#define D_THIRD 0x3fd5555555555555UL
#define D_TENTH 0x3fb999999999999aUL
#define D_EPS 0x3ca0000000000000UL /* 2^-53: half an ulp of 1.0 */
#define D_ONEULP 0x3ff0000000000001UL
#define D_MAX 0x7fefffffffffffffUL
#define D_NMAX 0xffefffffffffffffUL
#define D_MIN 0x0010000000000000UL
#define D_DEN 0x0000000000000001UL
#define D_NDEN 0x8000000000000001UL
#define D_BIGDEN 0x000fffffffffffffUL
#define D_PINF 0x7ff0000000000000UL
#define D_NINF 0xfff0000000000000UL
#define D_QNAN 0x7ff8000000000000UL
#define D_NQNAN 0xfff8000000000123UL
#define D_SNAN 0x7ff0000000000001UL
#define D_NSNAN 0xfff4000000000000UL

/* single constants */
#define S_PZ 0x00000000UL
#define S_NZ 0x80000000UL
#define S_ONE 0x3f800000UL
#define S_MONE 0xbf800000UL
#define S_HALF 0x3f000000UL
#define S_TWO 0x40000000UL
#define S_THREE 0x40400000UL
#define S_THIRD 0x3eaaaaabUL
#define S_TENTH 0x3dcccccdUL
#define S_EPS 0x33800000UL /* 2^-24 */
#define S_ONEULP 0x3f800001UL
#define S_MAX 0x7f7fffffUL
#define S_NMAX 0xff7fffffUL
#define S_MIN 0x00800000UL
#define S_DEN 0x00000001UL
#define S_NDEN 0x80000001UL
#define S_BIGDEN 0x007fffffUL
#define S_PINF 0x7f800000UL
#define S_NINF 0xff800000UL
#define S_QNAN 0x7fc00000UL
#define S_NQNAN 0xffc00123UL
#define S_SNAN 0x7f800001UL
#define S_NSNAN 0xffa00000UL
