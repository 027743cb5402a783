/* RV64I integer ALU: every register-register and immediate operation,
 * the W forms, shifts by 0/1/31/32/63 (and register amounts that must be
 * masked), lui and auipc sign extension. */
#include "rt.h"

static const u64 vals[] = {
    0, 1, 0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000,
    0x000000007fffffff, 0x0000000080000000, 0x00000000ffffffff,
    0x123456789abcdef0, 0xfedcba9876543210,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))

/* register amounts: 0, 1, 31, 32, 63, and values whose low bits give those */
static const u64 shamts[] = {0, 1, 31, 32, 63, 64, 95, 0xffffffffffffffff};
#define NSHAMTS (sizeof(shamts) / sizeof(shamts[0]))

typedef u64 (*op2)(u64, u64);
#define DEF2(fn, insn)                                                  \
    static u64 fn(u64 a, u64 b)                                         \
    {                                                                   \
        u64 r;                                                          \
        __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); \
        return r;                                                       \
    }
DEF2(op_add, "add")
DEF2(op_sub, "sub")
DEF2(op_and, "and")
DEF2(op_or, "or")
DEF2(op_xor, "xor")
DEF2(op_slt, "slt")
DEF2(op_sltu, "sltu")
DEF2(op_sll, "sll")
DEF2(op_srl, "srl")
DEF2(op_sra, "sra")
DEF2(op_addw, "addw")
DEF2(op_subw, "subw")
DEF2(op_sllw, "sllw")
DEF2(op_srlw, "srlw")
DEF2(op_sraw, "sraw")

static const struct {
    const char *name;
    op2 fn;
    int shift;
} ops2[] = {
    {"add", op_add, 0},   {"sub", op_sub, 0},   {"and", op_and, 0},
    {"or", op_or, 0},     {"xor", op_xor, 0},   {"slt", op_slt, 0},
    {"sltu", op_sltu, 0}, {"addw", op_addw, 0}, {"subw", op_subw, 0},
    {"sll", op_sll, 1},   {"srl", op_srl, 1},   {"sra", op_sra, 1},
    {"sllw", op_sllw, 1}, {"srlw", op_srlw, 1}, {"sraw", op_sraw, 1},
};

static void line3(const char *name, u64 a, u64 b, u64 r)
{
    out_str(name);
    out_char(' ');
    out_hex(a, 16);
    out_char(' ');
    out_hex(b, 16);
    out_str(": ");
    out_hex(r, 16);
    out_char('\n');
}

/* immediate forms: one line per (instruction, immediate) over all values */
#define IMM(insn, imm)                                                          \
    do {                                                                        \
        for (unsigned i = 0; i < NVALS; i++) {                                  \
            u64 r, a = vals[i];                                                 \
            __asm__ volatile(insn " %0, %1, " #imm : "=r"(r) : "r"(a));         \
            line3(insn " " #imm, a, 0, r);                                      \
        }                                                                       \
    } while (0)

#define LUI(imm)                                                \
    do {                                                        \
        u64 r;                                                  \
        __asm__ volatile("lui %0, " #imm : "=r"(r));            \
        kv("lui " #imm, r);                                     \
    } while (0)

/* auipc result minus its own pc: the pc is found with a second auipc 0 */
#define AUIPC(imm)                                                      \
    do {                                                                \
        u64 r, pc;                                                      \
        __asm__ volatile(".option push\n.option norvc\n"                \
                         "auipc %0, " #imm "\n\tauipc %1, 0\n"          \
                         ".option pop"                                  \
                         : "=&r"(r), "=&r"(pc));                        \
        kv("auipc " #imm " - pc", r - (pc - 4));                        \
    } while (0)

int main(void)
{
    for (unsigned k = 0; k < sizeof(ops2) / sizeof(ops2[0]); k++) {
        const u64 *bs = ops2[k].shift ? shamts : vals;
        unsigned nb = ops2[k].shift ? NSHAMTS : NVALS;
        for (unsigned i = 0; i < NVALS; i++)
            for (unsigned j = 0; j < nb; j++)
                line3(ops2[k].name, vals[i], bs[j], ops2[k].fn(vals[i], bs[j]));
    }
    IMM("addi", 0);
    IMM("addi", 1);
    IMM("addi", -1);
    IMM("addi", 2047);
    IMM("addi", -2048);
    IMM("addiw", 0);
    IMM("addiw", 1);
    IMM("addiw", -1);
    IMM("addiw", 2047);
    IMM("addiw", -2048);
    IMM("slti", 0);
    IMM("slti", -1);
    IMM("slti", 2047);
    IMM("slti", -2048);
    IMM("sltiu", 0);
    IMM("sltiu", 1);
    IMM("sltiu", -1);
    IMM("sltiu", 2047);
    IMM("xori", -1);
    IMM("xori", 0x555);
    IMM("xori", -2048);
    IMM("ori", 0x7ff);
    IMM("ori", -2048);
    IMM("andi", 0x7ff);
    IMM("andi", -2048);
    IMM("andi", -1);
    IMM("slli", 0);
    IMM("slli", 1);
    IMM("slli", 31);
    IMM("slli", 32);
    IMM("slli", 63);
    IMM("srli", 0);
    IMM("srli", 1);
    IMM("srli", 31);
    IMM("srli", 32);
    IMM("srli", 63);
    IMM("srai", 0);
    IMM("srai", 1);
    IMM("srai", 31);
    IMM("srai", 32);
    IMM("srai", 63);
    IMM("slliw", 0);
    IMM("slliw", 1);
    IMM("slliw", 31);
    IMM("srliw", 0);
    IMM("srliw", 1);
    IMM("srliw", 31);
    IMM("sraiw", 0);
    IMM("sraiw", 1);
    IMM("sraiw", 31);
    LUI(0);
    LUI(1);
    LUI(0x7ffff);
    LUI(0x80000);
    LUI(0xfffff);
    LUI(0x12345);
    AUIPC(0);
    AUIPC(1);
    AUIPC(0x7ffff);
    AUIPC(0x80000);
    AUIPC(0xfffff);
    /* writes to x0 are discarded */
    u64 z;
    __asm__ volatile("addi x0, x0, 5\n\tlui x0, 1\n\tadd %0, x0, x0" : "=r"(z));
    kv("x0 after writes", z);
    return 0;
}
