/* RV64I loads and stores: every width, sign vs zero extension, negative
 * and positive offsets, misaligned addresses (Linux user mode must make
 * them work), stores of each width not touching neighbouring bytes,
 * store-to-load forwarding through the same address. */
#include "rt.h"

static u8 buf[64] __attribute__((aligned(16)));

static void fill(void)
{
    for (int i = 0; i < 64; i++)
        buf[i] = (u8)(0x80 + i * 7);
}

#define LD(insn, off, base)                                              \
    ({                                                                   \
        u64 _r;                                                          \
        __asm__ volatile(insn " %0, " #off "(%1)" : "=r"(_r) : "r"(base) \
                         : "memory");                                    \
        _r;                                                              \
    })
#define ST(insn, v, off, base) \
    __asm__ volatile(insn " %0, " #off "(%1)" ::"r"(v), "r"(base) : "memory")

static void dump(const char *name)
{
    out_str(name);
    out_str(":");
    for (int i = 0; i < 24; i++) {
        out_char(' ');
        out_hex(buf[i], 2);
    }
    out_char('\n');
}

static void loads_at(unsigned off)
{
    u8 *p = OPAQUE(buf + off);
    out_str("offset ");
    out_dec(off);
    out_char('\n');
    kv("  lb", LD("lb", 0, p));
    kv("  lbu", LD("lbu", 0, p));
    kv("  lh", LD("lh", 0, p));
    kv("  lhu", LD("lhu", 0, p));
    kv("  lw", LD("lw", 0, p));
    kv("  lwu", LD("lwu", 0, p));
    kv("  ld", LD("ld", 0, p));
    kv("  lb +5", LD("lb", 5, p));
    kv("  lhu +3", LD("lhu", 3, p));
    kv("  lw +1", LD("lw", 1, p));
    kv("  ld +7", LD("ld", 7, p));
}

int main(void)
{
    fill();
    /* every alignment 0..8 covers aligned and misaligned for each width */
    for (unsigned off = 0; off < 9; off++)
        loads_at(off);

    u8 *mid = OPAQUE(buf + 32);
    kv("lb -1", LD("lb", -1, mid));
    kv("lhu -2", LD("lhu", -2, mid));
    kv("lw -4", LD("lw", -4, mid));
    kv("lwu -4", LD("lwu", -4, mid));
    kv("ld -8", LD("ld", -8, mid));
    kv("ld -3", LD("ld", -3, mid));

    u64 v = 0x0123456789abcdefUL;
    for (unsigned off = 0; off < 9; off++) {
        u8 *p = OPAQUE(buf + off);
        memset(buf, 0x55, sizeof(buf));
        ST("sb", v, 0, p);
        dump("sb");
        memset(buf, 0x55, sizeof(buf));
        ST("sh", v, 0, p);
        dump("sh");
        memset(buf, 0x55, sizeof(buf));
        ST("sw", v, 0, p);
        dump("sw");
        memset(buf, 0x55, sizeof(buf));
        ST("sd", v, 0, p);
        dump("sd");
    }
    memset(buf, 0, sizeof(buf));
    ST("sd", v, -8, mid);
    ST("sw", v, 2047 - 2047 + 4, mid);
    ST("sh", v, -11, mid);
    ST("sb", v, 11, mid);
    for (int i = 0; i < 8; i++)
        kv("neg/pos offset stores", ((u64 *)buf)[i]);

    /* store then immediately load back at overlapping addresses */
    u64 r;
    u8 *p = OPAQUE(buf + 8);
    __asm__ volatile("sd %1, 0(%2)\n\tsb zero, 3(%2)\n\tld %0, 0(%2)"
                     : "=&r"(r) : "r"(v), "r"(p) : "memory");
    kv("sd;sb;ld", r);
    __asm__ volatile("sd %1, 0(%2)\n\tsh %1, 1(%2)\n\tlw %0, 1(%2)"
                     : "=&r"(r) : "r"(v), "r"(p) : "memory");
    kv("sd;sh;lw misaligned", r);
    /* load into the base register */
    u64 *q = (u64 *)OPAQUE(buf + 16);
    *q = (u64)buf;
    __asm__ volatile("ld %0, 0(%0)" : "=r"(q) : "0"(q) : "memory");
    kvb("ld rd==rs1", (u8 *)q == buf);
    return 0;
}
