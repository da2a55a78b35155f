/* Arm conformance checks of the (virtual) GIC and the timers, as a peer's suite for arm64
 * virtualization runs them: conform.c. */
#ifndef CONFORM_H
#define CONFORM_H

/* Runs every check; leaves IRQs masked. */
void check_conformance(void);

#endif
