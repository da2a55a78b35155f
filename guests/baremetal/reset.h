/*
 * The restart test's two halves (reset.c, built only with -DRESET_TEST into reset.bin): its checks
 * on the boot vCPU, and what each secondary vCPU does by its CPU_ON context id.
 */
#ifndef RESET_H
#define RESET_H

#include "fdt.h"

void reset_test(const struct dt_info *dt);
/* Nonzero when `context` was one of the restart test's, which it has handled. */
int reset_secondary(unsigned long context, unsigned long vbar, unsigned long sp, unsigned long gprs);

#endif
