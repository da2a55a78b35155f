/*
 * The hostile-guest fuzzer (tests/fuzz.test.ts, issue 8): runs random operations (ops.c) against
 * the hypervisor from EL1 of its VM, one instruction word at a time (exec.S), catching and
 * recording every exception the hypervisor injects, and checks what it can see itself: no access
 * outside its RAM and devices completes, no CPU_ON or AFFINITY_INFO of an MPIDR not its own
 * succeeds, no hypercall changes a register it does not return.
 *
 * Bootargs (/chosen/bootargs of its device tree): "seed=S runs=R ops=N [every=P] [stop=K] [verbose[=F]]":
 * R runs of N ops each, with seeds S, S+1, ...; a progress line every P ops; "stop=K" replays seed
 * S up to op K and prints op K, its registers and its outcome; "stop1=K" does so for vCPU 1's stream
 * (beside seed S), run alone on vCPU 1; "verbose" prints every op (from op F).
 * Each op's randomness comes from (seed, op index) alone, so a run resumes after the SYSTEM_RESET
 * ops (its state kept in a page of its RAM: the config sets scrubOnRestart false) and replays exactly.
 */
#include "arch.h"
#include "check.h"
#include "fdt.h"
#include "gic.h"
#include "psci.h"
#include "uart.h"
#include "fuzz.h"

extern char _text[], _end[], vectors[];

struct world w;

/* Own RAM layout (below the image at +0x80000): the scratch the ops aim at is the first 32 KiB,
 * which an op's offset (at most 0xfff0: an unsigned 12-bit immediate times 16) takes no further
 * than 96 KiB; then the state and the power-off page. */
#define STATE_OFFSET    0x20000UL
#define JUNK_OFFSET     0x21000UL
#define STATE_MAGIC     0x7a7a66757a7a0001UL
#define EXC_SYNC 0
#define EXC_IRQ 1
#define EXC_FIQ 2
#define EXC_SERROR 3

/* What survives a SYSTEM_RESET op: where the run was and its counts. */
struct state {
    unsigned long magic, seed, runs, ops;   /* the bootargs it belongs to */
    unsigned long run, next;                /* the op to run next */
    unsigned long count[K_NKINDS];
    unsigned long exc[4], lower;            /* vCPU 0's exceptions, by type; of those, from a lower EL */
    unsigned long secondary_ops;            /* ops vCPU 1 ran meanwhile (its own streams) */
};

static struct {
    unsigned long seed, runs, ops, every, stop, verbose_from, off, stop1;
    int has_stop, verbose, has_off, has_stop1;
} args = { 1, 1, 1000, 2000, 0, 0, 0, 0, 0, 0, 0, 0 };

static struct state *st;
static unsigned long vtimer_period;

/* Each vCPU's current op and what it caused (exception_handler). */
static struct vcpu {
    volatile int running;
    volatile unsigned long exc, sync, vector, esr, far, elr, first_async_elr;
    int gic_dirty;
    unsigned long spurious, diag;           /* interrupts in a row none could acknowledge; reports of it */
} vcpus[2] = { { .gic_dirty = 1 }, { .gic_dirty = 1 } };
static volatile int secondary_stop, secondary_replayed;

static unsigned my_vcpu(void) { return read_sysreg(mpidr_el1) & 1; }

static void rearm_vtimer(void)
{
    write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) + vtimer_period);
    write_sysreg(cntv_ctl_el0, 1);
}

/* An interrupt: acknowledged and ended, so that a level source does not fire again at once.
 * Returns the INTID (1020 and up: none could be acknowledged). */
static unsigned take_irq(int fiq)
{
    unsigned intid;
    if (fiq && gic_version() == 3) {
        /* The guest's own ops may have put the timer in Group 0 and enabled it: a FIQ, which the
         * hypervisor delivers as set (silenced here too, or its level would fire it again at once). */
        unsigned long v;
        __asm__ volatile("mrs %0, S3_0_C12_C8_0" : "=r"(v));        /* ICC_IAR0_EL1 */
        if ((v & 0xffffff) == VTIMER_INTID)
            rearm_vtimer();
        if ((v & 0xffffff) < 1020)
            __asm__ volatile("msr S3_0_C12_C8_1, %0" :: "r"(v));    /* ICC_EOIR0_EL1 */
        return (unsigned)(v & 0xffffff);
    }
    intid = gic_ack();
    if (intid >= 1020)
        return intid;
    if (intid == VTIMER_INTID)
        rearm_vtimer();
    gic_eoi(intid);
    return intid;
}

