/* File and directory system calls on a private scratch directory under
 * /tmp: openat/read/write/lseek (incl. SEEK_END past the end and the hole
 * reading zeros)/pread64/pwrite64/readv/writev, fstat/newfstatat
 * (stat and lstat)/statx, getdents64 (names sorted, d_type), mkdirat,
 * unlinkat (files and AT_REMOVEDIR, ENOTEMPTY), renameat2, symlinkat,
 * readlinkat, chdir/fchdir/getcwd, dup/fcntl, and errno values. */
#include "sys_util.h"

#define SYS_umask 166
#define STATX_BASIC_STATS 0x7ffu
#define F_GETFD 1
#define F_SETFD 2
#define FD_CLOEXEC 1

struct iovec {
    void *base;
    size_t len;
};

static char dir[128];

static void show_stat(const char *what, const struct kstat *st)
{
    out_str(what);
    out_str(": type ");
    out_hex(st->mode & S_IFMT, 6);
    out_str(" perm ");
    out_hex(st->mode & 07777, 4);
    /* directory sizes and link counts depend on the file system */
    if ((st->mode & S_IFMT) != S_IFDIR) {
        out_str(" nlink ");
        out_dec(st->nlink);
        out_str(" size ");
        out_dec(st->size);
    }
    out_char('\n');
}

/* getdents64 over "." ; names sorted so file-system order does not matter */
static void list_dir(const char *what)
{
    static char names[16][32];
    static u8 types[16];
    int n = 0;
    long fd = sys4(SYS_openat, AT_FDCWD, ".", O_RDONLY | O_DIRECTORY, 0);
    static char buf[512];
    for (;;) {
        long got = sys3(SYS_getdents64, fd, buf, sizeof(buf));
        if (got <= 0)
            break;
        for (long off = 0; off < got;) {
            u16 reclen = *(u16 *)(buf + off + 16);
            u8 type = *(u8 *)(buf + off + 18);
            const char *name = buf + off + 19;
            if (n < 16 && strlen(name) < 32) {
                memcpy(names[n], name, strlen(name) + 1);
                types[n++] = type;
            }
            off += reclen;
        }
    }
    sys1(SYS_close, fd);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[32];
            memcpy(t, names[j], 32);
            memcpy(names[j], names[j - 1], 32);
            memcpy(names[j - 1], t, 32);
            u8 ty = types[j];
            types[j] = types[j - 1];
            types[j - 1] = ty;
        }
    out_str(what);
    out_str(":");
    for (int i = 0; i < n; i++) {
        out_char(' ');
        out_str(names[i]);
        out_char('/');
        out_dec(types[i]);
    }
    out_char('\n');
}

