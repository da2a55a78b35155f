/*
 * void vcpu_reset_fp(void): this CPU's FP/SIMD registers at a vCPU start (src/el2/vcpu.ts
 * resetVcpu): q0-q31, FPCR and FPSR zero, so that nothing of the vCPU's last run is visible to its
 * next. The subset code is built -mgeneral-regs-only and cannot name them; EL2 may use them, as
 * CPTR_EL2.TFP is clear (src/el2/setup.ts).
 */
    .text
    .global vcpu_reset_fp
vcpu_reset_fp:
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    movi  v\n\().2d, #0
    .endr
    msr   fpcr, xzr
    msr   fpsr, xzr
    ret
