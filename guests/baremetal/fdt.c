/*
 * Walks the structure block of a flattened device tree (all fields are
 * big-endian).  Reads bytes one at a time: the MMU is off, so memory is
 * Device memory and must not be accessed unaligned.
 */
#include "fdt.h"

#define FDT_MAGIC       0xd00dfeedu
#define FDT_BEGIN_NODE  1
#define FDT_END_NODE    2
#define FDT_PROP        3
#define FDT_NOP         4
#define FDT_END         9

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* A value of `cells` 32-bit big-endian cells (1 or 2 in practice). */
static unsigned long read_cells(const unsigned char *p, unsigned cells)
{
    unsigned long v = 0;
    for (unsigned i = 0; i < cells; i++)
        v = v << 32 | be32(p + 4 * i);
    return v;
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* "name" or "name@unit" */
static int node_is(const char *node, const char *name)
{
    while (*name && *node == *name)
        node++, name++;
    return *name == 0 && (*node == 0 || *node == '@');
}

static unsigned align4(unsigned v)
{
    return (v + 3) & ~3u;
}

int fdt_parse(const void *dtb, struct dt_info *out)
{
    const unsigned char *base = dtb;
    if (!base || be32(base) != FDT_MAGIC)
        return -1;

    const unsigned char *p = base + be32(base + 8);        /* off_dt_struct */
    const char *strings = (const char *)base + be32(base + 12); /* off_dt_strings */
    unsigned addr_cells = 2, size_cells = 1;               /* spec defaults */
    int depth = 0, in_memory = 0, in_cpus = 0, in_cpu = 0, found_mem = 0;
    int in_bulkhead = 0, in_chosen = 0, node_gic = 0, node_pl011 = 0, node_sp805 = 0;
    unsigned long node_reg[2] = {0, 0};      /* the current root child's first two reg addresses */
    unsigned node_spi = 0;                   /* its first interrupt's INTID, if an SPI */

    out->ncpus = 0;
    out->gic_version = 0;
    out->gic_reg[0] = out->gic_reg[1] = 0;
    out->npassthrough = 0;
    out->bootargs = 0;
    out->uart_base = 0;
    out->wdog_base = 0;
    out->uart_intid = 0;
    for (;;) {
        unsigned tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            unsigned len = 0;
            while (name[len])
                len++;
            p += align4(len + 1);
            depth++;
            /* depth 1 is the root (empty name), 2 its children, 3 grandchildren */
            in_memory = depth == 2 && node_is(name, "memory");
            if (depth == 2)
                in_cpus = node_is(name, "cpus");
            in_cpu = depth == 3 && in_cpus && node_is(name, "cpu");
            /* The GIC is recognised by its compatible, whatever the node is called (QEMU: intc@...). */
            if (depth == 2) {
                node_gic = node_pl011 = node_sp805 = 0;
                node_reg[0] = node_reg[1] = 0;
                node_spi = 0;
            }
            in_bulkhead = depth == 2 && node_is(name, "bulkhead");
            in_chosen = depth == 2 && node_is(name, "chosen");
            if (in_cpu)
                out->ncpus++;
        } else if (tok == FDT_END_NODE) {
            if (depth == 2 && node_gic) {
                out->gic_reg[0] = node_reg[0];
                out->gic_reg[1] = node_reg[1];
            }
            if (depth == 2 && node_pl011 && !out->uart_base) {
                out->uart_base = node_reg[0];
                out->uart_intid = node_spi;
            }
            if (depth == 2 && node_sp805 && !out->wdog_base)
                out->wdog_base = node_reg[0];
            depth--;
            in_memory = in_cpu = in_bulkhead = in_chosen = 0;
            if (depth < 2)
                in_cpus = 0;
        } else if (tok == FDT_PROP) {
            unsigned len = be32(p);
            const char *pname = strings + be32(p + 4);
            const unsigned char *val = p + 8;
            p += 8 + align4(len);
            if (depth == 1 && str_eq(pname, "#address-cells"))
                addr_cells = be32(val);
            else if (depth == 1 && str_eq(pname, "#size-cells"))
                size_cells = be32(val);
            else if (in_memory && !found_mem && str_eq(pname, "reg")
                     && len >= 4 * (addr_cells + size_cells)) {
                out->mem_base = read_cells(val, addr_cells);
                out->mem_size = read_cells(val + 4 * addr_cells, size_cells);
                found_mem = 1;
            } else if (depth == 2 && str_eq(pname, "compatible")
                       && (str_eq((const char *)val, "arm,gic-v3") || str_eq((const char *)val, "arm,cortex-a15-gic"))) {
                out->gic_version = str_eq((const char *)val, "arm,gic-v3") ? 3 : 2;
                node_gic = 1;
            } else if (depth == 2 && str_eq(pname, "compatible") && str_eq((const char *)val, "arm,pl011")) {
                node_pl011 = 1;
            } else if (depth == 2 && str_eq(pname, "compatible") && str_eq((const char *)val, "arm,sp805")) {
                node_sp805 = 1;
            } else if (depth == 2 && str_eq(pname, "reg")) {
                unsigned step = 4 * (addr_cells + size_cells);
                for (unsigned i = 0; i < 2 && (i + 1) * step <= len; i++)
                    node_reg[i] = read_cells(val + i * step, addr_cells);
            } else if (depth == 2 && !in_bulkhead && str_eq(pname, "interrupts") && len >= 12 && be32(val) == 0) {
                node_spi = be32(val + 4) + 32;     /* <type number flags>; type 0 is an SPI */
            } else if (in_chosen && str_eq(pname, "bootargs")) {
                out->bootargs = (const char *)val;
            } else if (in_bulkhead && str_eq(pname, "interrupts")) {
                /* <type number flags> triplets; type 0 is an SPI: INTID = number + 32 */
                for (unsigned i = 0; i + 12 <= len && out->npassthrough < FDT_MAX_IRQS; i += 12)
                    if (be32(val + i) == 0)
                        out->passthrough[out->npassthrough++] = be32(val + i + 4) + 32;
            } else if (in_cpu && str_eq(pname, "reg") && out->ncpus <= FDT_MAX_CPUS) {
                /* /cpus has its own #address-cells: 1 or 2 cells of MPIDR */
                out->cpu_mpidr[out->ncpus - 1] = read_cells(val, len >= 8 ? 2 : 1);
            }
        } else if (tok == FDT_NOP) {
            continue;
        } else {
            break;  /* FDT_END or garbage */
        }
    }
    return found_mem ? 0 : -2;
}

int bootargs_have(const char *args, const char *word)
{
    for (const char *s = args; s && *s; s++) {
        const char *p = s, *q = word;
        if (s != args && s[-1] != ' ')
            continue;
        while (*q && *p == *q)
            p++, q++;
        if (!*q && (*p == ' ' || !*p))
            return 1;
    }
    return 0;
}
