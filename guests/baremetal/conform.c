/*
 * What an Arm machine shows a guest, checked as a conformance suite would (see conform.h):
 * the timers' interrupt state in the distributor, an SGI's, and writes of it (ISACTIVER, ICACTIVER,
 * ICPENDR); interrupt groups and FIQs; a 16-bit T32 load at EL0 from an emulated device; CPU_ON
 * of one vCPU by several at once. Each check passes natively on QEMU virt
 * (tests/guest-native.test.ts) and must pass under Bulkhead (tests/hyp-qemu.test.ts).
 */
#include "arch.h"
#include "check.h"
#include "conform.h"
#include "gic.h"
#include "psci.h"

#define PTIMER_INTID    30
#define STATE_SGI       6       /* its pending and active state read back */
#define GROUP_SGI       7       /* moved between the groups */
#define ACTIVE_SGI      5       /* made active and inactive by ISACTIVER/ICACTIVER */
#define GICD_CTLR       0x000
#define GICD_ISPENDR    0x200
#define GICD_ICPENDR    0x280
#define GICD_ISACTIVER  0x300
#define GICD_ICACTIVER  0x380
#define GICD_ITARGETSR  0x800
#define GICC_CTLR       0x00
/* GICv2 GICC_CTLR (no Security Extensions): EnableGrp0, EnableGrp1, AckCtl, FIQEn. */
#define GICC_EN_GRP0    1u
#define GICC_EN_GRP1    2u
#define GICC_ACKCTL     4u
#define GICC_FIQEN      8u

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

/* ---- writes of the active and pending state ---- */

/* Makes `intid` pending as its source would: an SGI sent to this vCPU, the virtual timer fired, an SPI's ISPENDR. */
static void raise(unsigned intid)
{
    if (intid < 16)
        gic_send_sgi(intid, read_sysreg(mpidr_el1) & 0xff);
    else if (intid == VTIMER_INTID)
        timer_fire(0, 1);
    else
        gic_write_bit(GICD_ISPENDR, intid);
}

/*
 * GICD/GICR_ISACTIVER and ICACTIVER of `intid` take effect: made active, it reads active; raised
 * then, it reads active and pending and is not signalled (an active interrupt is not signalled
 * again); its active state cleared, it reads pending and is signalled; ended, neither. The
 * virtual timer is a hardware interrupt under a hypervisor: its activation is the physical one.
 */
static void check_active_write(unsigned intid, const char *what)
{
    unsigned early, acked;
    int set, both, cleared, ended;

    gic_enable(intid);
    if (intid >= 32 && gic_version() == 2)     /* GICv2: an SPI targeting no CPU is never pending */
        gicd_write8(GICD_ITARGETSR + intid, 1u << (read_sysreg(mpidr_el1) & 7));
    gic_write_bit(GICD_ISACTIVER, intid);
    set = gic_state(intid);
    raise(intid);
    both = wait_state(intid, GIC_PENDING | GIC_ACTIVE, GIC_PENDING | GIC_ACTIVE, 100);
    early = poll_ack();
    if (early < 1020)
        gic_eoi(early);
    gic_write_bit(GICD_ICACTIVER, intid);
    cleared = wait_state(intid, GIC_PENDING | GIC_ACTIVE, GIC_PENDING, 100);
    acked = poll_ack();
    if (intid == VTIMER_INTID)
        timer_fire(0, 0);
    if (acked < 1020)
        gic_eoi(acked);
    ended = wait_state(intid, GIC_PENDING | GIC_ACTIVE, 0, 100);
    gic_disable(intid);
    check(set == GIC_ACTIVE && both == (GIC_PENDING | GIC_ACTIVE) && early >= 1020 && cleared == GIC_PENDING &&
          acked == intid && ended == 0, "ISACTIVER and ICACTIVER take effect and read back",
          "%s %u: made active 0x%x, raised 0x%x (acknowledged %u), active cleared 0x%x, acknowledged %u, ended 0x%x "
          "(1 pending, 2 active)", what, intid, set, both, early, cleared, acked, ended);
}

