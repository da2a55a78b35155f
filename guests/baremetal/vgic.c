/*
 * The bare-metal guest's checks of the virtual GIC (see vgic.h): the timer's interrupt, SGIs to
 * itself and between vCPUs, more pending interrupts than list registers, and what a partitioned
 * VM sees of the distributor and of its passed-through SPIs.
 */
#include "arch.h"
#include "check.h"
#include "gic.h"
#include "psci.h"
#include "vgic.h"

#define TIMER_ROUNDS    5
#define SGI_PING        3       /* vCPU 0 -> vCPU 1 */
#define SGI_PONG        4       /* vCPU 1 -> vCPU 0 */
#define SGI_CONTEXT     0x5617e57UL     /* CPU_ON context id of the SGI test's secondary */

static volatile unsigned irq_count[1024];
static volatile unsigned long timer_latency[TIMER_ROUNDS];
static volatile unsigned timer_round;

static unsigned long cntfrq(void) { return read_sysreg(cntfrq_el0); }

/* Runs with the interrupt active: silences the timer (its output is level) before the EOI. */
void irq_hook_main(unsigned intid)
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

void check_gic(const struct dt_info *dt)
{
    int v = gic_setup(dt);
    check(v == 2 || v == 3, "GIC in the device tree", "GICv%d, GICD 0x%lx, %s 0x%lx", v,
          dt->gic_reg[0], v == 3 ? "GICR" : "GICC", dt->gic_reg[1]);
    gic_set_hook(irq_hook_main);
    gic_init_cpu();
}

void check_timer(void)
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
static volatile unsigned long dt_boot_mpidr_aff0;

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

int vgic_secondary(unsigned long context)
{
    if (context != SGI_CONTEXT)
        return 0;
    sgi_secondary();
    hvc_call(PSCI_CPU_OFF, 0, 0, 0);
    return 1;
}

void check_sgi(const struct dt_info *dt)
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

void check_priority_order(void)
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

void check_gicd_isolation(const struct dt_info *dt)
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
void check_spi(const struct dt_info *dt)
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
