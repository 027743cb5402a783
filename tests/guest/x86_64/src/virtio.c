/*
 * A polled virtio-blk driver over virtio-mmio, modern (version 2) or legacy
 * (version 1, what QEMU's microvm offers by default). One queue of 8.
 */
#include "guest.h"

#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE 0x008
#define R_DEV_FEAT 0x010
#define R_DEV_FEAT_SEL 0x014
#define R_DRV_FEAT 0x020
#define R_DRV_FEAT_SEL 0x024
#define R_PAGE_SIZE 0x028
#define R_QUEUE_SEL 0x030
#define R_QUEUE_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_ALIGN 0x03c
#define R_QUEUE_PFN 0x040
#define R_QUEUE_READY 0x044
#define R_NOTIFY 0x050
#define R_INT_STATUS 0x060
#define R_INT_ACK 0x064
#define R_STATUS 0x070
#define R_DESC 0x080
#define R_DRIVER 0x090
#define R_USED 0x0a0
#define R_CONFIG 0x100

#define QSIZE 8
#define F_NEXT 1
#define F_WRITE 2

struct desc {
    u64 addr;
    u32 len;
    u16 flags, next;
};

/* desc table at 0, avail ring at 128, used ring at 4096: valid for both. */
static u8 ring[8192] __attribute__((aligned(4096)));
static struct desc *const descs = (struct desc *)ring;
static volatile u16 *const avail = (volatile u16 *)(ring + 128);
static volatile u16 *const used = (volatile u16 *)(ring + 4096);
static u16 used_seen;
static u64 dev;
static int legacy;

static struct {
    u32 type, reserved;
    u64 sector;
} __attribute__((packed)) req;
static u8 data[512] __attribute__((aligned(512)));
static u8 sector0[512];
static volatile u8 status;

static u32 rd(u32 r) { return rd32(dev + r); }
static void wr(u32 r, u32 v) { mmio_write32(dev + r, v); }

static int find_blk(void)
{
    for (int i = 0; i < 32; i++) {
        u64 base = VIRTIO_MMIO + i * 0x200;
        if (rd32(base + R_MAGIC) == 0x74726976 && rd32(base + R_DEVICE) == 2) {
            dev = base;
            legacy = rd32(base + R_VERSION) == 1;
            return 1;
        }
    }
    return 0;
}

static int blk_init(void)
{
    if (!find_blk()) {
        puts("OXTEST disk none\n");
        return 0;
    }
    wr(R_STATUS, 0);
    wr(R_STATUS, 1 | 2); /* ACKNOWLEDGE, DRIVER */
    wr(R_DRV_FEAT_SEL, 0);
    wr(R_DRV_FEAT, 0);
    if (!legacy) {
        wr(R_DEV_FEAT_SEL, 1);
        if (!(rd(R_DEV_FEAT) & 1)) {
            puts("OXTEST disk no VERSION_1\n");
            return 0;
        }
        wr(R_DRV_FEAT_SEL, 1);
        wr(R_DRV_FEAT, 1); /* VIRTIO_F_VERSION_1 */
        wr(R_STATUS, 1 | 2 | 8);
        if (!(rd(R_STATUS) & 8)) {
            puts("OXTEST disk FEATURES_OK refused\n");
            return 0;
        }
    } else {
        wr(R_PAGE_SIZE, 4096);
    }
    wr(R_QUEUE_SEL, 0);
    if (rd(R_QUEUE_MAX) < QSIZE) {
        puts("OXTEST disk queue too small\n");
        return 0;
    }
    memset(ring, 0, sizeof(ring));
    used_seen = 0;
    wr(R_QUEUE_NUM, QSIZE);
    if (legacy) {
        wr(R_QUEUE_ALIGN, 4096);
        wr(R_QUEUE_PFN, (u64)ring >> 12);
    } else {
        wr(R_DESC, (u64)ring);
        wr(R_DESC + 4, 0);
        wr(R_DRIVER, (u64)ring + 128);
        wr(R_DRIVER + 4, 0);
        wr(R_USED, (u64)ring + 4096);
        wr(R_USED + 4, 0);
        wr(R_QUEUE_READY, 1);
    }
    wr(R_STATUS, rd(R_STATUS) | 4); /* DRIVER_OK */
    puts(legacy ? "OXTEST disk virtio-mmio v1" : "OXTEST disk virtio-mmio v2");
    puts(" sectors=");
    putdec(rd(R_CONFIG) | (u64)rd(R_CONFIG + 4) << 32);
    puts("\n");
    return 1;
}

