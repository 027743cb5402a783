/* A floating-point op with the dynamic rounding mode while frm holds a
 * reserved value (5) is an illegal instruction: SIGILL, status 132. Also
 * checks that frm = 5 itself can be written and read back. */
#include "rt.h"

int main(void)
{
    u64 frm;
    __asm__ volatile("csrwi frm, 5\n\tcsrr %0, frm" : "=r"(frm));
    kv("frm after csrwi 5", frm);
    out_flush();
    double x = OPAQUE(1.0), r;
    __asm__ volatile("fadd.d %0, %1, %1" : "=f"(r) : "f"(x));
    kvs("after", "must not be printed");
    return 0;
}
