/*
 * Bare-metal test guest: checks, from EL1, what a guest of the Bulkhead
 * hypervisor should see (EL, its RAM, PSCI over HVC, aborts outside its
 * memory, the PMU) and prints TAP-like "ok - ..." / "FAIL - ..." lines,
 * then "N passed, M failed", then powers off with PSCI SYSTEM_OFF.
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
#define MPIDR_AFF_MASK      0xff00ffffffUL


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
static volatile unsigned long dt_boot_mpidr_aff0;
static void sgi_secondary(void);
#define SGI_CONTEXT         0x5617e57UL     /* CPU_ON context id of the SGI test's secondary */

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
    if (conform_secondary(context))
        return;
    if (context == SGI_CONTEXT) {
        sgi_secondary();
        hvc_call(PSCI_CPU_OFF, 0, 0, 0);
        return;
    }
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

/* ---- the virtual GIC: timer, SGIs, isolation of the distributor ---- */

#define TIMER_ROUNDS    5
#define SGI_PING        3       /* vCPU 0 -> vCPU 1 */
#define SGI_PONG        4       /* vCPU 1 -> vCPU 0 */
#define SPI_TEST_PRIO   0x80

static volatile unsigned irq_count[1024];
static volatile unsigned long timer_latency[TIMER_ROUNDS];
static volatile unsigned timer_round;

static unsigned long cntfrq(void) { return read_sysreg(cntfrq_el0); }

/* Runs with the interrupt active: silences the timer (its output is level) before the EOI. */
static void irq_hook_main(unsigned intid)
{
    if (intid == VTIMER_INTID) {
        unsigned long now = read_sysreg(cntvct_el0), cval = read_sysreg(cntv_cval_el0);
        write_sysreg(cntv_ctl_el0, 0);
        isb();
        if (timer_round < TIMER_ROUNDS)
            timer_latency[timer_round] = now - cval;
        timer_round++;
    }
    irq_count[intid & 1023]++;
}

/* Waits, interrupts unmasked, until *p != old or about `ms` milliseconds passed; returns *p. */
static unsigned wait_change(volatile unsigned *p, unsigned old, unsigned long ms)
{
    unsigned long end = read_sysreg(cntvct_el0) + cntfrq() / 1000 * ms;
    irq_unmask();
    while (*p == old && read_sysreg(cntvct_el0) < end)
        __asm__ volatile("yield");
    irq_mask();
    return *p;
}

static void check_gic(const struct dt_info *dt)
{
    int v = gic_setup(dt);
    check(v == 2 || v == 3, "GIC in the device tree", "GICv%d, GICD 0x%lx, %s 0x%lx", v,
          dt->gic_reg[0], v == 3 ? "GICR" : "GICC", dt->gic_reg[1]);
    gic_set_hook(irq_hook_main);
    gic_init_cpu();
}

static void check_timer(void)
{
    unsigned long delta = cntfrq() / 1000;     /* 1 ms */
    unsigned long worst = 0, best = ~0UL;
    unsigned got;

    if (!gic_version())
        return;
    gic_enable(VTIMER_INTID);
    for (unsigned i = 0; i < TIMER_ROUNDS; i++) {
        unsigned before = timer_round;
        write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) + delta);
        write_sysreg(cntv_ctl_el0, 1);      /* enabled, not masked */
        isb();
        if (wait_change(&timer_round, before, 1000) == before)
            break;
    }
    write_sysreg(cntv_ctl_el0, 0);
    got = timer_round;
    for (unsigned i = 0; i < got && i < TIMER_ROUNDS; i++) {
        if (timer_latency[i] > worst) worst = timer_latency[i];
        if (timer_latency[i] < best) best = timer_latency[i];
    }
    check(got == TIMER_ROUNDS, "virtual timer interrupt (PPI 27) arrives", "%u of %u, 1 ms apart",
          got, TIMER_ROUNDS);
    /* Plausible: never before the deadline (an early interrupt would wrap the unsigned latency)
     * and within 1 s. Without -icount QEMU's timers follow the host clock, so a loaded host
     * can delay one by tens of milliseconds; the benchmark measures the latency under -icount. */
    check(got > 0 && worst < cntfrq(), "virtual timer latency plausible",
          "%lu..%lu ticks of %lu Hz", got ? best : 0, worst, cntfrq());
    gic_disable(VTIMER_INTID);
}

