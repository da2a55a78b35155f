/*
 * The benchmark guest (npm run bench, host/bench.ts): the cost of each trap path, counted with
 * the PMU cycle counter from the guest. Under QEMU -icount shift=0 PMCCNTR_EL0 counts one per
 * instruction (of every CPU: QEMU derives it from its virtual clock), and PMCCFILTR_EL0.NSH is set
 * so that the hypervisor's instructions count too. The same binary runs natively (no hypervisor:
 * QEMU enters it at EL1 and answers HVC with its own PSCI), and the host subtracts.
 *
 * Each figure is the minimum of SAMPLES and is printed as "bench: <name> <count>"; the
 * call-like ones less the same sequence without the call ("empty").
 */
#include "arch.h"
#include "fdt.h"
#include "gic.h"
#include "psci.h"
#include "uart.h"

#define SAMPLES 16
/* An SMCCC fast call nobody implements (owner 6, the hypervisor's range): rejected. */
#define UNKNOWN_FAST_CALL   0xC600FFFFUL
#define BENCH_SGI           5
#define BENCH_SGI_CONTEXT   0xbe5c4UL       /* main.c: a CPU_ON with it enters bench_secondary */


static unsigned long pmccntr(void) { return read_sysreg(pmccntr_el0); }

/*
 * One call: read PMCCNTR, isb, hvc/smc, isb, read PMCCNTR, as one asm block so that the compiler
 * moves nothing into the window. The callee may clobber x0-x17.
 */
#define CALL_SAMPLE(insn)                                                                        \
    __asm__ volatile("mrs %[t0], pmccntr_el0\n\tisb\n\t" insn "\n\tisb\n\t"                        \
                     "mrs %[t1], pmccntr_el0"                                                    \
                     : [t0] "=&r"(t0), [t1] "=&r"(t1), "+r"(x0)                                  \
                     :                                                                           \
                     : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", \
                       "x13", "x14", "x15", "x16", "x17", "memory")

enum conduit { NONE, HVC, SMC };

static unsigned long sample(unsigned long fid, enum conduit how)
{
    register unsigned long x0 __asm__("x0") = fid;
    unsigned long t0, t1;

    if (how == HVC)
        CALL_SAMPLE("hvc #0");
    else if (how == SMC)
        CALL_SAMPLE("smc #0");
    else
        CALL_SAMPLE("");
    return t1 - t0;
}

static unsigned long min_sample(unsigned long fid, enum conduit how)
{
    unsigned long best = ~0UL;
    for (int i = 0; i < SAMPLES; i++) {
        unsigned long c = sample(fid, how);
        if (c < best)
            best = c;
    }
    return best;
}

static void report(const char *name, unsigned long best, unsigned long empty)
{
    printf("bench: %s %lu\n", name, best > empty ? best - empty : 0);
}

/* PMCCNTR_EL0 at the guest's first instruction (start.S): the hypervisor starts it at reset. */
unsigned long boot_counter;

/* One emulated distributor access, timed like sample(). */
static unsigned long gicd_sample(unsigned long addr, int write, unsigned v)
{
    unsigned long t0, t1;

    if (write)
        __asm__ volatile("mrs %[t0], pmccntr_el0\n\tisb\n\tstr %w[v], [%[a]]\n\tisb\n\t"
                         "mrs %[t1], pmccntr_el0"
                         : [t0] "=&r"(t0), [t1] "=&r"(t1) : [a] "r"(addr), [v] "r"(v) : "memory");
    else
        __asm__ volatile("mrs %[t0], pmccntr_el0\n\tisb\n\tldr %w[v], [%[a]]\n\tisb\n\t"
                         "mrs %[t1], pmccntr_el0"
                         : [t0] "=&r"(t0), [t1] "=&r"(t1), [v] "+r"(v) : [a] "r"(addr) : "memory");
    return t1 - t0;
}

static void report_gicd(const char *name, unsigned offset, int write, unsigned long empty)
{
    unsigned long best = ~0UL, addr = gicd_base() + offset;
    unsigned v = gicd_read(offset);     /* a write stores the value the register has */

    for (int i = 0; i < SAMPLES; i++) {
        unsigned long c = gicd_sample(addr, write, v);
        if (c < best)
            best = c;
    }
    report(name, best, empty);
}

/*
 * Virtual timer latency: CVAL = now + 1 ms; the handler reads CNTVCT and records CNTVCT - CVAL,
 * the time from the deadline to the guest's handler (physical PPI 27 taken at EL2, injected into a
 * list register, the guest's exception entry and acknowledge). Counter ticks, printed in ns:
 * ticks * 1e9 / CNTFRQ (16 ns per tick at QEMU's 62.5 MHz; under -icount shift=0 one instruction
 * takes 1 ns, so the number is also instructions, at a 16-instruction granularity).
 */
static volatile unsigned long bench_lat, sgi_at, sgi_ticks;
static volatile unsigned bench_fired, sgi_seen;

static void bench_irq(unsigned intid)
{
    if (intid == VTIMER_INTID) {
        unsigned long now = read_sysreg(cntvct_el0);
        bench_lat = now - read_sysreg(cntv_cval_el0);
        write_sysreg(cntv_ctl_el0, 0);
        isb();
        bench_fired++;
    } else if (intid == BENCH_SGI) {
        sgi_at = pmccntr();
        sgi_ticks = read_sysreg(cntvct_el0);
        sgi_seen++;
    }
}

static void report_vtimer(void)
{
    unsigned long frq = read_sysreg(cntfrq_el0), best = ~0UL;

    gic_enable(VTIMER_INTID);
    for (int i = 0; i < SAMPLES; i++) {
        unsigned before = bench_fired;
        write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) + frq / 1000);
        write_sysreg(cntv_ctl_el0, 1);
        isb();
        unsigned long end = read_sysreg(cntvct_el0) + frq;
        irq_unmask();
        while (bench_fired == before && read_sysreg(cntvct_el0) < end)
            __asm__ volatile("yield");
        irq_mask();
        if (bench_fired != before && bench_lat < best)
            best = bench_lat;
    }
    gic_disable(VTIMER_INTID);
    if (best == ~0UL)
        printf("# bench: vtimer: no timer interrupt\n");
    else
        printf("bench: vtimer %lu\n", best * 1000000000UL / frq);
}