/* Publishes chain head 0 and waits for the device; returns 0 on timeout. */
static int submit(void)
{
    u16 idx = avail[1];
    avail[2 + idx % QSIZE] = 0;
    barrier();
    avail[1] = idx + 1;
    barrier();
    wr(R_NOTIFY, 0);
    u64 start = rdtsc();
    while (rdtsc() - start < (1ul << 32)) { /* about a second or two */
        if (used[1] != used_seen) {
            used_seen = used[1];
            wr(R_INT_ACK, rd(R_INT_STATUS));
            return 1;
        }
        pause();
    }
    return 0;
}

static int blk_rw(int write, u64 sector)
{
    req.type = write ? 1 : 0;
    req.reserved = 0;
    req.sector = sector;
    status = 0xff;
    descs[0] = (struct desc){ (u64)&req, sizeof(req), F_NEXT, 1 };
    descs[1] = (struct desc){ (u64)data, 512, F_NEXT | (write ? 0 : F_WRITE), 2 };
    descs[2] = (struct desc){ (u64)&status, 1, F_WRITE, 0 };
    if (!submit())
        return -1;
    return status;
}

static void print_hex16(const u8 *b)
{
    for (int i = 0; i < 16; i++)
        puthex(b[i], 2);
}

void virtio_blk_test(void)
{
    if (!blk_init())
        return;
    int s = blk_rw(0, 0);
    if (s != 0) {
        puts("OXTEST disk read FAIL status=");
        putdec(s & 0xffff);
        puts("\n");
        return;
    }
    memcpy(sector0, data, 512);
    puts("OXTEST disk sector0=");
    print_hex16(sector0);
    puts("\n");
    /* Sector 1 := sector 0 xor 0x5a; the host checks the file afterwards. */
    for (int i = 0; i < 512; i++)
        data[i] = sector0[i] ^ 0x5a;
    s = blk_rw(1, 1);
    if (s != 0) {
        puts("OXTEST disk write status=");
        putdec(s & 0xffff);
        puts("\n");
        return;
    }
    memset(data, 0, 512);
    s = blk_rw(0, 1);
    int same = s == 0;
    for (int i = 0; i < 512 && same; i++)
        same = data[i] == (sector0[i] ^ 0x5a);
    puts(same ? "OXTEST disk write ok\n" : "OXTEST disk write FAIL\n");
}

/* Hostile rings: the device must fail the request or stop, never the host. */
void virtio_blk_badring(void)
{
    if (!blk_init())
        return;
    /* 1. Data buffer far outside guest RAM. */
    req = (typeof(req)){ 0, 0, 0 };
    status = 0xff;
    descs[0] = (struct desc){ (u64)&req, sizeof(req), F_NEXT, 1 };
    descs[1] = (struct desc){ 0x7ff00000000ul, 512, F_NEXT | F_WRITE, 2 };
    descs[2] = (struct desc){ (u64)&status, 1, F_WRITE, 0 };
    int done = submit();
    puts("OXTEST badring oob done=");
    putdec(done);
    puts(" status=");
    putdec(status);
    puts("\n");
    /* 2. A descriptor loop (after a reset, in case 1 needed one). */
    blk_init();
    status = 0xff;
    descs[0] = (struct desc){ (u64)&req, sizeof(req), F_NEXT, 1 };
    descs[1] = (struct desc){ (u64)data, 512, F_NEXT | F_WRITE, 0 };
    done = submit();
    puts("OXTEST badring loop done=");
    putdec(done);
    puts(" needs-reset=");
    putdec(!!(rd(R_STATUS) & 0x40));
    puts("\n");
    /* 3. A next index past the queue and a huge length. */
    blk_init();
    descs[0] = (struct desc){ (u64)&req, 0xffffffff, F_NEXT, 200 };
    done = submit();
    puts("OXTEST badring index done=");
    putdec(done);
    puts(" needs-reset=");
    putdec(!!(rd(R_STATUS) & 0x40));
    puts("\n");
    /* The device may now need a reset; after one it must work again. */
    if (blk_init()) {
        int s = blk_rw(0, 0);
        puts("OXTEST badring recovered status=");
        putdec(s & 0xffff);
        puts("\n");
    }
}
