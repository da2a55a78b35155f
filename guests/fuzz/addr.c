/*
 * Where the fuzzer's ops aim, and what the VM may reach there. Addresses are biased towards what
 * the hypervisor emulates or must refuse: every GIC distributor / redistributor / CPU-interface
 * register, every UART register, the edges of the VM's own RAM, other VMs' typical IPAs,
 * unmapped space and addresses beyond the IPA size.
 */
#include "fuzz.h"

#define GICD_SIZE   0x10000UL
#define GICC_SIZE   0x2000UL        /* the virtual CPU interface the VM sees at GICC (GICv2) */
#define GICV2_WINDOW 0x10000UL

/* A register offset of a GIC distributor, biased to the registers that exist. */
static unsigned long gicd_offset(struct rng *r)
{
    static const unsigned short blocks[] = {
        0x000, 0x004, 0x008, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380,
        0x400, 0x600, 0x800, 0xa00, 0xc00, 0xd00, 0xe00, 0xf00, 0xf10, 0xf20,
    };
    switch (below(r, 8)) {
    case 0: return below(r, GICD_SIZE);                                 /* anywhere */
    case 1: return 0x6000 + 8 * below(r, 1024);                         /* GICD_IROUTER<n> */
    case 2: return 0xffd0 + 4 * below(r, 12);                           /* ID registers */
    default: return blocks[below(r, sizeof blocks / sizeof blocks[0])] + 4 * below(r, 32);
    }
}

/* An offset in a GICv3 redistributor frame pair: RD_base registers, then SGI_base ones. */
static unsigned long gicr_offset(struct rng *r)
{
    static const unsigned short rd[] = { 0x0, 0x4, 0x8, 0xc, 0x10, 0x14, 0x70, 0x78, 0xa0, 0xb0, 0xffe8 };
    static const unsigned short sgi[] = { 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0xc00, 0xc04, 0xd00, 0xe00 };
    switch (below(r, 4)) {
    case 0: return below(r, GICR_FRAME);
    case 1: return rd[below(r, sizeof rd / sizeof rd[0])];
    default: return GICR_SGI + sgi[below(r, sizeof sgi / sizeof sgi[0])] + 4 * below(r, 8);
    }
}

/* GICv2 CPU interface registers (the VM's is the GICV frame, mapped at GICC). */
static unsigned long gicc_offset(struct rng *r)
{
    static const unsigned short regs[] = {
        0x00, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x28, 0xd0, 0xe0, 0xfc, 0x1000,
    };
    if (chance(r, 20))
        return below(r, GICV2_WINDOW);
    return regs[below(r, sizeof regs / sizeof regs[0])];
}

static unsigned long uart_offset(struct rng *r)
{
    if (chance(r, 30))
        return below(r, 0x1000);
    return 4 * (chance(r, 80) ? below(r, 19) : 0x3f8 + below(r, 8));
}

/* What another VM or the hypervisor typically has, what nobody has, and what no IPA can be. */
unsigned long foreign(struct rng *r)
{
    static const unsigned long bases[] = {
        0x42000000, 0x44000000, 0x48000000, 0x40200000, 0x3fff0000, 0x0, 0x04000000,
        0x08020000, 0x08030000, 0x08080000, 0x08090000, 0x09010000, 0x09020000, 0x09030000,
        0x09040000, 0x0a000000, 0x0c000000, 0x10000000, 0x3eff0000, 0x4010000000UL,
        0x8000000000UL, 1UL << 40, 1UL << 42, 1UL << 44, 1UL << 47, 1UL << 48, 0xffff000000000000UL,
    };
    if (chance(r, 10))
        return rnd(r);
    /* (offsets stay below 64 KiB: 0x3fff0000 + offset never reaches the fuzzer's own RAM) */
    return bases[below(r, sizeof bases / sizeof bases[0])] + (chance(r, 50) ? 0 : below(r, 0x10000));
}

