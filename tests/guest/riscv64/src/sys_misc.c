/* Process and system information: argc/argv/envp and the auxiliary
 * vector on the initial stack (AT_PAGESZ, AT_HWCAP IMAFDC bits, AT_ENTRY,
 * AT_PHDR/AT_PHNUM, AT_RANDOM), getrandom, uname, isatty via ioctl TCGETS
 * (stdout must be a pipe or file), /proc/self/exe (readlink and reading
 * the ELF header), getpid/gettid/getppid/getuid, kill with signal 0,
 * sched_yield, an unknown system call number (ENOSYS), bad pointers
 * (EFAULT). */
#include "sys_util.h"

#define TCGETS 0x5401
#define AT_PHDR 3
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_UID 11
#define AT_HWCAP 16
#define AT_RANDOM 25

extern char _start[];
extern char __ehdr_start[];

static u64 auxv_get(char **envp, u64 type, int *found)
{
    while (*envp)
        envp++;
    for (u64 *a = (u64 *)(envp + 1); a[0] != 0; a += 2)
        if (a[0] == type) {
            *found = 1;
            return a[1];
        }
    *found = 0;
    return 0;
}

int main(int argc, char **argv, char **envp)
{
    kvd("argc", argc);
    kvb("argv[argc] is NULL", argv[argc] == 0);
    kvb("argv[0] ends with sys_misc", ends_with(argv[0], "sys_misc"));
    kvb("envp follows argv", envp == argv + argc + 1);
    kvb("stack pointer area aligned", ((u64)argv & 7) == 0);

    int found;
    u64 v = auxv_get(envp, AT_PAGESZ, &found);
    kvd("AT_PAGESZ", found ? (i64)v : -1);
    v = auxv_get(envp, AT_HWCAP, &found);
    kv("AT_HWCAP IMAFDC bits", found ? v & 0x112d : ~0UL); /* I M A F D C */
    v = auxv_get(envp, AT_ENTRY, &found);
    kvb("AT_ENTRY is _start", found && v == (u64)_start);
    v = auxv_get(envp, AT_PHDR, &found);
    u64 phoff = *(u64 *)(__ehdr_start + 32);
    kvb("AT_PHDR matches ELF header", found && v == (u64)__ehdr_start + phoff);
    v = auxv_get(envp, AT_PHNUM, &found);
    kvb("AT_PHNUM matches ELF header", found && v == *(u16 *)(__ehdr_start + 56));
    v = auxv_get(envp, AT_UID, &found);
    kvb("AT_UID matches getuid", found && v == (u64)sys0(SYS_getuid));
    v = auxv_get(envp, AT_RANDOM, &found);
    kvb("AT_RANDOM present", found && v != 0);

    u8 r1[32], r2[32];
    memset(r1, 0, 32);
    memset(r2, 0, 32);
    CALL("getrandom 32", sys3(SYS_getrandom, r1, 32, 0));
    CALL("getrandom 32 again", sys3(SYS_getrandom, r2, 32, 0));
    kvb("two getrandom results differ", memcmp(r1, r2, 32) != 0);
    CALL("getrandom bad flags", sys3(SYS_getrandom, r1, 32, 0x1000));

    struct {
        char sysname[65], nodename[65], release[65], version[65], machine[65], domain[65];
    } u;
    CALL("uname", sys1(SYS_uname, &u));
    kvs("uname sysname", u.sysname);
    kvs("uname machine", u.machine);
    kvb("uname release non-empty", u.release[0] != 0);

    u8 termios[64];
    CALL("ioctl TCGETS stdout (not a tty)", sys3(SYS_ioctl, 1, TCGETS, termios));
    long nul = sys4(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR, 0);
    CALL("ioctl TCGETS /dev/null", sys3(SYS_ioctl, nul, TCGETS, termios));
    CALL("ioctl TCGETS bad fd", sys3(SYS_ioctl, 999, TCGETS, termios));
    CALL("read /dev/null", sys3(SYS_read, nul, termios, 8));
    CALL("write /dev/null", sys3(SYS_write, nul, "abc", 3));
    sys1(SYS_close, nul);

    char exe[256];
    memset(exe, 0, sizeof(exe));
    long n = sys4(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", exe, sizeof(exe) - 1);
    kvb("readlink /proc/self/exe ok", n > 0);
    kvb("/proc/self/exe is absolute", exe[0] == '/');
    kvb("/proc/self/exe ends with /sys_misc", ends_with(exe, "/sys_misc"));
    long fd = sys4(SYS_openat, AT_FDCWD, "/proc/self/exe", O_RDONLY, 0);
    u8 eh[64];
    CALL("read /proc/self/exe header", sys3(SYS_read, fd, eh, 64));
    kvb("ELF magic", eh[0] == 0x7f && eh[1] == 'E' && eh[2] == 'L' && eh[3] == 'F');
    kvd("e_machine", *(u16 *)(eh + 18));
    sys1(SYS_close, fd);

    long pid = sys0(SYS_getpid);
    kvb("getpid > 0", pid > 0);
    kvb("gettid == getpid", sys0(SYS_gettid) == pid);
    kvb("getppid > 0", sys0(SYS_getppid) > 0);
    CALL("kill self with 0", sys2(SYS_kill, pid, 0));
    CALL("sched_yield", sys0(SYS_sched_yield));
    CALL("unknown syscall 2000", sys0(2000));
    CALL("write from bad pointer", sys3(SYS_write, 1, 16, 4));
    CALL("uname bad pointer", sys1(SYS_uname, 16));
    return 0;
}
