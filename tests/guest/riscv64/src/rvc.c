/* RV64C: runs rvc.S, which uses every compressed instruction form
 * (c.addi4spn, c.fld/fsd, c.lw/sw, c.ld/sd, c.nop, c.addi, c.addiw, c.li,
 * c.addi16sp, c.lui, c.srli/srai/andi, c.sub/xor/or/and/subw/addw, c.j,
 * c.beqz/bnez, c.slli, c.fldsp/lwsp/ldsp, c.jr, c.mv, c.jalr, c.add,
 * c.fsdsp/swsp/sdsp) with immediates at their extremes. The rest of this
 * program is also built for rv64gc, so the compiler emits compressed code
 * throughout. */
#include "rt.h"

long rvc_run(u64 *out, u8 *buf);

static const char *const names[] = {
    "c.li -32", "c.li 31", "c.addi -32", "c.lui 0xfffff", "c.lui 0x1f",
    "c.addiw 0x7fffffff+1", "c.addiw 0 (sext.w)", "c.addi16sp -64",
    "c.addi16sp -64 then +496", "c.addi4spn 8", "c.addi4spn 1020", "c.srli 63",
    "c.srai 1", "c.srli 32", "c.srai 63", "c.andi -32", "c.andi 31",
    "c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw", "c.mv",
    "c.add", "c.slli 63", "c.slli 1", "c.li 5; c.addi 31", "c.ld 8",
    "c.ld 248", "c.lw 4", "c.lw 124", "c.fld 16", "c.fld 240", "c.ldsp 0",
    "c.ldsp 504", "c.lwsp 16", "c.lwsp 20 negative", "c.lwsp 252",
    "c.fldsp 24", "c.fldsp 496", "c.j forward", "c.j backward",
    "c.beqz taken", "c.beqz not taken", "c.bnez taken", "c.bnez not taken",
    "c.bnez loop", "c.jr", "c.jalr link - pc", "c.jalr link back",
};

int main(void)
{
    static u64 out[64];
    static u64 buf[32];
    long n = rvc_run(out, (u8 *)buf);
    kvd("results", n);
    kvb("names match results", n == (long)(sizeof(names) / sizeof(names[0])));
    for (long i = 0; i < n && i < (long)(sizeof(names) / sizeof(names[0])); i++)
        kv(names[i], out[i]);
    return 0;
}