/* A data address, and how each kind is weighted. */
unsigned long pick_addr(struct rng *r)
{
    unsigned long a;
    switch (below(r, 16)) {
    case 0: case 1: case 2:
        a = w.gicd + gicd_offset(r);
        break;
    case 3: case 4:
        if (w.gic_version == 3)     /* frames 0..3: the VM has ncpus of them */
            a = w.gicr_or_gicc + GICR_FRAME * below(r, w.ncpus + 2) + gicr_offset(r);
        else
            a = w.gicr_or_gicc + gicc_offset(r);
        break;
    case 5: case 6:
        a = w.uart + uart_offset(r);
        break;
    case 7: case 8:
        a = w.scratch_lo + below(r, 0x8000);
        break;
    case 9:
        a = w.scratch_lo - 1 - below(r, 16);            /* just below its RAM */
        break;
    case 10: case 11:
        a = w.ram_base + w.ram_size - 1 - below(r, 0x1000); /* its last page: some accesses cross the end */
        break;
    default:
        a = foreign(r);
    }
    if (chance(r, 85))
        a &= ~7UL;
    return a;
}

/* A general register's value: an address, a small number, or anything. Never the fuzzer's image. */
unsigned long reg_value(struct rng *r)
{
    switch (below(r, 4)) {
    case 0: return below(r, 17);
    case 1: return rnd(r);
    default: return pick_addr(r);
    }
}

/* The VM's own RAM, its shared page and the devices the hypervisor gives it (docs/config.md: every VM its UART and GIC). */
int reachable(unsigned long ea, unsigned long size)
{
    unsigned long end = ea + size;
    if (end < ea)
        return 0;
    if (ea >= w.ram_base && end <= w.ram_base + w.ram_size)
        return 1;
    if (ea >= w.uart && end <= w.uart + 0x1000)
        return 1;
    if (ea >= DONE_PAGE && end <= DONE_PAGE + 0x1000)
        return 1;
    if (ea >= w.gicd && end <= w.gicd + GICD_SIZE)
        return 1;
    if (w.gic_version == 3)
        return ea >= w.gicr_or_gicc && end <= w.gicr_or_gicc + GICR_FRAME * (unsigned long)w.ncpus;
    return ea >= w.gicr_or_gicc && end <= w.gicr_or_gicc + GICC_SIZE;
}

static int owned(unsigned intid)
{
    return intid < 1024 && (w.owned[intid / 32] >> (intid % 32) & 1);
}

/*
 * Distributor registers hold a bit (IGROUPR to ICACTIVER), a byte (IPRIORITYR, ITARGETSR), two bits
 * (ICFGR) or eight bytes (IROUTER) per INTID: each byte of `value` is checked against the SPIs it
 * describes. An SPI the VM does not own must read as 0 (docs/config.md: the VM sees only its own).
 */
int shows_foreign_spi(unsigned long ea, unsigned long size, unsigned long value)
{
    if (ea < w.gicd || ea + size > w.gicd + GICD_SIZE)
        return 0;
    for (unsigned long k = 0; k < size; k++) {
        unsigned o = (unsigned)(ea - w.gicd + k);
        unsigned byte = (unsigned)(value >> (8 * k) & 0xff);
        unsigned first, n;
        if (o >= 0x080 && o < 0x400) {
            first = (o & 0x7f) * 8;
            n = 8;
        } else if (o >= 0x400 && o < 0xc00) {
            first = (o & 0x3ff);
            n = 1;
        } else if (o >= 0xc00 && o < 0xd00) {
            first = (o - 0xc00) * 4;
            n = 4;
        } else if (o >= 0x6100 && o < 0x8000) {
            first = (o - 0x6000) / 8;
            n = 1;
        } else {
            continue;
        }
        for (unsigned i = 0; i < n; i++) {
            unsigned intid = first + i, bits = n == 8 ? byte >> i & 1 : n == 4 ? byte >> (2 * i) & 3 : byte;
            if (intid >= 32 && !owned(intid) && bits)
                return 1;
        }
    }
    return 0;
}
