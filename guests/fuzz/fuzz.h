/* The hostile-guest fuzzer (guests/fuzz): shared declarations. */
#ifndef FUZZ_H
#define FUZZ_H

/* The register file an op runs with and ends with (exec.S). */
struct op_ctx {
    unsigned long x[31];
    unsigned long sp;       /* SP_EL0: the op runs at EL1 with SP_EL0 selected */
    unsigned long elr, spsr;/* ELR_EL1, SPSR_EL1 when the op starts (an ERET uses them) */
};

void run_op(struct op_ctx *ctx);
void slot_sync(unsigned *slot);
extern unsigned op_slot[32];            /* vCPU i's slot: op_slot[16 * i] */
extern char op_done[], op_done_end[];

/* Op kinds: the last line counts each. */
enum op_kind { K_HVC, K_SMC, K_LOAD, K_STORE, K_SYSREG, K_RAW, K_GIC, K_WAIT, K_ERET, K_RESET, K_NKINDS };
extern const char *const kind_name[K_NKINDS];

/* What a memory op reaches: bytes [ea, ea + size) (size 0: none). */
struct op {
    enum op_kind kind;
    unsigned word;          /* the instruction word executed */
    struct op_ctx ctx;
    unsigned long ea, size;
    int writes;             /* the access writes memory */
    int foreign_cpu_on;     /* an HVC/SMC CPU_ON naming an MPIDR not the VM's */
    int value_reg;          /* a single load's destination register (-1: none): what it read */
};

/* splitmix64: each op has its own stream, from (seed, op index), so a run resumes and replays exactly. */
struct rng { unsigned long s; };
static inline unsigned long rnd(struct rng *r)
{
    unsigned long z = (r->s += 0x9e3779b97f4a7c15UL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
    return z ^ (z >> 31);
}
static inline unsigned long below(struct rng *r, unsigned long n) { return rnd(r) % n; }
static inline int chance(struct rng *r, unsigned percent) { return below(r, 100) < percent; }

/* The VM as the fuzzer sees it (from its device tree). */
struct world {
    unsigned long ram_base, ram_size;
    int gic_version, ncpus;
    unsigned long gicd, gicr_or_gicc;
    unsigned long uart;                     /* its emulated PL011 (the board's UART address) */
    unsigned long image_start, image_end;
    unsigned long scratch_lo, scratch_hi;   /* own RAM the fuzzer may store to: low and high edges */
    unsigned long junk;                     /* a page of code that powers its vCPU off */
    unsigned owned[32];                     /* SPIs passed through to it: bit i%32 of word i/32 */
};
extern struct world w;

/* ops.c: draws op number `index` of `seed`. */
void op_draw(unsigned long seed, unsigned long index, struct op *op);

/* addr.c: the addresses ops aim at, and what the VM may reach there. */
#define GICR_FRAME  0x20000UL       /* a GICv3 redistributor's two 64 KiB frames: RD_base, SGI_base */
#define GICR_SGI    0x10000UL
unsigned long pick_addr(struct rng *r);
unsigned long foreign(struct rng *r);
unsigned long reg_value(struct rng *r);
/* Whether [ea, ea + size) lies wholly in something the VM may reach (its RAM, its devices). */
int reachable(unsigned long ea, unsigned long size);
/* Whether a value read from the distributor at [ea, ea + size) shows state of an SPI the VM does not own. */
int shows_foreign_spi(unsigned long ea, unsigned long size, unsigned long value);

/* The page the fuzzer shares with its victim (board/<board>/configs/fuzz.ts): DONE_MAGIC in its
 * first word once the fuzzer has run its last op. */
#define DONE_PAGE       0x50000000UL
#define DONE_MAGIC      0x656e6f647a7a7566UL

#define PSCI_CPU_SUSPEND_64     0xC4000001UL
#define PSCI_CPU_ON_32          0x84000003UL
#define PSCI_AFFINITY_INFO_32   0x84000004UL
#define PSCI_MIGRATE_INFO_TYPE  0x84000006UL
#define HVC_VM_INFO             0xC6000001UL
#define HVC_CONSOLE_PUTC        0xC6000002UL

#endif
