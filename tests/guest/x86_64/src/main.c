/*
 * The x86-64 test guest: exercises what a KVM machine must provide and reports
 * each result as an "OXTEST ..." line on the 8250 at 0x3f8.
 *
 * The kernel command line picks a scenario with oxtest=NAME:
 *   full (default)  boot info, MP table, PIT + serial interrupts through the
 *                   IOAPIC, every CPU of the MP table started, virtio-blk I/O
 *   hello           print and power off
 *   badring         malformed virtqueue descriptors, then a normal request
 *   emufail         an MMIO access the accelerator cannot emulate
 *   console         one line through the first virtio-console port
 *   net             ARP for 10.0.2.2 over the first virtio-net device
 *   idle            full, then wait (halted) instead of powering off, so that
 *                   a benchmark can read the VMM's memory use
 * Power off is the microvm GED sleep register (S5).
 */
#include "guest.h"

static void poweroff(void)
{
    puts("OXTEST poweroff\n");
    mmio_write8(GED_SLEEP_CTL, GED_S5);
    /* Still running: pulse reset through the i8042 (QEMU -no-reboot exits). */
    outb(0x64, 0xfe);
    for (;;)
        __asm__ volatile("cli; hlt");
}

static const char *cmdline;

static int has_option(const char *opt)
{
    if (!cmdline)
        return 0;
    for (const char *p = cmdline; *p; p++) {
        if (p != cmdline && p[-1] != ' ')
            continue;
        const char *a = p, *b = opt;
        while (*b && *a == *b)
            a++, b++;
        if (!*b && (*a == 0 || *a == ' '))
            return 1;
    }
    return 0;
}

/* Command line and RAM size from PVH start_info or Linux boot_params. */
static void boot_info(int kind, u64 info)
{
    static const char *names[] = { "?", "pvh", "real", "bz32", "bz64" };
    u64 ram = 0;
    puts("OXTEST entry=");
    puts(names[kind >= 1 && kind <= 4 ? kind : 0]);
    puts("\n");
    if (kind == 1) {
        if (rd32(info) != 0x336ec578) {
            puts("OXTEST bad start_info magic\n");
            return;
        }
        cmdline = (const char *)rd64(info + 24);
        u64 map = rd64(info + 40);
        u32 n = rd32(info + 48);
        for (u32 i = 0; i < n && map; i++)
            if (rd32(map + i * 24 + 16) == 1)
                ram += rd64(map + i * 24 + 8);
    } else {
        cmdline = (const char *)(u64)rd32(info + 0x228);
        u32 n = rd8(info + 0x1e8);
        for (u32 i = 0; i < n && i < 128; i++)
            if (rd32(info + 0x2d0 + i * 20 + 16) == 1)
                ram += rd64(info + 0x2d0 + i * 20 + 8);
    }
    puts("OXTEST cmdline=");
    puts(cmdline ? cmdline : "");
    puts("\nOXTEST ram-mib=");
    putdec(ram >> 20);
    puts("\n");
}

static void emulation_failure(void)
{
    puts("OXTEST emufail: vector load from MMIO\n");
    /* Enable SSE, then a 16-byte SSE load from a device window: KVM must
       emulate it and cannot (no device model handles a partial 16-byte read
       of an unknown opcode). */
    u64 cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= (1 << 9) | (1 << 10);
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
    __asm__ volatile("pcmpistri $0, (%0), %%xmm0" ::"r"(0xfeb00000ul) : "rcx", "cc");
    puts("OXTEST emufail: survived\n");
}

void main(int kind, u64 info)
{
    serial_init();
    puts("OXTEST start\n");
    boot_info(kind, info);
    if (has_option("oxtest=hello")) {
        puts("OXTEST hello from the test guest\n");
        poweroff();
    }
    if (has_option("oxtest=emufail")) {
        emulation_failure();
        poweroff();
    }
    if (has_option("oxtest=console")) {
        virtio_console_test();
        poweroff();
    }
    if (has_option("oxtest=net")) {
        virtio_net_test();
        poweroff();
    }
    if (has_option("oxtest=badring")) {
        virtio_blk_badring();
        poweroff();
    }
    int ncpu = mptable_scan();
    interrupts_init();
    smp_start(ncpu);
    virtio_blk_test();
    puts("OXTEST done\n");
    if (has_option("oxtest=idle")) {
        puts("OXTEST idle\n");
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    poweroff();
}