/*
 * The virtual timer fires while the distributor is disabled: pending. Stopped, its pending state
 * cleared (ICPENDR0), the distributor enabled and the timer fired again, it arrives. (Under a
 * hypervisor that acknowledged the first firing and kept it for the guest, clearing it must end
 * that activation too, or the timer never fires again.)
 */
static void check_timer_unpend(void)
{
    unsigned ctlr = gicd_read(GICD_CTLR), acked;
    int fired, cleared;

    gic_enable(VTIMER_INTID);
    gicd_write(GICD_CTLR, ctlr & ~3u);      /* EnableGrp0, EnableGrp1 clear */
    timer_fire(0, 1);
    fired = wait_state(VTIMER_INTID, GIC_PENDING | GIC_ACTIVE, GIC_PENDING, 100);
    timer_fire(0, 0);
    gic_write_bit(GICD_ICPENDR, VTIMER_INTID);
    cleared = wait_state(VTIMER_INTID, GIC_PENDING | GIC_ACTIVE, 0, 100);
    gicd_write(GICD_CTLR, ctlr);
    timer_fire(0, 1);
    acked = poll_ack();
    timer_fire(0, 0);
    if (acked < 1020)
        gic_eoi(acked);
    gic_disable(VTIMER_INTID);
    check(fired == GIC_PENDING && cleared == 0 && acked == VTIMER_INTID,
          "a timer interrupt whose pending state was cleared (ICPENDR0) fires again",
          "virtual timer, distributor disabled: fired 0x%x, cleared 0x%x; enabled, fired again: acknowledged %u",
          fired, cleared, acked);
}

/* ---- interrupt groups and FIQs ---- */

static volatile unsigned fiqs, fiq_intid, irqs, irq_intid;

void conform_fiq(void)
{
    unsigned intid = gic_ack0();

    if (intid < 1020) {
        fiq_intid = intid;
        fiqs++;
    }
}

static void count_irq(unsigned intid)
{
    irq_intid = intid;
    irqs++;
}

/* IRQs and FIQs unmasked for up to `ms` or until one is taken. */
static void take_interrupts(unsigned ms)
{
    unsigned long end = read_sysreg(cntvct_el0) + ticks_ms(ms);
    unsigned before = fiqs + irqs;

    __asm__ volatile("msr daifclr, #3" ::: "memory");
    while (fiqs + irqs == before && read_sysreg(cntvct_el0) < end)
        __asm__ volatile("yield");
    __asm__ volatile("msr daifset, #3" ::: "memory");
}

/*
 * No FIQ while the guest has not asked for one: an SGI of the group it has out of reset (GICv2:
 * Group 0, with GICC_CTLR.FIQEn clear) or that gic_enable gives it (GICv3: Group 1) is an IRQ.
 * GICv3: a Group 0 SGI is a FIQ, and only while ICC_IGRPEN0_EL1 is set; nothing while it is clear.
 * GICv2: a Group 0 SGI is a FIQ once GICC_CTLR.FIQEn is set; a Group 1 one an IRQ even then.
 */
