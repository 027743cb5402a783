/* F/D conversions: fcvt.{w,wu,l,lu}.{s,d} with rounding in every static
 * and dynamic mode and saturation (NaN -> max, +inf -> max, -inf -> min,
 * out of range -> bound, negative -> 0 for unsigned; NV, or NX only when
 * the rounded value fits), the 32-bit results sign-extended even for
 * wu; fcvt.{s,d}.{w,wu,l,lu} rounding of wide integers and ignoring the
 * upper half for w/wu; fcvt.s.d / fcvt.d.s rounding, overflow,
 * underflow and canonical NaN; fmv.x.w sign extension. */
#include "fp.h"

#define S "fmv.w.x"
#define D "fmv.d.x"
RM6(FX1, cvt_w_s, "fcvt.w.s", S)
RM6(FX1, cvt_wu_s, "fcvt.wu.s", S)
RM6(FX1, cvt_l_s, "fcvt.l.s", S)
RM6(FX1, cvt_lu_s, "fcvt.lu.s", S)
RM6(FX1, cvt_w_d, "fcvt.w.d", D)
RM6(FX1, cvt_wu_d, "fcvt.wu.d", D)
RM6(FX1, cvt_l_d, "fcvt.l.d", D)
RM6(FX1, cvt_lu_d, "fcvt.lu.d", D)
XRM6(cvt_s_w, "fcvt.s.w")
XRM6(cvt_s_wu, "fcvt.s.wu")
XRM6(cvt_s_l, "fcvt.s.l")
XRM6(cvt_s_lu, "fcvt.s.lu")
XRM6(cvt_d_l, "fcvt.d.l")
XRM6(cvt_d_lu, "fcvt.d.lu")
XF1(cvt_d_w, "fcvt.d.w", "")
XF1(cvt_d_wu, "fcvt.d.wu", "")
RM6(FF1, cvt_s_d, "fcvt.s.d", D)
FF1(cvt_d_s, "fcvt.d.s", S, "")
FX1(mv_x_w, "fmv.x.w", S, "")
FX1(mv_x_d, "fmv.x.d", D, "")

static const struct fentry from_s[] = {
    E6(cvt_w_s, "fcvt.w.s"), E6(cvt_wu_s, "fcvt.wu.s"),
    E6(cvt_l_s, "fcvt.l.s"), E6(cvt_lu_s, "fcvt.lu.s"),
};
static const struct fentry from_d[] = {
    E6(cvt_w_d, "fcvt.w.d"), E6(cvt_wu_d, "fcvt.wu.d"),
    E6(cvt_l_d, "fcvt.l.d"), E6(cvt_lu_d, "fcvt.lu.d"),
};
static const struct fentry from_x[] = {
    E6(cvt_s_w, "fcvt.s.w"),   E6(cvt_s_wu, "fcvt.s.wu"),
    E6(cvt_s_l, "fcvt.s.l"),   E6(cvt_s_lu, "fcvt.s.lu"),
    E6(cvt_d_l, "fcvt.d.l"),   E6(cvt_d_lu, "fcvt.d.lu"),
    {"fcvt.d.w", "", cvt_d_w}, {"fcvt.d.wu", "", cvt_d_wu},
};
static const struct fentry s_from_d[] = {E6(cvt_s_d, "fcvt.s.d")};
static const struct fentry misc_s[] = {
    {"fcvt.d.s", "", cvt_d_s},
    {"fmv.x.w", "", mv_x_w},
};
static const struct fentry misc_d[] = {{"fmv.x.d", "", mv_x_d}};

static const u64 svals[] = {
    S_PZ,       S_NZ,       0x3f000000, 0x3fc00000, 0x40200000, 0xbf000000,
    0xbfc00000, 0xc0200000, 0x3f666666, 0xbf666666, 0x4affffff, 0x4f000000,
    0xcf000000, 0xcf000001, 0x4f800000, 0x5f000000, 0xdf000000, 0xdf000001,
    0x5f800000, S_PINF,     S_NINF,     S_QNAN,     S_NQNAN,    S_SNAN,
    S_DEN,
};
static const u64 dvals[] = {
    D_PZ,
    D_NZ,
    0x3fe0000000000000, /* 0.5 */
    0x3ff8000000000000, /* 1.5 */
    0x4004000000000000, /* 2.5 */
    0xbfe0000000000000,
    0xbff8000000000000,
    0xc004000000000000,
    0x3feccccccccccccd, /* 0.9 */
    0xbfeccccccccccccd,
    0x41dfffffffe00000, /* 2^31 - 0.5 */
    0x41e0000000000000, /* 2^31 */
    0xc1e0000000000000, /* -2^31 */
    0xc1e0000000100000, /* -2^31 - 0.5 */
    0xc1e0000000200000, /* -2^31 - 1 */
    0x41efffffffff0000, /* 2^32 - 0.5 */
    0x41f0000000000000, /* 2^32 */
    0x43e0000000000000, /* 2^63 */
    0xc3e0000000000000, /* -2^63 */
    0xc3e0000000000001,
    0x43f0000000000000, /* 2^64 */
    D_PINF,
    D_NINF,
    D_QNAN,
    D_NQNAN,
    D_SNAN,
    D_DEN,
};
static const u64 ivals[] = {
    0,
    1,
    0xffffffffffffffff,
    0x000000007fffffff,
    0x0000000080000000,
    0x00000000ffffffff,
    0x0000000001000001, /* 2^24 + 1 */
    0x0000000001000003,
    0xdeadbeef01000001, /* junk above bit 31 */
    0x0020000000000001, /* 2^53 + 1 */
    0x0020000000000003,
    0x7fffffffffffffff,
    0x8000000000000000,
    0xfffffffffffffffd,
    0x123456789abcdef0,
};
/* doubles narrowed to single */
static const u64 narrow[] = {
    D_THIRD, D_MAX, D_NMAX, D_MIN, D_PINF, D_NZ, D_QNAN, D_NQNAN, D_SNAN,
    0x36a0000000000000, /* 2^-149: smallest single subnormal, exact */
    0x3690000000000000, /* 2^-150: tie between 0 and 2^-149 */
    0x47efffffe0000000, /* single max, exact */
    0x47effffff0000000, /* single max + half an ulp */
    0x47efffffe8000000, /* single max + a quarter ulp */
    0x380fffffffffffff, /* just below the smallest single normal */
};

#define N(a) (sizeof(a) / sizeof(a[0]))

int main(void)
{
    for (unsigned k = 0; k < N(from_s); k++)
        for (unsigned i = 0; i < N(svals); i++)
            run_entry(&from_s[k], &svals[i], 1, 8);
    for (unsigned k = 0; k < N(from_d); k++)
        for (unsigned i = 0; i < N(dvals); i++)
            run_entry(&from_d[k], &dvals[i], 1, 16);
    for (unsigned k = 0; k < N(from_x); k++)
        for (unsigned i = 0; i < N(ivals); i++)
            run_entry(&from_x[k], &ivals[i], 1, 16);
    for (unsigned k = 0; k < N(s_from_d); k++)
        for (unsigned i = 0; i < N(narrow); i++)
            run_entry(&s_from_d[k], &narrow[i], 1, 16);
    for (unsigned k = 0; k < N(misc_s); k++)
        for (unsigned i = 0; i < N(svals); i++)
            run_entry(&misc_s[k], &svals[i], 1, 8);
    for (unsigned i = 0; i < N(dvals); i++)
        run_entry(&misc_d[0], &dvals[i], 1, 16);
    return 0;
}
