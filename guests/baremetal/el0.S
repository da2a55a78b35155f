/*
 * EL0 in AArch32 state, T32 (conform.c): el0_t32_run(code, r1, flags) enters T32 code at EL0
 * with r1 = `r1`, r0, r2, r3 = 0 and the condition flags `flags` (N Z C V: SPSR bits 31..28);
 * the code ends with SVC, which exception_handler (vector 12) answers by calling conform_el0()
 * and resuming at el0_t32_return, which returns to el0_t32_run's caller.
 */
    .text
    .globl  el0_t32_run
el0_t32_run:
    stp     x19, x20, [sp, #-96]!
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    msr     elr_el1, x0
    /* SPSR: M = 0b10000 (User, AArch32), T (bit 5), F, I, A masked (bits 6-8), the flags. */
    mov     x3, #0x1f0
    orr     x3, x3, x2
    msr     spsr_el1, x3
    mov     x0, #0
    mov     x2, #0
    mov     x3, #0
    isb
    eret

    .globl  el0_t32_return
el0_t32_return:
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    ldp     x19, x20, [sp], #96
    ret

/*
 * T32 code, as halfwords (the A64 assembler has no T32). Each reads a word at [r1, #4] with a
 * 16-bit LDR, which an emulated device makes trap with ESR_EL2.IL = 0, then must go on with the
 * very next halfword. A second SVC ends the code whatever the first did (skipped by a wrong IT state).
 */
    .balign 4
    .globl  el0_t32_plain
el0_t32_plain:
    .hword  0x6848          /* ldr   r0, [r1, #4]   (16-bit) */
    .hword  0x2201          /* movs  r2, #1         skipped if the LDR is taken as 32 bits */
    .hword  0x2301          /* movs  r3, #1 */
    .hword  0xdf00          /* svc   #0 */
    .hword  0xdf01          /* svc   #1 */
    .hword  0xe7fe          /* b     . */

    .balign 4
    .globl  el0_t32_it
el0_t32_it:                 /* entered with Z set: EQ holds */
    .hword  0xbf0c          /* ite   eq */
    .hword  0x6848          /* ldreq r0, [r1, #4]   (16-bit, in the IT block) */
    .hword  0x2201          /* movne r2, #1         must not run: the IT state has moved on to NE */
    .hword  0x2301          /* movs  r3, #1         after the block */
    .hword  0xdf00          /* svc   #0 */
    .hword  0xdf01          /* svc   #1 */
    .hword  0xe7fe          /* b     . */