static void check_groups(void)
{
    unsigned self = read_sysreg(mpidr_el1) & 0xff;
    int g0, g1, held;
    unsigned fiq_u, irq_u, fiq_a, irq_a, fiq_b, irq_b;

    gic_enable(GROUP_SGI);
    gic_set_grp0_enable(0);
    fiqs = irqs = fiq_intid = irq_intid = 0;
    gic_send_sgi(GROUP_SGI, self);
    take_interrupts(100);
    fiq_u = fiqs;
    irq_u = irqs;
    check(fiq_u == 0 && irq_u == 1 && irq_intid == GROUP_SGI, "no FIQ while the guest has not enabled FIQs: an SGI is an IRQ",
          "GICv%d, SGI %u in Group %d: %u IRQ(s) (INTID %u) and %u FIQ(s)", gic_version(), GROUP_SGI,
          gic_group(GROUP_SGI), irq_u, irq_intid, fiq_u);

    gic_set_group(GROUP_SGI, 0);
    g0 = gic_group(GROUP_SGI);
    fiqs = irqs = fiq_intid = irq_intid = 0;
    if (gic_version() == 3) {
        gic_write_bit(GICD_ISPENDR, GROUP_SGI);         /* (ICC_SGI1R_EL1 sends only Group 1 SGIs) */
        take_interrupts(10);
        held = fiqs + irqs == 0;
        gic_set_grp0_enable(1);
    } else {
        held = irq_u == 1 && fiq_u == 0;                /* the Group 0 SGI above, FIQEn clear: an IRQ */
        *(volatile unsigned *)(gic_cpu_base() + GICC_CTLR) = GICC_EN_GRP0 | GICC_FIQEN;
        gic_send_sgi(GROUP_SGI, self);
    }
    take_interrupts(100);
    fiq_a = fiqs;
    irq_a = irqs;
    /* Now Group 1: an IRQ (GICv2: with FIQEn still set; its group enabled, AckCtl to acknowledge it through GICC_IAR). */
    gic_set_group(GROUP_SGI, 1);
    g1 = gic_group(GROUP_SGI);
    if (gic_version() == 3) {
        gic_set_grp0_enable(0);
    } else {
        gicd_write(GICD_CTLR, 3);
        *(volatile unsigned *)(gic_cpu_base() + GICC_CTLR) = GICC_EN_GRP0 | GICC_EN_GRP1 | GICC_ACKCTL | GICC_FIQEN;
    }
    fiqs = irqs = 0;
    gic_send_sgi(GROUP_SGI, self);
    take_interrupts(100);
    fiq_b = fiqs;
    irq_b = irqs;
    if (gic_version() == 2) {
        *(volatile unsigned *)(gic_cpu_base() + GICC_CTLR) = GICC_EN_GRP0;
        gicd_write(GICD_CTLR, 1);
        gic_set_group(GROUP_SGI, 0);
    }
    gic_disable(GROUP_SGI);
    check(g0 == 0 && g1 == 1, "interrupt groups read back as written (IGROUPR)", "SGI %u: Group %d, then %d", GROUP_SGI, g0, g1);
    check(held && fiq_a == 1 && irq_a == 0 && fiq_intid == GROUP_SGI, "a Group 0 SGI is a FIQ, and only once the guest enables it",
          "GICv%d: %s, then %u FIQ(s) (INTID %u) and %u IRQ(s)", gic_version(),
          gic_version() == 3 ? (held ? "held while ICC_IGRPEN0_EL1 is clear" : "taken while ICC_IGRPEN0_EL1 is clear")
                             : (held ? "an IRQ while GICC_CTLR.FIQEn is clear" : "not an IRQ while GICC_CTLR.FIQEn is clear"),
          fiq_a, fiq_intid, irq_a);
    check(fiq_b == 0 && irq_b == 1 && irq_intid == GROUP_SGI, "a Group 1 SGI is an IRQ",
          "%u IRQ(s) (INTID %u) and %u FIQ(s)", irq_b, irq_intid, fiq_b);
}

/* GICv3: ICC_SGI0R_EL1 generates only Group 0 SGIs; to a target that has the SGI in Group 1, nothing. */
static void check_sgi0r(void)
{
    unsigned long target = 1UL << (read_sysreg(mpidr_el1) & 0xf);
    int state;

    if (gic_version() != 3)
        return;
    gic_enable(GROUP_SGI);                              /* Group 1 */
    fiqs = irqs = 0;
    __asm__ volatile("msr S3_0_C12_C11_7, %0\n\tisb" :: "r"((unsigned long)GROUP_SGI << 24 | target) : "memory");
    take_interrupts(10);
    state = gic_state(GROUP_SGI);
    gic_disable(GROUP_SGI);
    check(fiqs + irqs == 0 && state == 0, "ICC_SGI0R_EL1 generates no SGI its target has in Group 1",
          "SGI %u in Group 1: %u IRQ(s), %u FIQ(s), state 0x%x", GROUP_SGI, irqs, fiqs, state);
}

