/* The exit status of the guest is the emulator's exit status: 42. */
#include "rt.h"

int main(void)
{
    kvs("exiting with", "42");
    return 42;
}