/*
 * SGI from send to handler: a clock read just before the SGI request (ICC_SGI1R_EL1 on GICv3, a
 * GICD_SGIR store on GICv2) and in the target's handler, after its acknowledge. Interrupts
 * unmasked; the sender waits with YIELD (another vCPU gets the turn under -icount). To self: the
 * CPU's PMCCNTR. Across vCPUs: CNTVCT, as the PMU counters of two CPUs differ by their resets
 * (ticks in ns: under -icount shift=0 instructions, at a 16-instruction granularity).
 */
static unsigned long sgi_round(unsigned aff0, int cross)
{
    unsigned before = sgi_seen;
    unsigned long t0 = cross ? read_sysreg(cntvct_el0) : pmccntr();
    gic_send_sgi(BENCH_SGI, aff0);
    for (unsigned long i = 0; i < 100000000UL && sgi_seen == before; i++)
        __asm__ volatile("yield");
    return sgi_seen != before ? (cross ? sgi_ticks : sgi_at) - t0 : ~0UL;
}

static void report_sgi(const char *name, unsigned aff0, int cross)
{
    unsigned long best = ~0UL;

    irq_unmask();
    for (int i = 0; i < SAMPLES; i++) {
        unsigned long c = sgi_round(aff0, cross);
        if (c < best)
            best = c;
    }
    irq_mask();
    if (best == ~0UL)
        printf("# bench: %s: no SGI arrived\n", name);
    else
        printf("bench: %s %lu\n", name, cross ? best * 1000000000UL / read_sysreg(cntfrq_el0) : best);
}

static volatile unsigned secondary_ready;

/* vCPU 1 of the cross-vCPU SGI benchmark: takes BENCH_SGI in WFI, for ever. */
void bench_secondary(void)
{
    gic_init_cpu();
    gic_enable(BENCH_SGI);
    dsb();
    secondary_ready = 1;
    dsb();
    irq_unmask();
    for (;;)
        __asm__ volatile("wfi");
}

static void report_sgi_cross(const struct dt_info *dt)
{
    unsigned long self = read_sysreg(mpidr_el1) & 0xff;
    if (dt->ncpus < 2) {
        printf("# bench: sgi-cross: the device tree lists 1 CPU\n");
        return;
    }
    unsigned long target = dt->cpu_mpidr[0] == self ? dt->cpu_mpidr[1] : dt->cpu_mpidr[0];
    long r = hvc_call(PSCI_CPU_ON_64, target, (unsigned long)secondary_entry, BENCH_SGI_CONTEXT);
    for (unsigned long i = 0; i < 100000000UL && !secondary_ready && r == PSCI_SUCCESS; i++)
        __asm__ volatile("yield");
    if (!secondary_ready) {
        printf("# bench: sgi-cross: CPU_ON %ld, the other vCPU never got ready\n", r);
        return;
    }
    report_sgi("sgi-cross", target & 0xff, 1);
}

/*
 * Instructions the other CPUs ran while this one ran a loop of YIELDs (a guest waiting, as the
 * timer benchmark above does). Under -icount QEMU counts PMCCNTR from its virtual clock, which
 * advances with every CPU's instructions, and runs the CPUs in turn, each YIELD handing the turn
 * on: a CPU that waits in the hypervisor with a WFE loop runs a round of it at every turn (QEMU
 * only yields on WFE) and shows up here, inflating every figure above; a CPU asleep in WFI adds
 * nothing. The loop is 3 instructions an iteration.
 */
#define IDLE_PROBE_LOOPS 100000UL

