/*
 * Attacks on memory that is not the VM's: another VM's RAM, the hypervisor's, and instruction
 * fetches from outside its own RAM.
 */
#include "attack.h"

/* ---- 1. other VMs' memory ---- */

void attack_other_vm_ram(void)
{
    unsigned long own_end = dt.mem_base + dt.mem_size;
    unsigned long victim_end = board->victim_pa + VICTIM_SIZE;

    expect_abort_rw(own_end, "access just past own RAM (victim's PA range)");
    expect_abort_rw(own_end + 0x1000 - 8, "access into the page after own RAM");
    expect_abort_rw(victim_end - PAGE, "access to the victim's last page (as IPA)");
    expect_abort_rw(victim_end, "access to own backing PA (as IPA)");
    expect_abort_rw(dt.mem_base - 8, "access just below own RAM");
    expect_abort_rw(board->ram_end - PAGE, "access to the end of board RAM");
    expect_abort_rw((1UL << 40) - PAGE, "access to the top of the 40-bit IPA space");

    /*
     * The victim's kernel Image (magic "ARM\x64" at offset 0x38) is at PA victim_pa + 0x80000.
     * Where that PA is an IPA of our own RAM (QEMU virt) it must hold our memory, not the
     * victim's; elsewhere (the RPi4) it must abort.
     */
    unsigned long magic_at = board->victim_pa + 0x80000 + 0x38;
    if (magic_at >= dt.mem_base && magic_at < own_end) {
        unsigned long m = load32(magic_at);
        check(m != 0x644d5241, "read of the victim's image at its PA",
              "IPA 0x%lx is own RAM: reads 0x%lx, not the victim's Image magic", magic_at, m);
    } else {
        expect_abort_rw(magic_at, "read of the victim's image at its PA");
    }

    /*
     * Beyond the IPA size: a CPU with 40 physical address bits (cortex-a53) stops it at stage 1
     * (address size fault); one with more (the RPi4's A72: 44) passes it to stage 2, whose 40-bit
     * input range faults it to the hypervisor, which injects an abort. Either way it is contained.
     */
    struct outcome o = try_read(1UL << 40, 1);
    int stage1 = o.aborted && ec_of(o.esr) == 0x25 && (o.esr & 0x3c) == 0;
    check(stage1 || is_injected_abort(&o, 1UL << 40, 0), "read above the 40-bit IPA space",
          "0x%lx: %s, ESR 0x%lx", 1UL << 40,
          !o.aborted ? "no abort" : stage1 ? "stage-1 address size fault" : "stage-2 abort", o.esr);
}

/* ---- 2. the hypervisor's memory ---- */

void hyp_still_answers(const char *after)
{
    long v = hvc_call(PSCI_VERSION, 0, 0, 0);
    long n = hvc_call(BULKHEAD_NULL_CALL, 0, 0, 0);
    struct outcome o = try_read(dt.mem_base + dt.mem_size, 1);
    check(v == 0x10001 && n == 0 && is_injected_abort(&o, dt.mem_base + dt.mem_size, 0),
          "overwriting the hypervisor's RAM",
          "%s: PSCI_VERSION 0x%lx, null call %ld, abort %s", after, v, n,
          o.aborted ? "injected" : "missing");
}

void attack_hyp_memory(void)
{
    unsigned long img_lo = (unsigned long)_text & ~(PAGE - 1);
    unsigned long img_hi = ((unsigned long)_end + PAGE - 1) & ~(PAGE - 1);

    /*
     * The hypervisor's reserve (its code, data, stacks, page tables, guest images). Where its PAs
     * are not IPAs of our RAM (the RPi4: 0-0x2000000), each access aborts.
     */
    if (board->hyp_reserve < dt.mem_base) {
        expect_abort_rw(board->hyp_reserve, "access to the hypervisor's reserve at its PA");
        expect_abort_rw(board->hyp_code, "access to the hypervisor's code at its PA");
        expect_abort_rw(board->hyp_reserve_end - 8, "access to the end of the hypervisor's reserve at its PA");
        hyp_still_answers("after trying its PAs");
        return;
    }
    /*
     * On QEMU virt (PA 0x40000000-0x42000000: code at 0x40200000) it has the same numbers as the
     * first 32 MiB of our IPA space, which is our own RAM.  Its code is not visible there: our
     * RAM is fresh (zero) where we have not loaded anything.
     */
    unsigned long w = load64(board->hyp_code);
    check(w == 0, "read of the hypervisor's code at its PA",
          "IPA 0x%lx is own RAM: reads 0x%lx", board->hyp_code, w);

    /*
     * Overwrite all of it (except our own image and stacks) and read it back:
     * if any of it were the hypervisor's code, data or page tables, the
     * hypervisor would not survive the next trap.
     */
    unsigned long bad = 0, pages = 0;
    for (unsigned long a = board->hyp_reserve; a < board->hyp_reserve_end; a += 8) {
        if (a >= img_lo && a < img_hi) {
            a = img_hi - 8;
            continue;
        }
        *(volatile unsigned long *)a = a ^ 0x5a5a5a5a5a5a5a5aUL;
    }
    for (unsigned long a = board->hyp_reserve; a < board->hyp_reserve_end && !bad; a += 8) {
        if (a >= img_lo && a < img_hi) {
            a = img_hi - 8;
            continue;
        }
        if (*(volatile unsigned long *)a != (a ^ 0x5a5a5a5a5a5a5a5aUL))
            bad = a;
        if ((a & (PAGE - 1)) == 0)
            pages++;
    }
    check(!bad, "overwriting the IPAs of the hypervisor's PAs",
          bad ? "0x%lx did not read back: not plain own RAM" : "%lu pages of own RAM written and read back",
          bad ? bad : pages);
    hyp_still_answers("after writing its PAs");
}

/* ---- 10. instruction fetch from outside the VM's RAM ---- */

void attack_exec(void)
{
    const unsigned long targets[] = {
        dt.mem_base + dt.mem_size, board->victim_pa + VICTIM_SIZE - PAGE, UART, board->devices[0].addr,
        GICD, board->ram_end - PAGE, (1UL << 40) - PAGE, 1UL << 40,
    };
    for (unsigned i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        unsigned long t = targets[i];
        arm(ARM_RETURN_X30);
        exec_at(t);
        armed = ARM_NONE;
        unsigned long fsc = exc_esr & 0x3f;
        int stage2 = fsc == 0x10;       /* injected synchronous external abort */
        int ok = taken && ec_of(exc_esr) == 0x21 && exc_elr == t && exc_far == t &&
                 (stage2 || (t >> 40 && fsc <= 3));     /* above 40 bits: stage 1 or 2, as for the read */
        check(ok, "instruction fetch outside own RAM", "branch to 0x%lx: %s, ESR 0x%lx, ELR 0x%lx",
              t, !taken ? "no abort" : stage2 ? "stage-2 instruction abort" : "stage-1 fault", exc_esr,
              exc_elr);
    }
}
