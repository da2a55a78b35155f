/*
 * What an Arm machine shows a guest, checked as a conformance suite would (see conform.h):
 * the timers' interrupt state in the distributor, an SGI's. Each check passes natively on QEMU virt (tests/guest-native.test.ts) and must
 * pass under Bulkhead (tests/hyp-qemu.test.ts).
 */
#include "arch.h"
#include "check.h"
#include "conform.h"
#include "gic.h"

#define PTIMER_INTID    30
#define STATE_SGI       6       /* its pending and active state read back */

static unsigned long ticks_ms(unsigned ms) { return read_sysreg(cntfrq_el0) / 1000 * ms; }

/* Polls the state of `intid` until (state & mask) == want or `ms` have passed; the last state read. */
static int wait_state(unsigned intid, int mask, int want, unsigned ms)
{
    unsigned long end = read_sysreg(cntvct_el0) + ticks_ms(ms);
    int s = gic_state(intid);

    while ((s & mask) != want && read_sysreg(cntvct_el0) < end)
        s = gic_state(intid);
    return s;
}

/* The EL1 virtual or physical timer: condition met now (`on`), or disabled. */
static void timer_fire(int phys, int on)
{
    if (phys) {
        write_sysreg(cntp_cval_el0, read_sysreg(cntpct_el0));
        write_sysreg(cntp_ctl_el0, on);
    } else {
        write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0));
        write_sysreg(cntv_ctl_el0, on);
    }
    isb();
}

/* Polls the CPU interface (interrupts masked) for up to ~100,000 reads: the INTID acknowledged, 1023 none. */
static unsigned poll_ack(void)
{
    unsigned intid = 1023;

    for (int i = 0; i < 100000 && intid >= 1020; i++)
        intid = gic_ack();
    return intid;
}

/*
 * The timer's interrupt, masked at the CPU (PSTATE.I), fires: pending in ISPENDR; acknowledged:
 * active in ISACTIVER; silenced and ended: neither. Disabled at the distributor, it fires: pending,
 * and no longer once the timer is stopped (a level interrupt).
 */
static void check_timer_state(int phys)
{
    unsigned intid = phys ? PTIMER_INTID : VTIMER_INTID, acked;
    int fired, taken, ended, latched, dropped;

    gic_enable(intid);
    timer_fire(phys, 1);
    fired = wait_state(intid, GIC_PENDING | GIC_ACTIVE, GIC_PENDING, 100);
    acked = poll_ack();
    taken = gic_state(intid);           /* active (and pending: the timer still asserts it) */
    timer_fire(phys, 0);
    if (acked < 1020)
        gic_eoi(acked);
    ended = wait_state(intid, GIC_PENDING | GIC_ACTIVE, 0, 100);
    check(fired == GIC_PENDING && acked == intid && (taken & GIC_ACTIVE) && ended == 0,
          "timer interrupt state reads back from ISPENDR/ISACTIVER",
          "%s timer, PPI %u: fired 0x%x, acknowledged %u: 0x%x, ended 0x%x (1 pending, 2 active)",
          phys ? "EL1 physical" : "virtual", intid, fired, acked, taken, ended);

    gic_disable(intid);
    timer_fire(phys, 1);
    latched = wait_state(intid, GIC_PENDING | GIC_ACTIVE, GIC_PENDING, 100);
    timer_fire(phys, 0);
    dropped = wait_state(intid, GIC_PENDING | GIC_ACTIVE, 0, 100);
    check(latched == GIC_PENDING && dropped == 0, "a disabled timer interrupt is pending in ISPENDR while it fires",
          "%s timer, PPI %u: fired 0x%x, stopped 0x%x", phys ? "EL1 physical" : "virtual", intid, latched, dropped);
}

/* An SGI's state through the private ISPENDR0/ISACTIVER0: sent, pending; acknowledged, active; ended, neither. */
static void check_sgi_state(void)
{
    unsigned acked;
    int sent, taken, ended;

    gic_enable(STATE_SGI);
    gic_send_sgi(STATE_SGI, read_sysreg(mpidr_el1) & 0xff);
    sent = wait_state(STATE_SGI, GIC_PENDING | GIC_ACTIVE, GIC_PENDING, 100);
    acked = poll_ack();
    taken = gic_state(STATE_SGI);
    if (acked < 1020)
        gic_eoi(acked);
    ended = gic_state(STATE_SGI);
    gic_disable(STATE_SGI);
    check(sent == GIC_PENDING && acked == STATE_SGI && taken == GIC_ACTIVE && ended == 0,
          "SGI pending and active state reads back from ISPENDR0/ISACTIVER0",
          "SGI %u: sent 0x%x, acknowledged %u: 0x%x, ended 0x%x", STATE_SGI, sent, acked, taken, ended);
}

void check_conformance(void)
{
    if (!gic_version())
        return;
    irq_mask();
    check_timer_state(0);
    check_timer_state(1);
    check_sgi_state();
}
