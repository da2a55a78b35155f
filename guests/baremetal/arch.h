/* System register access and barriers. */
#ifndef ARCH_H
#define ARCH_H

#define read_sysreg(r) ({ unsigned long __v; \
    __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) \
    __asm__ volatile("msr " #r ", %0" : : "r"((unsigned long)(v)) : "memory")

#define isb()   __asm__ volatile("isb" ::: "memory")
#define dsb()   __asm__ volatile("dsb sy" ::: "memory")
#define dmb()   __asm__ volatile("dmb sy" ::: "memory")
#define sev()   __asm__ volatile("sev" ::: "memory")

#define MPIDR_AFF_MASK  0xff00ffffffUL  /* MPIDR_EL1.{Aff3, Aff2, Aff1, Aff0} */

#define PMCR_E          (1UL << 0)  /* enable counters */
#define PMCR_LC         (1UL << 6)  /* 64-bit cycle counter overflow */
#define PMCNTEN_C       (1UL << 31) /* cycle counter enable */
#define PMCCFILTR_NSH   (1UL << 27) /* also count at (non-secure) EL2 */

/* Start PMCCNTR_EL0 counting at EL1 and, where EL2 exists, at EL2 too. */
static inline void pmu_cycle_counter_on(void)
{
    write_sysreg(pmccfiltr_el0, PMCCFILTR_NSH);
    write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | PMCR_E | PMCR_LC);
    write_sysreg(pmcntenset_el0, PMCNTEN_C);
    isb();
}

#endif
