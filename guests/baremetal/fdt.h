/* Minimal flattened device tree reader: just what the checks need. */
#ifndef FDT_H
#define FDT_H

#define FDT_MAX_CPUS 8
#define FDT_MAX_IRQS 16

struct dt_info {
    unsigned long mem_base, mem_size;   /* first /memory reg entry */
    int ncpus;                          /* number of /cpus/cpu@* nodes */
    unsigned long cpu_mpidr[FDT_MAX_CPUS]; /* their reg (MPIDR affinity) */
    int gic_version;                    /* /interrupt-controller: 3 "arm,gic-v3", 2 "arm,cortex-a15-gic", 0 none */
    unsigned long gic_reg[2];           /* its first two reg bases: GICD and GICR (v3) or GICC (v2) */
    int npassthrough;                   /* /bulkhead "bulkhead,passthrough-interrupts": SPI INTIDs */
    unsigned passthrough[FDT_MAX_IRQS];
    const char *bootargs;               /* /chosen "bootargs" (in the DTB itself), or 0 */
    unsigned long uart_base;            /* the first "arm,pl011" node's reg, or 0 */
    unsigned long wdog_base;            /* the first "arm,sp805" node's reg (the health policy's watchdog), or 0 */
    unsigned uart_intid;                /* its "interrupts" (an SPI: INTID = number + 32), or 0 */
};

/* Returns 0 on success, or a negative reason (bad magic, no memory node). */
int fdt_parse(const void *dtb, struct dt_info *out);

/* Whether the bootargs (dt_info.bootargs, may be 0) hold `word`, whole (space-separated). */
int bootargs_have(const char *args, const char *word);

#endif
