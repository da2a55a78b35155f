/*
 * The EL2 vector table (Arm ARM D1.3.1: VBAR_EL2 + 0x000 current EL SP0, 0x200 current EL SPx,
 * 0x400 lower EL AArch64, 0x600 lower EL AArch32) and the guest register save/restore.
 *
 * While a vCPU runs, SP_EL2 points just past its register frame (PerCpu.regs, GuestRegs), which
 * sits directly above this CPU's hypervisor stack: an exception from the guest pushes x0..x30 into
 * the frame and the subset handler runs on the stack below it. EL1 system registers stay in the
 * CPU: every vCPU owns its physical CPU, so nothing else ever needs them.
 */
#include "asm.h"

/* x2..x17 to or from the frame at SP (x0 and x1 are saved first, to free two registers). */
.macro x2_x17 op
    \op  x2, x3, [sp, #16 * 1]
    \op  x4, x5, [sp, #16 * 2]
    \op  x6, x7, [sp, #16 * 3]
    \op  x8, x9, [sp, #16 * 4]
    \op  x10, x11, [sp, #16 * 5]
    \op  x12, x13, [sp, #16 * 6]
    \op  x14, x15, [sp, #16 * 7]
    \op  x16, x17, [sp, #16 * 8]
.endm

/* x2..x30 into the frame at SP. */
.macro save_x2_x30
    x2_x17 stp
    stp   x18, x19, [sp, #16 * 9]
    stp   x20, x21, [sp, #16 * 10]
    stp   x22, x23, [sp, #16 * 11]
    stp   x24, x25, [sp, #16 * 12]
    stp   x26, x27, [sp, #16 * 13]
    stp   x28, x29, [sp, #16 * 14]
    str   x30, [sp, #16 * 15]
.endm

/* A new guest register frame at SP, x0 and x1 in it: what every entry from the guest saves first. */
.macro push_x0_x1
    sub   sp, sp, #SIZEOF_GuestRegs
    stp   x0, x1, [sp, #16 * 0]
.endm

.macro save_guest
    push_x0_x1
    save_x2_x30
    mov   x0, sp
.endm

.macro lower_entry handler
    .balign 0x80
    save_guest
    bl    \handler
    b     guest_resume
.endm

/*
 * A synchronous exception from the guest. An HVC or a trapped SMC (ESR_EL2.EC 0x16, 0x17) is an
 * SMCCC call, which reads and writes x0-x3 only: it takes the interrupt entries' lighter frame, at
 * smccc_entry. So may a data abort (EC 0x24), at dabt_entry. Anything else (a trapped access names
 * any register) saves the whole frame. Used once: .Llower_sync_full is dabt_entry's way back (a
 * local label: no symbol, which host/trace.ts would take for a function).
 */
.macro lower_sync_entry
    .balign 0x80
    push_x0_x1
    mrs   x0, esr_el2
    ubfx  x1, x0, #26, #6             /* ESR_EL2.EC */
    sub   x1, x1, #0x16
    cmp   x1, #1
    b.ls  smccc_entry
    cmp   x1, #0x24 - 0x16
    b.eq  dabt_entry
.Llower_sync_full:
    save_x2_x30
    mov   x0, sp
    bl    trap_sync
    b     guest_resume
.endm

/* x2-x18 and x30 into the frame at SP: with x0 and x1, what a C call may clobber (AAPCS64). */
.macro save_x2_x18_x30
    x2_x17 stp
    str   x18, [sp, #16 * 9]
    str   x30, [sp, #16 * 15]
.endm

/* The caller-saved registers (x0-x18, x30) into a new frame at SP, or back from it. */
.macro save_caller_saved
    push_x0_x1
    save_x2_x18_x30
.endm

.macro restore_caller_saved
    x2_x17 ldp
    ldr   x18, [sp, #16 * 9]
    ldr   x30, [sp, #16 * 15]
    ldp   x0, x1, [sp, #16 * 0]
    add   sp, sp, #SIZEOF_GuestRegs
.endm

/*
 * Interrupts: the handler (trap_irq, trap_fiq: no arguments) neither reads nor changes the guest's
 * registers, so only those the C calling convention lets it clobber are saved (x0-x18, x30);
 * x19-x29 survive the call in the CPU itself (AAPCS64 callee-saved). Their frame slots are left as
 * they were. The return is in the vector itself (28 of its 32 instructions): the timer's path
 * (src/gic/vgic.ts vgicOwnPpi) takes no branch it need not.
 */
.macro lower_irq_entry handler
    .balign 0x80
    save_caller_saved
    bl    \handler
    restore_caller_saved
    eret
.endm

/*
 * An exception taken from EL2 itself is a hypervisor bug: report it and stop. SP may be what
 * caused it — a stack that overflowed into its guard page (src/el2/cpu.ts), where every store
 * faults again — so the report does not use it: x0 and x1 go to spare registers (SP_EL0 and
 * TPIDRRO_EL0: the guest's EL0 state, which ends with the run), x0 takes the SP of the exception.
 */
.macro hyp_entry kind
    .balign 0x80
    msr   sp_el0, x0
    msr   tpidrro_el0, x1
    mov   x0, sp
    mov   x1, #\kind
    b     hyp_exception
.endm

    .section .text.vectors, "ax"
    .balign 0x800
    .global vectors
vectors:
    /*
     * The table is the image's start (board/common/hyp.ld: HYP_BASE is 2 KiB-aligned, as VBAR_EL2
     * must be, so no fill precedes it), and a raw image is entered at its first byte (the RPi4
     * firmware): this slot's first instruction is the way to _start. As a vector (current EL with
     * SP_EL0, synchronous) it is never taken: EL2 runs on SP_EL2 from its first instruction
     * (src/el2/entry.S cpu_entry sets SPSel, and nothing changes it), so an exception taken from
     * EL2 takes the SP_ELx entries below.
     */
    b     _start
    hyp_entry 1      /* current EL, SP_EL0: IRQ, FIQ, SError */
    hyp_entry 2
    hyp_entry 3
    hyp_entry 4      /* current EL, SP_ELx */
    hyp_entry 5
    hyp_entry 6
    hyp_entry 7
    lower_sync_entry           /* lower EL, AArch64 */
    lower_irq_entry trap_irq
    lower_irq_entry trap_fiq
    lower_entry trap_serror
    lower_entry trap_sync      /* lower EL, AArch32 (EL0 of a guest): the same syndromes */
    lower_irq_entry trap_irq
    lower_irq_entry trap_fiq
    lower_entry trap_serror
    /* The table's end: an entry longer than its 32 instructions moves every one after it, and the assembler stops here. */
    .org  vectors + 0x800

/*
 * x0 = the SP of the exception, x1 = the vector index; the interrupted x0, x1 in SP_EL0, TPIDRRO_EL0.
 * The stack starts again from the top of this CPU's stack, the frame on PerCpu.regs (this CPU runs
 * nothing after the report), with x16 and x17 lent to TPIDR_EL0 and TPIDR_EL1 for the address. The
 * frame's x[31] is the SP of the exception, for hyp_fault(frame, kind).
 */
hyp_exception:
    msr   tpidr_el0, x16
    msr   tpidr_el1, x17
    mrs   x17, tpidr_el2
    mov   x16, #SIZEOF_PerCpu
    mul   x17, x17, x16
    adr_l x16, percpu
    add   x16, x16, x17
    stack_top x16
    save_x2_x30
    mrs   x2, sp_el0
    mrs   x3, tpidrro_el0
    stp   x2, x3, [sp, #16 * 0]
    mrs   x2, tpidr_el0
    mrs   x3, tpidr_el1
    stp   x2, x3, [sp, #16 * 8]
    str   x0, [sp, #8 * 31]
    mov   x0, sp
    bl    hyp_fault             /* noreturn */

/*
 * An SMCCC call, from lower_sync_entry: x0 = ESR_EL2, the guest's x0 and x1 in the frame. Only what
 * the C calling convention lets trap_smccc clobber is saved (x2-x18, x30), as on the interrupt path;
 * x19-x29 survive in the CPU. If the vCPU was reset meanwhile (trap_smccc true: PSCI CPU_OFF,
 * SYSTEM_RESET, SYSTEM_OFF return only when it starts again), all of it comes from the frame.
 */
smccc_entry:
    save_x2_x18_x30
    mov   x1, x0
    mov   x0, sp
    bl    trap_smccc
    cbnz  w0, guest_resume
    restore_caller_saved
    eret

/*
 * A data abort from the guest, from lower_sync_entry: x0 = ESR_EL2, the guest's x0 and x1 in the
 * frame. A single load or store of a general register (ESR_EL2.ISS.ISV) names that register alone
 * (ISS.SRT); when it is one the light frame holds (x0-x18, x30) or XZR (31), only what the C calling
 * convention lets dataAbort clobber is saved, as on smccc_entry: dataAbort reads and writes regs.x[SRT]
 * and no other register of the guest (src/stage2/abort.ts). Anything else — ISV clear, SRT one of
 * x19-x29 — goes back to the whole frame and trap_sync.
 */
dabt_entry:
    tbz   x0, #24, .Llower_sync_full    /* ESR_EL2.ISS.ISV */
    ubfx  x1, x0, #16, #5             /* ESR_EL2.ISS.SRT */
    sub   x1, x1, #19
    cmp   x1, #29 - 19
    b.ls  .Llower_sync_full
    save_x2_x18_x30
    mov   x1, x0
    mov   x0, sp
    bl    dataAbort
    restore_caller_saved
    eret

/* Restore the vCPU from the frame at SP and return to it. */
    .global guest_resume
guest_resume:
    x2_x17 ldp
    ldp   x18, x19, [sp, #16 * 9]
    ldp   x20, x21, [sp, #16 * 10]
    ldp   x22, x23, [sp, #16 * 11]
    ldp   x24, x25, [sp, #16 * 12]
    ldp   x26, x27, [sp, #16 * 13]
    ldp   x28, x29, [sp, #16 * 14]
    ldr   x30, [sp, #16 * 15]
    ldp   x0, x1, [sp, #16 * 0]
    add   sp, sp, #SIZEOF_GuestRegs
    eret

/* void vcpu_enter(void): enter this CPU's vCPU from its frame (ELR_EL2/SPSR_EL2 already set). */
    .global vcpu_enter
vcpu_enter:
    this_percpu x1, x0
    stack_top x1
    b     guest_resume
