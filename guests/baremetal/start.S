/*
 * Entry code for the bare-metal test guest.
 *
 * Boot protocol (Linux arm64): x0 = physical address of the DTB, MMU off,
 * EL1h, interrupts masked.  Only the boot CPU enters here; secondaries are
 * started with PSCI CPU_ON at secondary_entry.
 */

    .section .text.head, "ax"
    /* Linux arm64 Image header (Documentation/arch/arm64/booting.rst). */
    b       primary_entry       /* code0 */
    .long   0                   /* code1 */
    .quad   0x80000             /* text_offset: load 512 KiB above a 2 MiB boundary */
    .quad   _image_size         /* image_size: bytes the loader must reserve */
    .quad   0xa                 /* flags: LE, 4 KiB pages, placeable anywhere */
    .quad   0                   /* res2 */
    .quad   0                   /* res3 */
    .quad   0                   /* res4 */
    .byte   'A', 'R', 'M', 0x64 /* magic "ARM\x64" at offset 0x38 */
    .long   0                   /* res5 (PE header offset: none) */
#ifdef RESET_TEST
/*
 * Entries for the power-off accounting test (board/<board>/configs/offcount.ts points a VM's
 * entry here). off_now, at image + 0x40: the VM's first instruction powers it off. off_both, at
 * image + 0x50: vCPU 0 starts vCPU 1 at off_now and powers off too, so both call SYSTEM_OFF at once.
 */
off_now:
    movz    x0, #0x0008
    movk    x0, #0x8400, lsl #16    /* PSCI_SYSTEM_OFF */
    hvc     #0
    b       park
off_both:
    movz    x0, #0x0003
    movk    x0, #0xc400, lsl #16    /* PSCI_CPU_ON_64 */
    mov     x1, #1                  /* vCPU 1 */
    adr     x2, off_now
    mov     x3, #0
    hvc     #0
    b       off_now
#endif

    .text
#ifdef RESET_TEST
/* x1 = x1 | x2 | ... | x30: the general registers as the vCPU started, but x0 (the restart test checks they were reset). */
.macro or_x1_x30
    orr     x1, x1, x2
    orr     x1, x1, x3
    orr     x1, x1, x4
    orr     x1, x1, x5
    orr     x1, x1, x6
    orr     x1, x1, x7
    orr     x1, x1, x8
    orr     x1, x1, x9
    orr     x1, x1, x10
    orr     x1, x1, x11
    orr     x1, x1, x12
    orr     x1, x1, x13
    orr     x1, x1, x14
    orr     x1, x1, x15
    orr     x1, x1, x16
    orr     x1, x1, x17
    orr     x1, x1, x18
    orr     x1, x1, x19
    orr     x1, x1, x20
    orr     x1, x1, x21
    orr     x1, x1, x22
    orr     x1, x1, x23
    orr     x1, x1, x24
    orr     x1, x1, x25
    orr     x1, x1, x26
    orr     x1, x1, x27
    orr     x1, x1, x28
    orr     x1, x1, x29
    orr     x1, x1, x30
.endm
#endif
    .globl  primary_entry
primary_entry:
#ifdef RESET_TEST
    or_x1_x30
    mov     x23, x1
#endif
    mrs     x20, pmccntr_el0        /* cycles since reset, counted by the hypervisor (bench: boot-to-guest) */
#ifdef RESET_TEST
    mrs     x21, vbar_el1           /* as the vCPU started: the restart test checks they were reset */
    mov     x22, sp
#endif
    mov     x19, x0                 /* keep the DTB pointer across setup */
    msr     daifset, #0xf           /* no interrupts are used */
    adrp    x1, boot_stack_top
    add     x1, x1, :lo12:boot_stack_top
    mov     sp, x1

    /* Clear .bss (8-byte stores; both ends are 16-byte aligned). */
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:
    adrp    x1, boot_counter
    str     x20, [x1, :lo12:boot_counter]
