/* Time system calls: clock_gettime on REALTIME/MONOTONIC/BOOTTIME/
 * PROCESS_CPUTIME/THREAD_CPUTIME/MONOTONIC_RAW/COARSE clocks, clock_getres,
 * nanosleep and clock_nanosleep (relative and TIMER_ABSTIME) lasting at
 * least the requested time, gettimeofday agreeing with REALTIME, times,
 * and EINVAL for bad clocks and bad timespecs. Only relations are
 * printed, never times. */
#include "sys_util.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

static i64 ns(const struct ktimespec *t)
{
    return t->sec * 1000000000L + t->nsec;
}

static i64 now(int clock)
{
    struct ktimespec t;
    sys2(SYS_clock_gettime, clock, &t);
    return ns(&t);
}

int main(void)
{
    static const struct {
        const char *name;
        int id;
    } clocks[] = {
        {"REALTIME", CLOCK_REALTIME},
        {"MONOTONIC", CLOCK_MONOTONIC},
        {"PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID},
        {"THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID},
        {"MONOTONIC_RAW", CLOCK_MONOTONIC_RAW},
        {"REALTIME_COARSE", CLOCK_REALTIME_COARSE},
        {"MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE},
        {"BOOTTIME", CLOCK_BOOTTIME},
    };
    for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
        struct ktimespec a, b, res;
        long r1 = sys2(SYS_clock_gettime, clocks[i].id, &a);
        long r2 = sys2(SYS_clock_gettime, clocks[i].id, &b);
        long r3 = sys2(SYS_clock_getres, clocks[i].id, &res);
        out_str(clocks[i].name);
        out_str(": gettime ");
        out_dec(r1 | r2);
        out_str(" nsec valid ");
        out_str(a.nsec >= 0 && a.nsec < 1000000000 ? "yes" : "no");
        out_str(" monotonic ");
        out_str(ns(&b) >= ns(&a) ? "yes" : "no");
        out_str(" getres ");
        out_dec(r3);
        out_str(" res <= 10ms ");
        out_str(ns(&res) > 0 && ns(&res) <= 10000000 ? "yes" : "no");
        out_char('\n');
    }
    kvb("REALTIME after 2020", now(CLOCK_REALTIME) > 1577836800L * 1000000000L);

    i64 t0 = now(CLOCK_MONOTONIC);
    struct ktimespec req = {0, 20000000}, rem = {7, 7};
    CALL("nanosleep 20ms", sys2(SYS_nanosleep, &req, &rem));
    i64 t1 = now(CLOCK_MONOTONIC);
    kvb("slept at least 20ms", t1 - t0 >= 20000000);
    kvb("slept less than 2s", t1 - t0 < 2000000000L);

    struct ktimespec until = {0, 0};
    i64 target = now(CLOCK_MONOTONIC) + 15000000;
    until.sec = target / 1000000000;
    until.nsec = target % 1000000000;
    CALL("clock_nanosleep absolute", sys4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, 0));
    kvb("woke after absolute deadline", now(CLOCK_MONOTONIC) >= target);
    struct ktimespec past = {0, 1};
    CALL("clock_nanosleep absolute in the past", sys4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, 0));

    struct ktimespec bad = {0, 1000000000};
    CALL("nanosleep nsec = 1e9", sys2(SYS_nanosleep, &bad, 0));
    struct ktimespec neg = {-1, 0};
    CALL("nanosleep negative", sys2(SYS_nanosleep, &neg, 0));
    struct ktimespec t;
    CALL("clock_gettime bad clock", sys2(SYS_clock_gettime, 12345, &t));
    CALL("clock_getres bad clock", sys2(SYS_clock_getres, 12345, &t));
    CALL("clock_gettime bad pointer", sys2(SYS_clock_gettime, CLOCK_MONOTONIC, 8));

    struct {
        i64 sec, usec;
    } tv;
    i64 rt = now(CLOCK_REALTIME);
    CALL("gettimeofday", sys2(SYS_gettimeofday, &tv, 0));
    i64 diff = tv.sec * 1000000000L + tv.usec * 1000 - rt;
    kvb("gettimeofday within 1s of REALTIME", diff > -1000000000L && diff < 1000000000L);
    kvb("gettimeofday usec valid", tv.usec >= 0 && tv.usec < 1000000);

    i64 tms[4];
    long ticks = sys1(SYS_times, tms);
    kvb("times ok", ticks != -1 && !(ticks < 0 && ticks > -4096));
    kvb("times fields non-negative", tms[0] >= 0 && tms[1] >= 0 && tms[2] >= 0 && tms[3] >= 0);

    /* CPU time grows when spinning */
    i64 c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    volatile u64 sink = 0;
    for (int i = 0; i < 3000000; i++)
        sink += (u64)i;
    kvb("process cpu time grows", now(CLOCK_PROCESS_CPUTIME_ID) > c0);
    return 0;
}
