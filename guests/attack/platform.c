/*
 * Attacks on the machine's shared parts: devices not assigned to the VM, other VMs' interrupts
 * at the GIC, other CPUs through PSCI and SGIs.
 */
#include "attack.h"

/* ---- 3. devices not assigned to the VM ---- */

void attack_devices(void)
{
    static char what[96];
    for (unsigned i = 0; i < sizeof board->devices / sizeof board->devices[0] && board->devices[i].what; i++) {
        const char *p = board->devices[i].what;
        unsigned n = 0;
        for (const char *q = "access to "; *q; )
            what[n++] = *q++;
        while (*p && n < sizeof what - 1)
            what[n++] = *p++;
        what[n] = 0;
        expect_abort_rw(board->devices[i].addr, what);
    }
}

/* ---- 4. GIC registers of interrupts that are not ours ---- */

/*
 * A GIC register for interrupts the VM does not own: reads as zero and
 * ignores writes (vGIC), or aborts (no vGIC).  Either is contained; which one
 * is printed ("RAZ/WI" or "abort") and asserted per board by the test.
 */
static void attack_gic_reg(unsigned long addr, unsigned int foreign_bits, const char *what)
{
    struct outcome r = try_read(addr, 0);
    if (r.aborted) {
        struct outcome w = try_write(addr, 0xffffffffUL, 0);
        check(is_injected_abort(&r, addr, 0) && is_injected_abort(&w, addr, 1), what,
              "abort: read ESR 0x%lx, write ESR 0x%lx, FAR 0x%lx", r.esr, w.esr, w.far);
        return;
    }
    struct outcome w = try_write(addr, foreign_bits, 0);
    struct outcome again = try_read(addr, 0);
    check(!w.aborted && !again.aborted && (r.value & foreign_bits) == 0 &&
          (again.value & foreign_bits) == 0, what,
          "RAZ/WI: read 0x%lx, after writing 0x%x read 0x%lx", r.value, foreign_bits, again.value);
}

void attack_gic(int gicv3)
{
    /* The UART's INTID is the VM's own: its emulated PL011's interrupt, which the hypervisor keeps
     * apart from the physical one (src/gic/vspi.ts; tests/vgic.test.ts, tests/console-input.test.ts).
     * The victim's SPI is foreign. */
    unsigned victim = board->victim_spi;
    attack_gic_reg(GICD_ISENABLER(victim / 32), 1u << (victim % 32), "GICD_ISENABLER of the victim's SPI");
    attack_gic_reg(GICD_ISPENDR(victim / 32), 1u << (victim % 32), "GICD_ISPENDR of the victim's SPI");
    /* Redistributor frames past the VM's own vCPUs' (frames 0..ncpus-1 are its own). */
    if (gicv3) {
        attack_gic_reg(GICR_SGI(dt.ncpus) + GICR_ISENABLER0, 0xffffffffu,
                       "GICR_ISENABLER0 of a redistributor past own vCPUs");
        attack_gic_reg(GICR_SGI(3) + GICR_ISENABLER0, 0xffffffffu,
                       "GICR_ISENABLER0 of the last CPU's redistributor");
    }
}

/* ---- 5. PSCI for CPUs that are not ours ---- */

void attack_psci(void)
{
    static const unsigned long foreign[] = {
        2, 3, 0x100, 0xff, 0x80000000UL, 0x80000001UL, 0x1000000UL, 0x10000000000UL, 0x100000000UL,
    };
    unsigned long entry = (unsigned long)secondary_entry;
    unsigned long ram_end = dt.mem_base + dt.mem_size;

    for (unsigned i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        long r = hvc_call(PSCI_CPU_ON_64, foreign[i], entry, 0);
        if (r == PSCI_INVALID_PARAMETERS)
            check(1, "PSCI CPU_ON of a foreign MPIDR", "MPIDR 0x%lx: INVALID_PARAMETERS", foreign[i]);
        else
            check(0, "PSCI CPU_ON of a foreign MPIDR", "MPIDR 0x%lx: returned %ld, want -2",
                  foreign[i], r);
    }

    static unsigned long bad_entry[6];
    bad_entry[0] = ram_end;
    bad_entry[1] = ram_end - 2;                 /* the instruction would straddle the end */
    bad_entry[2] = dt.mem_base - 4;
    bad_entry[3] = UART;
    bad_entry[4] = 0;
    bad_entry[5] = 0xfffffffffffffffcUL;        /* entry + 4 wraps around to 0 */
    for (unsigned i = 0; i < 6; i++) {
        long r = hvc_call(PSCI_CPU_ON_64, 1, bad_entry[i], 0);
        if (r == PSCI_INVALID_ADDRESS)
            check(1, "PSCI CPU_ON of own vCPU 1 outside own RAM", "entry 0x%lx: INVALID_ADDRESS",
                  bad_entry[i]);
        else
            check(0, "PSCI CPU_ON of own vCPU 1 outside own RAM", "entry 0x%lx: returned %ld, want -9",
                  bad_entry[i], r);
    }
    long s = hvc_call(PSCI_AFFINITY_INFO_64, 1, 0, 0);
    check(s == 1, "refused CPU_ONs", "AFFINITY_INFO of own vCPU 1: %ld (1 = off)", s);

    static const unsigned long foreign_aff[] = { 2, 3, 0x100, 0x80000000UL, 0x10000000000UL };
    for (unsigned i = 0; i < sizeof foreign_aff / sizeof foreign_aff[0]; i++) {
        long r = hvc_call(PSCI_AFFINITY_INFO_64, foreign_aff[i], 0, 0);
        check(r == PSCI_INVALID_PARAMETERS, "PSCI AFFINITY_INFO of a foreign MPIDR",
              "MPIDR 0x%lx: %ld", foreign_aff[i], r);
    }
}

/* ---- 6. SGIs to CPUs outside the VM ---- */

/* Each GICv3 SGI is sent this often (a trapped write is logged once per VM, not per write). */
#define SGI_BURST 2000

void attack_sgi(int gicv3)
{
    if (gicv3) {
        /* ICC_SGI1R_EL1: IRM (bit 40) = all but self; then TargetList 0xffff at Aff1 = 0, Aff2, Aff3. */
        static const unsigned long sgi1r[] = {
            1UL << 40 | 1UL << 24,
            0xffffUL | 2UL << 24,
            0xffffUL | 3UL << 24 | 0xffUL << 16 | 0xffUL << 32 | 0xffUL << 48,
        };
        for (unsigned i = 0; i < 3; i++) {
            int n = 0;
            arm(ARM_SKIP);
            for (; n < SGI_BURST && !taken; n++)
                __asm__ volatile("msr S3_0_C12_C11_5, %0\n\tisb" : : "r"(sgi1r[i]) : "memory");
            armed = ARM_NONE;
            check(1, "SGI to CPUs outside the VM (ICC_SGI1R_EL1)", "%d x 0x%lx: %s, ESR 0x%lx",
                  n, sgi1r[i], taken ? "exception" : "no exception", exc_esr);
        }
    } else {
        /* GICD_SGIR: TargetListFilter 01 (all but self); then TargetList 0xff. */
        static const unsigned int sgir[] = { 1u << 24 | 1, 0xffu << 16 | 2 };
        for (unsigned i = 0; i < 2; i++) {
            struct outcome w = try_write(GICD_SGIR, sgir[i], 0);
            check(1, "SGI to CPUs outside the VM (GICD_SGIR)", "0x%x: %s, ESR 0x%lx", sgir[i],
                  w.aborted ? "abort" : "no exception", w.esr);
        }
    }
}
