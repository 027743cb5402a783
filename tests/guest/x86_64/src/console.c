/* A polled virtio-console driver (modern virtio-mmio, one port): one line out. */
#include "guest.h"

struct desc {
    u64 addr;
    u32 len;
    u16 flags, next;
};

static u8 ring[8192] __attribute__((aligned(4096)));
static char msg[] = "OXTEST virtio-console hello\n";

void virtio_console_test(void)
{
    u64 dev = 0;
    for (int i = 0; i < 32 && !dev; i++) {
        u64 base = VIRTIO_MMIO + i * 0x200;
        if (rd32(base) == 0x74726976 && rd32(base + 8) == 3 && rd32(base + 4) == 2)
            dev = base;
    }
    if (!dev) {
        puts("OXTEST console none\n");
        return;
    }
    mmio_write32(dev + 0x070, 0);
    mmio_write32(dev + 0x070, 3);
    mmio_write32(dev + 0x024, 1);
    mmio_write32(dev + 0x020, 1); /* VERSION_1 */
    mmio_write32(dev + 0x070, 3 | 8);
    mmio_write32(dev + 0x030, 1); /* transmit queue */
    mmio_write32(dev + 0x038, 8);
    mmio_write32(dev + 0x080, (u64)ring);
    mmio_write32(dev + 0x090, (u64)ring + 128);
    mmio_write32(dev + 0x0a0, (u64)ring + 4096);
    mmio_write32(dev + 0x044, 1);
    mmio_write32(dev + 0x070, 3 | 8 | 4);
    struct desc *d = (struct desc *)ring;
    volatile u16 *avail = (volatile u16 *)(ring + 128);
    volatile u16 *used = (volatile u16 *)(ring + 4096);
    d[0] = (struct desc){ (u64)msg, sizeof(msg) - 1, 0, 0 };
    avail[2] = 0;
    barrier();
    avail[1] = 1;
    barrier();
    mmio_write32(dev + 0x050, 1);
    u64 start = rdtsc();
    while (used[1] != 1 && rdtsc() - start < (1ul << 32))
        pause();
    puts(used[1] == 1 ? "OXTEST console sent\n" : "OXTEST console FAIL\n");
}
