/* Minimal flattened device tree reader: just what the checks need. */
#ifndef FDT_H
#define FDT_H

#define FDT_MAX_CPUS 8

struct dt_info {
    unsigned long mem_base, mem_size;   /* first /memory reg entry */
    int ncpus;                          /* number of /cpus/cpu@* nodes */
    unsigned long cpu_mpidr[FDT_MAX_CPUS]; /* their reg (MPIDR affinity) */
};

/* Returns 0 on success, or a negative reason (bad magic, no memory node). */
int fdt_parse(const void *dtb, struct dt_info *out);

#endif
