#include "rt.h"

int main(int argc, char **argv, char **envp);

static char out_buf[4096];
static size_t out_len;

void *memcpy(void *d, const void *s, size_t n)
{
    u8 *dp = d;
    const u8 *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    u8 *dp = d;
    const u8 *sp = s;
    if (dp < sp) {
        while (n--)
            *dp++ = *sp++;
    } else {
        while (n--)
            dp[n] = sp[n];
    }
    return d;
}

void *memset(void *d, int c, size_t n)
{
    u8 *dp = d;
    while (n--)
        *dp++ = (u8)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const u8 *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (u8)*a - (u8)*b;
}

void out_flush(void)
{
    size_t done = 0;
    while (done < out_len) {
        long r = sys3(SYS_write, 1, out_buf + done, out_len - done);
        if (r <= 0)
            break;
        done += (size_t)r;
    }
    out_len = 0;
}

void out_char(char c)
{
    if (out_len == sizeof(out_buf))
        out_flush();
    out_buf[out_len++] = c;
}

void out_str(const char *s)
{
    while (*s)
        out_char(*s++);
}

void out_hex(u64 v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        out_char("0123456789abcdef"[(v >> (4 * i)) & 15]);
}

void out_dec(i64 v)
{
    char tmp[24];
    int n = 0;
    u64 u = v < 0 ? -(u64)v : (u64)v;
    if (v < 0)
        out_char('-');
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        out_char(tmp[--n]);
}

static void key(const char *name)
{
    out_str(name);
    out_str(": ");
}

void kv(const char *name, u64 v)
{
    key(name);
    out_hex(v, 16);
    out_char('\n');
}

void kv32(const char *name, u32 v)
{
    key(name);
    out_hex(v, 8);
    out_char('\n');
}

void kvd(const char *name, i64 v)
{
    key(name);
    out_dec(v);
    out_char('\n');
}

void kvb(const char *name, int v)
{
    kvs(name, v ? "yes" : "no");
}

void kvs(const char *name, const char *s)
{
    key(name);
    out_str(s);
    out_char('\n');
}

void rt_exit(int code)
{
    out_flush();
    for (;;)
        sys1(SYS_exit_group, code);
}

__attribute__((noreturn)) void rt_main(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    rt_exit(main(argc, argv, envp));
}
