/* MP table, IDT, local APIC, IOAPIC, PIT and the start of the other CPUs. */
#include "guest.h"

#define MAX_CPUS 8

static u8 apic_ids[MAX_CPUS];
volatile u64 ticks;
static volatile u64 serial_irqs;
static volatile u32 cpus_up = 1;
static int timer_ok;

static u32 lapic_rd(u32 reg) { return rd32(LAPIC + reg); }
static void lapic_wr(u32 reg, u32 v) { mmio_write32(LAPIC + reg, v); }
static void eoi(void) { lapic_wr(0xb0, 0); }

static void ioapic_route(u32 pin, u32 vector, u32 apic_id)
{
    mmio_write32(IOAPIC, 0x10 + 2 * pin + 1);
    mmio_write32(IOAPIC + 0x10, apic_id << 24);
    mmio_write32(IOAPIC, 0x10 + 2 * pin);
    mmio_write32(IOAPIC + 0x10, vector); /* fixed, physical, edge, high, unmasked */
}

static u64 find_mp(u64 start, u64 len)
{
    for (u64 a = start; a + 16 <= start + len; a += 16)
        if (rd32(a) == 0x5f504d5f) { /* "_MP_" */
            u8 sum = 0;
            for (int i = 0; i < 16; i++)
                sum += rd8(a + i);
            if (sum == 0)
                return a;
        }
    return 0;
}

static u64 find_rsdp(void)
{
    for (u64 a = 0xe0000; a < 0x100000; a += 16)
        if (rd32(a) == 0x20445352 && rd32(a + 4) == 0x20525450) /* "RSD PTR " */
            return a;
    return 0;
}

/* ACPI MADT processor entries, for firmware without an MP table (QEMU's). */
static int madt_scan(void)
{
    u64 rsdp = find_rsdp();
    if (!rsdp)
        return 0;
    int xsdt = rd8(rsdp + 15) >= 2 && rd64(rsdp + 24);
    u64 sdt = xsdt ? rd64(rsdp + 24) : rd32(rsdp + 16);
    u32 len = rd32(sdt + 4), step = xsdt ? 8 : 4;
    int n = 0;
    for (u32 off = 36; off + step <= len; off += step) {
        u64 t = xsdt ? rd64(sdt + off) : rd32(sdt + off);
        if (rd32(t) != 0x43495041) /* "APIC" */
            continue;
        u32 tlen = rd32(t + 4);
        for (u32 e = 44; e + 2 <= tlen && rd8(t + e + 1); e += rd8(t + e + 1))
            if (rd8(t + e) == 0 && (rd32(t + e + 4) & 1) && n < MAX_CPUS)
                apic_ids[n++] = rd8(t + e + 3);
    }
    if (n) {
        puts("OXTEST madt cpus=");
        putdec(n);
        puts("\n");
    }
    return n;
}

/* Returns the number of enabled processors the MP table lists (1 without one). */
int mptable_scan(void)
{
    u64 ebda = (u64)(*(volatile u16 *)0x40e) << 4;
    u64 fp = 0;
    if (ebda >= 0x80000 && ebda < 0xa0000)
        fp = find_mp(ebda, 1024);
    if (!fp)
        fp = find_mp(0x9fc00, 1024);
    if (!fp)
        fp = find_mp(0xf0000, 0x10000);
    int n = 0;
    if (fp && rd32(fp + 4)) {
        u64 t = rd32(fp + 4);
        if (rd32(t) == 0x504d4350) { /* "PCMP" */
            u16 count = *(volatile u16 *)(t + 0x22);
            u64 e = t + 0x2c;
            for (u16 i = 0; i < count; i++) {
                u8 type = rd8(e);
                if (type == 0) {
                    if ((rd8(e + 3) & 1) && n < MAX_CPUS)
                        apic_ids[n++] = rd8(e + 1);
                    e += 20;
                } else {
                    e += 8;
                }
            }
        }
    }
    if (n) {
        puts("OXTEST mptable cpus=");
        putdec(n);
        puts("\n");
        return n;
    }
    n = madt_scan();
    if (n == 0) {
        puts("OXTEST mptable=none\n");
        apic_ids[0] = lapic_rd(0x20) >> 24;
        return 1;
    }
    return n;
}

struct gate {
    u16 off0, sel;
    u8 ist, attr;
    u16 off1;
    u32 off2, zero;
} __attribute__((packed));

static struct gate idt[256] __attribute__((aligned(16)));
extern void irq_timer(void), irq_serial(void), irq_spurious(void);
extern u64 exc_table[32];

