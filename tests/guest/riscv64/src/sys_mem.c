/* Memory system calls: brk grow/shrink/query, anonymous mmap zero fill,
 * munmap of a middle page (neighbours survive), mprotect, MAP_FIXED over
 * an existing mapping, mremap grow (moving, contents kept) and shrink,
 * file-backed MAP_PRIVATE and MAP_SHARED mappings, argument errors. */
#include "sys_util.h"

#define PAGE 4096L

static long mmap6(void *addr, long len, long prot, long flags, long fd, long off)
{
    return sys6(SYS_mmap, (long)addr, len, prot, flags, fd, off);
}

static int is_err(long r)
{
    return r < 0 && r > -4096;
}

int main(void)
{
    long cur = sys1(SYS_brk, 0);
    kvb("brk(0) nonzero", cur != 0);
    kvb("brk(0) page aligned", (cur & (PAGE - 1)) == 0);
    long grown = sys1(SYS_brk, cur + 64 * 1024);
    kvb("brk grow returns new end", grown == cur + 64 * 1024);
    u8 *heap = (u8 *)cur;
    int zero = 1;
    for (long i = 0; i < 64 * 1024; i++)
        zero &= heap[i] == 0;
    kvb("brk memory zero filled", zero);
    memset(heap, 0xab, 64 * 1024);
    kvb("brk memory writable", heap[65535] == 0xab);
    kvb("brk shrink", sys1(SYS_brk, cur + PAGE) == cur + PAGE);
    kvb("brk query after shrink", sys1(SYS_brk, 0) == cur + PAGE);
    kvb("brk regrow zero filled", sys1(SYS_brk, cur + 2 * PAGE) == cur + 2 * PAGE && heap[PAGE + 5] == 0);
    kvb("brk below start refused", sys1(SYS_brk, PAGE) == cur + 2 * PAGE);

    long m = mmap6(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    kvb("mmap anon ok", !is_err(m));
    kvb("mmap page aligned", (m & (PAGE - 1)) == 0);
    u8 *p = (u8 *)m;
    zero = 1;
    for (long i = 0; i < 3 * PAGE; i++)
        zero &= p[i] == 0;
    kvb("mmap zero filled", zero);
    for (long i = 0; i < 3 * PAGE; i++)
        p[i] = (u8)(i / PAGE + 1);
    CALL("munmap middle page", sys2(SYS_munmap, p + PAGE, PAGE));
    kvb("first page kept", p[10] == 1);
    kvb("last page kept", p[2 * PAGE + 10] == 3);
    CALL("mprotect first page read-only", sys3(SYS_mprotect, p, PAGE, PROT_READ));
    kvb("read-only page readable", p[100] == 1);
    CALL("mprotect unmapped range", sys3(SYS_mprotect, p + PAGE, PAGE, PROT_READ));
    CALL("mprotect unaligned", sys3(SYS_mprotect, p + 1, PAGE, PROT_READ));

    long f = mmap6(p, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    kvb("MAP_FIXED at first page", f == (long)p);
    kvb("MAP_FIXED replaced contents", p[100] == 0);

    long r = sys5(SYS_mremap, p + 2 * PAGE, PAGE, 4 * PAGE, MREMAP_MAYMOVE, 0);
    kvb("mremap grow ok", !is_err(r));
    u8 *q = (u8 *)r;
    kvb("mremap kept contents", q[10] == 3 && q[PAGE - 1] == 3);
    kvb("mremap new part zero", q[3 * PAGE] == 0);
    q[4 * PAGE - 1] = 9;
    long s = sys5(SYS_mremap, q, 4 * PAGE, PAGE, 0, 0);
    kvb("mremap shrink in place", s == r);
    CALL("mremap grow without MAYMOVE into used range",
         (mmap6(q + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
          sys5(SYS_mremap, q, PAGE, 2 * PAGE, 0, 0)));
    CALL("munmap", sys2(SYS_munmap, q, 2 * PAGE));
    CALL("munmap first", sys2(SYS_munmap, p, PAGE));
    CALL("munmap unaligned", sys2(SYS_munmap, p + 1, PAGE));
    CALL("munmap zero length", sys2(SYS_munmap, p, 0));
    CALL("mmap zero length", mmap6(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CALL("mmap neither private nor shared", mmap6(0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0));
    CALL("mmap bad fd", mmap6(0, PAGE, PROT_READ, MAP_PRIVATE, 12345, 0));

    /* large PROT_NONE reservation, then commit a piece of it */
    long big = mmap6(0, 256L << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    kvb("256 MiB PROT_NONE reservation", !is_err(big));
    CALL("mprotect piece rw", sys3(SYS_mprotect, big + (128L << 20), 2 * PAGE, PROT_READ | PROT_WRITE));
    ((u8 *)big)[(128L << 20) + PAGE] = 5;
    kvb("committed piece usable", ((u8 *)big)[(128L << 20) + PAGE] == 5);
    CALL("munmap reservation", sys2(SYS_munmap, big, 256L << 20));

    /* file-backed mappings */
    char path[64] = "/tmp/oxemu-guest-mem-";
    str_append_dec(path, (u64)sys0(SYS_getpid));
    long fd = sys4(SYS_openat, AT_FDCWD, path, O_CREAT | O_RDWR | O_TRUNC, 0600);
    static char data[2 * PAGE];
    for (int i = 0; i < 2 * PAGE; i++)
        data[i] = (char)('a' + i % 26);
    sys3(SYS_write, fd, data, 2 * PAGE - 100);
    long fp = mmap6(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
    kvb("mmap file at offset ok", !is_err(fp));
    kvb("mapped file contents", ((char *)fp)[0] == data[PAGE] && ((char *)fp)[PAGE - 101] == data[2 * PAGE - 101]);
    kvb("tail of last page zero", ((char *)fp)[PAGE - 100] == 0);
    sys2(SYS_munmap, fp, 2 * PAGE);
    long sh = mmap6(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ((char *)sh)[3] = '#';
    char c = 0;
    sys4(SYS_pread64, fd, &c, 1, 3);
    kvb("MAP_SHARED write visible via pread", c == '#');
    long pr = mmap6(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    ((char *)pr)[4] = '%';
    sys4(SYS_pread64, fd, &c, 1, 4);
    kvb("MAP_PRIVATE write not in file", c == data[4]);
    kvb("MAP_PRIVATE sees earlier shared write", ((char *)pr)[3] == '#');
    sys2(SYS_munmap, sh, PAGE);
    sys2(SYS_munmap, pr, PAGE);
    sys1(SYS_close, fd);
    CALL("mmap offset not page aligned", (fd = sys4(SYS_openat, AT_FDCWD, path, O_RDONLY, 0),
                                         mmap6(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100)));
    sys1(SYS_close, fd);
    sys3(SYS_unlinkat, AT_FDCWD, path, 0);
    return 0;
}
