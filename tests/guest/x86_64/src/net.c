/*
 * A polled virtio-net driver (modern virtio-mmio only): sends ARP requests for
 * 10.0.2.2 from 10.0.2.15 and waits for the reply, which the host's stack on
 * the other end of a TAP interface gives.
 */
#include "guest.h"

#define QSIZE 8
#define NBUF 4
#define HDR 12

struct desc {
    u64 addr;
    u32 len;
    u16 flags, next;
};

static u8 rxring[8192] __attribute__((aligned(4096)));
static u8 txring[8192] __attribute__((aligned(4096)));
static u8 rxbuf[NBUF][2048];
static u8 txbuf[128];
static u64 dev;
static u8 mac[6];
static u16 rx_avail, rx_seen, tx_avail;

static u32 rd(u32 r) { return rd32(dev + r); }
static void wr(u32 r, u32 v) { mmio_write32(dev + r, v); }

static void setup_queue(u32 q, u8 *ring)
{
    wr(0x030, q);
    wr(0x038, QSIZE);
    wr(0x080, (u64)ring);
    wr(0x084, 0);
    wr(0x090, (u64)ring + 128);
    wr(0x094, 0);
    wr(0x0a0, (u64)ring + 4096);
    wr(0x0a4, 0);
    wr(0x044, 1);
}

static void post_rx(u16 buf)
{
    struct desc *d = (struct desc *)rxring;
    volatile u16 *avail = (volatile u16 *)(rxring + 128);
    d[buf] = (struct desc){ (u64)rxbuf[buf], sizeof(rxbuf[buf]), 2, 0 };
    avail[2 + rx_avail % QSIZE] = buf;
    barrier();
    avail[1] = ++rx_avail;
    barrier();
}

static int init(void)
{
    for (int i = 0; i < 32 && !dev; i++) {
        u64 base = VIRTIO_MMIO + i * 0x200;
        if (rd32(base) == 0x74726976 && rd32(base + 8) == 1 && rd32(base + 4) == 2)
            dev = base;
    }
    if (!dev)
        return 0;
    wr(0x070, 0);
    wr(0x070, 3);
    wr(0x024, 0);
    wr(0x020, 1 << 5); /* VIRTIO_NET_F_MAC */
    wr(0x024, 1);
    wr(0x020, 1); /* VERSION_1 */
    wr(0x070, 3 | 8);
    if (!(rd(0x070) & 8))
        return 0;
    for (int i = 0; i < 6; i++)
        mac[i] = rd8(dev + 0x100 + i);
    setup_queue(0, rxring);
    setup_queue(1, txring);
    wr(0x070, 3 | 8 | 4);
    for (u16 b = 0; b < NBUF; b++)
        post_rx(b);
    wr(0x050, 0);
    return 1;
}

static void send_arp(void)
{
    static const u8 spa[4] = { 10, 0, 2, 15 }, tpa[4] = { 10, 0, 2, 2 };
    u8 *f = txbuf + HDR;
    memset(txbuf, 0, sizeof(txbuf));
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08, f[13] = 0x06;                   /* ARP */
    f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4; /* Ethernet, IPv4 */
    f[21] = 1;                                    /* request */
    memcpy(f + 22, mac, 6);
    memcpy(f + 28, spa, 4);
    memcpy(f + 38, tpa, 4);
    struct desc *d = (struct desc *)txring;
    volatile u16 *avail = (volatile u16 *)(txring + 128);
    d[0] = (struct desc){ (u64)txbuf, HDR + 42, 0, 0 };
    avail[2 + tx_avail % QSIZE] = 0;
    barrier();
    avail[1] = ++tx_avail;
    barrier();
    wr(0x050, 1);
}

/* Returns 1 when an ARP reply from 10.0.2.2 arrived. */
static int poll_rx(void)
{
    volatile u16 *used = (volatile u16 *)(rxring + 4096);
    while (used[1] != rx_seen) {
        volatile u32 *e = (volatile u32 *)(rxring + 4096 + 4 + (rx_seen % QSIZE) * 8);
        u16 buf = e[0];
        u32 len = e[1];
        rx_seen++;
        if (buf >= NBUF)
            continue;
        u8 *f = rxbuf[buf] + HDR;
        int reply = len >= HDR + 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 &&
                    f[28] == 10 && f[29] == 0 && f[30] == 2 && f[31] == 2;
        if (reply) {
            puts("OXTEST net arp-reply from 10.0.2.2 mac=");
            for (int i = 0; i < 6; i++) {
                puthex(f[22 + i], 2);
                puts(i < 5 ? ":" : "\n");
            }
        }
        post_rx(buf);
        wr(0x050, 0);
        if (reply)
            return 1;
    }
    return 0;
}

void virtio_net_test(void)
{
    if (!init()) {
        puts("OXTEST net none\n");
        return;
    }
    puts("OXTEST net mac=");
    for (int i = 0; i < 6; i++) {
        puthex(mac[i], 2);
        puts(i < 5 ? ":" : "\n");
    }
    /* PIT ticks, not the TSC: its rate under a hypervisor is not known here. */
    interrupts_init();
    for (int tries = 0; tries < 50; tries++) {
        send_arp();
        u64 end = ticks + 100;
        while (ticks < end) {
            if (poll_rx())
                return;
            __asm__ volatile("sti; hlt");
        }
    }
    puts("OXTEST net no reply\n");
}
