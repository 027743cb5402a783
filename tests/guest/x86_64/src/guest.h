/* Shared declarations of the test guest. Freestanding: no libc. */
typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define GED_SLEEP_CTL 0xfea00200ul
#define GED_S5 0x34
#define LAPIC 0xfee00000ul
#define IOAPIC 0xfec00000ul
#define VIRTIO_MMIO 0xfeb00000ul

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline u8 rd8(u64 a) { return *(volatile u8 *)a; }
static inline u32 rd32(u64 a) { return *(volatile u32 *)a; }
static inline u64 rd64(u64 a) { return *(volatile u64 *)a; }
static inline void mmio_write8(u64 a, u8 v) { *(volatile u8 *)a = v; }
static inline void mmio_write32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline void barrier(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline u64 rdtsc(void)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64)hi << 32 | lo;
}
static inline void pause(void) { __asm__ volatile("pause"); }

/* serial.c */
void serial_init(void);
void puts(const char *s);
void puthex(u64 v, int digits);
void putdec(u64 v);
void print_lock(void);
void print_unlock(void);

/* platform.c */
int mptable_scan(void);
void interrupts_init(void);
void smp_start(int ncpu);
void delay_ms(u32 ms);
extern volatile u64 ticks;

/* virtio.c */
void virtio_blk_test(void);
void virtio_blk_badring(void);

/* console.c */
void virtio_console_test(void);

/* net.c */
void virtio_net_test(void);

void *memset(void *d, int c, u64 n);
void *memcpy(void *d, const void *s, u64 n);
