/*
 * Hypercall cost, measured with the PMU cycle counter.  PMCCFILTR_EL0.NSH is
 * set so that the cycles spent at EL2 (in the hypervisor) are counted too.
 * Each sample is: read PMCCNTR, isb, call, isb, read PMCCNTR.  The minimum of
 * 16 samples, less the minimum of the same sequence without the call, is
 * printed as "bench: <name> <cycles>".
 */
#include "arch.h"
#include "fdt.h"
#include "gic.h"
#include "psci.h"
#include "uart.h"

#define SAMPLES 16

/*
 * One sample.  The whole sequence is one asm block so the compiler cannot
 * move anything into the measured window.  hvc may clobber x0-x17, so the
 * timestamps live in registers the compiler picks outside that set.
 */
static unsigned long sample(unsigned long fid, int do_call)
{
    register unsigned long x0 __asm__("x0") = fid;
    unsigned long t0, t1;

    if (do_call)
        __asm__ volatile("mrs %[t0], pmccntr_el0\n\tisb\n\thvc #0\n\tisb\n\t"
                         "mrs %[t1], pmccntr_el0"
                         : [t0] "=&r"(t0), [t1] "=&r"(t1), "+r"(x0)
                         :
                         : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
                           "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
                           "memory");
    else
        __asm__ volatile("mrs %[t0], pmccntr_el0\n\tisb\n\tisb\n\t"
                         "mrs %[t1], pmccntr_el0"
                         : [t0] "=&r"(t0), [t1] "=&r"(t1), "+r"(x0)
                         :
                         : "memory");
    return t1 - t0;
}

static unsigned long min_cycles(unsigned long fid, int do_call)
{
    unsigned long best = ~0UL;
    for (int i = 0; i < SAMPLES; i++) {
        unsigned long c = sample(fid, do_call);
        if (c < best)
            best = c;
    }
    return best;
}

static void report(const char *name, unsigned long fid, unsigned long empty)
{
    unsigned long c = min_cycles(fid, 1);
    printf("bench: %s %lu\n", name, c > empty ? c - empty : 0);
}

/* PMCCNTR_EL0 at the guest's first instruction (start.S): the hypervisor starts it at reset. */
unsigned long boot_counter;

/* Instructions from reset to the first guest instruction (under -icount shift=0, one cycle each). */
static void report_boot(void)
{
    printf("bench: boot-to-guest %lu\n", boot_counter);
}

/* One emulated distributor access (a trapped, decoded and emulated GICD_ISENABLER1), timed like sample(). */
static unsigned long gicd_sample(unsigned long addr, int write)
{
    unsigned long t0, t1, v = 0;

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

static void report_gicd(const char *name, unsigned long addr, int write, unsigned long empty)
{
    unsigned long best = ~0UL;
    for (int i = 0; i < SAMPLES; i++) {
        unsigned long c = gicd_sample(addr, write);
        if (c < best)
            best = c;
    }
    printf("bench: %s %lu\n", name, best > empty ? best - empty : 0);
}

/*
 * Virtual timer latency: CVAL = now + 1 ms; the handler reads CNTVCT and records CNTVCT - CVAL,
 * the time from the deadline to the guest's handler (physical PPI 27 taken at EL2, injected into a
 * list register, the guest's exception entry and acknowledge). Counter ticks, printed in ns:
 * ticks * 1e9 / CNTFRQ (16 ns per tick at QEMU's 62.5 MHz; under -icount shift=0 one instruction
 * takes 1 ns, so the number is also instructions, at a 16-instruction granularity). The minimum
 * of SAMPLES rounds.
 */
static volatile unsigned long bench_lat;
static volatile unsigned bench_fired;

static void bench_irq(unsigned intid)
{
    if (intid == VTIMER_INTID) {
        unsigned long now = read_sysreg(cntvct_el0);
        bench_lat = now - read_sysreg(cntv_cval_el0);
        write_sysreg(cntv_ctl_el0, 0);
        isb();
        bench_fired++;
    }
}

static void report_vtimer(void)
{
    unsigned long frq = read_sysreg(cntfrq_el0), best = ~0UL;

    gic_set_hook(bench_irq);
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
        printf("# bench: vtimer-latency: no timer interrupt\n");
    else
        printf("bench: vtimer-latency %lu\n", best * 1000000000UL / frq);
}

/* The GIC benchmarks: need the device tree (the GIC's version and addresses). */
static void report_gic(const void *dtb, unsigned long empty)
{
    struct dt_info dt;

    if (fdt_parse(dtb, &dt) != 0 || !gic_setup(&dt)) {
        printf("# bench: no GIC in the device tree\n");
        return;
    }
    gic_init_cpu();
    report_gicd("gicd-read", gicd_base() + 0x104, 0, empty);
    report_gicd("gicd-write", gicd_base() + 0x104, 1, empty);
    report_vtimer();
}

void bench_main(const void *dtb)
{
    report_boot();
    pmu_cycle_counter_on();
    unsigned long empty = min_cycles(0, 0);
    printf("# bench: empty measurement %lu cycles (subtracted)\n", empty);
    report("null-hvc", BULKHEAD_NULL_CALL, empty);
    report("psci-version", PSCI_VERSION, empty);
    report_gic(dtb, empty);
    printf("bench: done\n");
    system_off();
}
