/*
 * An LD_PRELOAD library that makes a process see an AVX2 + FMA CPU without AVX-512, AMX or
 * AVX10, for `cargo xtask bench --vs-numpy --peers-isa avx2`.
 *
 * Why: JAX's dots go to YNNPACK, which picks its kernels from CPUID, and neither XLA's nor oneDNN's
 * ISA flags change that choice; on an AVX-512 machine it runs 512-bit kernels while dlfs2 is held to
 * its AVX2 tiles (DLFS2_GEMM=avx2) and numpy to OpenBLAS's Haswell kernels. To compare the three on
 * the instruction set of the machines most users have, every reader of CPUID in the process must be
 * told the same thing.
 *
 * How: Linux's CPUID faulting (arch_prctl(ARCH_SET_CPUID, 0), on CPUs and hypervisors that offer
 * it: the `cpuid_fault` flag of /proc/cpuinfo) turns every CPUID instruction of the thread into a
 * SIGSEGV. The handler runs the real CPUID (faulting off for that one instruction, on this thread
 * only), clears the feature bits of AVX-512, AMX, AVX10 and the VEX extensions AVX2-only CPUs lack,
 * and resumes after the instruction. The setting is per thread and kept across clone and fork, so
 * every thread of the process inherits it from the constructor's; an exec resets it, and the
 * preload runs again in the new image.
 *
 * Faults that are not a CPUID are passed to the handler the program installed (the wrappers of
 * sigaction, signal and bsd_signal below record it instead of replacing ours), or to the default
 * action.
 *
 * If faulting is not available the constructor says so on stderr and the process runs unmasked:
 * the bench then reports the peer as not masked (dlfs2_cpuid_masking() returns 0), never silently.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t masking;
static volatile long answered;
/* The SIGSEGV disposition the program asked for (SIG_DFL until it asks). */
static struct sigaction chained;

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

static sigaction_fn real_sigaction(void) {
    static sigaction_fn f;
    if (!f) f = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
    return f;
}

static long set_cpuid_faulting(int on) {
    /* ARCH_SET_CPUID's argument is "CPUID allowed": 0 makes it fault. */
    return syscall(SYS_arch_prctl, ARCH_SET_CPUID, on ? 0 : 1);
}

static void real_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

#define BIT(n) (1u << (n))

/* What an AVX2 + FMA CPU (Haswell to Zen 3) answers where this one answers more. */
static void mask(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    if (leaf == 7 && sub == 0) {
        /* EBX: AVX512F, DQ, IFMA, PF, ER, CD, BW, VL. */
        r[1] &= ~(BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31));
        /* ECX: AVX512_VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ. */
        r[2] &= ~(BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14));
        /* EDX: AVX512_4VNNIW, 4FMAPS, VP2INTERSECT, AMX_BF16, AVX512_FP16, AMX_TILE, AMX_INT8. */
        r[3] &= ~(BIT(2) | BIT(3) | BIT(8) | BIT(22) | BIT(23) | BIT(24) | BIT(25));
    } else if (leaf == 7 && sub == 1) {
        /* EAX: AVX_VNNI, AVX512_BF16, AMX_FP16, AVX_IFMA. EDX: AVX_VNNI_INT8, AVX_NE_CONVERT,
           AMX_COMPLEX, AVX10. */
        r[0] &= ~(BIT(4) | BIT(5) | BIT(21) | BIT(23));
        r[3] &= ~(BIT(4) | BIT(5) | BIT(8) | BIT(19));
    } else if (leaf == 0xD && sub == 0) {
        /* XSAVE components the OS may enable: opmask, ZMM_Hi256, Hi16_ZMM, AMX tile state. */
        r[0] &= ~(BIT(5) | BIT(6) | BIT(7) | BIT(17) | BIT(18));
    } else if (leaf == 0xD && (sub == 5 || sub == 6 || sub == 7 || sub == 17 || sub == 18)) {
        r[0] = r[1] = r[2] = r[3] = 0;
    } else if (leaf == 0x1D || leaf == 0x1E || leaf == 0x24) {
        /* AMX tile information, AVX10's leaf. */
        r[0] = r[1] = r[2] = r[3] = 0;
    }
}

static void on_segv(int sig, siginfo_t *info, void *context) {
    ucontext_t *uc = context;
    greg_t *g = uc->uc_mcontext.gregs;
    const unsigned char *ip = (const unsigned char *)g[REG_RIP];
    if (masking && info->si_code == SI_KERNEL && ip[0] == 0x0F && ip[1] == 0xA2) {
        uint32_t leaf = (uint32_t)g[REG_RAX], sub = (uint32_t)g[REG_RCX], r[4];
        set_cpuid_faulting(0);
        real_cpuid(leaf, sub, r);
        set_cpuid_faulting(1);
        mask(leaf, sub, r);
        /* CPUID writes the low 32 bits and zeroes the upper half of each register. */
        g[REG_RAX] = r[0];
        g[REG_RBX] = r[1];
        g[REG_RCX] = r[2];
        g[REG_RDX] = r[3];
        g[REG_RIP] += 2;
        answered = answered + 1;
        return;
    }
    if (chained.sa_flags & SA_SIGINFO) {
        chained.sa_sigaction(sig, info, context);
    } else if (chained.sa_handler != SIG_DFL && chained.sa_handler != SIG_IGN) {
        chained.sa_handler(sig);
    } else {
        /* Back to the default action; returning re-runs the faulting instruction, which then
           ends the process as it would have without us. */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        real_sigaction()(SIGSEGV, &dfl, NULL);
    }
}

/* The program's own SIGSEGV handler is kept as the one faults other than CPUID go to. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
    if (sig != SIGSEGV || !masking) return real_sigaction()(sig, act, old);
    if (old) *old = chained;
    if (act) chained = *act;
    return 0;
}

/* glibc's signal() installs through its internal sigaction, not this one. */
static sighandler_t install_handler(int sig, sighandler_t handler, sighandler_t (*next)(int, sighandler_t)) {
    if (sig != SIGSEGV || !masking) return next(sig, handler);
    /* sa_handler and sa_sigaction share their storage: either reads back as what was set. */
    sighandler_t previous = chained.sa_handler;
    memset(&chained, 0, sizeof chained);
    chained.sa_handler = handler;
    chained.sa_flags = SA_RESTART;
    return previous;
}

sighandler_t signal(int sig, sighandler_t handler) {
    static sighandler_t (*next)(int, sighandler_t);
    if (!next) next = (sighandler_t(*)(int, sighandler_t))dlsym(RTLD_NEXT, "signal");
    return install_handler(sig, handler, next);
}

sighandler_t bsd_signal(int sig, sighandler_t handler) {
    static sighandler_t (*next)(int, sighandler_t);
    if (!next) next = (sighandler_t(*)(int, sighandler_t))dlsym(RTLD_NEXT, "bsd_signal");
    return install_handler(sig, handler, next);
}

/* How many CPUID instructions were answered masked so far; 0 if masking is off. */
long dlfs2_cpuid_masking(void) { return masking ? answered : 0; }

__attribute__((constructor)) static void start(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    chained.sa_handler = SIG_DFL;
    if (real_sigaction()(SIGSEGV, &sa, NULL) != 0) return;
    if (set_cpuid_faulting(1) != 0) {
        static const char msg[] =
            "cpuid_avx2: this CPU or kernel has no CPUID faulting; the process sees the real CPU\n";
        ssize_t ignored = write(2, msg, sizeof msg - 1);
        (void)ignored;
        return;
    }
    masking = 1;
}
