/*
 * What a process sees under `bench --isa avx2`'s CPUID mask (bench/cpuid_avx2.c), for
 * tests/cpuid_mask.rs: CPUID on the main thread, on a new thread and in a forked child; and what
 * becomes of a real segmentation fault, with and without the program's own handler.
 *
 * usage: cpuid_probe view | sigaction-handler | signal-handler | crash
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void line(const char *who) {
    unsigned a, b, c, d, max = __get_cpuid_max(0, 0);
    __cpuid(1, a, b, c, d);
    unsigned fma = (c >> 12) & 1;
    unsigned l7b = 0, l7c = 0, l7d = 0, xcr = 0;
    if (max >= 7) __cpuid_count(7, 0, a, l7b, l7c, l7d);
    if (max >= 0xD) __cpuid_count(0xD, 0, xcr, b, c, d);
    printf("%s avx2=%u fma=%u avx512f=%u avx512bw=%u amx_tile=%u zmm_state=%u\n", who, (l7b >> 5) & 1,
           fma, (l7b >> 16) & 1, (l7b >> 30) & 1, (l7d >> 24) & 1, (xcr >> 6) & 1);
    fflush(stdout);
}

static void *thread_main(void *arg) {
    (void)arg;
    line("thread");
    return NULL;
}

static void handler(int sig) {
    (void)sig;
    static const char msg[] = "own handler\n";
    ssize_t ignored = write(1, msg, sizeof msg - 1);
    (void)ignored;
    _exit(3);
}

static void fault(void) {
    /* CPUID first: it must be answered by the mask, not reach the program's handler. */
    line("before-fault");
    *(volatile int *)0 = 1;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "view";
    if (!strcmp(mode, "view")) {
        line("main");
        pthread_t t;
        pthread_create(&t, NULL, thread_main, NULL);
        pthread_join(t, NULL);
        pid_t child = fork();
        if (child == 0) {
            line("child");
            _exit(0);
        }
        waitpid(child, NULL, 0);
        long (*count)(void) = (long (*)(void))dlsym(RTLD_DEFAULT, "dlfs2_cpuid_masking");
        printf("answered=%ld\n", count ? count() : -1L);
        return 0;
    }
    if (!strcmp(mode, "sigaction-handler")) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = handler;
        sigaction(SIGSEGV, &sa, NULL);
        fault();
    } else if (!strcmp(mode, "signal-handler")) {
        signal(SIGSEGV, handler);
        fault();
    } else if (!strcmp(mode, "crash")) {
        fault();
    }
    return 1;
}
