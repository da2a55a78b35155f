/*
 * Probes: one access that may abort, armed so that the exception it takes is recorded and
 * stepped over (or returned from, for a branch to nowhere) instead of ending the run.
 */
#include "attack.h"

/* ---- exceptions ---- */

volatile int armed, taken;
volatile unsigned long exc_esr, exc_far, exc_elr;

/*
 * Called from the vector table (start.S).  A synchronous exception from EL1
 * while an attempt is armed is recorded and recovered from: ARM_SKIP steps
 * over the faulting instruction, ARM_RETURN_X30 returns to the address in x30
 * (exec_at: the fault is at the branch target, not at an instruction of ours).
 * Anything else is a failure and ends the run.
 */
void exception_handler(unsigned long index, unsigned long *frame)
{
    unsigned long esr = read_sysreg(esr_el1);
    unsigned long far = read_sysreg(far_el1);
    unsigned long elr = read_sysreg(elr_el1);

    if (index == 4 && armed != ARM_NONE) {
        exc_esr = esr;
        exc_far = far;
        exc_elr = elr;
        taken = 1;
        write_sysreg(elr_el1, armed == ARM_RETURN_X30 ? frame[30] : elr + 4);
        armed = ARM_NONE;
        return;
    }
    check(0, "unexpected exception", "vector %lu ESR 0x%lx ELR 0x%lx FAR 0x%lx",
          index, esr, elr, far);
    finish();
}

void arm(int how)
{
    taken = 0;
    exc_esr = exc_far = exc_elr = 0;
    armed = how;
    dsb();
}

/* ---- single accesses that may abort ---- */

unsigned long load32(unsigned long addr)
{
    unsigned int v = 0xdeadbeef;
    __asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
    return v;
}

unsigned long load64(unsigned long addr)
{
    unsigned long v = 0xdeadbeefdeadbeefUL;
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(addr) : "memory");
    return v;
}

void store32(unsigned long addr, unsigned int v)
{
    __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

void store64(unsigned long addr, unsigned long v)
{
    __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

struct outcome try_read(unsigned long addr, int wide)
{
    struct outcome o;
    arm(ARM_SKIP);
    o.value = wide ? load64(addr) : load32(addr);
    armed = ARM_NONE;
    o.aborted = taken;
    o.esr = exc_esr;
    o.far = exc_far;
    return o;
}

struct outcome try_write(unsigned long addr, unsigned long v, int wide)
{
    struct outcome o;
    arm(ARM_SKIP);
    if (wide)
        store64(addr, v);
    else
        store32(addr, (unsigned int)v);
    armed = ARM_NONE;
    o.aborted = taken;
    o.esr = exc_esr;
    o.far = exc_far;
    o.value = 0;
    return o;
}

/* A synchronous external abort injected by the hypervisor: EC 0x25, DFSC 0x10, FAR = addr. */
int is_injected_abort(const struct outcome *o, unsigned long addr, int write)
{
    return o->aborted && ec_of(o->esr) == 0x25 && (o->esr & 0x3f) == 0x10 &&
           o->far == addr && !!(o->esr & (1UL << 6)) == write;
}

/* Read and write at `addr`: each must take the injected stage-2 abort. */
void expect_abort_rw(unsigned long addr, const char *what)
{
    struct outcome r = try_read(addr, 1);
    if (is_injected_abort(&r, addr, 0))
        check(1, what, "read of 0x%lx: stage-2 abort, ESR 0x%lx, FAR 0x%lx", addr, r.esr, r.far);
    else if (r.aborted)
        check(0, what, "read of 0x%lx: wrong abort, ESR 0x%lx FAR 0x%lx", addr, r.esr, r.far);
    else
        check(0, what, "read of 0x%lx returned 0x%lx without abort", addr, r.value);

    struct outcome w = try_write(addr, 0x4141414141414141UL, 1);
    if (is_injected_abort(&w, addr, 1))
        check(1, what, "write to 0x%lx: stage-2 abort, ESR 0x%lx, FAR 0x%lx", addr, w.esr, w.far);
    else if (w.aborted)
        check(0, what, "write to 0x%lx: wrong abort, ESR 0x%lx FAR 0x%lx", addr, w.esr, w.far);
    else
        check(0, what, "write to 0x%lx completed without abort", addr);
}
