/* The guest's side of the (virtual) GIC: GICv3 through ICC_* system registers and the
 * redistributor of its vCPU, GICv2 through the GICD and GICC frames; the version and the frame
 * addresses come from the device tree. */
#ifndef GIC_H
#define GIC_H

#include "fdt.h"

#define VTIMER_INTID 27

/* Records the GIC of the device tree; returns its version (0: none found). */
int gic_setup(const struct dt_info *dt);
int gic_version(void);
/* This CPU's interface on (priority mask open, group enabled), the distributor enabled,
 * and `intid` (an SGI, PPI or SPI) enabled at priority 0x80. */
void gic_init_cpu(void);
void gic_enable(unsigned intid);
/* Sets the priority of `intid` (lower is more urgent; the GIC keeps the top 5 bits). */
void gic_set_priority(unsigned intid, unsigned char priority);
void gic_disable(unsigned intid);
/* SGI `sgi` to the vCPU whose MPIDR Aff0 is `aff0` (GICv3: TargetList; GICv2: CPU target list). */
void gic_send_sgi(unsigned sgi, unsigned aff0);
/* Raw SGI request: ICC_SGI1R_EL1 value (GICv3) or GICD_SGIR value (GICv2). */
void gic_send_sgi_raw(unsigned long value);
/* Acknowledge (returns the INTID; 1023 spurious) and end an interrupt. */
unsigned gic_ack(void);
void gic_eoi(unsigned intid);
/* Writes `intid`'s bit (alone) of a one-bit-per-INTID register at `offset` (GICD_ISPENDR, ICACTIVER,
 * ...): in this vCPU's redistributor's SGI frame for a GICv3 SGI or PPI, else the distributor. */
void gic_write_bit(unsigned offset, unsigned intid);
/* The GICR (GICv3) or GICC (GICv2) base from the device tree. */
unsigned long gic_cpu_base(void);
/* The state of `intid` in GICD/GICR_ISPENDR and ISACTIVER: GIC_PENDING | GIC_ACTIVE. */
#define GIC_PENDING 1
#define GIC_ACTIVE  2
int gic_state(unsigned intid);
/* GICD/GICR_IGROUPR: the group of `intid` (1: Group 1). */
void gic_set_group(unsigned intid, int group1);
int gic_group(unsigned intid);
/* GICv3 ICC_IGRPEN0_EL1 (GICv2: GICC_CTLR, written directly). */
void gic_set_grp0_enable(int on);
/* A Group 0 interrupt (FIQ) acknowledged and ended: ICC_IAR0/EOIR0_EL1 (GICv3), GICC_IAR/EOIR (GICv2). */
unsigned gic_ack0(void);
/* Distributor registers (emulated by the hypervisor). */
unsigned gicd_read(unsigned offset);
void gicd_write(unsigned offset, unsigned value);
unsigned char gicd_read8(unsigned offset);
void gicd_write8(unsigned offset, unsigned char value);
unsigned long gicd_base(void);

/* Interrupt handling: exception_handler calls gic_irq() for IRQs; it acknowledges, calls the
 * hook (which must silence a level-sensitive source), and EOIs. */
typedef void (*irq_hook)(unsigned intid);
void gic_set_hook(irq_hook hook);
void gic_irq(void);

static inline void irq_unmask(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
static inline void irq_mask(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }

#endif