/* The GIC CPU interface as this vCPU sees it, on one line (an interrupt nobody can acknowledge). */
static void print_gic_state(void)
{
    unsigned long isr = read_sysreg(isr_el1), v[6] = { 0 };
    if (gic_version() == 3)
        __asm__ volatile("mrs %0, S3_0_C12_C12_2\n\tmrs %1, S3_0_C12_C11_3\n\tmrs %2, S3_0_C12_C9_0\n\t"
                         "mrs %3, S3_0_C12_C12_4\n\tmrs %4, S3_0_C4_C6_0\n\tmrs %5, S3_0_C12_C8_2"
                         : "=r"(v[0]), "=r"(v[1]), "=r"(v[2]), "=r"(v[3]), "=r"(v[4]), "=r"(v[5]));
    else
        for (int k = 0; k < 5; k++)
            v[k] = ((volatile unsigned *)w.gicr_or_gicc)[(unsigned[]){ 0x18, 0x14, 0xd0, 0x0, 0x4 }[k] / 4];
    printf("\nfuzz-diag vCPU %u: an interrupt nobody can acknowledge: ISR_EL1 0x%lx HPPIR1 0x%lx RPR 0x%lx "
           "APR 0x%lx CTLR 0x%lx PMR 0x%lx HPPIR0 0x%lx\n", my_vcpu(), isr, v[0], v[1], v[2], v[3], v[4], v[5]);
}

static unsigned long image_has(unsigned long a)
{
    return a >= (unsigned long)_text && a < (unsigned long)_end;
}

/*
 * Every exception comes here (start.S). An op's exception is recorded and ends the op: the
 * handler returns to op_done at EL1t with everything masked. An interrupt that arrives in the
 * executor's own code is taken and the code goes on. Anything else is the fuzzer's own fault.
 */
void exception_handler(unsigned long index, unsigned long *frame)
{
    unsigned long esr = read_sysreg(esr_el1), far = read_sysreg(far_el1), elr = read_sysreg(elr_el1);
    unsigned type = index & 3;
    int lower = index >= 8;
    int in_slot = elr >= (unsigned long)op_slot && elr < (unsigned long)(op_slot + 32);
    int in_done = elr >= (unsigned long)op_done && elr <= (unsigned long)op_done_end;
    int own = !lower && image_has(elr) && !in_slot;
    (void)frame;

    unsigned cpu = my_vcpu();
    struct vcpu *c = &vcpus[cpu];
    if (type == EXC_IRQ || type == EXC_FIQ) {
        if (take_irq(type == EXC_FIQ) < 1020 || !own)
            c->spurious = 0;
        else if (++c->spurious >= 1000) {
            /* Signalled, never acknowledged: the executor goes on with the interrupt masked. */
            if (!c->diag++)
                print_gic_state();
            write_sysreg(spsr_el1, read_sysreg(spsr_el1) | 0xc0);
            c->spurious = 0;
        }
    }
    if (!c->running || (type == EXC_SYNC && own && !in_done)) {
        if (type == EXC_IRQ || type == EXC_FIQ)
            return;
        printf("\nFAIL - fuzzer fault in its own code (vector %lu ESR 0x%lx FAR 0x%lx ELR 0x%lx)\n", index, esr, far, elr);
        system_off();
    }
    if (cpu == 0) {
        st->exc[type]++;
        st->lower += lower;
    }
    if (!c->exc) {
        c->vector = index;
        c->esr = esr;
        c->far = far;
        c->elr = elr;
    }
    c->exc++;
    if (type == EXC_SYNC)
        c->sync++;
    else if (in_done)
        return;                     /* the op has ended: op_done goes on */
    else if (!c->first_async_elr)   /* in run_op, the op not yet run: it is ended unrun (its ELR_EL1, SPSR_EL1 are the handler's now) */
        c->first_async_elr = own ? (unsigned long)(op_slot + 16 * cpu) : elr;
    write_sysreg(elr_el1, (unsigned long)op_done);
    write_sysreg(spsr_el1, 0x3c4);  /* EL1t, D, A, I, F masked */
}

