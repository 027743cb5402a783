/* RV64M: mul/mulh/mulhsu/mulhu/div/divu/rem/remu and the W forms over
 * edge values, including division by zero (quotient all ones, remainder
 * = dividend) and signed overflow INT_MIN / -1 (quotient INT_MIN,
 * remainder 0), for both 64-bit and 32-bit (W) forms. */
#include "rt.h"

static const u64 vals[] = {
    0, 1, 2, 3, 0xffffffffffffffff, 0xfffffffffffffffe,
    0x7fffffffffffffff, 0x8000000000000000, 0x000000007fffffff,
    0xffffffff80000000, 0x0000000080000000, 0x00000000ffffffff,
    0x123456789abcdef0, 0xfedcba9876543210, 7, 0xfffffffffffffff9,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))

#define DEF2(fn, insn)                                                  \
    static u64 fn(u64 a, u64 b)                                         \
    {                                                                   \
        u64 r;                                                          \
        __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); \
        return r;                                                       \
    }
DEF2(op_mul, "mul")
DEF2(op_mulh, "mulh")
DEF2(op_mulhsu, "mulhsu")
DEF2(op_mulhu, "mulhu")
DEF2(op_div, "div")
DEF2(op_divu, "divu")
DEF2(op_rem, "rem")
DEF2(op_remu, "remu")
DEF2(op_mulw, "mulw")
DEF2(op_divw, "divw")
DEF2(op_divuw, "divuw")
DEF2(op_remw, "remw")
DEF2(op_remuw, "remuw")

static const struct {
    const char *name;
    u64 (*fn)(u64, u64);
} ops[] = {
    {"mul", op_mul},   {"mulh", op_mulh}, {"mulhsu", op_mulhsu},
    {"mulhu", op_mulhu}, {"div", op_div}, {"divu", op_divu},
    {"rem", op_rem},   {"remu", op_remu}, {"mulw", op_mulw},
    {"divw", op_divw}, {"divuw", op_divuw}, {"remw", op_remw},
    {"remuw", op_remuw},
};

int main(void)
{
    for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
        for (unsigned i = 0; i < NVALS; i++)
            for (unsigned j = 0; j < NVALS; j++) {
                out_str(ops[k].name);
                out_char(' ');
                out_hex(vals[i], 16);
                out_char(' ');
                out_hex(vals[j], 16);
                out_str(": ");
                out_hex(ops[k].fn(vals[i], vals[j]), 16);
                out_char('\n');
            }
    /* mulh followed by mul with the same sources (fusible pair) */
    u64 hi, lo, a = OPAQUE(0xdeadbeefcafebabeUL), b = OPAQUE(0x0123456789abcdefUL);
    __asm__("mulhu %0, %2, %3\n\tmul %1, %2, %3" : "=&r"(hi), "=&r"(lo) : "r"(a), "r"(b));
    kv("mulhu;mul hi", hi);
    kv("mulhu;mul lo", lo);
    /* div followed by rem with the destination equal to a source */
    u64 q = a, r = a;
    __asm__("div %0, %0, %1" : "+r"(q) : "r"(b));
    __asm__("rem %0, %0, %1" : "+r"(r) : "r"(b));
    kv("div rd==rs1", q);
    kv("rem rd==rs1", r);
    return 0;
}