static volatile unsigned sgi_ready;

/* The SGI test's vCPU 1: waits for the ping, answers with the pong to vCPU 0. */
static void sgi_secondary(void)
{
    gic_set_hook(irq_hook_main);
    gic_init_cpu();
    gic_enable(SGI_PING);
    dsb();
    sgi_ready = 1;
    dsb();
    sev();
    if (wait_change(&irq_count[SGI_PING], 0, 2000) != 0)
        gic_send_sgi(SGI_PONG, dt_boot_mpidr_aff0);
}

static void check_sgi(const struct dt_info *dt)
{
    unsigned long self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;

    if (!gic_version())
        return;
    gic_enable(SGI_PONG);
    gic_enable(SGI_PING);
    /* Self-SGI first: the simplest path (no other CPU). */
    unsigned before = irq_count[SGI_PING];
    gic_send_sgi(SGI_PING, self & 0xff);
    check(wait_change(&irq_count[SGI_PING], before, 500) != before, "SGI to itself arrives",
          "SGI %d", SGI_PING);
    /* An SGI aimed at CPUs the VM does not have is dropped by the hypervisor (and logged once). */
    gic_send_sgi_raw(gic_version() == 3 ? (unsigned long)SGI_PONG << 24 | 0xfff0UL
                                        : (0xf0UL << 16) | SGI_PONG);
    if (dt->ncpus < 2) {
        check_skip("SGI between vCPUs (device tree lists %d CPU)", dt->ncpus);
        return;
    }
    unsigned long target = dt->cpu_mpidr[0] == self ? dt->cpu_mpidr[1] : dt->cpu_mpidr[0];
    dt_boot_mpidr_aff0 = self & 0xff;
    sgi_ready = 0;
    before = irq_count[SGI_PONG];
    dsb();
    wait_cpu_off(target);   /* the secondary of an earlier check may still be on its way off */
    long r = hvc_call(PSCI_CPU_ON_64, target, (unsigned long)secondary_entry, SGI_CONTEXT);
    for (unsigned long i = 0; i < 200000000UL && !sgi_ready && r == PSCI_SUCCESS; i++)
        __asm__ volatile("yield");
    gic_send_sgi(SGI_PING, target & 0xff);
    unsigned got = wait_change(&irq_count[SGI_PONG], before, 2000);
    check(got != before, "SGI from vCPU 0 to vCPU 1 and back", "CPU_ON %ld, ready %u, pong %u",
          r, sgi_ready, got - before);
    wait_cpu_off(target);   /* before the run goes on */
}

/*
 * More pending interrupts than the hypervisor has list registers (QEMU's GICs have 4): eight
 * SGIs made pending while interrupts are masked, with priorities in an order unrelated to their
 * numbers, must all arrive, most urgent first.
 */
#define ORDER_SGIS 8
static volatile unsigned order_seen[ORDER_SGIS], order_count;

static void order_hook(unsigned intid)
{
    if (order_count < ORDER_SGIS)
        order_seen[order_count] = intid;
    order_count++;
}

