/* Executing an illegal instruction (all-zero halfword, defined illegal)
 * must kill the process with SIGILL: expected exit status 128 + 4 = 132.
 * The line printed before must be flushed and visible. */
#include "rt.h"

int main(void)
{
    kvs("before", "illegal instruction next");
    out_flush();
    __asm__ volatile(".2byte 0x0000");
    kvs("after", "must not be printed");
    return 0;
}
