/* See gic.h. */
#include "arch.h"
#include "gic.h"

/* GICv3 CPU interface registers by encoding (any assembler accepts these). */
#define ICC_SRE_EL1     "S3_0_C12_C12_5"
#define ICC_PMR_EL1     "S3_0_C4_C6_0"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_IAR1_EL1    "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1   "S3_0_C12_C12_1"
#define ICC_SGI1R_EL1   "S3_0_C12_C11_5"
#define ICC_IGRPEN0_EL1 "S3_0_C12_C12_6"
#define ICC_IAR0_EL1    "S3_0_C12_C8_0"
#define ICC_EOIR0_EL1   "S3_0_C12_C8_1"

#define GICD_CTLR       0x000
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ISPENDR    0x200
#define GICD_ISACTIVER  0x300
#define GICD_IPRIORITYR 0x400
#define GICD_SGIR       0xf00
#define GICR_WAKER      0x0014
#define GICR_SGI        0x10000
#define GICR_FRAME      0x20000
#define GICC_CTLR       0x00
#define GICC_PMR        0x04
#define GICC_IAR        0x0c
#define GICC_EOIR       0x10

static int version;
static unsigned long gicd, gicr_or_gicc;
static irq_hook hook;
/* GICv2 EOIR takes the whole IAR value (SGI source in [12:10]); kept per CPU. */
static unsigned iar_raw[FDT_MAX_CPUS];

static inline unsigned rd32(unsigned long a) { return *(volatile unsigned *)a; }
static inline void wr32(unsigned long a, unsigned v) { *(volatile unsigned *)a = v; }

static unsigned my_aff0(void) { return read_sysreg(mpidr_el1) & 0xff; }

int gic_setup(const struct dt_info *dt)
{
    version = dt->gic_version;
    gicd = dt->gic_reg[0];
    gicr_or_gicc = dt->gic_reg[1];
    if (!gicd || !gicr_or_gicc)
        version = 0;
    return version;
}

int gic_version(void) { return version; }
unsigned long gicd_base(void) { return gicd; }
unsigned gicd_read(unsigned off) { return rd32(gicd + off); }
void gicd_write(unsigned off, unsigned v) { wr32(gicd + off, v); }
unsigned char gicd_read8(unsigned off) { return *(volatile unsigned char *)(gicd + off); }
void gicd_write8(unsigned off, unsigned char v) { *(volatile unsigned char *)(gicd + off) = v; }

/* The registers that hold `intid`'s enable and priority: this vCPU's redistributor for GICv3
 * SGIs/PPIs, else the distributor (GICv2 banks INTIDs 0-31 per CPU). */
static unsigned long regs_for(unsigned intid)
{
    if (version == 3 && intid < 32)
        return gicr_or_gicc + GICR_FRAME * my_aff0() + GICR_SGI;
    return gicd;
}

void gic_write_bit(unsigned off, unsigned intid)
{
    wr32(regs_for(intid) + off + 4 * (intid / 32), 1u << (intid % 32));
    dsb();
}

unsigned long gic_cpu_base(void) { return gicr_or_gicc; }

int gic_state(unsigned intid)
{
    unsigned long base = regs_for(intid), word = 4 * (intid / 32), bit = 1u << (intid % 32);
    return (rd32(base + GICD_ISPENDR + word) & bit ? GIC_PENDING : 0) |
           (rd32(base + GICD_ISACTIVER + word) & bit ? GIC_ACTIVE : 0);
}

void gic_set_group(unsigned intid, int group1)
{
    unsigned long a = regs_for(intid) + GICD_IGROUPR + 4 * (intid / 32);
    unsigned bit = 1u << (intid % 32);
    wr32(a, group1 ? rd32(a) | bit : rd32(a) & ~bit);
    dsb();
}

int gic_group(unsigned intid)
{
    return rd32(regs_for(intid) + GICD_IGROUPR + 4 * (intid / 32)) >> (intid % 32) & 1;
}

void gic_set_grp0_enable(int on)
{
    if (version == 3)
        __asm__ volatile("msr " ICC_IGRPEN0_EL1 ", %0\n\tisb" :: "r"((unsigned long)on) : "memory");
}

