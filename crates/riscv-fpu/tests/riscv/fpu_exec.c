/*
 * Executes RISC-V F/D instructions on request, for cross-checking the
 * oxemu-riscv-fpu crate against another implementation (e.g. qemu-riscv64).
 *
 * stdin:  records of { u32 op; u32 rm; u64 a; u64 b; u64 c; } (little endian)
 * stdout: records of { u64 result; u64 fflags; }
 *
 * FP operands are loaded with fmv.d.x (raw 64 bits, so NaN-boxing is the
 * caller's business) and FP results read back with fmv.x.d. The rounding
 * mode is installed in frm and the instructions use the dynamic mode.
 * Op numbers follow the table in tests/common/ops.rs; the CASE lines carry
 * the names so the test can check that the two agree.
 *
 * Build: riscv64-linux-gnu-gcc -O2 -static -nostdlib -ffreestanding
 *        -fno-builtin -march=rv64gc -mabi=lp64d -s -o fpu_exec fpu_exec.c
 */

typedef unsigned long u64;
typedef unsigned int u32;

struct request { u32 op; u32 rm; u64 a, b, c; };
struct reply { u64 result; u64 fflags; };

static long sys3(long n, long a0, long a1, long a2)
{
    register long x10 __asm__("a0") = a0;
    register long x11 __asm__("a1") = a1;
    register long x12 __asm__("a2") = a2;
    register long x17 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(x10) : "r"(x11), "r"(x12), "r"(x17) : "memory");
    return x10;
}

/* Reads exactly len bytes unless the input ends; returns bytes read. */
static long read_full(char *buf, long len)
{
    long got = 0;
    while (got < len) {
        long n = sys3(63, 0, (long)(buf + got), len - got);
        if (n <= 0)
            break;
        got += n;
    }
    return got;
}

static void write_full(const char *buf, long len)
{
    while (len > 0) {
        long n = sys3(64, 1, (long)buf, len);
        if (n <= 0)
            sys3(93, 2, 0, 0);
        buf += n;
        len -= n;
    }
}

#define PRE "fsrm %[rm]\n\tfsflags zero\n\t" \
    "fmv.d.x ft0, %[a]\n\tfmv.d.x ft1, %[b]\n\tfmv.d.x ft2, %[c]\n\t"
#define POST "frflags %[fl]\n\t"
#define IO : [r] "=&r"(r), [fl] "=&r"(fl) \
    : [rm] "r"(q->rm), [a] "r"(q->a), [b] "r"(q->b), [c] "r"(q->c) \
    : "ft0", "ft1", "ft2", "ft3"

/* FP result from three, two or one FP operands. */
#define F3(insn) __asm__ volatile(PRE insn " ft3, ft0, ft1, ft2\n\t" POST "fmv.x.d %[r], ft3" IO)
#define F2(insn) __asm__ volatile(PRE insn " ft3, ft0, ft1\n\t" POST "fmv.x.d %[r], ft3" IO)
#define F1(insn) __asm__ volatile(PRE insn " ft3, ft0\n\t" POST "fmv.x.d %[r], ft3" IO)
/* Integer result from two or one FP operands. */
#define X2(insn) __asm__ volatile(PRE insn " %[r], ft0, ft1\n\t" POST IO)
#define X1(insn) __asm__ volatile(PRE insn " %[r], ft0\n\t" POST IO)
/* FP result from an integer operand. */
#define FX(insn) __asm__ volatile(PRE insn " ft3, %[a]\n\t" POST "fmv.x.d %[r], ft3" IO)

#define CASE(n, name, kind, insn) case n: kind(insn); break;