#ifdef RESET_TEST
    adrp    x1, entry_vbar
    str     x21, [x1, :lo12:entry_vbar]
    adrp    x1, entry_sp
    str     x22, [x1, :lo12:entry_sp]
    adrp    x1, entry_gprs
    str     x23, [x1, :lo12:entry_gprs]
#endif
    bl      set_vbar
    mov     x0, x19
    bl      uart_init
    mov     x0, x19
    bl      main
    b       park

/*
 * PSCI CPU_ON entry: x0 = context id, MMU off, EL1h.  Each secondary vCPU
 * (MPIDR Aff0 = 1..3) has its own 4 KiB stack, below secondary_stack_top.
 */
    .globl  secondary_entry
secondary_entry:
#ifdef RESET_TEST
    or_x1_x30
    mov     x22, x1                 /* secondary_main's fourth argument */
#endif
    mov     x19, x0
    mrs     x20, vbar_el1           /* secondary_main's second and third arguments: VBAR_EL1 and SP as the vCPU started */
    mov     x21, sp
    msr     daifset, #0xf
    adrp    x1, secondary_stack_top
    add     x1, x1, :lo12:secondary_stack_top
    mrs     x2, mpidr_el1
    and     x2, x2, #3
    sub     x2, x2, #1
    sub     x1, x1, x2, lsl #12
    mov     sp, x1
    bl      set_vbar                /* VBAR_EL1 is per CPU */
    mov     x0, x19
    mov     x1, x20
    mov     x2, x21
#ifdef RESET_TEST
    mov     x3, x22
#endif
    bl      secondary_main
    b       park

set_vbar:
    adrp    x1, vectors
    add     x1, x1, :lo12:vectors
    msr     vbar_el1, x1
    isb
    ret

park:
    wfi
    b       park

/*
 * EL1 vector table: 16 entries of 0x80 bytes, 2 KiB aligned.  Each entry
 * saves x0/x1, puts its index in x0 (0-3: current EL SP0, 4-7: current EL
 * SPx, 8-15: lower EL; within a group sync/irq/fiq/serror) and joins the
 * common path, which saves the rest and calls exception_handler(index, frame).
 * The handler may change ELR_EL1 (to skip a faulting instruction).
 */
#include "frame.h"

.macro ventry index
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x0, #\index
    b       exc_common
.endm

    .balign 2048
    .globl  vectors
vectors:
    ventry 0
    ventry 1
    ventry 2
    ventry 3
    ventry 4
    ventry 5
    ventry 6
    ventry 7
    ventry 8
    ventry 9
    ventry 10
    ventry 11
    ventry 12
    ventry 13
    ventry 14
    ventry 15

exc_common:
    frame_x2_x30 stp, str
    mov     x1, sp
    bl      exception_handler
    frame_x2_x30 ldp, ldr
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret

    .section .stack, "aw", %nobits
    .balign 16
    .space  16384
boot_stack_top:
    .space  4096 * 3
secondary_stack_top:

#ifdef RESET_TEST
/*
 * long hvc_dirty(fid): the call in x0 with every other general register but x18 holding a value
 * (x1..x17, x19..x29: their own number), as a guest in the middle of its work has them: a
 * SYSTEM_RESET or CPU_OFF made this way must not carry them into the vCPU's next start.
 */
    .text
    .globl  hvc_dirty
hvc_dirty:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mov     x1, #1
    mov     x2, #2
    mov     x3, #3
    mov     x4, #4
    mov     x5, #5
    mov     x6, #6
    mov     x7, #7
    mov     x8, #8
    mov     x9, #9
    mov     x10, #10
    mov     x11, #11
    mov     x12, #12
    mov     x13, #13
    mov     x14, #14
    mov     x15, #15
    mov     x16, #16
    mov     x17, #17
    mov     x19, #19
    mov     x20, #20
    mov     x21, #21
    mov     x22, #22
    mov     x23, #23
    mov     x24, #24
    mov     x25, #25
    mov     x26, #26
    mov     x27, #27
    mov     x28, #28
    mov     x29, #29
    hvc     #0
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret
#endif