static void report_idle_others(void)
{
    unsigned long t0, t1, n = IDLE_PROBE_LOOPS;

    __asm__ volatile("mrs %[t0], pmccntr_el0\n\tisb\n"
                     "1:\tyield\n\tsubs %[n], %[n], #1\n\tb.ne 1b\n\t"
                     "isb\n\tmrs %[t1], pmccntr_el0"
                     : [t0] "=&r"(t0), [t1] "=&r"(t1), [n] "+r"(n) : : "cc", "memory");
    unsigned long own = 3 * IDLE_PROBE_LOOPS;
    unsigned long spent = t1 - t0;
    printf("bench: idle-others %lu\n", spent > own ? spent - own : 0);
}

/*
 * The restart benchmark (bootargs "restart-bench", host/bench.ts with board/<board>/configs/
 * bench-restart.ts): a bench build of the hypervisor zeroes PMCCNTR_EL0 where it starts to act on
 * a restart (src/el2/restart.ts) and leaves the PMU running across it, so PMCCNTR at the restarted
 * guest's first instruction (boot_counter) counts every instruction in between, on this CPU. Run
 * 0 asks for SYSTEM_RESET; run 1 reports that and lets its watchdog (the config's, started here)
 * expire with interrupts masked; run 2 reports that and powers off. The run is told by the VM's
 * own restart count (HVC_HEALTH: its config gives it the view), since a restart may scrub its RAM.
 */
#define HVC_VM_INFO 0xC6000001UL
#define HVC_HEALTH  0xC6000003UL

static unsigned long own_restarts(void)
{
    register unsigned long x0 __asm__("x0") = HVC_VM_INFO, x1 __asm__("x1"), x2 __asm__("x2"), x3 __asm__("x3");
    __asm__ volatile("hvc #0" : "+r"(x0), "=r"(x1), "=r"(x2), "=r"(x3) :: "memory");
    x0 = HVC_HEALTH;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "=r"(x2), "=r"(x3) :: "memory");
    return x0 == 0 ? x2 : ~0UL;
}

static void __attribute__((noreturn)) restart_bench(const struct dt_info *dt)
{
    const char *what = dt->mem_size == 64UL << 20 ? "64m" : "ram";
    const char *scrub = bootargs_have(dt->bootargs, "scrub") ? "-scrub" : "";
    unsigned long n = own_restarts();
    if (n == 1 || n == 2)
        printf("bench: restart-%s-%s%s %lu\n", n == 1 ? "reset" : "watchdog", what, scrub, boot_counter);
    if (n == 0) {
        pmu_cycle_counter_on();
        hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
    } else if (n == 1 && dt->wdog_base) {
        volatile unsigned *w = (volatile unsigned *)dt->wdog_base;
        w[0x008 / 4] = 3;                       /* WdogControl: INTEN | RESEN, the config's timeout */
        __asm__ volatile("msr daifset, #0xf" ::: "memory");
        for (;;)
            ;
    }
    printf("bench: done\n");
    system_off();
}

void bench_main(const void *dtb)
{
    struct dt_info dt;
    if (fdt_parse(dtb, &dt) == 0 && bootargs_have(dt.bootargs, "restart-bench"))
        restart_bench(&dt);
    /* Natively (no EL2: ID_AA64PFR0_EL1.EL2 0) an SMC is undefined: QEMU's PSCI takes HVC only. */
    int native = ((read_sysreg(id_aa64pfr0_el1) >> 8) & 0xf) == 0;

    printf("bench: boot-to-guest %lu\n", boot_counter);
    pmu_cycle_counter_on();
    unsigned long empty = min_sample(0, NONE);
    printf("# bench: empty measurement %lu cycles (subtracted)%s\n", empty, native ? ", native" : "");
    report("hvc-null", min_sample(BULKHEAD_NULL_CALL, HVC), empty);
    report("hvc-rejected", min_sample(UNKNOWN_FAST_CALL, HVC), empty);
    report("psci-hvc", min_sample(PSCI_VERSION, HVC), empty);
    report("psci-smc", min_sample(PSCI_VERSION, native ? HVC : SMC), empty);
    if (fdt_parse(dtb, &dt) != 0 || !gic_setup(&dt)) {
        printf("# bench: no GIC in the device tree\n");
    } else {
        gic_init_cpu();
        gic_set_hook(bench_irq);
        report_gicd("gicd-read", 0x004, 0, empty);        /* GICD_TYPER */
        report_gicd("gicd-write", 0x000, 1, empty);       /* GICD_CTLR, its own value */
        report_gicd("gicd-enable-read", 0x104, 0, empty); /* GICD_ISENABLER1 */
        report_vtimer();
        gic_enable(BENCH_SGI);
        report_sgi("sgi-self", read_sysreg(mpidr_el1) & 0xff, 0);
        report_idle_others();
        report_sgi_cross(&dt);
    }
    printf("bench: done\n");
    system_off();
}
