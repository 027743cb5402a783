/* glibc start-up (static: hello_static; dynamic, needs the riscv64
 * sysroot via -L: hello_dyn), stdio buffering, printf of integers and
 * doubles, and the exit status returned from main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    volatile double x = 2.0;
    char *s = malloc(64);
    strcpy(s, "heap ok");
    printf("hello from riscv64 glibc\n");
    printf("argc: %d\n", argc);
    printf("printf: %d %u %ld %x %s\n", -42, 42u, 1L << 40, 0xbeef, s);
    printf("double: %.17g %.3f %e\n", x / 3.0, 1e10 / 7.0, 6.02214076e23);
    free(s);
    fflush(stdout);
    return 3;
}
