/*
 * Isolation attack guest: run as one VM next to a victim VM, it tries, from
 * EL1 of its own VM, to reach what is not its own (other VMs' memory, the
 * hypervisor, unassigned devices, foreign interrupts and CPUs) and to upset
 * the hypervisor (hostile hypercalls, undecodable MMIO, implementation-defined
 * system registers, instruction fetches from nowhere).  Each attempt is one
 * check: "ok - <attack> contained (<how>)" when the attempt was contained,
 * "FAIL - <attack> (<what happened>)" when not; then "N passed, M failed" and
 * PSCI SYSTEM_OFF.
 *
 * Built by guests/baremetal/build.sh from the bare-metal guest's support files
 * (start.S entry and vectors, uart.c, fdt.c, psci.h) with this main.c and
 * hostile.S.
 */
#include "arch.h"
#include "check.h"
#include "fdt.h"
#include "psci.h"
#include "uart.h"

extern char _text[], _end[];            /* image bounds, from linker.ld */
extern char secondary_entry[];          /* start.S: CPU_ON entry point */

/* hostile.S */
unsigned long hostile_call(unsigned long x0, unsigned long variant, unsigned long out[31],
                           unsigned long x1);
unsigned long mmio_ldp(unsigned long addr);
unsigned long mmio_stp(unsigned long addr);
unsigned long mmio_str_preindex(unsigned long addr);
unsigned long mmio_ldr_postindex(unsigned long addr);
void exec_at(unsigned long addr);

#define MiB                 (1UL << 20)
#define PAGE                4096UL
#define VICTIM_SIZE         (64 * MiB)      /* the victim's RAM */

/*
 * What the device tree does not say (and must not: it is the VM's view): the partition around this
 * VM (board/<board>/configs/isolation.ts), the board's RAM and its other devices. The board is
 * told by the GIC distributor's address in the device tree. The UART and the GIC are the device
 * tree's (UART, GICD below).
 */
struct board {
    unsigned long gicd;                 /* the board's GICD: which board this is */
    unsigned long victim_pa;            /* the victim's RAM, VICTIM_SIZE at this PA */
    unsigned long hyp_reserve, hyp_code, hyp_reserve_end;   /* the hypervisor's 32 MiB, its code */
    unsigned long ram_end;              /* the end of the board's RAM */
    unsigned victim_spi;                /* the victim's SPI */
    struct { unsigned long addr; const char *what; } devices[10];   /* none of them the VM's */
};

static const struct board boards[] = {
    {   /* QEMU virt (board/qemu-virt-gicv{2,3}) */
        0x08000000UL, 0x42000000UL, 0x40000000UL, 0x40200000UL, 0x42000000UL, 0x80000000UL, 48, {
            { 0x0a000000UL, "virtio-mmio 0x0a000000" },
            { 0x0a003e00UL, "the last virtio-mmio slot" },
            { 0x08080000UL, "the GIC ITS frame" },
            { 0x09010000UL, "the PL031 RTC" },
            { 0x09020000UL, "fw_cfg" },
            { 0x09030000UL, "the PL061 GPIO" },
            { 0x10000000UL, "the PCIe MMIO window" },
            { 0x3eff0000UL, "the PCIe I/O window" },
            { 0x08030000UL, "0x08030000 (GICH on GICv2)" },
        },
    },
    {   /* Raspberry Pi 4 (board/rpi4): the RAM from 0, the GIC-400 at 0xff841000 */
        0xff841000UL, 0x02000000UL, 0x0UL, 0x80000UL, 0x02000000UL, 0x3b400000UL, 60, {
            { 0xff844000UL, "the GIC virtual interface control (GICH)" },
            { 0xff845000UL, "another CPU's GICH" },
            { 0xff846000UL, "the GIC virtual CPU interface (GICV) at its PA" },
            { 0xff800000UL, "the ARM local interrupt controller" },
            { 0xfe200000UL, "the GPIO block" },
            { 0xfe00b000UL, "the VideoCore mailboxes" },
            { 0xfe007000UL, "the DMA controller" },
            { 0xfe340000UL, "EMMC2" },
            { 0xfd500000UL, "the PCIe root complex" },
        },
    },
};
static const struct board *board = &boards[0];