/* ---- a 16-bit T32 load at EL0 from an emulated device (el0.S) ---- */

void el0_t32_run(const void *code, unsigned long r1, unsigned long flags);
extern const char el0_t32_plain[], el0_t32_it[], el0_t32_return[];
static volatile unsigned long el0_r[4], el0_esr;

int conform_el0(unsigned long *frame)
{
    for (int i = 0; i < 4; i++)
        el0_r[i] = frame[i] & 0xffffffffUL;
    el0_esr = read_sysreg(esr_el1);
    write_sysreg(elr_el1, (unsigned long)el0_t32_return);
    write_sysreg(spsr_el1, 0x3c5);      /* EL1h, D A I F masked */
    return 1;
}

/* One run of `code`: whether it read `want` into r0, left r2 and r3 as said, and ended at its first SVC. */
static int t32_ran(const char *code, unsigned long flags, unsigned want, unsigned long r2, const char *what)
{
    el0_esr = 0;
    el0_t32_run(code, gicd_base(), flags);
    unsigned long ec = el0_esr >> 26 & 0x3f, imm = el0_esr & 0xffff;
    int ok = el0_r[0] == want && el0_r[2] == r2 && el0_r[3] == 1 && ec == 0x11 && imm == 0;
    check(ok, what, "GICD_TYPER 0x%lx (0x%x), r2 %lu r3 %lu, then ESR 0x%lx (SVC #%lu)",
          el0_r[0], want, el0_r[2], el0_r[3], el0_esr, imm);
    return ok;
}

static void check_t32_mmio(void)
{
    unsigned long el0 = read_sysreg(id_aa64pfr0_el1) & 0xf;

    if (el0 != 2) {
        check_skip("16-bit T32 loads at EL0 (no AArch32 at EL0: ID_AA64PFR0_EL1.EL0 %lu)", el0);
        return;
    }
    unsigned want = gicd_read(4);
    t32_ran(el0_t32_plain, 0, want, 1, "a 16-bit T32 load at EL0 from an emulated device resumes at the next instruction");
    t32_ran(el0_t32_it, 1UL << 30, want, 0, "... and inside an IT block, with the IT state moved on");
}

/* ---- CPU_ON of one vCPU by several at once ---- */

#define RACE_ROUNDS     20
#define RACE_CALLER     0x2ace0UL       /* CPU_ON context: calls CPU_ON of the target with vCPU 0 */
#define RACE_TARGET     0x2ace1UL       /* CPU_ON context: waits for every caller, then powers off */
static volatile unsigned long race_round, race_target, race_callers;
static volatile unsigned long race_done[FDT_MAX_CPUS], race_success[FDT_MAX_CPUS],
                              race_already[FDT_MAX_CPUS], race_other[FDT_MAX_CPUS], race_last_other[FDT_MAX_CPUS];

static int spin_until(volatile unsigned long *p, unsigned long want, unsigned ms)
{
    unsigned long end = read_sysreg(cntvct_el0) + ticks_ms(ms);
    while (*p != want && read_sysreg(cntvct_el0) < end)
        __asm__ volatile("yield");
    return *p == want;
}

/* Waits (at most `ms`) until the vCPU of `mpidr` is off; whether it is. */
static int wait_off(unsigned long mpidr, unsigned ms)
{
    unsigned long end = read_sysreg(cntvct_el0) + ticks_ms(ms);
    long state;
    while ((state = hvc_call(PSCI_AFFINITY_INFO_64, mpidr, 0, 0)) != 1 && read_sysreg(cntvct_el0) < end)
        __asm__ volatile("yield");
    return state == 1;
}

/* Caller `me` (vCPU index) in round `r`. */
static void race_call(unsigned me, unsigned long r)
{
    long rc = hvc_call(PSCI_CPU_ON_64, race_target, (unsigned long)secondary_entry, RACE_TARGET);
    if (rc == PSCI_SUCCESS)
        race_success[me]++;
    else if (rc == PSCI_ALREADY_ON)
        race_already[me]++;
    else {
        race_other[me]++;
        race_last_other[me] = (unsigned long)rc;
    }
    dsb();
    race_done[me] = r;
    dsb();
}

