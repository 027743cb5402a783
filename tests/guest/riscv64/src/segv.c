/* Reading an unmapped address (0x10) must kill the process with SIGSEGV:
 * expected exit status 128 + 11 = 139. */
#include "rt.h"

int main(void)
{
    kvs("before", "load from 0x10 next");
    out_flush();
    volatile u64 *p = (volatile u64 *)OPAQUE(0x10UL);
    u64 v = *p;
    kv("after", v);
    return 0;
}