#define UART                uart_base()
#define GICD                (dt.gic_reg[0])
#define GICD_ISENABLER(n)   (GICD + 0x100 + 4 * (n))
#define GICD_ISPENDR(n)     (GICD + 0x200 + 4 * (n))
#define GICD_SGIR           (GICD + 0xf00)
/* GICv3 redistributors: 128 KiB per CPU (RD frame, then SGI frame); a VM sees one per vCPU. */
#define GICR_SGI(n)         (0x080a0000UL + 0x20000 * (n) + 0x10000)
#define GICR_ISENABLER0     0x100

/* Not (yet) in psci.h. */
#ifndef PSCI_AFFINITY_INFO_64
#define PSCI_AFFINITY_INFO_64   0xC4000004UL
#endif
#ifndef PSCI_INVALID_ADDRESS
#define PSCI_INVALID_ADDRESS    -9L
#endif
#ifndef HVC_CONSOLE_PUTC
#define HVC_CONSOLE_PUTC        0xC6000002UL
#endif

static struct dt_info dt;

/* ---- exceptions ---- */

enum { ARM_NONE, ARM_SKIP, ARM_RETURN_X30 };

static volatile int armed, taken;
static volatile unsigned long exc_esr, exc_far, exc_elr;

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

static void arm(int how)
{
    taken = 0;
    exc_esr = exc_far = exc_elr = 0;
    armed = how;
    dsb();
}

static unsigned long ec_of(unsigned long esr) { return esr >> 26 & 0x3f; }

/* ---- single accesses that may abort ---- */

static unsigned long load32(unsigned long addr)
{
    unsigned int v = 0xdeadbeef;
    __asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
    return v;
}

static unsigned long load64(unsigned long addr)
{
    unsigned long v = 0xdeadbeefdeadbeefUL;
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(addr) : "memory");
    return v;
}

