/*
 * Hypercall cost, measured with the PMU cycle counter.  PMCCFILTR_EL0.NSH is
 * set so that the cycles spent at EL2 (in the hypervisor) are counted too.
 * Each sample is: read PMCCNTR, isb, call, isb, read PMCCNTR.  The minimum of
 * 16 samples, less the minimum of the same sequence without the call, is
 * printed as "bench: <name> <cycles>".
 */
#include "arch.h"
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

void bench_main(void)
{
    report_boot();
    pmu_cycle_counter_on();
    unsigned long empty = min_cycles(0, 0);
    printf("# bench: empty measurement %lu cycles (subtracted)\n", empty);
    report("null-hvc", BULKHEAD_NULL_CALL, empty);
    report("psci-version", PSCI_VERSION, empty);
    printf("bench: done\n");
    system_off();
}
