/*
 * Bare-metal test guest: checks, from EL1, what a guest of the Bulkhead
 * hypervisor should see (EL, its RAM, PSCI over HVC, aborts outside its
 * memory, the PMU, the virtual GIC: vgic.c) and prints TAP-like
 * "ok - ..." / "FAIL - ..." lines, then "N passed, M failed", then powers
 * off with PSCI SYSTEM_OFF.
 *
 * Built with -DBENCH, main() runs the hypercall benchmark (bench.c) instead.
 */
#include "arch.h"
#include "check.h"
#include "conform.h"
#include "frames.h"
#include "fdt.h"
#include "gic.h"
#include "psci.h"
#include "reset.h"
#include "uart.h"
#include "vgic.h"

extern char _text[], _end[];            /* image bounds, from linker.ld */
void bench_main(const void *dtb) __attribute__((noreturn));
void bench_secondary(void) __attribute__((noreturn));
#define BENCH_SGI_CONTEXT   0xbe5c4UL       /* bench.c's cross-vCPU SGI receiver */
#ifdef BENCH
#define BENCH_MODE 1
#else
#define BENCH_MODE 0
#endif

#define FALLBACK_RAM_BASE   0x40000000UL
#define FALLBACK_RAM_SIZE   (256UL << 20)
#define PAGE                4096UL
#define UNASSIGNED_IPA      0x0c000000UL    /* virt platform bus: nothing there */
#define CPU_ON_CONTEXT      0x5ec0dc0ffeeUL /* context id handed to the secondary */


/* ---- exceptions ---- */

static volatile int expect_abort, abort_taken;
static volatile unsigned long abort_esr, abort_far;

/*
 * Called from the vector table (start.S) with the vector index.  A
 * synchronous exception from the current EL while a probe is armed is the
 * abort the probe wants: record it and skip the faulting load.  Anything
 * else is a failure and ends the run.
 */
void exception_handler(unsigned long index, unsigned long *frame)
{
    unsigned long esr = read_sysreg(esr_el1);
    unsigned long far = read_sysreg(far_el1);
    unsigned long elr = read_sysreg(elr_el1);

    (void)frame;
    if (index == 5) {       /* IRQ, current EL with SP_ELx: the (virtual) GIC */
        gic_irq();
        return;
    }
    if (index == 6) {       /* FIQ, current EL with SP_ELx: a Group 0 interrupt (conform.c) */
        conform_fiq();
        return;
    }
    if (index == 12 && conform_el0(frame))      /* lower EL, AArch32: conform.c's T32 code */
        return;
    if (index == 4 && expect_abort) {
        abort_esr = esr;
        abort_far = far;
        abort_taken = 1;
        expect_abort = 0;
        write_sysreg(elr_el1, elr + 4);
        return;
    }
    check(0, "unexpected exception", "vector %lu ESR 0x%lx ELR 0x%lx FAR 0x%lx",
          index, esr, elr, far);
    finish();
}

/* ---- checks ---- */

static void check_el(void)
{
    unsigned long el = (read_sysreg(CurrentEL) >> 2) & 3;
    check(el == 1, "running at EL1", "CurrentEL is EL%lu", el);
}

static void check_dt(const void *dtb, struct dt_info *dt)
{
    int rc = fdt_parse(dtb, dt);

    if (rc) {
        check(0, "device tree", "x0 0x%lx: %s; assuming 256 MiB at 0x40000000",
              (unsigned long)dtb, rc == -1 ? "no FDT magic" : "no /memory reg");
        dt->mem_base = FALLBACK_RAM_BASE;
        dt->mem_size = FALLBACK_RAM_SIZE;
        dt->ncpus = 1;
        dt->cpu_mpidr[0] = 0;
        return;
    }
    check(1, "device tree", "at 0x%lx: memory 0x%lx size 0x%lx, %d cpus",
          (unsigned long)dtb, dt->mem_base, dt->mem_size, dt->ncpus);
}

/*
 * Writes three patterns over one 4 KiB page and reads each back.  The page's
 * contents are saved and restored: it may hold the DTB or QEMU's boot stub.
 * Returns the first bad address, or 0.
 */
static unsigned long test_page(unsigned long addr, unsigned long *got, unsigned long *want)
{
    static unsigned long saved[PAGE / 8];
    volatile unsigned long *p = (volatile unsigned long *)addr;
    unsigned long bad = 0;

    for (unsigned i = 0; i < PAGE / 8; i++)
        saved[i] = p[i];
    for (unsigned pass = 0; pass < 3 && !bad; pass++) {
        for (unsigned i = 0; i < PAGE / 8; i++)
            p[i] = pass == 0 ? 0x5555555555555555UL
                 : pass == 1 ? 0xaaaaaaaaaaaaaaaaUL
                 : (addr + 8 * i) ^ 0x0123456789abcdefUL;
        for (unsigned i = 0; i < PAGE / 8 && !bad; i++) {
            unsigned long w = pass == 0 ? 0x5555555555555555UL
                            : pass == 1 ? 0xaaaaaaaaaaaaaaaaUL
                            : (addr + 8 * i) ^ 0x0123456789abcdefUL;
            if (p[i] != w) {
                bad = addr + 8 * i;
                *got = p[i];
                *want = w;
            }
        }
    }
    for (unsigned i = 0; i < PAGE / 8; i++)
        p[i] = saved[i];
    return bad;
}