static void store32(unsigned long addr, unsigned int v)
{
    __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

static void store64(unsigned long addr, unsigned long v)
{
    __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

/* Outcome of one armed access. */
struct outcome {
    int aborted;
    unsigned long value, esr, far;
};

static struct outcome try_read(unsigned long addr, int wide)
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

static struct outcome try_write(unsigned long addr, unsigned long v, int wide)
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
static int is_injected_abort(const struct outcome *o, unsigned long addr, int write)
{
    return o->aborted && ec_of(o->esr) == 0x25 && (o->esr & 0x3f) == 0x10 &&
           o->far == addr && !!(o->esr & (1UL << 6)) == write;
}

/* Read and write at `addr`: each must take the injected stage-2 abort. */
static void expect_abort_rw(unsigned long addr, const char *what)
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

/* ---- 1. other VMs' memory ---- */

static void attack_other_vm_ram(void)
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

static void hyp_still_answers(const char *after)
{
    long v = hvc_call(PSCI_VERSION, 0, 0, 0);
    long n = hvc_call(BULKHEAD_NULL_CALL, 0, 0, 0);
    struct outcome o = try_read(dt.mem_base + dt.mem_size, 1);
    check(v == 0x10001 && n == 0 && is_injected_abort(&o, dt.mem_base + dt.mem_size, 0),
          "overwriting the hypervisor's RAM",
          "%s: PSCI_VERSION 0x%lx, null call %ld, abort %s", after, v, n,
          o.aborted ? "injected" : "missing");
}

static void attack_hyp_memory(void)
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

/* ---- 3. devices not assigned to the VM ---- */

static void attack_devices(void)
{
    static char what[96];
    for (unsigned i = 0; i < sizeof board->devices / sizeof board->devices[0] && board->devices[i].what; i++) {
        const char *p = board->devices[i].what;
        unsigned n = 0;
        for (const char *q = "access to "; *q; )
            what[n++] = *q++;
        while (*p && n < sizeof what - 1)
            what[n++] = *p++;
        what[n] = 0;
        expect_abort_rw(board->devices[i].addr, what);
    }
}

/* ---- 4. GIC registers of interrupts that are not ours ---- */

/*
 * A GIC register for interrupts the VM does not own: reads as zero and
 * ignores writes (vGIC), or aborts (no vGIC).  Either is contained; which one
 * is printed ("RAZ/WI" or "abort") and asserted per board by the test.
 */
static void attack_gic_reg(unsigned long addr, unsigned int foreign_bits, const char *what)
{
    struct outcome r = try_read(addr, 0);
    if (r.aborted) {
        struct outcome w = try_write(addr, 0xffffffffUL, 0);
        check(is_injected_abort(&r, addr, 0) && is_injected_abort(&w, addr, 1), what,
              "abort: read ESR 0x%lx, write ESR 0x%lx, FAR 0x%lx", r.esr, w.esr, w.far);
        return;
    }
    struct outcome w = try_write(addr, foreign_bits, 0);
    struct outcome again = try_read(addr, 0);
    check(!w.aborted && !again.aborted && (r.value & foreign_bits) == 0 &&
          (again.value & foreign_bits) == 0, what,
          "RAZ/WI: read 0x%lx, after writing 0x%x read 0x%lx", r.value, foreign_bits, again.value);
}

static void attack_gic(int gicv3)
{
    /* The UART's INTID is the VM's own: its emulated PL011's interrupt, which the hypervisor keeps
     * apart from the physical one (src/gic/vspi.ts; tests/vgic.test.ts, tests/console-input.test.ts).
     * The victim's SPI is foreign. */
    unsigned victim = board->victim_spi;
    attack_gic_reg(GICD_ISENABLER(victim / 32), 1u << (victim % 32), "GICD_ISENABLER of the victim's SPI");
    attack_gic_reg(GICD_ISPENDR(victim / 32), 1u << (victim % 32), "GICD_ISPENDR of the victim's SPI");
    /* Redistributor frames past the VM's own vCPUs' (frames 0..ncpus-1 are its own). */
    if (gicv3) {
        attack_gic_reg(GICR_SGI(dt.ncpus) + GICR_ISENABLER0, 0xffffffffu,
                       "GICR_ISENABLER0 of a redistributor past own vCPUs");
        attack_gic_reg(GICR_SGI(3) + GICR_ISENABLER0, 0xffffffffu,
                       "GICR_ISENABLER0 of the last CPU's redistributor");
    }
}

/* ---- 5. PSCI for CPUs that are not ours ---- */

static void attack_psci(void)
{
    static const unsigned long foreign[] = {
        2, 3, 0x100, 0xff, 0x80000000UL, 0x80000001UL, 0x1000000UL, 0x10000000000UL, 0x100000000UL,
    };
    unsigned long entry = (unsigned long)secondary_entry;
    unsigned long ram_end = dt.mem_base + dt.mem_size;

    for (unsigned i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        long r = hvc_call(PSCI_CPU_ON_64, foreign[i], entry, 0);
        if (r == PSCI_INVALID_PARAMETERS)
            check(1, "PSCI CPU_ON of a foreign MPIDR", "MPIDR 0x%lx: INVALID_PARAMETERS", foreign[i]);
        else
            check(0, "PSCI CPU_ON of a foreign MPIDR", "MPIDR 0x%lx: returned %ld, want -2",
                  foreign[i], r);
    }

    static unsigned long bad_entry[6];
    bad_entry[0] = ram_end;
    bad_entry[1] = ram_end - 2;                 /* the instruction would straddle the end */
    bad_entry[2] = dt.mem_base - 4;
    bad_entry[3] = UART;
    bad_entry[4] = 0;
    bad_entry[5] = 0xfffffffffffffffcUL;        /* entry + 4 wraps around to 0 */
    for (unsigned i = 0; i < 6; i++) {
        long r = hvc_call(PSCI_CPU_ON_64, 1, bad_entry[i], 0);
        if (r == PSCI_INVALID_ADDRESS)
            check(1, "PSCI CPU_ON of own vCPU 1 outside own RAM", "entry 0x%lx: INVALID_ADDRESS",
                  bad_entry[i]);
        else
            check(0, "PSCI CPU_ON of own vCPU 1 outside own RAM", "entry 0x%lx: returned %ld, want -9",
                  bad_entry[i], r);
    }
    long s = hvc_call(PSCI_AFFINITY_INFO_64, 1, 0, 0);
    check(s == 1, "refused CPU_ONs", "AFFINITY_INFO of own vCPU 1: %ld (1 = off)", s);

    static const unsigned long foreign_aff[] = { 2, 3, 0x100, 0x80000000UL, 0x10000000000UL };
    for (unsigned i = 0; i < sizeof foreign_aff / sizeof foreign_aff[0]; i++) {
        long r = hvc_call(PSCI_AFFINITY_INFO_64, foreign_aff[i], 0, 0);
        check(r == PSCI_INVALID_PARAMETERS, "PSCI AFFINITY_INFO of a foreign MPIDR",
              "MPIDR 0x%lx: %ld", foreign_aff[i], r);
    }
}

/* ---- 6. SGIs to CPUs outside the VM ---- */

/* Each GICv3 SGI is sent this often (a trapped write is logged once per VM, not per write). */
#define SGI_BURST 2000

static void attack_sgi(int gicv3)
{
    if (gicv3) {
        /* ICC_SGI1R_EL1: IRM (bit 40) = all but self; then TargetList 0xffff at Aff1 = 0, Aff2, Aff3. */
        static const unsigned long sgi1r[] = {
            1UL << 40 | 1UL << 24,
            0xffffUL | 2UL << 24,
            0xffffUL | 3UL << 24 | 0xffUL << 16 | 0xffUL << 32 | 0xffUL << 48,
        };
        for (unsigned i = 0; i < 3; i++) {
            int n = 0;
            arm(ARM_SKIP);
            for (; n < SGI_BURST && !taken; n++)
                __asm__ volatile("msr S3_0_C12_C11_5, %0\n\tisb" : : "r"(sgi1r[i]) : "memory");
            armed = ARM_NONE;
            check(1, "SGI to CPUs outside the VM (ICC_SGI1R_EL1)", "%d x 0x%lx: %s, ESR 0x%lx",
                  n, sgi1r[i], taken ? "exception" : "no exception", exc_esr);
        }
    } else {
        /* GICD_SGIR: TargetListFilter 01 (all but self); then TargetList 0xff. */
        static const unsigned int sgir[] = { 1u << 24 | 1, 0xffu << 16 | 2 };
        for (unsigned i = 0; i < 2; i++) {
            struct outcome w = try_write(GICD_SGIR, sgir[i], 0);
            check(1, "SGI to CPUs outside the VM (GICD_SGIR)", "0x%x: %s, ESR 0x%lx", sgir[i],
                  w.aborted ? "abort" : "no exception", w.esr);
        }
    }
}

/* ---- 7. hostile hypervisor calls ---- */

static unsigned long pattern(unsigned n)
{
    return 0xa5a5000000000000UL | (unsigned long)n * 0x01010101UL;
}

static const char *const conduit_name[4] = { "hvc #0", "smc #0", "hvc #0xffff", "smc #0xffff" };

/* Returns the first of x4..x30 that the call changed (0: none). */
static unsigned clobbered(const unsigned long out[31])
{
    for (unsigned n = 4; n <= 30; n++)
        if (out[n] != pattern(n))
            return n;
    return 0;
}

static void attack_hypercalls(void)
{
    static const unsigned long fids[] = {
        0xC600FFFFUL, 0x8400FFFFUL, 0xFFFFFFFFUL, 0, 0x80000001UL, 0x86000002UL, 0xC7000000UL,
        0xC4FFFFFFUL, 0x00000000C6000003UL,
    };
    unsigned long out[31];

    for (unsigned v = 0; v < 4; v++) {
        for (unsigned i = 0; i < sizeof fids / sizeof fids[0]; i++) {
            long r = (long)hostile_call(fids[i], v, out, pattern(1));
            unsigned c = clobbered(out);
            if (r == PSCI_NOT_SUPPORTED && !c)
                check(1, "unknown function id", "%s 0x%lx: NOT_SUPPORTED, x4-x30 preserved",
                      conduit_name[v], fids[i]);
            else
                check(0, "unknown function id", "%s 0x%lx: returned %ld, x%u 0x%lx", conduit_name[v],
                      fids[i], r, c, c ? out[c] : 0);
        }
    }

    /* HVC_CONSOLE_PUTC with a NUL, a 0xff and garbage above the low byte, then a forged label. */
    static const unsigned long chars[] = { 0x00, 0xff, 0xffffffffffffff21UL };
    for (unsigned v = 0; v < 2; v++) {
        int ok = 1;
        unsigned c = 0;
        long r = 0;
        for (unsigned i = 0; i < 3 && ok; i++) {
            r = (long)hostile_call(HVC_CONSOLE_PUTC, v, out, chars[i]);
            c = clobbered(out);
            ok = r == 0 && !c;
        }
        const char *forged = "\r\v\f[victim] FORGED 99 passed, 0 failed\n";
        for (const char *p = forged; *p && ok; p++) {
            r = (long)hostile_call(HVC_CONSOLE_PUTC, v, out, (unsigned char)*p);
            ok = r == 0 && !clobbered(out);
        }
        check(ok, "HVC_CONSOLE_PUTC of 0x00, 0xff, control characters",
              "%s: returned %ld, x4-x30 %s", conduit_name[v], r, c ? "changed" : "preserved");
    }
}

/* ---- 8. MMIO the hypervisor cannot decode ---- */

static void attack_undecodable_mmio(void)
{
    static const struct {
        unsigned long (*fn)(unsigned long);
        const char *name;
        int write;
    } probes[] = {
        { mmio_ldp, "ldp x0, x1, [uart]", 0 },
        { mmio_stp, "stp x1, x1, [uart]", 1 },
        { mmio_str_preindex, "str x1, [x0, #8]! to uart", 1 },
        { mmio_ldr_postindex, "ldr x1, [x0], #16 from uart", 0 },
    };
    for (unsigned i = 0; i < 4; i++) {
        arm(ARM_SKIP);
        unsigned long base = probes[i].fn(UART);
        armed = ARM_NONE;
        struct outcome o = { taken, 0, exc_esr, exc_far };
        check(is_injected_abort(&o, UART, probes[i].write) && base == UART,
              "undecodable MMIO (ISV=0)", "%s: %s, ESR 0x%lx, FAR 0x%lx, base register 0x%lx",
              probes[i].name, taken ? "abort injected" : "no abort", o.esr, o.far, base);
    }
    /* The emulated UART still works afterwards. */
    struct outcome fr = try_read(UART + 0x18, 0);
    check(!fr.aborted && (fr.value & (1u << 7)), "undecodable MMIO (ISV=0)",
          "afterwards UARTFR reads 0x%lx", fr.value);
}

/* ---- 9. implementation-defined system registers ---- */

static void attack_impdef_sysregs(void)
{
    unsigned long v = 0x1234;
    arm(ARM_SKIP);
    __asm__ volatile("mrs %0, S3_1_C15_C2_1" : "+r"(v) : : "memory");
    armed = ARM_NONE;
    check(!taken && v == 0, "read of CPUECTLR_EL1 (S3_1_C15_C2_1)", "reads 0x%lx, %s", v,
          taken ? "exception in the guest" : "no exception");

    /* Each writes all ones, then reads: the write must be ignored, the read zero. */
#define ONES_PROBE(enc, label)                                                                \
    do {                                                                                      \
        unsigned long w = ~0UL, r = 0x1234;                                                   \
        arm(ARM_SKIP);                                                                        \
        __asm__ volatile("msr " enc ", %1\n\tmrs %0, " enc : "+r"(r) : "r"(w) : "memory");    \
        __asm__ volatile("msr " enc ", xzr" : : : "memory");                                  \
        armed = ARM_NONE;                                                                     \
        check(!taken && r == 0, "implementation-defined register " label,                     \
              "wrote ~0, reads 0x%lx, %s, ESR 0x%lx", r,                                      \
              taken ? "exception in the guest" : "no exception", exc_esr);                    \
    } while (0)
    ONES_PROBE("S3_1_C15_C2_1", "CPUECTLR_EL1");
    ONES_PROBE("S3_1_C15_C2_0", "CPUACTLR_EL1");
    ONES_PROBE("S3_1_C11_C0_2", "L2CTLR_EL1 (cluster-wide)");
    ONES_PROBE("S3_1_C11_C0_3", "L2ECTLR_EL1 (cluster-wide)");
    ONES_PROBE("S3_1_C15_C3_0", "CBAR_EL1");
    ONES_PROBE("actlr_el1", "ACTLR_EL1 (HCR_EL2.TACR)");
#undef ONES_PROBE
}

/* ---- 10. instruction fetch from outside the VM's RAM ---- */

static void attack_exec(void)
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

/* ---- 11. the host, through QEMU's semihosting ---- */

/*
 * Arm semihosting (`hlt #0xf000`, operation in w0, parameter block in x1) is serviced by QEMU
 * itself at EL1 when it is enabled: no EL2 trap can stop it. Hypervisor runs never enable it, so
 * each call must be an undefined instruction in the guest (EC 0x00) and reach nothing on the host.
 */
#define SYS_OPEN            0x01UL
#define SYS_SYSTEM          0x12UL
#define SYS_EXIT_EXTENDED   0x20UL

static unsigned long semihost(unsigned long op, unsigned long param)
{
    register unsigned long x0 __asm__("x0") = op;
    register unsigned long x1 __asm__("x1") = param;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

/* One semihosting call, which must be refused as an undefined instruction. */
static void expect_no_semihosting(unsigned long op, unsigned long param, const char *what)
{
    arm(ARM_SKIP);
    unsigned long r = semihost(op, param);
    armed = ARM_NONE;
    check(taken && ec_of(exc_esr) == 0, what, "%s, ESR 0x%lx, x0 0x%lx",
          taken ? "undefined instruction" : "serviced by the host", exc_esr, r);
}

static void attack_semihosting(void)
{
    static const char path[] = "/etc/hostname";
    static const char command[] = "touch /tmp/bulkhead-semihosting-attack";
    unsigned long open_block[3] = { (unsigned long)path, 0 /* "r" */, sizeof path - 1 };
    unsigned long system_block[2] = { (unsigned long)command, sizeof command - 1 };
    expect_no_semihosting(SYS_OPEN, (unsigned long)open_block, "semihosting SYS_OPEN of a host file");
    expect_no_semihosting(SYS_SYSTEM, (unsigned long)system_block, "semihosting SYS_SYSTEM (a host shell command)");
}

/* Last of all: a forged end of the whole run, with status 0, before anyone else has finished. */
static void attack_semihosting_exit(void)
{
    unsigned long exit_block[2] = { 0x20026 /* ADP_Stopped_ApplicationExit */, 0 };
    expect_no_semihosting(SYS_EXIT_EXTENDED, (unsigned long)exit_block, "semihosting SYS_EXIT_EXTENDED (end the run)");
}

/* ---- 12. forged hypervisor lines and terminal control ---- */

/*
 * Lines that would pass for the hypervisor's (its run status, another VM's power-off) if the
 * console let a guest return to the start of the line, erase it, or drive the terminal. The
 * hypervisor must show the control bytes (tests/isolation.test.ts reads them back).
 */
static void attack_forged_lines(void)
{
    uart_puts("\r[hyp] run ended: status 0\n");
    uart_puts("\x1b[2K\x1b[1G[hyp] vm victim: powered off\n");
    uart_puts("\xc2\x9b" "2K\x08\x08\x08[hyp] run ended: status 0\x7f\n");
    check(1, "forged hypervisor lines and terminal controls", "written; the console shows their control bytes");
}

/* ---- start ---- */

/* start.S's CPU_ON entry: vCPU 1 is never started by a valid CPU_ON here; if it is, it stops. */
void secondary_main(unsigned long context)
{
    (void)context;
    printf("FAIL - vCPU 1 started by a CPU_ON that should have been refused\n");
    hvc_call(PSCI_CPU_OFF, 0, 0, 0);
}

int main(void *dtb)
{
    check_set_note(" contained");
    if (fdt_parse(dtb, &dt) != 0) {
        check(0, "device tree", "x0 0x%lx: not parsed", (unsigned long)dtb);
        finish();
    }
    int gicv3 = (read_sysreg(id_aa64pfr0_el1) >> 24 & 0xf) != 0;
    for (unsigned i = 0; i < sizeof boards / sizeof boards[0]; i++)
        if (boards[i].gicd == dt.gic_reg[0])
            board = &boards[i];
    printf("# bulkhead attack guest: RAM 0x%lx size 0x%lx, %d vCPUs, GICv%d\n", dt.mem_base,
           dt.mem_size, dt.ncpus, gicv3 ? 3 : 2);

    /* SGIs and foreign GIC state first, while the victim runs its checks. */
    attack_sgi(gicv3);
    attack_gic(gicv3);
    attack_other_vm_ram();
    attack_hyp_memory();
    attack_devices();
    attack_psci();
    attack_hypercalls();
    attack_undecodable_mmio();
    attack_impdef_sysregs();
    attack_exec();
    attack_semihosting();
    attack_forged_lines();
    hyp_still_answers("at the end");
    attack_semihosting_exit();
    finish();
}
