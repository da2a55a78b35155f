/* PSCI and SMCCC calls over the HVC conduit (what a guest of Bulkhead uses). */
#ifndef PSCI_H
#define PSCI_H

#define SMCCC_VERSION           0x80000000UL
#define PSCI_VERSION            0x84000000UL
#define PSCI_CPU_OFF            0x84000002UL
#define PSCI_SYSTEM_OFF         0x84000008UL
#define PSCI_SYSTEM_RESET       0x84000009UL
#define PSCI_FEATURES           0x8400000AUL
#define PSCI_AFFINITY_INFO_64   0xC4000004UL
#define PSCI_CPU_ON_64          0xC4000003UL
#define PSCI_UNDEFINED_FN       0x840000FFUL    /* in the PSCI range, not assigned */
#define BULKHEAD_NULL_CALL      0xC6000000UL    /* hypervisor "null call": returns 0 */

#define PSCI_SUCCESS             0L
#define PSCI_NOT_SUPPORTED      -1L
#define PSCI_INVALID_PARAMETERS -2L
#define PSCI_ALREADY_ON         -4L

extern char secondary_entry[];          /* start.S: the CPU_ON entry point */

/*
 * SMCCC: function id in x0, arguments in x1-x3, result in x0.  The callee may
 * clobber x0-x17 (SMCCC 1.0), so all of them are declared clobbered.
 */
static inline long hvc_call(unsigned long fid, unsigned long a1,
                            unsigned long a2, unsigned long a3)
{
    register unsigned long x0 __asm__("x0") = fid;
    register unsigned long x1 __asm__("x1") = a1;
    register unsigned long x2 __asm__("x2") = a2;
    register unsigned long x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                       "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    return (long)x0;
}

/* Waits (bounded) until `mpidr` is off: a CPU that signalled its work done may not have reached
 * its CPU_OFF yet, and a CPU_ON before it does gets ALREADY_ON (PSCI). */
static inline void wait_cpu_off(unsigned long mpidr)
{
    for (unsigned long i = 0; i < 100000000UL && hvc_call(PSCI_AFFINITY_INFO_64, mpidr, 0, 0) != 1; i++)
        __asm__ volatile("yield");
}

static inline __attribute__((noreturn)) void system_off(void)
{
    hvc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");    /* SYSTEM_OFF returned: nothing else to do */
}

#endif