/* ---- keeping the fuzzer itself alive ---- */

static unsigned long sctlr0;

/* After every op: what the fuzzer needs of its own CPU (none of these accesses traps). */
static void heal_cpu(void)
{
    write_sysreg(cpacr_el1, 3UL << 20);         /* FP/SIMD for the SIMD ops */
    write_sysreg(mdscr_el1, 0);                 /* no debug exceptions at EL1 */
    if (read_sysreg(sctlr_el1) != sctlr0)
        write_sysreg(sctlr_el1, sctlr0);
    unsigned long ctl = read_sysreg(cntv_ctl_el0) & 3;
    if (ctl != 1 || read_sysreg(cntv_cval_el0) - read_sysreg(cntvct_el0) > 2 * vtimer_period)
        rearm_vtimer();
    if (gic_version() == 3) {
        __asm__ volatile("msr S3_0_C4_C6_0, %0" :: "r"(0xffUL));    /* ICC_PMR_EL1 */
        __asm__ volatile("msr S3_0_C12_C12_7, %0" :: "r"(1UL));     /* ICC_IGRPEN1_EL1 */
    }
    isb();
}

/*
 * Before an op that may wait (WFI, WFE, a PSCI CPU_SUSPEND, an ERET to EL0 code that loops):
 * the virtual timer's interrupt must be able to wake the vCPU, whatever the last ops did to
 * the GIC (disabled it, left it active, raised the running priority, closed the interface).
 * Every SGI and PPI an op acknowledged and never ended is deactivated too: under a hypervisor
 * each active interrupt holds one of a few list registers (4 on QEMU), and with all of them held
 * nothing else, the timer included, reaches the vCPU (on hardware it would; KVM has the same limit).
 */
static void heal_gic(void)
{
    unsigned bit = 1u << VTIMER_INTID, cpu = my_vcpu();
    if (!vcpus[cpu].gic_dirty)
        return;
    if (gic_version() == 3) {
        unsigned long rd = w.gicr_or_gicc + 0x20000UL * cpu, sgi = rd + 0x10000;   /* its redistributor */
        /* The timer deactivated, if an op acknowledged it (DIR acts with EOImode 1 alone, and
         * needs no active priority, which the last heal may have cleared), then EOImode 0. */
        __asm__ volatile("msr S3_0_C12_C12_4, %1\n\tisb\n\t" /* ICC_CTLR_EL1: EOImode 1 */
                         "msr S3_0_C12_C11_1, %0\n\tisb\n\t" /* ICC_DIR_EL1 */
                         "msr S3_0_C12_C12_4, xzr\n\t"  /* ICC_CTLR_EL1: EOImode 0 */
                         "msr S3_0_C12_C9_0, xzr\n\t"   /* ICC_AP1R0_EL1: nothing active */
                         "msr S3_0_C12_C8_4, xzr\n\t"   /* ICC_AP0R0_EL1 */
                         "msr S3_0_C12_C12_3, xzr\n\tisb" /* ICC_BPR1_EL1 */
                         :: "r"((unsigned long)VTIMER_INTID), "r"(2UL) : "memory");
        *(volatile unsigned *)(rd + 0x14) = 0;          /* GICR_WAKER: awake */
        gicd_write(0, 0x13);
        *(volatile unsigned *)(sgi + 0x080) |= bit;     /* IGROUPR0: Group 1 */
        *(volatile unsigned char *)(sgi + 0x400 + VTIMER_INTID) = 0x80;
        *(volatile unsigned *)(sgi + 0x380) = ~0u;      /* ICACTIVER0: every SGI and PPI (below) */
        *(volatile unsigned *)(sgi + 0x100) = bit;      /* ISENABLER0 */
    } else {
        volatile unsigned *gicc = (volatile unsigned *)w.gicr_or_gicc;
        gicc[0] = 1 | 1u << 9;                          /* GICC_CTLR: EOImode 1, for GICC_DIR: */
        gicc[0x1000 / 4] = VTIMER_INTID;                /* the timer deactivated, if an op acknowledged it */
        gicc[0] = 1;                                    /* GICC_CTLR: group 0 (as IRQ), EOImode 0 */
        gicc[1] = 0xff;                                 /* GICC_PMR */
        gicc[2] = 0;                                    /* GICC_BPR */
        gicc[0xd0 / 4] = 0;                             /* GICC_APR0 */
        gicd_write(0, 1);
        gicd_write(0x080, gicd_read(0x080) & ~bit);     /* IGROUPR0: Group 0, what GICC_CTLR = 1 signals */
        gicd_write8(0x400 + VTIMER_INTID, 0x80);
        gicd_write(0x380, ~0u);                         /* ICACTIVER0: every SGI and PPI (below) */
        gicd_write(0x100, bit);
    }
    dsb();
    vcpus[cpu].gic_dirty = 0;
}