static void set_gate(int v, u64 fn)
{
    idt[v] = (struct gate){ (u16)fn, 0x08, 0, 0x8e, (u16)(fn >> 16), (u32)(fn >> 32), 0 };
}

void timer_irq(void)
{
    ticks++;
    eoi();
}

void serial_irq(void)
{
    /* Reading IIR acknowledges the transmitter-empty interrupt. */
    inb(0x3f8 + 2);
    serial_irqs++;
    outb(0x3f8 + 1, 0); /* one is enough */
    eoi();
}

void spurious_irq(void) {}

static void load_idt(void)
{
    struct {
        u16 limit;
        u64 base;
    } __attribute__((packed)) idtr = { sizeof(idt) - 1, (u64)idt };
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

void delay_ms(u32 ms)
{
    if (timer_ok) {
        u64 end = ticks + ms;
        while (ticks < end)
            __asm__ volatile("sti; hlt");
    } else {
        for (u64 i = 0; i < (u64)ms * 20000; i++)
            pause();
    }
}

/* PIT at 1 kHz on IOAPIC pin 2 (ISA IRQ 0 override), COM1 on pin 4. */
void interrupts_init(void)
{
    for (int v = 0; v < 32; v++)
        set_gate(v, exc_table[v]);
    for (int v = 32; v < 256; v++)
        set_gate(v, (u64)irq_spurious);
    set_gate(0x20, (u64)irq_timer);
    set_gate(0x24, (u64)irq_serial);
    load_idt();
    outb(0x21, 0xff); /* mask both 8259s: the IOAPIC delivers */
    outb(0xa1, 0xff);
    lapic_wr(0xf0, 0x1ff); /* enable, spurious vector 0xff */
    lapic_wr(0x80, 0);
    u32 bsp = lapic_rd(0x20) >> 24;
    ioapic_route(2, 0x20, bsp);
    ioapic_route(4, 0x24, bsp);
    outb(0x43, 0x34); /* channel 0, lo/hi, rate generator */
    outb(0x40, 1193 & 0xff);
    outb(0x40, 1193 >> 8);
    __asm__ volatile("sti");
    for (u64 i = 0; i < 100000000 && ticks < 20; i++)
        pause();
    timer_ok = ticks >= 20;
    puts(timer_ok ? "OXTEST timer-irq ok\n" : "OXTEST timer-irq FAIL\n");

    outb(0x3f8 + 1, 0x02); /* transmitter-empty interrupt */
    puts("OXTEST serial-irq wait\n");
    u64 end = ticks + 500;
    while (!serial_irqs && (timer_ok ? ticks < end : 0))
        __asm__ volatile("hlt");
    for (u64 i = 0; !serial_irqs && i < 100000000; i++)
        pause();
    outb(0x3f8 + 1, 0);
    puts(serial_irqs ? "OXTEST serial-irq ok\n" : "OXTEST serial-irq FAIL\n");
}

void ap_main(u32 index)
{
    __atomic_fetch_add(&cpus_up, 1, __ATOMIC_SEQ_CST);
    print_lock();
    puts("OXTEST cpu ");
    putdec(index);
    puts(" apic=");
    putdec(lapic_rd(0x20) >> 24);
    puts(" up\n");
    print_unlock();
}

extern char ap_tramp[], ap_tramp_end[];

static void send_ipi(u32 apic_id, u32 low)
{
    lapic_wr(0x310, apic_id << 24);
    lapic_wr(0x300, low);
    for (int i = 0; i < 100000 && (lapic_rd(0x300) & (1 << 12)); i++)
        pause();
}

/* INIT, SIPI, SIPI to each other CPU in turn; each one reports itself. */
void smp_start(int ncpu)
{
    if (ncpu < 2) {
        puts("OXTEST smp cpus=1\n");
        return;
    }
    memcpy((void *)0x8000, ap_tramp, ap_tramp_end - ap_tramp);
    u32 bsp = lapic_rd(0x20) >> 24;
    for (int i = 0; i < ncpu; i++) {
        if (apic_ids[i] == bsp)
            continue;
        u32 before = cpus_up;
        send_ipi(apic_ids[i], 0x4500);
        delay_ms(10);
        for (int k = 0; k < 2 && cpus_up == before; k++) {
            send_ipi(apic_ids[i], 0x4608);
            delay_ms(k ? 100 : 1);
        }
        for (int w = 0; w < 1000 && cpus_up == before; w++)
            delay_ms(1);
    }
    print_lock();
    puts(cpus_up == (u32)ncpu ? "OXTEST smp ok cpus=" : "OXTEST smp FAIL cpus=");
    putdec(cpus_up);
    puts("\n");
    print_unlock();
}
