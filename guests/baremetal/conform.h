/* Arm conformance checks of the (virtual) GIC and the timers, as a peer's suite for arm64
 * virtualization runs them: conform.c. */
#ifndef CONFORM_H
#define CONFORM_H

#include "fdt.h"

/* Runs every check; leaves IRQs masked and the interrupt hook changed (the caller sets its own). */
void check_conformance(const struct dt_info *dt);
/* The FIQ vector's handler: acknowledges and ends a Group 0 interrupt. */
void conform_fiq(void);
/* exception_handler's vector 12 (a synchronous exception from AArch32 EL0: el0.S's T32 code). */
int conform_el0(unsigned long *frame);
/* secondary_main's: the CPU_ON contexts of the checks; 0 for any other. */
int conform_secondary(unsigned long context);

#endif