static void execute(const struct request *q, struct reply *p)
{
    u64 r = 0, fl = 0;
    switch (q->op) {
    CASE(0, "add.s", F2, "fadd.s")
    CASE(1, "sub.s", F2, "fsub.s")
    CASE(2, "mul.s", F2, "fmul.s")
    CASE(3, "div.s", F2, "fdiv.s")
    CASE(4, "sqrt.s", F1, "fsqrt.s")
    CASE(5, "min.s", F2, "fmin.s")
    CASE(6, "max.s", F2, "fmax.s")
    CASE(7, "madd.s", F3, "fmadd.s")
    CASE(8, "msub.s", F3, "fmsub.s")
    CASE(9, "nmsub.s", F3, "fnmsub.s")
    CASE(10, "nmadd.s", F3, "fnmadd.s")
    CASE(11, "eq.s", X2, "feq.s")
    CASE(12, "lt.s", X2, "flt.s")
    CASE(13, "le.s", X2, "fle.s")
    CASE(14, "class.s", X1, "fclass.s")
    CASE(15, "sgnj.s", F2, "fsgnj.s")
    CASE(16, "sgnjn.s", F2, "fsgnjn.s")
    CASE(17, "sgnjx.s", F2, "fsgnjx.s")
    CASE(18, "cvt.w.s", X1, "fcvt.w.s")
    CASE(19, "cvt.wu.s", X1, "fcvt.wu.s")
    CASE(20, "cvt.l.s", X1, "fcvt.l.s")
    CASE(21, "cvt.lu.s", X1, "fcvt.lu.s")
    CASE(22, "cvt.s.w", FX, "fcvt.s.w")
    CASE(23, "cvt.s.wu", FX, "fcvt.s.wu")
    CASE(24, "cvt.s.l", FX, "fcvt.s.l")
    CASE(25, "cvt.s.lu", FX, "fcvt.s.lu")
    CASE(26, "add.d", F2, "fadd.d")
    CASE(27, "sub.d", F2, "fsub.d")
    CASE(28, "mul.d", F2, "fmul.d")
    CASE(29, "div.d", F2, "fdiv.d")
    CASE(30, "sqrt.d", F1, "fsqrt.d")
    CASE(31, "min.d", F2, "fmin.d")
    CASE(32, "max.d", F2, "fmax.d")
    CASE(33, "madd.d", F3, "fmadd.d")
    CASE(34, "msub.d", F3, "fmsub.d")
    CASE(35, "nmsub.d", F3, "fnmsub.d")
    CASE(36, "nmadd.d", F3, "fnmadd.d")
    CASE(37, "eq.d", X2, "feq.d")
    CASE(38, "lt.d", X2, "flt.d")
    CASE(39, "le.d", X2, "fle.d")
    CASE(40, "class.d", X1, "fclass.d")
    CASE(41, "sgnj.d", F2, "fsgnj.d")
    CASE(42, "sgnjn.d", F2, "fsgnjn.d")
    CASE(43, "sgnjx.d", F2, "fsgnjx.d")
    CASE(44, "cvt.w.d", X1, "fcvt.w.d")
    CASE(45, "cvt.wu.d", X1, "fcvt.wu.d")
    CASE(46, "cvt.l.d", X1, "fcvt.l.d")
    CASE(47, "cvt.lu.d", X1, "fcvt.lu.d")
    CASE(48, "cvt.d.w", FX, "fcvt.d.w")
    CASE(49, "cvt.d.wu", FX, "fcvt.d.wu")
    CASE(50, "cvt.d.l", FX, "fcvt.d.l")
    CASE(51, "cvt.d.lu", FX, "fcvt.d.lu")
    CASE(52, "cvt.s.d", F1, "fcvt.s.d")
    CASE(53, "cvt.d.s", F1, "fcvt.d.s")
    CASE(54, "mv.x.w", X1, "fmv.x.w")
    CASE(55, "mv.w.x", FX, "fmv.w.x")
    default:
        r = ~0UL;
        fl = ~0UL;
    }
    p->result = r;
    p->fflags = fl;
}

#define BATCH 256

void _start(void)
{
    static struct request in[BATCH];
    static struct reply out[BATCH];
    for (;;) {
        long got = read_full((char *)in, sizeof in);
        long n = got / (long)sizeof in[0];
        for (long i = 0; i < n; i++)
            execute(&in[i], &out[i]);
        if (n > 0)
            write_full((const char *)out, n * (long)sizeof out[0]);
        if (got < (long)sizeof in)
            break;
    }
    sys3(93, 0, 0, 0);
    for (;;) {
    }
}
