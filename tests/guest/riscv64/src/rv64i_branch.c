/* RV64I control flow: every conditional branch on signed/unsigned edge
 * cases (taken and not taken, forward and backward), jal/jalr link values,
 * jalr clearing bit 0 of the target, jalr with rd == rs1. */
#include "rt.h"

static const u64 vals[] = {
    0, 1, 0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000,
    0x00000000ffffffff, 0xffffffff00000000,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))

/* forward branch: 1 if taken */
#define BR(fn, insn)                                                    \
    static u64 fn(u64 a, u64 b)                                         \
    {                                                                   \
        u64 r;                                                          \
        __asm__ volatile("li %0, 1\n\t" insn " %1, %2, 1f\n\t"          \
                         "li %0, 0\n1:"                                 \
                         : "=&r"(r) : "r"(a), "r"(b));                  \
        return r;                                                       \
    }
/* backward branch: the branch sits after its target */
#define BRB(fn, insn)                                                   \
    static u64 fn(u64 a, u64 b)                                         \
    {                                                                   \
        u64 r;                                                          \
        __asm__ volatile("li %0, 0\n\tj 2f\n"                           \
                         "1: li %0, 1\n\tj 3f\n"                        \
                         "2: " insn " %1, %2, 1b\n"                     \
                         "3:"                                           \
                         : "=&r"(r) : "r"(a), "r"(b));                  \
        return r;                                                       \
    }
BR(b_beq, "beq")
BR(b_bne, "bne")
BR(b_blt, "blt")
BR(b_bge, "bge")
BR(b_bltu, "bltu")
BR(b_bgeu, "bgeu")
BRB(bb_beq, "beq")
BRB(bb_bne, "bne")
BRB(bb_blt, "blt")
BRB(bb_bge, "bge")
BRB(bb_bltu, "bltu")
BRB(bb_bgeu, "bgeu")

static const struct {
    const char *name;
    u64 (*fwd)(u64, u64);
    u64 (*back)(u64, u64);
} brs[] = {
    {"beq", b_beq, bb_beq},    {"bne", b_bne, bb_bne},
    {"blt", b_blt, bb_blt},    {"bge", b_bge, bb_bge},
    {"bltu", b_bltu, bb_bltu}, {"bgeu", b_bgeu, bb_bgeu},
};

__attribute__((noinline)) static u64 leaf(u64 x) { return x * 3 + 1; }

int main(void)
{
    for (unsigned k = 0; k < sizeof(brs) / sizeof(brs[0]); k++)
        for (unsigned i = 0; i < NVALS; i++)
            for (unsigned j = 0; j < NVALS; j++) {
                u64 f = brs[k].fwd(vals[i], vals[j]);
                u64 b = brs[k].back(vals[i], vals[j]);
                out_str(brs[k].name);
                out_char(' ');
                out_hex(vals[i], 16);
                out_char(' ');
                out_hex(vals[j], 16);
                out_str(f ? ": taken" : ": not taken");
                out_str(f == b ? "\n" : " (backward differs)\n");
            }

    /* jal: link register = address of the next instruction */
    u64 link, here;
    __asm__ volatile(".option push\n.option norvc\n"
                     "jal %0, 1f\n1: auipc %1, 0\n.option pop"
                     : "=r"(link), "=r"(here));
    kv("jal link - next pc", link - here);

    /* jalr to an odd address: bit 0 is cleared */
    u64 tgt, r, l2;
    __asm__ volatile(".option push\n.option norvc\n"
                     "la %0, 1f\n\taddi %0, %0, 1\n\tli %1, 0\n\t"
                     "jalr %2, 0(%0)\n\tli %1, 7\n"
                     "1: addi %1, %1, 5\n.option pop"
                     : "=&r"(tgt), "=&r"(r), "=&r"(l2));
    kv("jalr odd target result", r);
    kv("jalr odd target link - target", (tgt - 1) - l2);

    /* jalr with a negative offset and rd == rs1 */
    u64 t2, r2;
    __asm__ volatile(".option push\n.option norvc\n"
                     "li %1, 0\n\tla %0, 1f\n\taddi %0, %0, 8\n\t"
                     "jalr %0, -8(%0)\n\tli %1, 9\n"
                     "1: addi %1, %1, 3\n.option pop"
                     : "=&r"(t2), "=&r"(r2));
    kv("jalr rd==rs1 result", r2);

    /* calls through a function pointer */
    u64 (*volatile fp)(u64) = leaf;
    kv("indirect call", fp(OPAQUE(14ul)));

    /* a counted backward loop */
    u64 n = 0, cnt = OPAQUE(1000ul);
    __asm__ volatile("1: addi %0, %0, 3\n\taddi %1, %1, -1\n\tbnez %1, 1b"
                     : "+r"(n), "+r"(cnt));
    kv("loop sum", n);
    return 0;
}
