/* Self-modifying code inside hot loops, so that the loops run as compiled
 * regions when it happens: a generated counted loop is rewritten (its
 * increment and its loop count) between calls, made visible with fence.i;
 * a loop rewrites an instruction of its own body while it runs (visible from
 * the next iteration after its fence.i); each call's result shows which code
 * ran. */
#include "rt.h"

#define ADDI(rd, rs, imm) ((((u32)(imm) & 0xfff) << 20) | ((u32)(rs) << 15) | ((u32)(rd) << 7) | 0x13u)
#define BNE(rs1, rs2, off)                                                                  \
    ((((u32)(off) >> 12 & 1) << 31) | (((u32)(off) >> 5 & 0x3f) << 25) | ((u32)(rs2) << 20) | \
     ((u32)(rs1) << 15) | (((u32)(off) >> 1 & 0xf) << 8) | (((u32)(off) >> 11 & 1) << 7) | (1u << 12) | 0x63u)
#define SW(rs2, rs1, imm) \
    ((((u32)(imm) >> 5 & 0x7f) << 25) | ((u32)(rs2) << 20) | ((u32)(rs1) << 15) | (2u << 12) | (((u32)(imm) & 0x1f) << 7) | 0x23u)
#define RET 0x00008067u
#define FENCE_I 0x0000100fu
enum { ZERO = 0, T0 = 5, T1 = 6, A0 = 10, A1 = 11, A2 = 12 };

typedef long (*fn2)(long, long);

static void fence_i(void)
{
    __asm__ volatile("fence.i" ::: "memory");
}

/* a0 = 0; t0 = n; loop: a0 += k; t0 -= 1; bnez t0, loop; ret */
static void gen_loop(u32 *code, int k, int n)
{
    code[0] = ADDI(A0, ZERO, 0);
    code[1] = ADDI(T0, ZERO, n);
    code[2] = ADDI(A0, A0, k);
    code[3] = ADDI(T0, T0, -1);
    code[4] = BNE(T0, ZERO, -8);
    code[5] = RET;
}

int main(void)
{
    u32 *code = (u32 *)sys6(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    kvb("mmap rwx ok", (long)code > 0 || (long)code < -4096);

    /* 300 versions of a hot loop, each run 2000 iterations */
    long sum = 0, bad = 0;
    for (int v = 1; v <= 300; v++) {
        gen_loop(code, v % 2000, 2000);
        fence_i();
        long r = ((fn2)code)(0, 0);
        bad += r != (long)(v % 2000) * 2000;
        sum += r;
    }
    kvd("sum over rewritten hot loops", sum);
    kvd("versions with a wrong result", bad);

    /* a loop that patches its own increment: from iteration 1000 on, the store
     * replaces "a0 += 1" with "a0 += 3"; the fence.i makes it visible.
     *   0: a0 = 0          4: t0 = 2000      8: a0 += 1   (patched)
     *  12: t0 -= 1        16: bne t0, t1, +12 (to 28)
     *  20: sw a2, 8(a1)   24: fence.i
     *  28: bne t0, zero, -20 (to 8)          32: ret
     * a1 = code, a2 = the new instruction, t1 = 1000 */
    u32 *self = code + 64;
    self[0] = ADDI(A0, ZERO, 0);
    self[1] = ADDI(T0, ZERO, 2000);
    self[2] = ADDI(A0, A0, 1);
    self[3] = ADDI(T0, T0, -1);
    self[4] = BNE(T0, T1, 12);
    self[5] = SW(A2, A1, 8);
    self[6] = FENCE_I;
    self[7] = BNE(T0, ZERO, -20);
    self[8] = RET;
    fence_i();
    long got;
    register long a1 __asm__("a1") = (long)self;
    register long a2 __asm__("a2") = ADDI(A0, A0, 3);
    register long t1 __asm__("t1") = 1000;
    register long a0 __asm__("a0");
    __asm__ volatile("jalr ra, 0(%[f])"
                     : "=r"(a0), "+r"(a1), "+r"(a2), "+r"(t1)
                     : [f] "r"(self)
                     : "ra", "t0", "memory");
    got = a0;
    /* iterations 1 to 1000 (the patching one included) add 1, the rest add 3 */
    kvd("loop that patches itself", got);
    kvb("patch visible in memory", self[2] == (u32)ADDI(A0, A0, 3));
    return 0;
}