int main(void)
{
    char buf[64];
    struct kstat st, st2;

    sys1(SYS_umask, 022);
    str_append(dir, "/tmp/oxemu-guest-files-");
    str_append_dec(dir, (u64)sys0(SYS_getpid));
    CALL("mkdirat scratch", sys3(SYS_mkdirat, AT_FDCWD, dir, 0700));
    CALL("mkdirat again", sys3(SYS_mkdirat, AT_FDCWD, dir, 0700));
    long dfd = sys4(SYS_openat, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0);
    kvb("open dir fd >= 3", dfd >= 3);
    CALL("chdir", sys1(SYS_chdir, dir));
    long glen = sys2(SYS_getcwd, buf, sizeof(buf));
    kvb("getcwd length includes nul", glen == (long)strlen(dir) + 1);
    kvb("getcwd is scratch dir", strcmp(buf, dir) == 0);
    CALL("getcwd small buffer", sys2(SYS_getcwd, buf, 4));

    long fd = sys4(SYS_openat, AT_FDCWD, "a.txt", O_CREAT | O_RDWR | O_EXCL, 0640);
    kvb("openat create fd >= 3", fd >= 3);
    CALL("openat O_EXCL existing", sys4(SYS_openat, AT_FDCWD, "a.txt", O_CREAT | O_EXCL | O_RDWR, 0640));
    CALL("write", sys3(SYS_write, fd, "hello, world\n", 13));
    CALL("lseek cur", sys3(SYS_lseek, fd, 0, SEEK_CUR));
    CALL("lseek set 0", sys3(SYS_lseek, fd, 0, SEEK_SET));
    memset(buf, 0, sizeof(buf));
    CALL("read 5", sys3(SYS_read, fd, buf, 5));
    kvs("read data", buf);
    memset(buf, 0, sizeof(buf));
    CALL("pread64 5 at 7", sys4(SYS_pread64, fd, buf, 5, 7));
    kvs("pread data", buf);
    CALL("lseek after pread unchanged", sys3(SYS_lseek, fd, 0, SEEK_CUR));
    CALL("pwrite64 at 7", sys4(SYS_pwrite64, fd, "WORLD", 5, 7));
    CALL("lseek end", sys3(SYS_lseek, fd, 0, SEEK_END));
    CALL("lseek end + 10", sys3(SYS_lseek, fd, 10, SEEK_END));
    CALL("write after hole", sys3(SYS_write, fd, "!", 1));
    memset(buf, 0x7f, sizeof(buf));
    CALL("pread64 whole file", sys4(SYS_pread64, fd, buf, sizeof(buf), 0));
    out_str("file bytes:");
    for (int i = 0; i < 24; i++) {
        out_char(' ');
        out_hex((u8)buf[i], 2);
    }
    out_char('\n');
    CALL("lseek negative", sys3(SYS_lseek, fd, -100, SEEK_SET));
    CALL("lseek bad whence", sys3(SYS_lseek, fd, 0, 17));

    struct iovec iov[2] = {{"abc", 3}, {"defgh", 5}};
    sys3(SYS_lseek, fd, 0, SEEK_SET);
    CALL("writev", sys3(SYS_writev, fd, iov, 2));
    char r1[4] = {0}, r2[8] = {0};
    struct iovec riov[2] = {{r1, 2}, {r2, 4}};
    sys3(SYS_lseek, fd, 1, SEEK_SET);
    CALL("readv", sys3(SYS_readv, fd, riov, 2));
    kvs("readv first", r1);
    kvs("readv second", r2);

    CALL("fstat", sys2(SYS_fstat, fd, &st));
    show_stat("fstat", &st);
    CALL("stat", sys4(SYS_newfstatat, AT_FDCWD, "a.txt", &st2, 0));
    kvb("stat ino == fstat ino", st.ino == st2.ino);
    kvb("stat blksize > 0", st2.blksize > 0);

    static u8 sx[256];
    long sr = sys5(SYS_statx, AT_FDCWD, "a.txt", 0, STATX_BASIC_STATS, sx);
    CALL("statx", sr);
    kvb("statx size", *(u64 *)(sx + 40) == (u64)st.size);
    kvb("statx ino", *(u64 *)(sx + 32) == st.ino);
    kvb("statx mode", *(u16 *)(sx + 28) == (u16)st.mode);
    kvb("statx mask has size", (*(u32 *)sx & 0x200) != 0);

    CALL("symlinkat", sys3(SYS_symlinkat, "a.txt", AT_FDCWD, "link"));
    memset(buf, 0, sizeof(buf));
    CALL("readlinkat", sys4(SYS_readlinkat, AT_FDCWD, "link", buf, sizeof(buf)));
    kvs("readlinkat data", buf);
    CALL("readlinkat on a file", sys4(SYS_readlinkat, AT_FDCWD, "a.txt", buf, sizeof(buf)));
    CALL("lstat link", sys4(SYS_newfstatat, AT_FDCWD, "link", &st2, AT_SYMLINK_NOFOLLOW));
    show_stat("lstat link", &st2);
    CALL("stat through link", sys4(SYS_newfstatat, AT_FDCWD, "link", &st2, 0));
    kvb("stat through link is the file", st2.ino == st.ino);

    CALL("mkdirat sub", sys3(SYS_mkdirat, AT_FDCWD, "sub", 0755));
    CALL("stat sub", sys4(SYS_newfstatat, AT_FDCWD, "sub", &st2, 0));
    show_stat("stat sub", &st2);
    long f2 = sys4(SYS_openat, AT_FDCWD, "sub/x", O_CREAT | O_WRONLY, 0600);
    sys1(SYS_close, f2);
    list_dir("getdents64");
    CALL("rmdir non-empty", sys3(SYS_unlinkat, AT_FDCWD, "sub", AT_REMOVEDIR));
    CALL("unlink a directory", sys3(SYS_unlinkat, AT_FDCWD, "sub", 0));
    CALL("chdir sub", sys1(SYS_chdir, "sub"));
    sys2(SYS_getcwd, buf, sizeof(buf));
    kvb("getcwd ends with /sub", ends_with(buf, "/sub"));
    CALL("fchdir back", sys1(SYS_fchdir, dfd));
    sys2(SYS_getcwd, buf, sizeof(buf));
    kvb("getcwd after fchdir", strcmp(buf, dir) == 0);
    CALL("unlink sub/x", sys3(SYS_unlinkat, AT_FDCWD, "sub/x", 0));
    CALL("rmdir sub", sys3(SYS_unlinkat, AT_FDCWD, "sub", AT_REMOVEDIR));

    CALL("renameat2", sys5(SYS_renameat2, AT_FDCWD, "a.txt", AT_FDCWD, "b.txt", 0));
    CALL("open old name", sys4(SYS_openat, AT_FDCWD, "a.txt", O_RDONLY, 0));
    CALL("stat dangling link", sys4(SYS_newfstatat, AT_FDCWD, "link", &st2, 0));
    list_dir("after rename");

    long d = sys1(SYS_dup, fd);
    kvb("dup gives a new fd", d > fd);
    CALL("fcntl getfd", sys3(SYS_fcntl, d, F_GETFD, 0));
    CALL("fcntl setfd cloexec", sys3(SYS_fcntl, d, F_SETFD, FD_CLOEXEC));
    CALL("fcntl getfd again", sys3(SYS_fcntl, d, F_GETFD, 0));
    CALL("lseek via dup shares offset", (sys3(SYS_lseek, fd, 3, SEEK_SET), sys3(SYS_lseek, d, 0, SEEK_CUR)));
    CALL("ftruncate 4", sys2(SYS_ftruncate, fd, 4));
    CALL("fstat after truncate", (sys2(SYS_fstat, d, &st2), st2.size));
    CALL("close dup", sys1(SYS_close, d));
    CALL("close dup again", sys1(SYS_close, d));
    CALL("read from directory", sys3(SYS_read, dfd, buf, 4));
    long ro = sys4(SYS_openat, AT_FDCWD, "b.txt", O_RDONLY, 0);
    CALL("write to read-only fd", sys3(SYS_write, ro, "x", 1));
    CALL("openat missing dir component", sys4(SYS_openat, AT_FDCWD, "nodir/x", O_RDONLY, 0));
    CALL("openat file as dir", sys4(SYS_openat, AT_FDCWD, "b.txt/x", O_RDONLY, 0));
    sys1(SYS_close, ro);
    sys1(SYS_close, fd);

    CALL("unlink link", sys3(SYS_unlinkat, AT_FDCWD, "link", 0));
    CALL("unlink b.txt", sys3(SYS_unlinkat, AT_FDCWD, "b.txt", 0));
    CALL("chdir /", sys1(SYS_chdir, "/"));
    sys1(SYS_close, dfd);
    CALL("rmdir scratch", sys3(SYS_unlinkat, AT_FDCWD, dir, AT_REMOVEDIR));
    CALL("faccessat removed", sys3(SYS_faccessat, AT_FDCWD, dir, 0));
    return 0;
}
