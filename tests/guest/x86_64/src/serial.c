/* Polled 8250 output at 0x3f8, with a lock so that every CPU can print. */
#include "guest.h"

#define COM1 0x3f8
static volatile u32 lock;

void print_lock(void)
{
    while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
        pause();
}

void print_unlock(void) { __atomic_store_n(&lock, 0, __ATOMIC_RELEASE); }

void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 4, 0x0b); /* DTR, RTS, OUT2 (IRQ gate) */
}

static void putc(char c)
{
    for (u32 i = 0; i < 1000000 && !(inb(COM1 + 5) & 0x20); i++)
        pause();
    outb(COM1, c);
}

void puts(const char *s)
{
    while (*s)
        putc(*s++);
}

void puthex(u64 v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        putc("0123456789abcdef"[(v >> (i * 4)) & 15]);
}

void putdec(u64 v)
{
    char buf[24];
    int n = 0;
    do
        buf[n++] = '0' + v % 10;
    while (v /= 10);
    while (n)
        putc(buf[--n]);
}

void *memset(void *d, int c, u64 n)
{
    u8 *p = d;
    while (n--)
        *p++ = c;
    return d;
}

void *memcpy(void *d, const void *s, u64 n)
{
    u8 *p = d;
    const u8 *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

void exception(u64 vec, u64 err, u64 rip)
{
    puts("OXTEST exception vector=");
    putdec(vec);
    puts(" error=");
    puthex(err, 8);
    puts(" rip=");
    puthex(rip, 16);
    puts("\n");
}
