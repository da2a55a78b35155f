/* The bare-metal guest's checks of the virtual GIC, in the order main() runs them (vgic.c). */
#ifndef VGIC_H
#define VGIC_H

#include "fdt.h"

/* Finds the GIC in the device tree and sets irq_hook_main as the interrupt hook. */
void check_gic(const struct dt_info *dt);
void check_timer(void);
void check_sgi(const struct dt_info *dt);
void check_priority_order(void);
/* What only a partitioned VM sees: foreign interrupts hidden, passthrough SPIs of its config. */
void check_gicd_isolation(const struct dt_info *dt);
void check_spi(const struct dt_info *dt);
/* The hook the checks count interrupts with: set again after a check that set its own. */
void irq_hook_main(unsigned intid);
/* secondary_main's: nonzero when `context` was the SGI check's, whose vCPU has answered. */
int vgic_secondary(unsigned long context);

#endif
