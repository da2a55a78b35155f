/*
 * Register-exact probes for the attack guest: sequences that C cannot express
 * (every general register loaded with a known pattern around an hvc/smc, and
 * loads/stores whose syndrome the hypervisor cannot decode).
 */

/* pattern(n) = 0xa5a5_0000_0000_0000 | n * 0x0101_0101: unique per register */
.macro pat reg, n
    movz    \reg, #0xa5a5, lsl #48
    movk    \reg, #((\n) * 0x0101), lsl #0
    movk    \reg, #((\n) * 0x0101), lsl #16
.endm

.macro load_patterns
    pat x1, 1
    pat x2, 2
    pat x3, 3
    pat x4, 4
    pat x5, 5
    pat x6, 6
    pat x7, 7
    pat x8, 8
    pat x9, 9
    pat x10, 10
    pat x11, 11
    pat x12, 12
    pat x13, 13
    pat x14, 14
    pat x15, 15
    pat x16, 16
    pat x17, 17
    pat x18, 18
    pat x19, 19
    pat x20, 20
    pat x21, 21
    pat x22, 22
    pat x23, 23
    pat x24, 24
    pat x25, 25
    pat x26, 26
    pat x27, 27
    pat x28, 28
    pat x29, 29
    pat x30, 30
.endm

    .text
/*
 * unsigned long hostile_call(unsigned long x0, unsigned long variant,
 *                            unsigned long out[31], unsigned long x1);
 * Loads x2..x30 with pattern(n) and x0, x1 with the given values, issues
 * variant 0: hvc #0, 1: smc #0, 2: hvc #0xffff, 3: smc #0xffff, and stores
 * x0..x30 as the call left them into out[].  Returns out[0].
 */
    .globl  hostile_call
hostile_call:
    sub     sp, sp, #128
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    str     x2, [sp, #96]               /* out */
    str     x3, [sp, #112]              /* x1 for the call */
    cmp     x1, #1
    b.eq    .Lsmc0
    cmp     x1, #2
    b.eq    .Lhvcffff
    cmp     x1, #3
    b.eq    .Lsmcffff
.macro issue insn
    load_patterns
    ldr     x1, [sp, #112]
    \insn
    b       .Ldone
.endm
.Lhvc0:
    issue   "hvc #0"
.Lsmc0:
    issue   "smc #0"
.Lhvcffff:
    issue   "hvc #0xffff"
.Lsmcffff:
    issue   "smc #0xffff"
.Ldone:
    str     x0, [sp, #104]
    ldr     x0, [sp, #96]
    stp     x1, x2, [x0, #8 * 1]
    stp     x3, x4, [x0, #8 * 3]
    stp     x5, x6, [x0, #8 * 5]
    stp     x7, x8, [x0, #8 * 7]
    stp     x9, x10, [x0, #8 * 9]
    stp     x11, x12, [x0, #8 * 11]
    stp     x13, x14, [x0, #8 * 13]
    stp     x15, x16, [x0, #8 * 15]
    stp     x17, x18, [x0, #8 * 17]
    stp     x19, x20, [x0, #8 * 19]
    stp     x21, x22, [x0, #8 * 21]
    stp     x23, x24, [x0, #8 * 23]
    stp     x25, x26, [x0, #8 * 25]
    stp     x27, x28, [x0, #8 * 27]
    stp     x29, x30, [x0, #8 * 29]
    ldr     x1, [sp, #104]
    str     x1, [x0]
    mov     x0, x1
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #128
    ret

/*
 * MMIO accesses without a valid instruction syndrome (ISV = 0).  Each takes
 * the device address in x0; the faulting instruction is the first one, so the
 * exception handler can skip exactly 4 bytes.  Returns x0 as left afterwards
 * (for writeback forms: the base register, which must not have moved).
 */
    .globl  mmio_ldp
mmio_ldp:
    mov     x2, x0
    ldp     x0, x1, [x2]
    mov     x0, x2
    ret

    .globl  mmio_stp
mmio_stp:
    mov     x1, #0x41
    mov     x2, x0
    stp     x1, x1, [x2]
    mov     x0, x2
    ret

    .globl  mmio_str_preindex
mmio_str_preindex:
    mov     x1, #0x42
    sub     x0, x0, #8
    str     x1, [x0, #8]!               /* writeback: base x0 would become the device address */
    add     x0, x0, #8                  /* aborted: x0 unchanged, so this gives the address back */
    ret

    .globl  mmio_ldr_postindex
mmio_ldr_postindex:
    ldr     x1, [x0], #16               /* writeback: x0 would move on by 16 */
    ret

/*
 * void exec_at(unsigned long addr): branches to addr with x30 = the return
 * point.  An instruction abort there is recovered by the exception handler
 * setting ELR_EL1 = x30, which returns here as if the callee had returned.
 */
    .globl  exec_at
exec_at:
    stp     x29, x30, [sp, #-16]!
    adr     x30, 1f
    br      x0
1:  ldp     x29, x30, [sp], #16
    ret
