/* Tiny freestanding runtime shared by the guest test programs.
 * No libc: keeps each static binary a few KiB and makes every system call
 * visible in the source. */
#pragma once

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef short i16;
typedef unsigned char u8;
typedef signed char i8;
typedef unsigned long size_t;

/* riscv64 (asm-generic) system call numbers */
enum {
    SYS_getcwd = 17, SYS_dup = 23, SYS_fcntl = 25, SYS_ioctl = 29,
    SYS_mkdirat = 34, SYS_unlinkat = 35, SYS_symlinkat = 36,
    SYS_ftruncate = 46, SYS_faccessat = 48, SYS_chdir = 49, SYS_fchdir = 50,
    SYS_openat = 56, SYS_close = 57, SYS_getdents64 = 61, SYS_lseek = 62,
    SYS_read = 63, SYS_write = 64, SYS_readv = 65, SYS_writev = 66,
    SYS_pread64 = 67, SYS_pwrite64 = 68, SYS_readlinkat = 78,
    SYS_newfstatat = 79, SYS_fstat = 80, SYS_exit = 93, SYS_exit_group = 94,
    SYS_nanosleep = 101, SYS_clock_gettime = 113, SYS_clock_getres = 114,
    SYS_clock_nanosleep = 115, SYS_sched_yield = 124, SYS_kill = 129,
    SYS_tgkill = 131, SYS_times = 153, SYS_uname = 160,
    SYS_getrusage = 165, SYS_gettimeofday = 169, SYS_getpid = 172,
    SYS_getppid = 173, SYS_getuid = 174, SYS_gettid = 178,
    SYS_brk = 214, SYS_munmap = 215, SYS_mremap = 216, SYS_mmap = 222,
    SYS_mprotect = 226, SYS_madvise = 233, SYS_riscv_flush_icache = 259,
    SYS_renameat2 = 276, SYS_getrandom = 278, SYS_statx = 291,
};

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_DIRECTORY 0200000
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a4 __asm__("a4") = e;
    register long a5 __asm__("a5") = f;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(a0)
                     : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
                     : "memory");
    return a0;
}
#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) \
    sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* Buffered stdout; flushed by rt_exit and out_flush. */
void out_flush(void);
void out_str(const char *s);
void out_char(char c);
void out_hex(u64 v, int digits);
void out_dec(i64 v);
/* "name: 0123456789abcdef" */
void kv(const char *name, u64 v);
/* "name: 01234567" */
void kv32(const char *name, u32 v);
/* "name: <decimal>" */
void kvd(const char *name, i64 v);
/* "name: yes|no" */
void kvb(const char *name, int v);
/* "name: <string>" */
void kvs(const char *name, const char *s);
__attribute__((noreturn)) void rt_exit(int code);

/* Opaque copy: stops the compiler from constant-folding test inputs. */
#define OPAQUE(x) ({ __typeof__(x) _o = (x); __asm__ volatile("" : "+r"(_o)); _o; })
