/*
 * The fuzzer's executor: runs one instruction word with a chosen register file, at EL1 with
 * SP_EL0 selected (EL1t), so that whatever the word does to SP it does to SP_EL0, and every
 * exception it causes is taken on SP_EL1 (vectors 0-3, or 8-11 after an ERET to EL0), whose
 * stack the word cannot reach. The word sits in op_slot, followed by a branch to op_done; the
 * exception handler (main.c) ends a faulting op by returning to op_done in EL1t.
 *
 * struct op_ctx (fuzz.h): x[0..30], sp (SP_EL0), elr, spsr (ELR_EL1/SPSR_EL1 for an ERET).
 * Both vCPUs run ops at once, each in its own slot (op_slot[16 * vCPU]) with its own context.
 */
#define CTX_SP      (31 * 8)
#define CTX_ELR     (32 * 8)
#define CTX_SPSR    (33 * 8)

    .text
/* Loads x1..x30 and then x0 from the context at x0, unmasks IRQ and SError, and runs the slot. */
.macro enter slot
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
    ldr     x30, [x0, #240]
    ldr     x1, [x0, #8]
    ldr     x0, [x0]
    msr     daifclr, #6             /* IRQ and SError: the op may cause them */
    b       \slot
.endm

/* void run_op(struct op_ctx *ctx): this vCPU's slot must hold the word and `b op_done`, made
 * visible to instruction fetch (slot_sync). */
    .globl  run_op
run_op:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mrs     x2, mpidr_el1
    and     x2, x2, #1
    adrp    x1, cur_ctx
    add     x1, x1, :lo12:cur_ctx
    str     x0, [x1, x2, lsl #3]
    ldr     x1, [x0, #CTX_SP]
    msr     sp_el0, x1
    ldr     x1, [x0, #CTX_ELR]
    msr     elr_el1, x1
    ldr     x1, [x0, #CTX_SPSR]
    msr     spsr_el1, x1
    msr     spsel, #0
    cbnz    x2, 1f
    enter   op_slot
1:  enter   op_slot + 64

/* The op ended (fell through, or the handler sent it here): save its registers into this
 * vCPU's context. TPIDR_EL1 and TPIDRRO_EL0 are scratch (whatever the op left in them). */
    .globl  op_done, op_done_end
op_done:
    msr     daifset, #0xf
    msr     tpidr_el1, x0
    msr     tpidrro_el0, x1
    mrs     x1, mpidr_el1
    and     x1, x1, #1
    adrp    x0, cur_ctx
    add     x0, x0, :lo12:cur_ctx
    ldr     x0, [x0, x1, lsl #3]
    mrs     x1, tpidrro_el0
    stp     x1, x2, [x0, #8]
    stp     x3, x4, [x0, #24]
    stp     x5, x6, [x0, #40]
    stp     x7, x8, [x0, #56]
    stp     x9, x10, [x0, #72]
    stp     x11, x12, [x0, #88]
    stp     x13, x14, [x0, #104]
    stp     x15, x16, [x0, #120]
    stp     x17, x18, [x0, #136]
    stp     x19, x20, [x0, #152]
    stp     x21, x22, [x0, #168]
    stp     x23, x24, [x0, #184]
    stp     x25, x26, [x0, #200]
    stp     x27, x28, [x0, #216]
    stp     x29, x30, [x0, #232]
    mrs     x1, tpidr_el1
    str     x1, [x0]
    msr     spsel, #1               /* back on SP_EL1, untouched by the op */
    mrs     x1, sp_el0
    str     x1, [x0, #CTX_SP]
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
op_done_end:
    ret

/*
 * The slots: one cache line each, so that one DC CVAU / IC IVAU covers it. Written with the MMU off
 * (data accesses Device, instruction fetches Normal): after the write, the sequence of Arm ARM
 * B2.4.4 (DC CVAU, DSB ISH, IC IVAU, DSB ISH, ISB) makes the new words the ones fetched.
 */
    .data
    .balign 64
    .globl  op_slot
op_slot:
    .space  128

    .text
/* void slot_sync(unsigned *slot) */
    .globl  slot_sync
slot_sync:
    dc      cvau, x0
    dsb     ish
    ic      ivau, x0
    dsb     ish
    isb
    ret

    .bss
    .balign 8
cur_ctx:
    .space  16