int conform_secondary(unsigned long context)
{
    unsigned me = read_sysreg(mpidr_el1) & 0xff;

    if (context == RACE_CALLER) {
        for (unsigned long r = 1; r <= RACE_ROUNDS; r++) {
            if (!spin_until(&race_round, r, 2000))
                break;
            race_call(me % FDT_MAX_CPUS, r);
        }
        hvc_call(PSCI_CPU_OFF, 0, 0, 0);
        return 1;
    }
    if (context == RACE_TARGET) {
        /* On until every caller has had its answer: a late one must find it on, not off again. */
        for (unsigned i = 0; i < race_callers; i++)
            spin_until(&race_done[i], race_round, 2000);
        hvc_call(PSCI_CPU_OFF, 0, 0, 0);
        return 1;
    }
    return 0;
}

/*
 * vCPUs 0 .. n-2 call CPU_ON for vCPU n-1 at once, RACE_ROUNDS times: one SUCCESS per round, and
 * every other caller ALREADY_ON, as KVM answers (not ON_PENDING while the target has not yet started).
 */
static void check_cpu_on_race(const struct dt_info *dt)
{
    unsigned n = dt->ncpus < FDT_MAX_CPUS ? dt->ncpus : FDT_MAX_CPUS;
    unsigned long success = 0, already = 0, other = 0, last_other = 0;

    if (n < 3) {
        check_skip("CPU_ON of one vCPU by several at once (the device tree lists %u CPUs)", n);
        return;
    }
    race_callers = n - 1;
    race_target = dt->cpu_mpidr[n - 1];
    race_round = 0;
    for (unsigned i = 0; i < n; i++)
        race_done[i] = race_success[i] = race_already[i] = race_other[i] = 0;
    dsb();
    for (unsigned i = 1; i < n - 1; i++)
        hvc_call(PSCI_CPU_ON_64, dt->cpu_mpidr[i], (unsigned long)secondary_entry, RACE_CALLER);
    for (unsigned long r = 1; r <= RACE_ROUNDS; r++) {
        if (!wait_off(race_target, 2000))
            break;
        race_round = r;
        dsb();
        sev();
        race_call(0, r);
        for (unsigned i = 1; i < n - 1; i++)
            spin_until(&race_done[i], r, 2000);
    }
    for (unsigned i = 0; i < n; i++) {
        if (i)
            wait_off(dt->cpu_mpidr[i], 2000);
        success += race_success[i];
        already += race_already[i];
        other += race_other[i];
        if (race_other[i])
            last_other = race_last_other[i];
    }
    check(success == RACE_ROUNDS && already == RACE_ROUNDS * (n - 2) && other == 0,
          "CPU_ON of one vCPU by several at once: one SUCCESS, the others ALREADY_ON",
          "%u callers, %u rounds: %lu SUCCESS, %lu ALREADY_ON, %lu other (last %ld)",
          n - 1, RACE_ROUNDS, success, already, other, (long)last_other);
}

void check_conformance(const struct dt_info *dt)
{
    unsigned spi;

    check_t32_mmio();
    check_cpu_on_race(dt);
    if (!gic_version())
        return;
    irq_mask();
    check_timer_state(0);
    check_timer_state(1);
    check_sgi_state();
    check_active_write(ACTIVE_SGI, "SGI");
    check_active_write(VTIMER_INTID, "virtual timer, PPI");
    spi = dt->npassthrough ? dt->passthrough[0] : dt->uart_intid;
    if (spi)
        check_active_write(spi, dt->npassthrough ? "passed-through SPI" : "UART's SPI");
    else
        check_skip("ISACTIVER and ICACTIVER of an SPI (the device tree gives the VM none)");
    check_timer_unpend();
    gic_set_hook(count_irq);
    check_groups();
    check_sgi0r();
}