static void check_ram(const struct dt_info *dt)
{
    unsigned long img_lo = (unsigned long)_text & ~(PAGE - 1);
    unsigned long img_hi = ((unsigned long)_end + PAGE - 1) & ~(PAGE - 1);
    unsigned long first = dt->mem_base;
    unsigned long middle = (dt->mem_base + dt->mem_size / 2) & ~(PAGE - 1);
    unsigned long last = dt->mem_base + dt->mem_size - PAGE;
    unsigned long pages[3] = { first, middle, last };
    static const char *const names[3] = { "first", "middle", "last" };

    for (int i = 0; i < 3; i++) {
        unsigned long a = pages[i], got = 0, want = 0, bad;
        if (a >= img_lo && a < img_hi)
            a = img_hi;     /* never overwrite our own code, data or stacks */
        bad = test_page(a, &got, &want);
        if (bad)
            check(0, "RAM read back", "%s page 0x%lx: 0x%lx read 0x%lx, wrote 0x%lx",
                  names[i], a, bad, got, want);
        else
            check(1, "RAM read back", "%s page 0x%lx", names[i], a);
    }
}

static void check_psci(void)
{
    long v = hvc_call(PSCI_VERSION, 0, 0, 0);
    check(v >= 0x10000 && v <= 0x7fffffff, "PSCI_VERSION >= 1.0", "0x%lx = %ld.%ld",
          (unsigned long)v, v >> 16, v & 0xffff);

    long f = hvc_call(PSCI_FEATURES, PSCI_VERSION, 0, 0);
    check(f == PSCI_SUCCESS, "PSCI_FEATURES(PSCI_VERSION) == 0", "%ld", f);

    f = hvc_call(PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0);
    check((int)f >= 0, "PSCI_FEATURES(CPU_ON_64) >= 0", "%d", (int)f);

    long u = hvc_call(PSCI_UNDEFINED_FN, 0, 0, 0);
    check((u & 0xffffffff) == 0xffffffff, "undefined PSCI function NOT_SUPPORTED",
          "fid 0x%lx returned %ld", PSCI_UNDEFINED_FN, u);

    long s = hvc_call(SMCCC_VERSION, 0, 0, 0);
    check((int)s == -1 || (s >= 0x10000 && s <= 0x7fffffff),
          "SMCCC_VERSION >= 1.0 or NOT_SUPPORTED", "0x%lx", (unsigned long)s);
}

/* ---- CPU_ON ---- */

static volatile unsigned long secondary_flag, secondary_mpidr;

/* start.S secondary_entry calls this with the CPU_ON context id, and VBAR_EL1 and SP as the vCPU started. */
void secondary_main(unsigned long context, unsigned long vbar, unsigned long sp, unsigned long gprs)
{
#ifdef RESET_TEST
    if (reset_secondary(context, vbar, sp, gprs))
        return;
#else
    (void)vbar;
    (void)sp;
    (void)gprs;
#endif
    if (BENCH_MODE && context == BENCH_SGI_CONTEXT) {
        bench_secondary();      /* never returns */
    }
    if (conform_secondary(context) || vgic_secondary(context))
        return;
    secondary_mpidr = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
    dmb();                  /* mpidr visible before the flag */
    secondary_flag = context;
    dsb();                  /* flag written before the event */
    sev();
    hvc_call(PSCI_CPU_OFF, 0, 0, 0);
    /* CPU_OFF only returns on error: start.S parks this CPU. */
}

static void check_cpu_on(const struct dt_info *dt)
{
    unsigned long self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
    long r;

    if (dt->ncpus < 2) {
        check_skip("CPU_ON of a secondary CPU (device tree lists %d CPU)", dt->ncpus);
    } else {
        unsigned long target = dt->cpu_mpidr[0] == self ? dt->cpu_mpidr[1] : dt->cpu_mpidr[0];
        secondary_flag = 0;
        dsb();
        r = hvc_call(PSCI_CPU_ON_64, target, (unsigned long)secondary_entry, CPU_ON_CONTEXT);
        check(r == PSCI_SUCCESS, "CPU_ON of a secondary CPU", "MPIDR 0x%lx: %ld", target, r);
        /* Bounded spin: a CPU that never starts must not hang the run. */
        for (unsigned long i = 0; i < 200000000UL && secondary_flag != CPU_ON_CONTEXT; i++)
            __asm__ volatile("yield");
        dmb();
        check(secondary_flag == CPU_ON_CONTEXT && secondary_mpidr == target,
              "secondary CPU ran with its context id", "flag 0x%lx, MPIDR 0x%lx",
              secondary_flag, secondary_mpidr);
    }

    r = hvc_call(PSCI_CPU_ON_64, self, (unsigned long)secondary_entry, 0);
    check(r == PSCI_ALREADY_ON, "CPU_ON of the running CPU is ALREADY_ON",
          "MPIDR 0x%lx: %ld", self, r);

    r = hvc_call(PSCI_CPU_ON_64, 0xff, (unsigned long)secondary_entry, 0);
    check(r == PSCI_INVALID_PARAMETERS, "CPU_ON of a missing CPU is INVALID_PARAMETERS",
          "MPIDR 0xff: %ld", r);
}

