/* The standalone driver of the CPU fuzz target: seeded random instruction
 * streams (fuzz_cpu_generate), or the inputs named on the command line.
 *
 *   fuzz_cpu_random [--streams N] [--seed S] [--start I] [--budget INSNS]
 *                   [--max-len BYTES] [--timeout SECONDS] [FILE...]
 *
 * Stream I of seed S is the same on every run, so a failure is replayed
 * with --seed S --start I --streams 1.  X86SIM_FUZZ_STREAMS sets the
 * default count (ctest runs the short default; the long run sets it).
 * On a crash, a sanitizer report or a stream that runs longer than the
 * timeout (a host-side hang: guest loops end at the instruction budget),
 * the driver names the stream and writes its bytes to
 * fuzz-cpu-S-I.bin, which replays as a FILE (and in the libFuzzer
 * target). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_cpu.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_SANITIZER 1
#endif
#endif
#ifdef HAVE_SANITIZER
#include <sanitizer/common_interface_defs.h>
#endif

#ifdef HAVE_SANITIZER
/* A sanitizer report aborts (SIGABRT reaches on_signal, which names the
 * stream): UBSan's fatal path does not run the death callback. */
const char *__asan_default_options(void) { return "abort_on_error=1:detect_leaks=0"; }
const char *__ubsan_default_options(void) { return "abort_on_error=1:print_stacktrace=1"; }
#endif

#define MAX_INPUT 65536

/* The stream being run, for the crash report. */
static uint8_t input[MAX_INPUT];
static size_t input_len;
static unsigned long long cur_seed, cur_index;
static const char *cur_file;

static void say(const char *s)
{
    ssize_t r = write(2, s, strlen(s));
    (void)r;
}

static char *put_num(char *p, unsigned long long v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* Async-signal-safe: names the input and saves it. */
static void report_input(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    if (cur_file) {
        say("x86sim fuzz: failing input: ");
        say(cur_file);
        say("\n");
        return;
    }
    char name[96], *p = name;
    memcpy(p, "fuzz-cpu-", 9), p += 9;
    p = put_num(p, cur_seed);
    *p++ = '-';
    p = put_num(p, cur_index);
    memcpy(p, ".bin", 5);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        ssize_t r = write(fd, input, input_len);
        (void)r;
        close(fd);
    }
    char msg[256];
    p = msg;
    const char *a = "x86sim fuzz: failing stream: --seed ";
    memcpy(p, a, strlen(a)), p += strlen(a);
    p = put_num(p, cur_seed);
    a = " --start ";
    memcpy(p, a, strlen(a)), p += strlen(a);
    p = put_num(p, cur_index);
    a = " --streams 1; input saved as ";
    memcpy(p, a, strlen(a)), p += strlen(a);
    *p = 0;
    say(msg);
    say(name);
    say("\n");
}

static void on_signal(int sig)
{
    if (sig == SIGALRM)
        say("x86sim fuzz: timeout: the host spent too long on one stream (a host-side hang)\n");
    report_input();
    signal(sig, SIG_DFL);
    if (sig == SIGALRM)
        abort();
    raise(sig);
}

static bool read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_cpu_random: cannot open %s\n", path);
        return false;
    }
    input_len = fread(input, 1, sizeof input, f);
    fclose(f);
    return true;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr, "usage: fuzz_cpu_random [--streams N] [--seed S] [--start I] [--budget INSNS]\n"
                    "                       [--max-len BYTES] [--timeout SECONDS] [FILE...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long long streams = 2000, seed = 1, start = 0, budget = 0, max_len = 1024;
    unsigned timeout = 20;
    const char *env = getenv("X86SIM_FUZZ_STREAMS");
    if (env)
        streams = strtoull(env, NULL, 0);
    int nfiles = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        unsigned long long *opt = !strcmp(a, "--streams") ? &streams : !strcmp(a, "--seed") ? &seed
                                : !strcmp(a, "--start") ? &start : !strcmp(a, "--budget") ? &budget
                                : !strcmp(a, "--max-len") ? &max_len : NULL;
        if (opt || !strcmp(a, "--timeout")) {
            if (k + 1 == argc)
                usage();
            unsigned long long v = strtoull(argv[++k], NULL, 0);
            if (opt)
                *opt = v;
            else
                timeout = (unsigned)v;
        } else if (a[0] == '-') {
            usage();
        } else {
            files[nfiles++] = argv[k];
        }
    }
    if (max_len <= FUZZ_HEADER || max_len > MAX_INPUT) {
        fprintf(stderr, "fuzz_cpu_random: --max-len must be %d to %d\n", FUZZ_HEADER + 1, MAX_INPUT);
        return 2;
    }
    signal(SIGSEGV, on_signal);
    signal(SIGBUS, on_signal);
    signal(SIGFPE, on_signal);
    signal(SIGABRT, on_signal);
    signal(SIGALRM, on_signal);
#ifdef HAVE_SANITIZER
    __sanitizer_set_death_callback(report_input);
#endif

    fuzz_cpu_init(budget);
    double t0 = seconds();
    if (nfiles) {
        for (int k = 0; k < nfiles; k++) {
            if (!read_file(files[k]))
                return 1;
            cur_file = files[k];
            alarm(timeout);
            fuzz_cpu_run(input, input_len);
        }
    } else {
        cur_seed = seed;
        for (unsigned long long i = start; i < start + streams; i++) {
            cur_index = i;
            uint64_t rng = seed * 0x9E3779B97F4A7C15ull ^ i * 0xD1B54A32D192ED03ull;
            input_len = FUZZ_HEADER + 1 + (size_t)((rng >> 7) % (max_len - FUZZ_HEADER));
            fuzz_cpu_generate(&rng, input, input_len);
            alarm(timeout);
            fuzz_cpu_run(input, input_len);
        }
    }
    alarm(0);
    double dt = seconds() - t0;
    const fuzz_stats_t *s = fuzz_cpu_stats();
    printf("fuzz_cpu_random: %llu streams, %llu instructions, %llu exceptions/interrupts, "
           "%llu checked step by step, %llu triple faults, in %.1f s\n",
           (unsigned long long)s->streams, (unsigned long long)s->insns, (unsigned long long)s->events,
           (unsigned long long)s->checked, (unsigned long long)s->shutdowns, dt);
    printf("  starting modes: real %llu, unreal %llu, pm16 %llu, pm32 %llu, pm32 ring 3 %llu, "
           "pm16 ring 3 %llu, v86 %llu, rings 1-2 %llu; ended in pm %llu, v86 %llu\n",
           (unsigned long long)s->mode[0], (unsigned long long)s->mode[1], (unsigned long long)s->mode[2],
           (unsigned long long)s->mode[3], (unsigned long long)s->mode[4], (unsigned long long)s->mode[5],
           (unsigned long long)s->mode[6], (unsigned long long)s->mode[7], (unsigned long long)s->ended_pm,
           (unsigned long long)s->ended_v86);
    fuzz_cpu_free();
    free(files);
    return 0;
}
