/*
 * Hardening guest (issue 7, item 7): from EL1 it tries what would let a VM observe the hypervisor
 * or reach shared hardware, and checks that each is contained:
 * - its PMU is reset before its first instruction: nothing counted since the board's reset;
 * - its PMU counts nothing at EL2: a filter written with NSH (count at EL2) reads back without
 *   it, and a null hypercall timed with NSH requested counts only the guest's own instructions;
 * - data cache maintenance by set/way is trapped and done by address: the first operation of a
 *   loop costs a pass over the VM's memory, every other one a trap, and SCTLR_EL1 writes are
 *   then watched (HCR_EL2.TVM) for the switch of the caches;
 * and prints what a trapped PMU access and a trapped set/way operation cost.
 *
 * Run under -icount shift=0 (tests/hardening.test.ts): one instruction per cycle and per
 * nanosecond, so the cycle counter and the generic counter both count instructions.
 * Built by guests/baremetal/build.sh from the bare-metal guest's support files with this main.c.
 */
#include "arch.h"
#include "check.h"
#include "psci.h"
#include "uart.h"

#define MiB                 (1UL << 20)
/* The partition (board/qemu-virt-gicv{2,3}/configs/harden.ts). */
#define RAM_SIZE            (32 * MiB)

#define PMCR_N(pmcr)        (((pmcr) >> 11) & 0x1f)
#define EVT_CPU_CYCLES      0x11

/* PMCCNTR_EL0 at the guest's first instruction (start.S, bench.c). */
extern unsigned long boot_counter;

void exception_handler(unsigned long index, unsigned long *frame)
{
    (void)frame;
    check(0, "unexpected exception", "vector %lu ESR 0x%lx ELR 0x%lx FAR 0x%lx",
          index, read_sysreg(esr_el1), read_sysreg(elr_el1), read_sysreg(far_el1));
    finish();
}

void secondary_main(unsigned long context)
{
    (void)context;
    for (;;)
        __asm__ volatile("wfi");
}

/* Instructions (nanoseconds under -icount shift=0) in `ticks` of the generic counter. */
static unsigned long instructions(unsigned long ticks)
{
    return ticks * 1000000000UL / read_sysreg(cntfrq_el0);
}

static void check_pmu_reset(void)
{
    unsigned long pmcr = read_sysreg(pmcr_el0), en = read_sysreg(pmcntenset_el0);
    unsigned long filter = read_sysreg(pmccfiltr_el0), user = read_sysreg(pmuserenr_el0);

    check(boot_counter == 0 && (pmcr & PMCR_E) == 0 && en == 0 && filter == 0 && user == 0,
          "PMU reset before the first instruction",
          "PMCCNTR %lu at entry, PMCR 0x%lx, PMCNTENSET 0x%lx, PMCCFILTR 0x%lx, PMUSERENR 0x%lx",
          boot_counter, pmcr, en, filter, user);
}

static void check_filters(void)
{
    write_sysreg(pmccfiltr_el0, PMCCFILTR_NSH);
    isb();
    unsigned long f = read_sysreg(pmccfiltr_el0);
    check(!(f & PMCCFILTR_NSH), "PMCCFILTR_EL0.NSH (count cycles at EL2) refused", "PMCCFILTR_EL0 0x%lx", f);

    if (PMCR_N(read_sysreg(pmcr_el0)) == 0) {
        check_skip("no event counters (PMCR_EL0.N 0)");
        return;
    }
    write_sysreg(pmevtyper0_el0, PMCCFILTR_NSH | EVT_CPU_CYCLES);
    isb();
    f = read_sysreg(pmevtyper0_el0);
    check(!(f & PMCCFILTR_NSH) && (f & 0xffff) == EVT_CPU_CYCLES, "PMEVTYPER0_EL0.NSH refused, its event kept",
          "PMEVTYPER0_EL0 0x%lx", f);
    write_sysreg(pmselr_el0, 0);
    isb();
    write_sysreg(pmxevtyper_el0, PMCCFILTR_NSH | EVT_CPU_CYCLES);
    isb();
    f = read_sysreg(pmxevtyper_el0);
    check(!(f & PMCCFILTR_NSH), "PMXEVTYPER_EL0.NSH refused", "PMXEVTYPER_EL0 (PMSELR_EL0 0) 0x%lx", f);
}

