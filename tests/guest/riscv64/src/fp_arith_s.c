/* F extension arithmetic: the same table as fp_arith_d.c for single
 * precision; operands are NaN-boxed with fmv.w.x and results read back
 * with fmv.x.d so the boxing of every result is checked too. */
#define SFX ".s"
#define LD "fmv.w.x"
#define C(x) S_##x
#define WIDTH 8
/* (1 + 2^-12) * (1 - 2^-12) = 1 - 2^-24 */
#define FMA_SPLIT_A 0x3f800800UL
#define FMA_SPLIT_B 0x3f7ff000UL
#include "fp_arith.inc"
