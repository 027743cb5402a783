/* RV64A: lr/sc success and failure (no reservation, reservation used up by
 * an earlier sc, different address), every amo*.w/.d with plain, aq, rl and
 * aqrl orderings, sign extension of the .w old value, signed vs unsigned
 * min/max on 32-bit data with junk in the upper half of the register. */
#include "rt.h"

static u64 mem[4] __attribute__((aligned(16)));

static const u64 vals[] = {
    0, 1, 0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000,
    0x000000007fffffff, 0x0000000080000000, 0xffffffff00000001,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))

typedef u64 (*amo_fn)(u64 *, u64);
#define AMO(fn, insn)                                                   \
    static u64 fn(u64 *p, u64 v)                                        \
    {                                                                   \
        u64 old;                                                        \
        __asm__ volatile(insn " %0, %2, (%1)"                           \
                         : "=&r"(old) : "r"(p), "r"(v) : "memory");     \
        return old;                                                     \
    }
#define AMO4(fn, insn)            \
    AMO(fn, insn)                 \
    AMO(fn##_aq, insn ".aq")      \
    AMO(fn##_rl, insn ".rl")      \
    AMO(fn##_aqrl, insn ".aqrl")
#define ENTRY4(fn, insn)                                             \
    {insn, fn}, {insn ".aq", fn##_aq}, {insn ".rl", fn##_rl},        \
    {                                                                \
        insn ".aqrl", fn##_aqrl                                      \
    }

AMO4(swap_w, "amoswap.w")
AMO4(add_w, "amoadd.w")
AMO4(and_w, "amoand.w")
AMO4(or_w, "amoor.w")
AMO4(xor_w, "amoxor.w")
AMO4(min_w, "amomin.w")
AMO4(max_w, "amomax.w")
AMO4(minu_w, "amominu.w")
AMO4(maxu_w, "amomaxu.w")
AMO4(swap_d, "amoswap.d")
AMO4(add_d, "amoadd.d")
AMO4(and_d, "amoand.d")
AMO4(or_d, "amoor.d")
AMO4(xor_d, "amoxor.d")
AMO4(min_d, "amomin.d")
AMO4(max_d, "amomax.d")
AMO4(minu_d, "amominu.d")
AMO4(maxu_d, "amomaxu.d")

static const struct {
    const char *name;
    amo_fn fn;
} amos[] = {
    ENTRY4(swap_w, "amoswap.w"), ENTRY4(add_w, "amoadd.w"),
    ENTRY4(and_w, "amoand.w"),   ENTRY4(or_w, "amoor.w"),
    ENTRY4(xor_w, "amoxor.w"),   ENTRY4(min_w, "amomin.w"),
    ENTRY4(max_w, "amomax.w"),   ENTRY4(minu_w, "amominu.w"),
    ENTRY4(maxu_w, "amomaxu.w"), ENTRY4(swap_d, "amoswap.d"),
    ENTRY4(add_d, "amoadd.d"),   ENTRY4(and_d, "amoand.d"),
    ENTRY4(or_d, "amoor.d"),     ENTRY4(xor_d, "amoxor.d"),
    ENTRY4(min_d, "amomin.d"),   ENTRY4(max_d, "amomax.d"),
    ENTRY4(minu_d, "amominu.d"), ENTRY4(maxu_d, "amomaxu.d"),
};

/* The .aq/.rl variants only get the diagonal and a few pairs: they must
 * compute exactly what the plain form does. */
static int full_table(const char *name)
{
    return name[strlen(name) - 2] == '.';
}

static void lrsc(void)
{
    u64 *p = OPAQUE(&mem[1]);
    u64 old, fail;

    mem[1] = 0x1111111122222222;
    __asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %3, (%2)"
                     : "=&r"(old), "=&r"(fail) : "r"(p), "r"(0x5555UL) : "memory");
    kv("lr.d value", old);
    kv("sc.d after lr.d rd", fail);
    kv("sc.d after lr.d mem", mem[1]);

    /* the first sc consumed the reservation: a second one must fail */
    __asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(fail) : "r"(p), "r"(0x6666UL) : "memory");
    kvb("second sc.d fails (rd != 0)", fail != 0);
    kv("second sc.d mem unchanged", mem[1]);

    /* lr.w sign-extends; sc.w writes only 32 bits */
    mem[1] = 0x33333333f0000001;
    __asm__ volatile("lr.w.aq %0, (%2)\n\tsc.w.rl %1, %3, (%2)"
                     : "=&r"(old), "=&r"(fail) : "r"(p), "r"(0xaaaaaaaa12345678UL) : "memory");
    kv("lr.w value", old);
    kv("sc.w rd", fail);
    kv("sc.w mem", mem[1]);

    /* sc to an address other than the reserved one fails */
    u64 *q = OPAQUE(&mem[2]);
    mem[2] = 7;
    __asm__ volatile("lr.d.aqrl %0, (%2)\n\tsc.d.aqrl %1, %4, (%3)"
                     : "=&r"(old), "=&r"(fail) : "r"(p), "r"(q), "r"(9UL) : "memory");
    kvb("sc.d to other address fails", fail != 0);
    kv("sc.d to other address mem", mem[2]);
    /* the failed sc also cleared the reservation */
    __asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(fail) : "r"(p), "r"(1UL) : "memory");
    kvb("sc.d after failed sc fails", fail != 0);

    /* classic retry loop: atomic increment 1000 times */
    mem[3] = 0;
    u64 *c = OPAQUE(&mem[3]);
    for (int i = 0; i < 1000; i++) {
        u64 t, f;
        __asm__ volatile("1: lr.d %0, (%2)\n\taddi %0, %0, 3\n\t"
                         "sc.d %1, %0, (%2)\n\tbnez %1, 1b"
                         : "=&r"(t), "=&r"(f) : "r"(c) : "memory");
    }
    kv("lr/sc increment loop", mem[3]);
}

int main(void)
{
    lrsc();
    for (unsigned k = 0; k < sizeof(amos) / sizeof(amos[0]); k++) {
        int full = full_table(amos[k].name);
        for (unsigned i = 0; i < NVALS; i++)
            for (unsigned j = 0; j < NVALS; j++) {
                if (!full && i != j && (i + j) % 5 != 0)
                    continue;
                mem[0] = 0x5a5a5a5a5a5a5a5a;
                mem[1] = vals[i];
                mem[2] = 0xa5a5a5a5a5a5a5a5;
                u64 old = amos[k].fn(&mem[1], vals[j]);
                out_str(amos[k].name);
                out_char(' ');
                out_hex(vals[i], 16);
                out_char(' ');
                out_hex(vals[j], 16);
                out_str(": old ");
                out_hex(old, 16);
                out_str(" mem ");
                out_hex(mem[1], 16);
                if (mem[0] != 0x5a5a5a5a5a5a5a5a || mem[2] != 0xa5a5a5a5a5a5a5a5)
                    out_str(" NEIGHBOUR CHANGED");
                out_char('\n');
            }
    }
    /* amo with rd = x0 still writes memory */
    mem[1] = 5;
    __asm__ volatile("amoadd.d zero, %1, (%0)" ::"r"(&mem[1]), "r"(10UL) : "memory");
    kv("amoadd.d rd=x0 mem", mem[1]);
    /* amo.w on the upper word of a doubleword */
    mem[1] = 0x00000001ffffffff;
    u64 old = add_w((u64 *)((u8 *)&mem[1] + 4), 0xffffffff);
    kv("amoadd.w upper word old", old);
    kv("amoadd.w upper word mem", mem[1]);
    return 0;
}
