/* Helpers shared by the system-call test programs. */
#pragma once
#include "rt.h"

/* struct stat of asm-generic (riscv64) */
struct kstat {
    u64 dev, ino;
    u32 mode, nlink, uid, gid;
    u64 rdev, pad1;
    i64 size;
    i32 blksize, pad2;
    i64 blocks;
    i64 atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
    u32 unused[2];
};
#define S_IFMT 0170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFLNK 0120000

struct ktimespec {
    i64 sec, nsec;
};

/* Appends the decimal value of v to the string at dst. */
static inline void str_append_dec(char *dst, u64 v)
{
    char tmp[24];
    int n = 0;
    while (*dst)
        dst++;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *dst++ = tmp[--n];
    *dst = 0;
}

static inline void str_append(char *dst, const char *s)
{
    while (*dst)
        dst++;
    while ((*dst++ = *s++))
        ;
}

static inline int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

/* "name: <decimal result>" for a raw system call return (-errno) */
#define CALL(name, expr) kvd(name, (expr))