/* PMCCNTR_EL0 across a null hypercall (or, `call` 0, across nothing), as bench.c measures it. */
static unsigned long hvc_cycles(int call)
{
    register unsigned long x0 __asm__("x0") = BULKHEAD_NULL_CALL;
    unsigned long t0, t1;

    if (call)
        __asm__ volatile("mrs %[t0], pmccntr_el0\n\tisb\n\thvc #0\n\tisb\n\tmrs %[t1], pmccntr_el0"
                         : [t0] "=&r"(t0), [t1] "=&r"(t1), "+r"(x0)
                         :
                         : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                           "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    else
        __asm__ volatile("mrs %[t0], pmccntr_el0\n\tisb\n\tisb\n\tmrs %[t1], pmccntr_el0"
                         : [t0] "=&r"(t0), [t1] "=&r"(t1), "+r"(x0) : : "memory");
    return t1 - t0;
}

static unsigned long min_hvc_cycles(int call)
{
    unsigned long best = ~0UL;
    for (int i = 0; i < 8; i++) {
        unsigned long c = hvc_cycles(call);
        if (c < best)
            best = c;
    }
    return best;
}

static void check_el2_not_counted(void)
{
    pmu_cycle_counter_on();                 /* asks for EL2 too: PMCCFILTR_EL0.NSH */
    unsigned long empty = min_hvc_cycles(0), call = min_hvc_cycles(1);
    unsigned long extra = call > empty ? call - empty : 0;
    /* The hypervisor's null call is ~70 instructions at EL2 (npm run bench); the guest's part is the HVC. */
    check(extra <= 8, "a hypercall timed with NSH counts no EL2 instruction",
          "%lu cycles over an empty window of %lu", extra, empty);

    unsigned long t0 = read_sysreg(cntvct_el0);
    for (int i = 0; i < 64; i++)
        (void)read_sysreg(pmccntr_el0);
    unsigned long per = instructions(read_sysreg(cntvct_el0) - t0) / 64;
    printf("# a PMU register access costs %lu instructions (trapped by MDCR_EL2.TPM: Cortex-A53 has no MDCR_EL2.HPMD)\n", per);
    check(per < 400, "a trapped PMU access stays cheap", "%lu instructions", per);
}

static inline void dc_cisw(unsigned long setway)
{
    __asm__ volatile("dc cisw, %0" : : "r"(setway) : "memory");
}

static void check_set_way(void)
{
    unsigned long line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
    unsigned long t0 = read_sysreg(cntvct_el0);
    dc_cisw(0);
    unsigned long t1 = read_sysreg(cntvct_el0);
    for (unsigned long set = 1; set < 256; set++)
        dc_cisw(set << 6);
    unsigned long t2 = read_sysreg(cntvct_el0);
    unsigned long first = instructions(t1 - t0), rest = instructions(t2 - t1) / 255;

    printf("# DC CISW: the first costs %lu instructions, each of the rest %lu\n", first, rest);
    check(first >= RAM_SIZE / line, "the first set/way operation becomes a clean+invalidate of the VM's memory by address",
          "%lu instructions for %lu lines of %lu bytes", first, RAM_SIZE / line, line);
    check(rest < 400, "the rest of the set/way loop only traps: one pass over memory per loop, not per operation",
          "%lu instructions each", rest);

    unsigned long sctlr = read_sysreg(sctlr_el1);
    t0 = read_sysreg(cntvct_el0);
    for (int i = 0; i < 16; i++) {
        write_sysreg(sctlr_el1, sctlr);
        isb();
    }
    unsigned long cost = instructions(read_sysreg(cntvct_el0) - t0) / 16;
    check(cost >= 16 && read_sysreg(sctlr_el1) == sctlr,
          "SCTLR_EL1 is watched after a set/way loop (HCR_EL2.TVM) and written as the guest asks",
          "a write takes %lu instructions, SCTLR_EL1 0x%lx", cost, read_sysreg(sctlr_el1));
}

int main(void *dtb)
{
    (void)dtb;
    check_pmu_reset();          /* first: nothing may touch the PMU before */
    printf("hardening guest: PMU and cache maintenance from EL1\n");
    check_filters();
    check_el2_not_counted();
    check_set_way();
    finish();
}