unsigned gic_ack0(void)
{
    unsigned long v = 1023;
    if (version == 3) {
        __asm__ volatile("mrs %0, " ICC_IAR0_EL1 : "=r"(v));
        v &= 0xffffff;
        if (v < 1020)
            __asm__ volatile("msr " ICC_EOIR0_EL1 ", %0\n\tisb" :: "r"(v) : "memory");
        return (unsigned)v;
    }
    v = gic_ack();
    if (v < 1020)
        gic_eoi((unsigned)v);
    return (unsigned)v;
}

void gic_init_cpu(void)
{
    if (version == 3) {
        unsigned long rd = gicr_or_gicc + GICR_FRAME * my_aff0();
        __asm__ volatile("mrs x9, " ICC_SRE_EL1 "\n\torr x9, x9, #1\n\tmsr " ICC_SRE_EL1 ", x9\n\tisb" ::: "x9");
        wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~2u);
        for (int i = 0; i < 100000 && (rd32(rd + GICR_WAKER) & 4); i++)
            ;
        /* ARE | EnableGrp1 | EnableGrp0 (single security state) */
        wr32(gicd + GICD_CTLR, 0x13);
        __asm__ volatile("msr " ICC_PMR_EL1 ", %0\n\tmsr " ICC_IGRPEN1_EL1 ", %1\n\tisb"
                         :: "r"(0xffUL), "r"(1UL) : "memory");
    } else if (version == 2) {
        wr32(gicd + GICD_CTLR, 1);
        wr32(gicr_or_gicc + GICC_PMR, 0xff);
        wr32(gicr_or_gicc + GICC_CTLR, 1);
    }
}

void gic_enable(unsigned intid)
{
    unsigned long base = regs_for(intid);
    if (!version)
        return;
    *(volatile unsigned char *)(base + GICD_IPRIORITYR + intid) = 0x80;
    /* GICv3: Group 1, which ICC_IAR1_EL1 acknowledges (a real GIC resets interrupts to Group 0). */
    if (version == 3)
        wr32(base + GICD_IGROUPR + 4 * (intid / 32), rd32(base + GICD_IGROUPR + 4 * (intid / 32)) | 1u << (intid % 32));
    wr32(base + GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
    dsb();
}

void gic_set_priority(unsigned intid, unsigned char priority)
{
    if (!version)
        return;
    *(volatile unsigned char *)(regs_for(intid) + GICD_IPRIORITYR + intid) = priority;
    dsb();
}

void gic_disable(unsigned intid)
{
    if (!version)
        return;
    wr32(regs_for(intid) + GICD_ICENABLER + 4 * (intid / 32), 1u << (intid % 32));
    dsb();
}

void gic_send_sgi_raw(unsigned long value)
{
    dsb();
    if (version == 3)
        __asm__ volatile("msr " ICC_SGI1R_EL1 ", %0\n\tisb" :: "r"(value) : "memory");
    else if (version == 2)
        wr32(gicd + GICD_SGIR, (unsigned)value);
}

void gic_send_sgi(unsigned sgi, unsigned aff0)
{
    if (version == 3)
        gic_send_sgi_raw((unsigned long)(sgi & 15) << 24 | (1UL << (aff0 & 15)));
    else
        gic_send_sgi_raw((1UL << (16 + (aff0 & 7))) | (sgi & 15));
}

unsigned gic_ack(void)
{
    unsigned long v = 1023;
    if (version == 3) {
        __asm__ volatile("mrs %0, " ICC_IAR1_EL1 : "=r"(v));
        return v & 0xffffff;
    }
    if (version == 2) {
        v = rd32(gicr_or_gicc + GICC_IAR);
        iar_raw[my_aff0() % FDT_MAX_CPUS] = (unsigned)v;
        return v & 0x3ff;
    }
    return 1023;
}

void gic_eoi(unsigned intid)
{
    if (version == 3)
        __asm__ volatile("msr " ICC_EOIR1_EL1 ", %0\n\tisb" :: "r"((unsigned long)intid) : "memory");
    else if (version == 2)
        wr32(gicr_or_gicc + GICC_EOIR, intid < 16 ? iar_raw[my_aff0() % FDT_MAX_CPUS] : intid);
}

void gic_set_hook(irq_hook h) { hook = h; }

void gic_irq(void)
{
    unsigned intid = gic_ack();
    if (intid >= 1020)
        return;
    if (hook)
        hook(intid);
    gic_eoi(intid);
}
