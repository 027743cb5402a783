/* Zifencei and self-modifying code: code written into an RWX mapping,
 * run, rewritten, made visible with fence.i and run again; code patched
 * through mprotect RW -> RX; code that patches an instruction later in
 * its own block and executes it after fence.i; many rewrites in a loop;
 * the riscv_flush_icache system call as an alternative to fence.i. */
#include "rt.h"

#define ADDI_A0(imm) ((((u32)(imm) & 0xfff) << 20) | 0x00000513u) /* addi a0, zero, imm */
#define RET 0x00008067u                                              /* jalr zero, 0(ra) */
#define NOP 0x00000013u
#define FENCE_I 0x0000100fu
#define SW_A1_16_A0 0x00b52823u /* sw a1, 16(a0) */
#define ADD_A0_A0_A1 0x00b50533u /* add a0, a0, a1 */

typedef long (*fn0)(void);
typedef long (*fn2)(long, long);

static void fence_i(void)
{
    __asm__ volatile("fence.i" ::: "memory");
}

static void *map(int prot)
{
    return (void *)sys6(SYS_mmap, 0, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
    u32 *code = map(PROT_READ | PROT_WRITE | PROT_EXEC);
    kvb("mmap rwx ok", (long)code > 0 || (long)code < -4096);

    code[0] = ADDI_A0(1);
    code[1] = RET;
    fence_i();
    kvd("first version returns", ((fn0)code)());
    code[0] = ADDI_A0(2);
    fence_i();
    kvd("rewritten after fence.i returns", ((fn0)code)());

    /* a longer function rewritten in the middle */
    code[0] = ADDI_A0(10);
    code[1] = NOP;
    code[2] = NOP;
    code[3] = RET;
    fence_i();
    long a = ((fn0)code)();
    code[2] = 0x00550513u; /* addi a0, a0, 5 */
    fence_i();
    long b = ((fn0)code)();
    kvd("middle patch before", a);
    kvd("middle patch after", b);

    /* 500 rewrites of the immediate, each executed */
    long sum = 0;
    for (int i = 0; i < 500; i++) {
        code[0] = ADDI_A0(i);
        code[1] = RET;
        fence_i();
        sum += ((fn0)code)();
    }
    kvd("sum of 500 rewritten functions", sum);

    /* the code stores over its own instruction at offset 16, then fence.i,
     * then executes the patched instruction */
    code[0] = SW_A1_16_A0;
    code[1] = FENCE_I;
    code[2] = NOP;
    code[3] = NOP;
    code[4] = ADDI_A0(1);
    code[5] = RET;
    fence_i();
    kvd("self-patching code returns", ((fn2)code)((long)code, ADDI_A0(77)));
    kvb("self-patch visible in memory", code[4] == ADDI_A0(77));

    /* W^X style: write while RW, run while RX */
    u32 *wx = map(PROT_READ | PROT_WRITE);
    wx[0] = ADD_A0_A0_A1;
    wx[1] = RET;
    kvd("mprotect rx", sys3(SYS_mprotect, wx, 4096, PROT_READ | PROT_EXEC));
    fence_i();
    kvd("rx function add(40, 2)", ((fn2)wx)(40, 2));
    sys3(SYS_mprotect, wx, 4096, PROT_READ | PROT_WRITE);
    wx[0] = 0x40b50533u; /* sub a0, a0, a1 */
    sys3(SYS_mprotect, wx, 4096, PROT_READ | PROT_EXEC);
    fence_i();
    kvd("rewritten rx function sub(40, 2)", ((fn2)wx)(40, 2));

    /* the Linux system call instead of fence.i */
    code[0] = ADDI_A0(3);
    code[1] = RET;
    fence_i();
    long c = ((fn0)code)();
    code[0] = ADDI_A0(4);
    long r = sys3(SYS_riscv_flush_icache, code, code + 2, 0);
    kvd("riscv_flush_icache", r);
    kvd("before flush syscall", c);
    kvd("after flush syscall", ((fn0)code)());
    return 0;
}
