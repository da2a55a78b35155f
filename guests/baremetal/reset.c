/*
 * The restart test (reset.bin, board/<board>/configs/restart.ts): three boots of a 3-vCPU VM.
 * The boot count and the vCPUs' flags live in a page the VM shares (its own RAM is scrubbed).
 * boot 1: vCPU 0 leaves state behind wherever a restart must reset it (EL1 system registers,
 *         FP/SIMD registers, the UART's registers, an SGI acknowledged and never completed, its
 *         timer and an SPI fired while its distributor is disabled, a secret in RAM, a partial
 *         console line); vCPU 1 dirties its
 *         own registers; then both ask for SYSTEM_RESET at once, while vCPU 2 spins;
 * boot 2: vCPU 1 asks for SYSTEM_RESET while vCPU 2 calls CPU_ON on vCPU 0 in a loop (a start
 *         let through would leave vCPU 0 running this boot on over the next);
 * boot 3: checks that both restarts happened and made a clean boot: all of the above back to
 *         reset, vCPUs 1 and 2 off, no vCPU of an old run still running, vCPU 1 clean when
 *         started after the restart and again after its own CPU_OFF; then every other check
 *         (the timer and the SPI among them).
 */
#include "arch.h"
#include "check.h"
#include "fdt.h"
#include "gic.h"
#include "psci.h"
#include "reset.h"
#include "uart.h"

#ifdef RESET_TEST

#define RESET_MAGIC     0x7e57a27e57a27e00UL    /* low byte: boots so far */
#define RESET_SHARED    0x50000000UL            /* restart.ts: shared region "marker" */
#define RESET_SECRET    0x5ec2e75ec2e75ec2UL
#define SPIN_CONTEXT    0x5917UL        /* a vCPU that spins until the restart stops it */
#define BOTH_CONTEXT    0xb0770UL       /* boot 1's vCPU 1: dirties its registers, resets with vCPU 0 */
#define RESET_CONTEXT   0x2e5e7UL       /* boot 2's vCPU 1: resets once vCPU 2's CPU_ON loop runs */
#define LOOP_CONTEXT    0x1002UL        /* boot 2's vCPU 2: CPU_ON of vCPU 0, again and again */
#define ZOMBIE_CONTEXT  0x20b1eUL       /* what vCPU 0 would run if a CPU_ON got through */
#define CLEAN_CONTEXT   0xc1ea0UL       /* boot 3's vCPU 1: reports whether it started clean */
#define ACTIVE_SGI      5               /* boot 1: acknowledged, never completed */

struct reset_page {
    unsigned long marker;       /* RESET_MAGIC | boots */
    unsigned long go;           /* boot 1: both vCPUs reset now */
    unsigned long loops;        /* boot 2: CPU_ON calls of vCPU 2 */
    unsigned long zombie;       /* counts while a zombie runs */
    unsigned long clean;        /* boot 3: vCPU 1's report, 1 + the first dirty register's index */
    unsigned long clean_value;  /* ... and its value */
};
#define RP ((volatile struct reset_page *)RESET_SHARED)

/* EL1 registers a guest sets, each with a value to leave behind and the one a vCPU starts with. */
#define EL1_REGS(X) \
    X(tpidr_el0, 0x7e57000000000001UL, 0) X(tpidr_el1, 0x7e57000000000002UL, 0) \
    X(tpidrro_el0, 0x7e57000000000003UL, 0) X(contextidr_el1, 0x42, 0) X(mair_el1, 0xffUL, 0) \
    X(amair_el1, 0x44, 0) X(tcr_el1, 0x19, 0) X(ttbr0_el1, 0x40000000UL, 0) X(ttbr1_el1, 0x40001000UL, 0) \
    X(sp_el0, 0x40002000UL, 0) X(par_el1, 0x800, 0) X(cntkctl_el1, 0x2, 0) X(mdscr_el1, 0x1000, 0) \
    X(csselr_el1, 0x1, 0) X(cntv_cval_el0, ~0UL, 0) X(cntp_cval_el0, ~0UL, 0) X(cntp_ctl_el0, 0x3, 0) \
    X(esr_el1, 0x96000000UL, 0) X(far_el1, 0x40003000UL, 0) X(afsr0_el1, 0x1, 0) X(afsr1_el1, 0x1, 0) \
    X(cpacr_el1, 3UL << 20, 0) X(elr_el1, 0x40004000UL, 0) X(spsr_el1, 0x3c5, 0)
