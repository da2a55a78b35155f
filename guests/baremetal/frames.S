/*
 * Probes of the hypervisor's register frames for a trapped load or store (frames.c). For each
 * general register N — 0 to 30, and 31 for WZR — frame_ldr_N(addr, out) and frame_str_N(addr, out)
 * fill x0-x30 with known values (PATTERN(r) in frames.c: r in bits [7:0], 0xa5a5 in [63:48], so a
 * W register's write shows), load 32 bits at `addr` into WN (store WN there), and save x0-x30 as
 * the access left them to out[0..30]. The address is in x16 (x17 when N is 16).
 */
#include "frame.h"

    .macro fill addr
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
    .if \r != \addr
    mov     x\r, #\r
    movk    x\r, #0xa5a5, lsl #48
    .endif
    .endr
    .endm

    .macro probe op, n
    .globl  frame_\op\()_\n
frame_\op\()_\n:
    stp     x29, x30, [sp, #-112]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    str     x1, [sp, #96]
    .if \n == 16
    mov     x17, x0
    fill    17
    \op     w16, [x17]
    .elseif \n == 31
    mov     x16, x0
    fill    16
    \op     wzr, [x16]
    .else
    mov     x16, x0
    fill    16
    \op     w\n, [x16]
    .endif
    b       frame_save
    .endm

    .text
/* Saves x0-x30 to the `out` the probe's frame holds, restores the callee-saved registers and returns to the probe's caller. */
frame_save:
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    frame_x2_x30 stp, str
    ldr     x1, [sp, #FRAME_SIZE + 96]
    mov     x2, #0
1:  ldr     x3, [sp, x2, lsl #3]
    str     x3, [x1, x2, lsl #3]
    add     x2, x2, #1
    cmp     x2, #31
    b.ne    1b
    add     sp, sp, #FRAME_SIZE
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #112
    ret

    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    probe   ldr, \n
    probe   str, \n
    .endr
