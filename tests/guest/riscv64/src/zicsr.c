/* Zicsr on the user-visible CSRs: fflags/frm/fcsr aliasing, every csrr*
 * form (register and immediate, rs1 = x0 reads without writing), masking
 * of bits above the field width, the fsflags/fsrm/frcsr pseudo-ops and
 * their swap forms; cycle/time/instret are readable and do not go
 * backwards (values are not printed). */
#include "rt.h"

#define CSRR(csr) ({ u64 _v; __asm__ volatile("csrr %0, " csr : "=r"(_v)); _v; })

static void show(const char *what)
{
    out_str(what);
    out_str(": fcsr ");
    out_hex(CSRR("fcsr"), 8);
    out_str(" frm ");
    out_hex(CSRR("frm"), 1);
    out_str(" fflags ");
    out_hex(CSRR("fflags"), 2);
    out_char('\n');
}

int main(void)
{
    u64 old;
    show("initial");
    __asm__ volatile("csrw fcsr, %0" ::"r"(0xffffffffffffffffUL));
    show("csrw fcsr all ones");
    __asm__ volatile("csrw fcsr, zero");
    show("csrw fcsr zero");
    __asm__ volatile("csrw frm, %0" ::"r"(0xfcUL));
    show("csrw frm 0xfc");
    __asm__ volatile("csrw fflags, %0" ::"r"(0x3eUL));
    show("csrw fflags 0x3e");
    __asm__ volatile("csrrw %0, fcsr, %1" : "=r"(old) : "r"(0x41UL));
    kv("csrrw fcsr old", old);
    show("after csrrw fcsr 0x41");
    __asm__ volatile("csrrs %0, fcsr, %1" : "=r"(old) : "r"(0x86UL));
    kv("csrrs fcsr old", old);
    show("after csrrs 0x86");
    __asm__ volatile("csrrc %0, fcsr, %1" : "=r"(old) : "r"(0x03UL));
    kv("csrrc fcsr old", old);
    show("after csrrc 0x03");
    __asm__ volatile("csrrs %0, fcsr, zero" : "=r"(old));
    kv("csrrs x0 reads", old);
    __asm__ volatile("csrrc %0, fcsr, zero" : "=r"(old));
    kv("csrrc x0 reads", old);
    show("unchanged");
    __asm__ volatile("csrrwi %0, fcsr, 0x1f" : "=r"(old));
    kv("csrrwi old", old);
    show("after csrrwi 0x1f");
    __asm__ volatile("csrrci %0, fflags, 0x15" : "=r"(old));
    kv("csrrci fflags old", old);
    show("after csrrci fflags 0x15");
    __asm__ volatile("csrrsi %0, frm, 0x3" : "=r"(old));
    kv("csrrsi frm old", old);
    show("after csrrsi frm 3");
    __asm__ volatile("csrrsi %0, frm, 0" : "=r"(old));
    kv("csrrsi 0 reads", old);
    __asm__ volatile("csrwi fflags, 0x1f\n\tcsrwi frm, 4");
    show("csrwi fflags 0x1f, frm 4");
    __asm__ volatile("fsflags %0, %1" : "=r"(old) : "r"(0x2UL));
    kv("fsflags swap old", old);
    __asm__ volatile("fsrm %0, %1" : "=r"(old) : "r"(0x1UL));
    kv("fsrm swap old", old);
    __asm__ volatile("frcsr %0" : "=r"(old));
    kv("frcsr", old);
    __asm__ volatile("fscsr %0, %1" : "=r"(old) : "r"(0UL));
    kv("fscsr swap old", old);
    show("final");

    /* an FP op sets flags visible through all three views */
    double x = OPAQUE(1.0), y = OPAQUE(3.0), q;
    __asm__ volatile("fdiv.d %0, %1, %2" : "=f"(q) : "f"(x), "f"(y));
    show("after 1.0/3.0");
    __asm__ volatile("csrw fcsr, zero");

    u64 c0, c1, t0, t1, i0, i1;
    __asm__ volatile("rdcycle %0" : "=r"(c0));
    __asm__ volatile("rdtime %0" : "=r"(t0));
    __asm__ volatile("rdinstret %0" : "=r"(i0));
    volatile u64 sink = 0;
    for (int i = 0; i < 100000; i++)
        sink += (u64)i;
    __asm__ volatile("rdcycle %0" : "=r"(c1));
    __asm__ volatile("rdtime %0" : "=r"(t1));
    __asm__ volatile("rdinstret %0" : "=r"(i1));
    kvb("cycle does not go backwards", c1 >= c0);
    kvb("time does not go backwards", t1 >= t0);
    kvb("instret does not go backwards", i1 >= i0);
    kvb("cycle advanced over 100000 iterations", c1 > c0);
    kvb("instret advanced over 100000 iterations", i1 > i0);
    u64 cc;
    __asm__ volatile("csrr %0, cycle" : "=r"(cc));
    kvb("csrr cycle works", cc >= c1);
    return 0;
}