#define SCTLR_UCT_UCI   ((1UL << 15) | (1UL << 26))     /* harmless with the MMU off */
#define FPCR_DIRTY      0x03400000UL    /* DN, FZ, RMode = RP */
#define FPSR_DIRTY      0x08000001UL    /* QC, IOC */

#define NAME_OF(r, dirty, reset) #r,
static const char *const el1_names[] = { EL1_REGS(NAME_OF) "sctlr_el1", "vbar_el1", "sp_el1", "x1-x30 (ORed)", "fpcr", "fpsr", "q0-q31" };
/* start.S: the boot vCPU's VBAR_EL1, SP and x1 | ... | x30 at its first instruction */
unsigned long entry_vbar, entry_sp, entry_gprs;
/* start.S: an HVC with x1-x17 and x19-x29 non-zero (a reset must not carry them over). */
long hvc_dirty(unsigned long fid);

static void fp_fill(unsigned long v)
{
    write_sysreg(cpacr_el1, 3UL << 20);     /* FPEN: FP/SIMD at EL1 */
    isb();
    __asm__ volatile(".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
                     "dup v\\n\\().2d, %0\n"
                     ".endr\n"
                     "msr fpcr, %1\n"
                     "msr fpsr, %2\n" : : "r"(v), "r"(FPCR_DIRTY), "r"(FPSR_DIRTY) : "memory");
}

/* The OR of every bit of q0-q31 (read destructively: only for a check; FP/SIMD enabled). */
static unsigned long fp_or_all(void)
{
    unsigned long lo, hi;
    __asm__ volatile(".irp n,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
                     "orr v0.16b, v0.16b, v\\n\\().16b\n"
                     ".endr\n"
                     "umov %0, v0.d[0]\n"
                     "umov %1, v0.d[1]\n" : "=r"(lo), "=r"(hi) : : "memory");
    return lo | hi;
}

static unsigned long read_fpcr(void) { unsigned long v; __asm__ volatile("mrs %0, fpcr" : "=r"(v)); return v; }
static unsigned long read_fpsr(void) { unsigned long v; __asm__ volatile("mrs %0, fpsr" : "=r"(v)); return v; }

/* Every register a guest can set, to its dirty value (FP/SIMD enabled on the way). */
static void dirty_registers(void)
{
#define DIRTY(r, dirty, reset) write_sysreg(r, dirty);
    fp_fill(0xa5a5a5a5deadbeefUL);
    EL1_REGS(DIRTY)
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_UCT_UCI);
    isb();
}

/*
 * 0 if this vCPU started clean (`vbar`, `sp`: as it started), else 1 + the index in el1_names
 * of the first register found dirty, its value in *value. Run first, before any exception.
 */
static unsigned long dirty_register(unsigned long vbar, unsigned long sp, unsigned long gprs, unsigned long *value)
{
    unsigned long i = 0, v;
#define CHECK_REG(r, dirty, reset) if ((v = read_sysreg(r)) != (reset)) goto found; i++;
    EL1_REGS(CHECK_REG)
    if ((v = read_sysreg(sctlr_el1)) & SCTLR_UCT_UCI) goto found;
    i++;
    if ((v = vbar) != 0) goto found;
    i++;
    if ((v = sp) != 0) goto found;
    i++;
    if ((v = gprs) != 0) goto found;
    i++;
    write_sysreg(cpacr_el1, 3UL << 20);     /* FPEN, checked clear above: FP/SIMD at EL1 for the reads below */
    isb();
    if ((v = read_fpcr()) != 0) goto found;
    i++;
    if ((v = read_fpsr()) != 0) goto found;
    i++;
    if ((v = fp_or_all()) != 0) goto found;
    write_sysreg(cpacr_el1, 0);
    return 0;
found:
    *value = v;
    return i + 1;
}

static void check_clean(unsigned long dirty, unsigned long value, const char *what)
{
    if (dirty)
        check(0, what, "%s left at 0x%lx", el1_names[dirty - 1], value);
    else
        check(1, what, "%d registers and q0-q31 at reset", (int)(sizeof el1_names / sizeof el1_names[0]) - 1);
}