static void check_priority_order(void)
{
    /* SGI 8 + i gets priority 0x10 * rank[i]: the expected order is by rank. */
    static const unsigned char rank[ORDER_SGIS] = {5, 2, 7, 0, 6, 1, 4, 3};
    unsigned long self = read_sysreg(mpidr_el1) & 0xff;
    unsigned expected[ORDER_SGIS];
    int in_order = 1;

    if (!gic_version())
        return;
    irq_mask();
    gic_set_hook(order_hook);
    order_count = 0;
    for (unsigned i = 0; i < ORDER_SGIS; i++) {
        gic_enable(8 + i);
        gic_set_priority(8 + i, (unsigned char)(0x10 * rank[i]));   /* after gic_enable's 0x80 */
        expected[rank[i]] = 8 + i;
    }
    for (unsigned i = 0; i < ORDER_SGIS; i++)
        gic_send_sgi(8 + i, (unsigned)self);
    unsigned long end = read_sysreg(cntvct_el0) + cntfrq();    /* at most 1 s */
    irq_unmask();                                /* all eight are pending now */
    while (order_count < ORDER_SGIS && read_sysreg(cntvct_el0) < end)
        __asm__ volatile("yield");
    irq_mask();
    for (unsigned i = 0; i < ORDER_SGIS; i++)
        if (order_seen[i] != expected[i])
            in_order = 0;
    check(order_count == ORDER_SGIS && in_order, "8 SGIs pending at once (more than the list registers) arrive in priority order",
          "%u arrived: %u %u %u %u %u %u %u %u", order_count, order_seen[0], order_seen[1], order_seen[2],
          order_seen[3], order_seen[4], order_seen[5], order_seen[6], order_seen[7]);
    for (unsigned i = 0; i < ORDER_SGIS; i++)
        gic_disable(8 + i);
    gic_set_hook(irq_hook_main);
}

/* The VM's own SPIs: those passed through, and its emulated UART's. */
static int owns(const struct dt_info *dt, unsigned intid)
{
    if (intid == dt->uart_intid)
        return 1;
    for (int i = 0; i < dt->npassthrough; i++)
        if (dt->passthrough[i] == intid)
            return 1;
    return 0;
}

static void check_gicd_isolation(const struct dt_info *dt)
{
    unsigned owned1 = 0, words_bad = 0, first_bad = 0, got = 0;

    if (!gic_version())
        return;
    /* Set every enable bit of SPIs 32..95 and read back: only the VM's own may stick. */
    for (unsigned w = 1; w < 3; w++) {
        unsigned owned = 0;
        for (unsigned b = 0; b < 32; b++)
            if (owns(dt, w * 32 + b))
                owned |= 1u << b;
        if (w == 1)
            owned1 = owned;
        gicd_write(0x100 + 4 * w, 0xffffffff);
        unsigned v = gicd_read(0x100 + 4 * w);
        gicd_write(0x180 + 4 * w, 0xffffffff);
        if (v != owned && !words_bad++) {
            first_bad = w;
            got = v;
        }
    }
    check(words_bad == 0, "GICD_ISENABLER of SPIs it does not own read as zero, of its own (UART's included) as set",
          "owned SPIs 32-63 0x%x; word %u read 0x%x", owned1, first_bad, got);
    /* A priority byte and a target/route of an SPI that is not the VM's (INTID 40: not in any config). */
    gicd_write8(0x400 + 40, 0x80);
    unsigned prio = gicd_read8(0x400 + 40);
    unsigned long route = gic_version() == 3 ? *(volatile unsigned long *)(gicd_base() + 0x6000 + 8 * 40)
                                             : gicd_read8(0x800 + 40);
    check(prio == 0 && route == 0, "GICD priority and routing of a foreign SPI read as zero",
          "IPRIORITYR 0x%x, %s 0x%lx", prio, gic_version() == 3 ? "IROUTER" : "ITARGETSR", route);
}

/* An SPI the VM owns, made pending through the (emulated) GICD_ISPENDR: the physical interrupt
 * fires, the hypervisor injects it linked to the physical one, the guest's EOI deactivates it. */
static void check_spi(const struct dt_info *dt)
{
    if (!gic_version())
        return;
    if (dt->npassthrough == 0) {
        check_skip("passed-through SPI (the device tree gives the VM none)");
        return;
    }
    unsigned intid = dt->passthrough[0];
    gic_enable(intid);
    unsigned en = gicd_read(0x100 + 4 * (intid / 32)) >> (intid % 32) & 1;
    for (int round = 0; round < 2; round++) {
        unsigned before = irq_count[intid];
        gicd_write(0x200 + 4 * (intid / 32), 1u << (intid % 32));   /* ISPENDR */
        unsigned got = wait_change(&irq_count[intid], before, 500);
        check(en == 1 && got == before + 1, "passed-through SPI delivered",
              "INTID %u round %d: enabled %u, arrived %u time(s)", intid, round, en, got - before);
    }
    gic_disable(intid);
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