/* ---- aborts outside the guest's memory ---- */

static void probe(unsigned long addr, const char *what)
{
    unsigned long v = 0;

    abort_taken = 0;
    expect_abort = 1;
    dsb();
    /* One ldr, so that the handler can skip exactly 4 bytes. */
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    expect_abort = 0;

    unsigned long ec = abort_esr >> 26 & 0x3f;
    if (!abort_taken)
        check(0, what, "read of 0x%lx returned 0x%lx without abort", addr, v);
    else
        check(ec == 0x25 && abort_far == addr, what,
              "0x%lx: ESR 0x%lx (EC 0x%lx), FAR 0x%lx", addr, abort_esr, ec, abort_far);
}

static void check_aborts(const struct dt_info *dt)
{
    unsigned long past = dt->mem_base + dt->mem_size;

    if (past < (1UL << 48))
        probe(past, "data abort reading just past the end of RAM");
    probe(UNASSIGNED_IPA, "data abort reading unassigned address space");
}

/* ---- PMU ---- */

static void check_pmu(void)
{
    unsigned long pmuver = read_sysreg(id_aa64dfr0_el1) >> 8 & 0xf;

    if (pmuver == 0 || pmuver == 0xf) {
        check(0, "PMU cycle counter counts", "ID_AA64DFR0_EL1.PMUVer is 0x%lx", pmuver);
        return;
    }
    pmu_cycle_counter_on();
    unsigned long c0 = read_sysreg(pmccntr_el0);
    for (volatile int i = 0; i < 10000; i++)
        ;
    unsigned long c1 = read_sysreg(pmccntr_el0);
    check(c1 > c0, "PMU cycle counter counts", "PMCCNTR_EL0 0x%lx -> 0x%lx (+%lu)",
          c0, c1, c1 - c0);
}

/*
 * The health policy's watchdog (an SP805, when the config gives the VM one): started as Linux's
 * sp805_wdt starts it, petted, and counting down. It stays running (it cannot be stopped): the
 * VM powers off well within its timeout.
 */
static void check_watchdog(const struct dt_info *dt)
{
    volatile unsigned *w = (volatile unsigned *)dt->wdog_base;
    w[0xc00 / 4] = 0x1acce551;              /* WdogLock: unlock */
    w[0x000 / 4] = w[0x000 / 4];            /* WdogLoad: the longest period the config allows */
    w[0x00c / 4] = 1;                       /* WdogIntClr: the pet */
    w[0x008 / 4] = 3;                       /* WdogControl: INTEN | RESEN */
    w[0xc00 / 4] = 0;                       /* lock */
    unsigned v1 = w[0x004 / 4], v2 = v1;
    for (int i = 0; i < 1000000 && v2 == v1; i++)
        v2 = w[0x004 / 4];
    check((w[0x008 / 4] & 3) == 3 && v2 < v1 && w[0xc00 / 4] == 1, "watchdog runs (SP805)",
          "at 0x%lx: WdogControl 0x%x, WdogValue 0x%x then 0x%x", dt->wdog_base, w[0x008 / 4], v1, v2);
}

int main(void *dtb)
{
    struct dt_info dt;

    if (BENCH_MODE)
        bench_main(dtb);    /* the benchmark build runs no checks */

    printf("# bulkhead bare-metal test guest, image 0x%lx-0x%lx, dtb 0x%lx\n",
           (unsigned long)_text, (unsigned long)_end, (unsigned long)dtb);
    check_el();
    check_dt(dtb, &dt);
#ifdef RESET_TEST
    reset_test(&dt);
#endif
    check_ram(&dt);
    check_psci();
    check_cpu_on(&dt);
    check_aborts(&dt);
    check_pmu();
    check_gic(&dt);
    check_trap_frames();
    check_timer();
    check_sgi(&dt);
    check_priority_order();
    check_conformance(&dt);
    gic_set_hook(irq_hook_main);
    /* What only a partitioned VM sees: foreign interrupts hidden, passthrough SPIs of its config. */
    if (hvc_call(BULKHEAD_NULL_CALL, 0, 0, 0) == 0) {
        check_gicd_isolation(&dt);
        check_spi(&dt);
        if (dt.wdog_base)
            check_watchdog(&dt);
    } else {
        printf("# not under Bulkhead (the null call is NOT_SUPPORTED): no partition checks\n");
    }
    finish();
}