/* The PL011's IBRD, FBRD, LCR_H, CR, IFLS, IMSC: left dirty in boot 1, at their reset values in boot 3. */
static volatile unsigned *pl011(unsigned off) { return (volatile unsigned *)(uart_base() + off); }
static const unsigned uart_dirty[6] = { 0x27, 0x4, 0x70, 0x301, 0x24, 0x50 };
static const unsigned uart_reset[6] = { 0, 0, 0, 0x300, 0x12, 0 };

/* An SGI acknowledged and never completed: its priority stays active in the virtual CPU interface. */
static unsigned leave_sgi_active(void)
{
    unsigned intid = 1023;

    gic_enable(ACTIVE_SGI);
    gic_send_sgi(ACTIVE_SGI, read_sysreg(mpidr_el1) & 0xff);
    for (int i = 0; i < 100000 && intid >= 1020; i++)
        intid = gic_ack();      /* interrupts masked: polled */
    return intid;
}

/* The vCPU's virtual timer and an SPI of the VM's fire while its distributor is disabled. */
static void fire_with_distributor_off(const struct dt_info *dt)
{
    gic_enable(VTIMER_INTID);
    if (dt->npassthrough)
        gic_enable(dt->passthrough[0]);
    gicd_write(0x000, 0);                               /* GICD_CTLR: distributor off */
    write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0));
    write_sysreg(cntv_ctl_el0, 1);                      /* fires now, and stays asserted */
    if (dt->npassthrough) {
        unsigned intid = dt->passthrough[0];
        gicd_write(0x200 + 4 * (intid / 32), 1u << (intid % 32));     /* GICD_ISPENDR */
    }
    isb();
    unsigned long end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 50;     /* 20 ms */
    irq_unmask();           /* the hypervisor takes both; nothing reaches this vCPU */
    while (read_sysreg(cntvct_el0) < end)
        __asm__ volatile("yield");
    irq_mask();
}

/* Boot 1's vCPU 0: leave state behind, then reset together with vCPU 1. */
static void __attribute__((noreturn)) leave_a_mess(const struct dt_info *dt)
{
    volatile unsigned long *secret = (volatile unsigned long *)(dt->mem_base + dt->mem_size / 4);

    for (int i = 0; i < 512; i++)
        secret[i] = RESET_SECRET;
    for (int i = 0; i < 6; i++)
        *pl011(0x24 + 4 * i) = uart_dirty[i];
    gic_setup(dt);
    gic_init_cpu();
    unsigned active = leave_sgi_active();
    fire_with_distributor_off(dt);
    hvc_call(PSCI_CPU_ON_64, dt->cpu_mpidr[2], (unsigned long)secondary_entry, SPIN_CONTEXT);
    hvc_call(PSCI_CPU_ON_64, dt->cpu_mpidr[1], (unsigned long)secondary_entry, BOTH_CONTEXT);
    printf("# reset-guest: boot 1, vCPUs 0 and 1 ask for SYSTEM_RESET at once (SGI %u left active)\n", active);
    printf("# partial line, never ended");
    while (RP->go != 1)
        __asm__ volatile("yield");
    dirty_registers();
    RP->go = 2;
    dsb();
    hvc_dirty(PSCI_SYSTEM_RESET);
    for (;;)
        __asm__ volatile("yield");
}

/* CPU_ON contexts of the restart test; 0 for any other context. */
int reset_secondary(unsigned long context, unsigned long vbar, unsigned long sp, unsigned long gprs)
{
    unsigned long value = 0, dirty;

    switch (context) {
    case SPIN_CONTEXT:
        for (;;)
            __asm__ volatile("yield");
    case BOTH_CONTEXT:
        dirty_registers();
        RP->go = 1;
        dsb();
        while (RP->go != 2)
            ;
        hvc_dirty(PSCI_SYSTEM_RESET);
        for (;;)
            __asm__ volatile("yield");
    case LOOP_CONTEXT:
        for (;;) {
            hvc_call(PSCI_CPU_ON_64, 0, (unsigned long)secondary_entry, ZOMBIE_CONTEXT);
            RP->loops++;
        }
    case RESET_CONTEXT:
        while (RP->loops < 1000)
            __asm__ volatile("yield");
        hvc_dirty(PSCI_SYSTEM_RESET);
        for (;;)
            __asm__ volatile("yield");
    case ZOMBIE_CONTEXT:
        for (;;)
            RP->zombie++;
    case CLEAN_CONTEXT:
        dirty = dirty_register(vbar, sp, gprs, &value);
        dirty_registers();
        RP->clean_value = value;
        dsb();
        RP->clean = dirty + 1;
        dsb();
        hvc_dirty(PSCI_CPU_OFF);
        return 1;
    default:
        return 0;
    }
}

