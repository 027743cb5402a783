/* ebreak raises SIGTRAP: expected exit status 128 + 5 = 133. */
#include "rt.h"

int main(void)
{
    kvs("before", "ebreak next");
    out_flush();
    __asm__ volatile("ebreak");
    kvs("after", "must not be printed");
    return 0;
}