/* ---- ops ---- */

/* The compiler's own calls for struct copies (there is no C library). */
void *memcpy(void *dst, const void *src, unsigned long n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, unsigned long n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

static void print_op(unsigned long seed, unsigned long i, const struct op *op)
{
    printf("\nop %lu of seed %lu: %s word 0x%x", i, seed, kind_name[op->kind], op->word);
    if (op->size)
        printf(" at 0x%lx (%lu bytes, %s)", op->ea, op->size, op->writes ? "write" : "read");
    printf("\n");
    for (int r = 0; r < 31; r += 4) {
        for (int k = r; k < r + 4 && k < 31; k++)
            printf(" x%d=0x%lx", k, op->ctx.x[k]);
        printf("\n");
    }
    printf(" sp=0x%lx elr=0x%lx spsr=0x%lx\n", op->ctx.sp, op->ctx.elr, op->ctx.spsr);
}

static void print_outcome(const struct op *after)
{
    const struct vcpu *c = &vcpus[my_vcpu()];
    if (c->exc)
        printf(" outcome: %lu exception(s), first vector %lu ESR 0x%lx FAR 0x%lx ELR 0x%lx\n",
               c->exc, c->vector, c->esr, c->far, c->elr);
    else
        printf(" outcome: completed\n");
    printf(" after: x0=0x%lx x1=0x%lx x2=0x%lx x3=0x%lx\n", after->ctx.x[0], after->ctx.x[1], after->ctx.x[2], after->ctx.x[3]);
}

static void fail(unsigned long seed, unsigned long i, const struct op *op, const struct op *after, const char *what)
{
    unsigned cpu = my_vcpu();
    if (cpu)
        printf("\nFAIL - fuzz vCPU 1 (beside seed %lu) op %lu: %s\n", seed, i, what);
    else
        printf("\nFAIL - fuzz seed %lu op %lu: %s\n", seed, i, what);
    print_op(seed, i, op);
    print_outcome(after);
    if (cpu)    /* its stream alone: op i is exactly this one, what ran beside it is not */
        printf("replay: bootargs \"seed=%lu ops=1 stop1=%lu\" (vCPU 1's stream alone)\n", seed, i);
    else
        printf("replay: bootargs \"seed=%lu ops=%lu stop=%lu\"\n", seed, i + 1, i);
    finish();
}

/* A store-exclusive (STXR, STLXR, STXP, STLXP) that reported failure wrote nothing. */
static int failed_exclusive(const struct op *after)
{
    unsigned wd = after->word;
    return (wd & 0x3f400000) == 0x08000000 && !(wd & 1u << 23) && (after->ctx.x[wd >> 16 & 31] & 0xffffffff) != 0;
}

/* Runs op `i` of `seed` on this vCPU; returns only if none of the fuzzer's checks failed. */
static void one_op(unsigned long seed, unsigned long i, int verbose)
{
    struct op op, after;
    unsigned cpu = my_vcpu();
    struct vcpu *c = &vcpus[cpu];
    unsigned *slot = op_slot + 16 * cpu;
    op_draw(cpu ? seed ^ 0x5eca1d5eca1d5ecaUL : seed, i, &op);
    if (cpu && op.kind == K_RESET)
        op.word = 0xd503201f;   /* vCPU 1 never restarts the VM: vCPU 0's place in its run would be lost (a NOP) */
    if (cpu) {
        st->secondary_ops++;
    } else {
        st->count[op.kind]++;
        st->next = i + 1;   /* whatever restarts the VM during this op, the fuzzer resumes after it */
    }
    if (verbose)
        print_op(seed, i, &op);
    if (op.kind == K_HVC || op.kind == K_SMC || op.kind == K_WAIT || op.kind == K_ERET ||
        (op.word & 0xfffff01f) == 0xd503201f)      /* a hint: WFI, WFE among them */
        heal_gic();
    after = op;
    slot[0] = op.word;
    slot_sync(slot);
    c->exc = c->sync = c->first_async_elr = 0;
    c->running = 1;
    run_op(&after.ctx);
    c->running = 0;
    heal_cpu();
    if (op.kind != K_HVC && op.kind != K_SMC && op.kind != K_WAIT && op.kind != K_ERET)
        c->gic_dirty = 1;
    if (verbose)
        print_outcome(&after);

    /* Completed: no synchronous exception, and no interrupt taken before the word ran. */
    int completed = !c->sync && c->first_async_elr != (unsigned long)slot;
    if (op.size && completed && !reachable(op.ea, op.size) && !failed_exclusive(&after))
        fail(seed, i, &op, &after, op.writes ? "a write outside the VM's RAM and devices completed"
                                             : "a read outside the VM's RAM and devices returned data");
    if (op.value_reg >= 0 && completed) {
        unsigned long v = after.ctx.x[op.value_reg];
        if (op.size < 8)
            v &= (1UL << (8 * op.size)) - 1;
        if (shows_foreign_spi(op.ea, op.size, v))
            fail(seed, i, &op, &after, "a distributor read showed the state of an SPI the VM does not own");
    }
    /* An ERET to an address outside the VM's memory: the first exception must be taken there (an
     * instruction abort, or an illegal return's or misaligned PC's fault): nothing ran there. */
    /* (Compared in their low 32 bits: an ERET to AArch32 takes those alone.) */
    if (op.kind == K_ERET && c->first_async_elr != (unsigned long)slot && !reachable(op.ctx.elr & 0xfffffffc, 4) &&
        (!c->exc || (c->elr & 0xfffffffc) != (op.ctx.elr & 0xfffffffc)))
        fail(seed, i, &op, &after, "an ERET to an address outside the VM ran code there");
    if ((op.kind == K_HVC || op.kind == K_SMC) && completed) {
        if (op.foreign_cpu_on && (long)after.ctx.x[0] >= 0)
            fail(seed, i, &op, &after, "CPU_ON or AFFINITY_INFO of an MPIDR not the VM's succeeded");
        /* SMCCC 1.1: x4..x17 preserved (and everything above, as the hypervisor returns only x0..x3). */
        for (int r = 4; r < 31; r++)
            if (after.ctx.x[r] != op.ctx.x[r])
                fail(seed, i, &op, &after, "a hypercall changed a register it does not return");
    }
}

/* ---- arguments ---- */

static int arg(const char *s, const char *name, unsigned long *v)
{
    while (*name && *s == *name)
        s++, name++;
    if (*name)
        return 0;
    if (*s == '=') {
        unsigned long n = 0;
        for (s++; *s >= '0' && *s <= '9'; s++)
            n = n * 10 + (unsigned long)(*s - '0');
        *v = n;
    }
    return *s == 0 || *s == ' ' || *s == '=';
}

static void parse_args(const char *s)
{
    for (; s && *s; ) {
        while (*s == ' ')
            s++;
        if (!arg(s, "seed", &args.seed) && !arg(s, "runs", &args.runs) && !arg(s, "ops", &args.ops) &&
            !arg(s, "every", &args.every)) {
            if (arg(s, "stop", &args.stop))
                args.has_stop = 1;
            else if (arg(s, "stop1", &args.stop1))
                args.has_stop1 = 1;
            else if (arg(s, "off", &args.off))
                args.has_off = 1;
            else if (arg(s, "verbose", &args.verbose_from))
                args.verbose = 1;
        }
        while (*s && *s != ' ')
            s++;
    }
    if (args.has_stop || args.has_stop1)
        args.runs = 1;
    if (!args.every)
        args.every = 1;
}

/* ---- the two vCPUs ---- */

/*
 * vCPU 1, started by vCPU 0 at its (re)start and by ops: runs ops of its own streams beside
 * vCPU 0's until vCPU 0 is done, so that the hypervisor sees two vCPUs of the VM at once (its
 * locks, SGIs between them, a restart that stops one mid-op). Its ops are not replayed exactly.
 */
void secondary_main(unsigned long context)
{
    (void)context;
    gic_init_cpu();
    gic_enable(VTIMER_INTID);
    rearm_vtimer();
    if (args.has_stop1) {   /* a replay of its stream: ops 0..K of the seed, the last one printed */
        for (unsigned long i = 0; i <= args.stop1; i++)
            one_op(args.seed, i, i == args.stop1);
        secondary_replayed = 1;
    } else {
        for (unsigned long i = st->secondary_ops; !secondary_stop; i = st->secondary_ops)
            one_op(args.seed + st->run, i, 0);     /* (one_op counts it) */
    }
    hvc_call(PSCI_CPU_OFF, 0, 0, 0);
}

/* The page an op may start vCPU 1 at: it powers its vCPU off. */
static void write_junk(void)
{
    static const unsigned code[] = {
        0xd2800040,     /* movz x0, #0x2 */
        0xf2b08000,     /* movk x0, #0x8400, lsl #16: PSCI CPU_OFF */
        0xd4000002,     /* hvc #0 */
        0x17ffffff,     /* b . - 4 */
    };
    volatile unsigned *p = (volatile unsigned *)w.junk;
    for (unsigned i = 0; i < 1024; i++)
        p[i] = code[i % 4 == 3 ? 3 : i % 4];
    for (unsigned long a = w.junk; a < w.junk + 4096; a += 64)
        __asm__ volatile("dc cvau, %0" :: "r"(a) : "memory");
    __asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");
}

int main(void *dtb)
{
    static struct dt_info dt;
    if (fdt_parse(dtb, &dt) != 0 || !gic_setup(&dt)) {
        check(0, "fuzzer device tree", "no memory or GIC node");
        finish();
    }
    parse_args(dt.bootargs);
    w.ram_base = dt.mem_base;
    w.ram_size = dt.mem_size;
    w.gic_version = dt.gic_version;
    w.ncpus = dt.ncpus;
    w.gicd = dt.gic_reg[0];
    w.gicr_or_gicc = dt.gic_reg[1];
    w.uart = dt.uart_base;
    w.image_start = (unsigned long)_text;
    w.image_end = (unsigned long)_end;
    w.scratch_lo = w.ram_base;
    w.scratch_hi = w.ram_base + w.ram_size - 0x1000;
    w.junk = w.ram_base + JUNK_OFFSET;
    for (int k = 0; k < dt.npassthrough; k++)
        w.owned[dt.passthrough[k] / 32 % 32] |= 1u << (dt.passthrough[k] % 32);
    if (dt.uart_intid)      /* its emulated PL011's interrupt: a virtual SPI of its own */
        w.owned[dt.uart_intid / 32 % 32] |= 1u << (dt.uart_intid % 32);
    st = (struct state *)(w.ram_base + STATE_OFFSET);
    sctlr0 = read_sysreg(sctlr_el1);
    vtimer_period = read_sysreg(cntfrq_el0) / 1000;

    for (unsigned k = 1; k < 32; k += 16)
        op_slot[k] = 0x14000000 | ((unsigned)(((long)op_done - (long)&op_slot[k]) >> 2) & 0x3ffffff);
    write_junk();
    gic_init_cpu();
    gic_enable(VTIMER_INTID);
    rearm_vtimer();

    int resumed = st->magic == STATE_MAGIC && st->seed == args.seed && st->runs == args.runs && st->ops == args.ops;
    if (resumed) {
        printf("fuzz-resume seed %lu op %lu (after its SYSTEM_RESET)\n", args.seed + st->run, st->next);
    } else {
        unsigned char *p = (unsigned char *)st;
        for (unsigned i = 0; i < sizeof *st; i++)
            p[i] = 0;
        *(volatile unsigned long *)DONE_PAGE = 0;
        st->magic = STATE_MAGIC;
        st->seed = args.seed;
        st->runs = args.runs;
        st->ops = args.ops;
        /* ID_AA64ISAR0_EL1.Atomic (bits 23:20): whether its LSE atomics execute or are undefined. */
        int lse = (read_sysreg(id_aa64isar0_el1) >> 20 & 0xf) >= 2;
        printf("fuzz-start seed %lu runs %lu ops %lu (%lu vCPUs, GICv%d, %s, RAM 0x%lx+0x%lx)\n", args.seed, args.runs,
               args.ops, (unsigned long)w.ncpus, w.gic_version, lse ? "LSE" : "no LSE", w.ram_base, w.ram_size);
    }
    if (!args.has_stop)     /* a replay runs vCPU 0's ops alone */
        hvc_call(PSCI_CPU_ON_64, 1, (unsigned long)secondary_entry, 0);
    unsigned long last = args.has_stop ? args.stop + 1 : args.has_stop1 ? 0 : args.ops;
    while (args.has_stop1 && !secondary_replayed && hvc_call(PSCI_AFFINITY_INFO_64, 1, 0, 0) != 1)
        ;   /* vCPU 1 replays alone (or an op of its powered it off) */
    for (; st->run < args.runs; st->run++, st->next = 0) {
        unsigned long seed = args.seed + st->run;
        for (unsigned long i = st->next; i < last; i++) {
            int verbose = (args.verbose && i >= args.verbose_from) || (args.has_stop && i == args.stop);
            if (i % args.every == 0)
                printf("\nfuzz-progress seed %lu op %lu\n", seed, i);
            if (args.has_off && i == args.off) {    /* SYSTEM_OFF mid-run, vCPU 1 still at work */
                *(volatile unsigned long *)DONE_PAGE = DONE_MAGIC;
                printf("\nfuzz-off at op %lu of seed %lu\n", i, seed);
                system_off();
            }
            one_op(seed, i, verbose);
        }
    }
    /* vCPU 1 off before the last lines, so that none of its console bytes fall into them. */
    secondary_stop = 1;
    unsigned long t0 = read_sysreg(cntvct_el0);
    int off = args.has_stop;
    while (!off && read_sysreg(cntvct_el0) - t0 < 2 * read_sysreg(cntfrq_el0))
        off = hvc_call(PSCI_AFFINITY_INFO_64, 1, 0, 0) == 1;
    unsigned long total = 0;
    printf("\nfuzz-kinds");
    for (int k = 0; k < K_NKINDS; k++) {
        printf(" %s %lu", kind_name[k], st->count[k]);
        total += st->count[k];
    }
    printf("\nfuzz-exceptions sync %lu irq %lu fiq %lu serror %lu (from a lower EL %lu)\n",
           st->exc[0], st->exc[1], st->exc[2], st->exc[3], st->lower);
    printf("fuzz-secondary %lu ops on vCPU 1 beside them\n", st->secondary_ops);
    printf("fuzz-done total %lu ops\n", total);
    st->magic = 0;
    *(volatile unsigned long *)DONE_PAGE = DONE_MAGIC;     /* the victim may end now */
    check(off, "fuzz vCPU 1 stopped", "within 2 s of being asked");
    check(1, "fuzz", "%lu ops, seeds %lu..%lu, none reached what is not its VM's", total, args.seed, args.seed + args.runs - 1);
    finish();
}