/* Boot 3's vCPU 0: starts vCPU 1 to report its state; 1 + its dirty-register index, or 0 if it never reported. */
static unsigned long vcpu1_clean(const struct dt_info *dt, unsigned long *value)
{
    RP->clean = 0;
    dsb();
    long r = hvc_call(PSCI_CPU_ON_64, dt->cpu_mpidr[1], (unsigned long)secondary_entry, CLEAN_CONTEXT);
    for (unsigned long i = 0; i < 200000000UL && RP->clean == 0 && r == PSCI_SUCCESS; i++)
        __asm__ volatile("yield");
    dmb();
    *value = RP->clean_value;
    wait_cpu_off(dt->cpu_mpidr[1]);
    return RP->clean;
}

void reset_test(const struct dt_info *dt)
{
    unsigned long value = 0, dirty = dirty_register(entry_vbar, entry_sp, entry_gprs, &value);
    unsigned long boots = (RP->marker & ~0xffUL) == RESET_MAGIC ? (RP->marker & 0xff) + 1 : 1;

    RP->marker = RESET_MAGIC | boots;
    dsb();
    if (dt->ncpus < 3) {
        check(0, "restart test", "needs 3 vCPUs, the device tree lists %d", dt->ncpus);
        return;
    }
    if (boots == 1) {
        RP->go = 0;
        RP->zombie = 0;
        leave_a_mess(dt);
    }
    if (boots == 2) {
        printf("# reset-guest: boot 2, vCPU 1 asks for SYSTEM_RESET while vCPU 2 calls CPU_ON on vCPU 0\n");
        RP->loops = 0;
        dsb();
        hvc_call(PSCI_CPU_ON_64, dt->cpu_mpidr[2], (unsigned long)secondary_entry, LOOP_CONTEXT);
        hvc_call(PSCI_CPU_ON_64, dt->cpu_mpidr[1], (unsigned long)secondary_entry, RESET_CONTEXT);
        for (;;)
            __asm__ volatile("yield");
    }
    RP->marker = 0;
    dsb();
    check(boots == 3, "SYSTEM_RESET restarts the VM, from any vCPU, also from two at once",
          "boot %lu: marker found at 0x%lx", boots, RESET_SHARED);
    check_clean(dirty, value, "a restart resets the vCPU's registers");
    for (int i = 1; i < 3; i++)
        check(hvc_call(PSCI_AFFINITY_INFO_64, dt->cpu_mpidr[i], 0, 0) == 1,
              "the restart stopped the other vCPUs", "AFFINITY_INFO of MPIDR 0x%lx", dt->cpu_mpidr[i]);
    unsigned long z0 = RP->zombie, end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 50;
    while (read_sysreg(cntvct_el0) < end)
        __asm__ volatile("yield");
    check(RP->zombie == z0, "no vCPU runs on from the last run (CPU_ON refused while restarting)",
          "counter of a zombie vCPU 0 %lu -> %lu in 20 ms", z0, RP->zombie);
    unsigned long bad = 0;
    for (int i = 0; i < 6; i++)
        if (*pl011(0x24 + 4 * i) != uart_reset[i] && !bad)
            bad = 0x24 + 4 * i;
    check(bad == 0, "a restart resets the UART's registers", "first differing offset 0x%lx", bad);
    volatile unsigned long *secret = (volatile unsigned long *)(dt->mem_base + dt->mem_size / 4);
    unsigned long seen = 0;
    for (int i = 0; i < 512; i++)
        seen |= secret[i];
    check(seen == 0, "a restart scrubs the VM's RAM", "the last run's secret page reads 0x%lx", seen);
    for (int round = 0; round < 2; round++) {
        const char *what = round ? "CPU_ON after CPU_OFF resets the vCPU's registers"
                                 : "vCPU 1 starts, clean, in the run after a restart";
        dirty = vcpu1_clean(dt, &value);
        if (dirty == 0)
            check(0, what, "vCPU 1 never reported: stopped at once?");
        else
            check_clean(dirty - 1, value, what);
    }
}

#endif
