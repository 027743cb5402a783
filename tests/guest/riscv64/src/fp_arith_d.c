/* D extension arithmetic: fadd/fsub/fmul/fdiv/fsqrt and the four fused
 * multiply-adds under every static rounding mode and every frm value
 * (dynamic), with fflags after each; fmin, fmax, fsgnj, fsgnjn, fsgnjx, feq, flt, fle over all
 * pairs of signed zeros, infinities, quiet and signalling NaNs; fclass of
 * every class. */
#define SFX ".d"
#define LD "fmv.d.x"
#define C(x) D_##x
#define WIDTH 16
/* (1 + 2^-27) * (1 - 2^-27) = 1 - 2^-54: only a fused op sees the 2^-54 */
#define FMA_SPLIT_A 0x3ff0000002000000UL
#define FMA_SPLIT_B 0x3feffffffc000000UL
#include "fp_arith.inc"
