/*
 * The first instructions after reset, for the boot CPU (from the loader) and for every other CPU
 * (from PSCI CPU_ON or the spin table). Each CPU gets its stack (the `stack` of its PerCpu, whose
 * top is its guest register frame), records its index in TPIDR_EL2, installs the vectors and calls
 * into the subset code: boot_primary() or boot_secondary(cpu). Neither returns.
 */
#include "asm.h"

    .section .text.entry, "ax"
    .global _start
_start:
    msr   daifset, #0xf          /* no interrupts or aborts until the vectors are ours */
    /*
     * Start the cycle counter, counting at EL2 too (PMCCFILTR_EL0.NSH), so that a guest can read
     * how many cycles (under QEMU -icount shift=0: instructions) its start took from reset.
     * PMCR_EL0.E and PMCNTENSET_EL0.C are the guest's to change afterwards.
     */
    mov   x1, #(1 << 27)
    msr   pmccfiltr_el0, x1
    mrs   x1, pmcr_el0
    orr   x1, x1, #1
    msr   pmcr_el0, x1
    mov   x1, #(1 << 31)
    msr   pmcntenset_el0, x1
    /*
     * Zero .bss: the subset's module variables and pools start at zero (docs/subset.md). 64 bytes
     * a round (board/common/hyp.ld aligns both ends to 64): ~400 KiB is most of boot's instructions.
     * Plain stores: with the MMU off memory is Device, where DC ZVA faults.
     */
    adr_l x1, __bss_start
    adr_l x2, __bss_end
    b     2f
1:  stp   xzr, xzr, [x1], #16
    stp   xzr, xzr, [x1], #16
    stp   xzr, xzr, [x1], #16
    stp   xzr, xzr, [x1], #16
2:  cmp   x1, x2
    b.lo  1b
    mov   x0, #0                 /* the boot CPU is CPU 0 */
    b     cpu_entry

    /*
     * PSCI CPU_ON / spin-table entry. The CPU index is MPIDR_EL1.Aff0 on every supported board
     * (one cluster of up to 8 cores); the spin table passes no context id.
     */
    .global secondary_entry
secondary_entry:
    msr   daifset, #0xf
    mrs   x0, mpidr_el1
    and   x0, x0, #0xff
cpu_entry:
    msr   spsel, #1              /* SP is SP_EL2, for good: the vectors' SP_EL0 entries are never taken */
    msr   tpidr_el2, x0
    mov   x19, x0
    this_percpu x1, x0
    stack_top x1                 /* stack top = start of the guest frame above it */
    adr_l x2, vectors
    msr   vbar_el2, x2
    isb
    cbnz  x19, 3f
    bl    bh_init                /* module initialisation, once, on the boot CPU */
    bl    boot_primary
3:  mov   x0, x19
    bl    boot_secondary
4:  wfi                          /* not reached: both calls are noreturn */
    b     4b

    /* u64 secondary_entry_address(void): for PSCI CPU_ON and the spin table. */
    .global secondary_entry_address
secondary_entry_address:
    adr_l x0, secondary_entry
    ret
