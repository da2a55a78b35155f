/*
 * The fuzzer's operations: each is one instruction word and the register file it runs with
 * (exec.S), drawn from the op's own random stream, at the addresses addr.c picks.
 *
 * What no op may do is stop the fuzzer itself: no PC-relative branch (it could land in the
 * fuzzer's code), no write of SCTLR_EL1 or VBAR_EL1 (its exceptions would go astray), no
 * register value inside its image, no CPU_OFF or SYSTEM_OFF (SYSTEM_RESET is an op kind of
 * its own, K_RESET), no HLT (the semihosting trap), no ERET into its RAM at EL1.
 */
#include "fuzz.h"

extern char secondary_entry[];

const char *const kind_name[K_NKINDS] = {
    "hvc", "smc", "load", "store", "sysreg", "raw", "gic", "wait", "eret", "reset",
};

/* A register number 0..30 other than those in `not` (a bit mask). */
static unsigned pick_reg(struct rng *r, unsigned not)
{
    for (;;) {
        unsigned n = (unsigned)below(r, 31);
        if (!(not & 1u << n))
            return n;
    }
}

/* ---- op kinds ---- */

static int forbidden(unsigned word);

/*
 * Writes of ICC_BPR0_EL1, ICC_BPR1_EL1 and ICC_CTLR_EL1: some sequences of them make QEMU 10.0 abort
 * (hw/intc/arm_gicv3_cpuif.c icv_gprio_mask: Assertion `bpr > 0'), in its virtual CPU interface,
 * which the guest reaches without the hypervisor. A QEMU bug, not one of the hypervisor's; the
 * fuzzer leaves these three alone so that a run tells about the hypervisor.
 */
static int qemu_aborts(unsigned word)
{
    unsigned enc = word & 0xffffffe0;
    return enc == 0xd518c860 || enc == 0xd518cc60 || enc == 0xd518cc80;
}

/* Loads and stores of every form, at pick_addr(). Sets op->ea/size/writes. */
static void mem_op(struct rng *r, struct op *op, int store)
{
    unsigned long a = pick_addr(r);
    unsigned rn = chance(r, 10) ? 31 : pick_reg(r, 0);  /* 31: SP (SP_EL0 in the op) */
    unsigned rt = pick_reg(r, 1u << rn), rt2 = pick_reg(r, 1u << rn | 1u << rt), rs = rt2;
    unsigned size = (unsigned)below(r, 4), L = !store, word = 0;
    long off = 0;

    op->size = 1UL << size;
    switch (below(r, 11)) {
    case 0: {   /* LDR/STR/LDRS (unsigned offset) */
        unsigned opc = store ? 0 : size == 3 ? 1 : size == 2 ? 1 + (unsigned)below(r, 2) : 1 + (unsigned)below(r, 3);
        unsigned imm = chance(r, 70) ? 0 : (unsigned)below(r, 16);
        word = 0x39000000 | size << 30 | opc << 22 | imm << 10 | rn << 5 | rt;
        off = (long)imm << size;
        op->value_reg = store ? -1 : (int)rt;
        break;
    }
    case 1:     /* LDUR/STUR (unscaled, often unaligned) and pre/post-index with writeback */
    case 2: {
        unsigned opc = store ? 0 : 1 + (size < 3 && chance(r, 30));
        long imm9 = (long)below(r, 512) - 256;
        unsigned mode = (unsigned)below(r, 4);          /* 0 unscaled, 1 post, 2 unprivileged, 3 pre */
        word = 0x38000000 | size << 30 | opc << 22 | ((unsigned)imm9 & 0x1ff) << 12 | mode << 10 | rn << 5 | rt;
        off = mode == 1 ? 0 : imm9;
        op->value_reg = store ? -1 : (int)rt;
        break;
    }
    case 3: {   /* register offset: [Xn, Xm] */
        unsigned rm = pick_reg(r, 1u << rn | 1u << rt);
        word = 0x38206800 | size << 30 | (unsigned)L << 22 | rm << 16 | rn << 5 | rt;
        off = (long)below(r, 64);
        op->ctx.x[rm] = (unsigned long)off;
        op->value_reg = store ? -1 : (int)rt;
        break;
    }
    case 4: {   /* LDP/STP/LDPSW: offset, post- or pre-index */
        unsigned opc = (unsigned)below(r, 3), mode = 1 + (unsigned)below(r, 3);   /* 1 post, 2 offset, 3 pre */
        if (opc == 1 && store)
            opc = 2;                                    /* STPSW does not exist */
        long imm7 = (long)below(r, 16) - 8;
        unsigned scale = opc == 2 ? 3 : 2;
        word = 0x28000000 | opc << 30 | mode << 23 | (unsigned)L << 22 | ((unsigned)imm7 & 0x7f) << 15 | rt2 << 10 | rn << 5 | rt;
        off = mode == 1 ? 0 : imm7 << scale;
        op->size = 2UL << scale;
        break;
    }
    case 5:     /* exclusives and acquire/release */
        if (store)
            word = (chance(r, 50) ? 0x08007c00 : 0x0800fc00) | size << 30 | rs << 16 | rn << 5 | rt;   /* STXR, STLXR */
        else
            word = (chance(r, 30) ? 0x08dffc00 : chance(r, 50) ? 0x085f7c00 : 0x085ffc00) | size << 30 | rn << 5 | rt; /* LDAR, LDXR, LDAXR */
        if (store && chance(r, 30))
            word = 0x089ffc00 | size << 30 | rn << 5 | rt;  /* STLR */
        break;
    case 6: {   /* LSE atomics (undefined where the CPU has none): LDADD, SWP, CAS, with A/R */
        unsigned ar = (unsigned)below(r, 4) << 22;
        static const unsigned forms[] = { 0x38200000, 0x38208000, 0x38201000, 0x38203000 }; /* LDADD, SWP, LDCLR, LDSET */
        word = chance(r, 25) ? (0x08a07c00 | (ar & 1u << 22) | (ar >> 8 & 1u << 15) | size << 30 | rs << 16 | rn << 5 | rt)
                             : (forms[below(r, 4)] | ar | size << 30 | rs << 16 | rn << 5 | rt);
        store = 1;
        break;
    }
    case 7:     /* DC ZVA: zeroes a 64-byte block */
        word = 0xd50b7420 | rt;
        rn = rt;
        op->size = 64;
        a &= ~63UL;
        store = 1;
        break;
    case 8: {   /* SIMD&FP LDR/STR (unsigned offset): B, H, S, D, Q */
        unsigned q = chance(r, 20);
        unsigned opc = (q ? 2 : 0) | (unsigned)L;
        unsigned imm = chance(r, 70) ? 0 : (unsigned)below(r, 8);
        if (q)
            size = 0;
        word = 0x3d000000 | size << 30 | opc << 22 | imm << 10 | rn << 5 | rt;
        op->size = q ? 16 : 1UL << size;
        off = (long)imm * (long)op->size;
        break;
    }
    case 9: {   /* SIMD LD1/ST1 (one register, 8 or 16 bytes) and LDP/STP Q */
        unsigned q = (unsigned)below(r, 2);
        if (chance(r, 50)) {
            word = 0x0c007000 | q << 30 | (unsigned)L << 22 | size << 10 | rn << 5 | rt;
            op->size = q ? 16 : 8;
        } else {
            long imm7 = (long)below(r, 8) - 4;
            word = 0xad000000 | (unsigned)L << 22 | ((unsigned)imm7 & 0x7f) << 15 | rt2 << 10 | rn << 5 | rt;
            off = imm7 * 16;
            op->size = 32;
        }
        break;
    }
    default: {  /* LDXP/STXP: exclusive pairs */
        unsigned sz = (unsigned)below(r, 2);
        word = store ? (0x88200000 | sz << 30 | rs << 16 | rt2 << 10 | rn << 5 | rt)
                     : (0x887f0000 | sz << 30 | rt2 << 10 | rn << 5 | rt);
        if (store && (rs == rt || rs == rt2))
            word &= ~(31u << 16);                       /* Ws = W0 when it would clash */
        op->size = 8UL << sz;
        break;
    }
    }
    if (rn == 31)
        op->ctx.sp = a;
    else
        op->ctx.x[rn] = a;
    op->word = word;
    op->ea = a + (unsigned long)off;
    op->writes = store;
}

/* A system-register encoding: anywhere, or in the ranges the hypervisor traps or must guard. */
static void sysreg_op(struct rng *r, struct op *op)
{
    static const struct { unsigned char op0, op1, crn, crm_lo, crm_n; } ranges[] = {
        { 3, 0, 12, 8, 5 },     /* ICC_* (EOIR, IAR, DIR, SGI1R, CTLR, SRE, IGRPEN...) */
        { 3, 0, 4, 6, 1 },      /* ICC_PMR_EL1 */
        { 3, 1, 12, 11, 2 },
        { 3, 3, 14, 0, 4 },     /* CNTP_*, CNTV_*, CNTPCT */
        { 3, 0, 14, 1, 1 },     /* CNTKCTL_EL1 */
        { 3, 3, 9, 12, 3 },     /* PMCR, PMCNTEN, PMOVS, PMSELR, PMCCNTR, PMXEV*, PMUSERENR */
        { 3, 3, 14, 8, 8 },     /* PMEVCNTR<n>, PMEVTYPER<n>, PMCCFILTR */
        { 3, 0, 9, 14, 1 },     /* PMINTEN */
        { 2, 0, 0, 0, 16 },     /* DBGBVR/BCR/WVR/WCR<n>, MDSCR, MDCCINT */
        { 2, 0, 1, 0, 5 },      /* OSLAR, OSLSR, OSDLR */
        { 2, 0, 7, 8, 8 },      /* DBGCLAIM, DBGAUTHSTATUS */
        { 2, 3, 0, 1, 5 },      /* DCC */
        { 3, 0, 11, 0, 16 },    /* IMPLEMENTATION DEFINED */
        { 3, 1, 15, 0, 16 },    /* IMPLEMENTATION DEFINED: the A53's CPUACTLR, CPUECTLR, L2CTLR... */
        { 3, 0, 15, 0, 16 },
        { 1, 0, 7, 6, 9 },      /* DC ISW, CSW, CISW (set/way) and DC IVAC, AT */
        { 1, 3, 7, 4, 11 },     /* DC ZVA, CVAC, CVAU, CIVAC, IC IVAU */
        { 1, 0, 7, 1, 5 },      /* IC IALLUIS, IALLU */
        { 1, 0, 8, 0, 16 },     /* TLBI (EL1) */
        { 1, 4, 8, 0, 16 },     /* TLBI (EL2): undefined at EL1 */
        { 3, 0, 0, 0, 8 },      /* ID registers */
        { 3, 0, 1, 0, 3 },      /* SCTLR, ACTLR, CPACR (writes of SCTLR filtered) */
        { 3, 0, 2, 0, 1 },      /* TTBR0/1, TCR */
        { 3, 0, 5, 1, 3 },      /* AFSR, ESR */
        { 3, 0, 10, 2, 3 },     /* MAIR, AMAIR */
        { 3, 4, 1, 1, 1 },      /* HCR_EL2 and friends: undefined at EL1 */
        { 3, 0, 4, 0, 3 },      /* SPSR_EL1, ELR_EL1, SP_EL0, SPSel, CurrentEL, DAIF */
    };
    unsigned op0, op1, crn, crm, op2 = (unsigned)below(r, 8), l = (unsigned)below(r, 2);
    if (chance(r, 30)) {
        op0 = (unsigned)below(r, 4);
        op1 = (unsigned)below(r, 8);
        crn = (unsigned)below(r, 16);
        crm = (unsigned)below(r, 16);
    } else {
        unsigned i = (unsigned)below(r, sizeof ranges / sizeof ranges[0]);
        op0 = ranges[i].op0;
        op1 = ranges[i].op1;
        crn = ranges[i].crn;
        crm = ranges[i].crm_lo + (unsigned)below(r, ranges[i].crm_n);
    }
    unsigned rt = chance(r, 5) ? 31 : pick_reg(r, 0);
    op->word = 0xd5000000 | l << 21 | op0 << 19 | op1 << 16 | crn << 12 | crm << 8 | op2 << 5 | rt;
    if (forbidden(op->word) || qemu_aborts(op->word))
        op->word |= 1u << 21;                           /* read it instead */
    if (rt < 31)
        op->ctx.x[rt] = reg_value(r);
}

/* Interrupt-controller traffic: a register of a chosen INTID, an SGI, an EOI/DIR/acknowledge. */
static void gic_op(struct rng *r, struct op *op)
{
    /* The timers', the maintenance and UART SPIs, the test SPIs of the fuzz configs (virt: 48, 49;
     * RPi4: 60, 61), special INTIDs. */
    static const unsigned short favourite[] = { 27, 30, 26, 25, 29, 33, 48, 49, 60, 61, 1, 2, 15, 1020, 1023 };
    unsigned intid = chance(r, 50) ? favourite[below(r, sizeof favourite / sizeof favourite[0])]
                                   : (unsigned)below(r, 1024);
    unsigned rt = pick_reg(r, 0), rn = pick_reg(r, 1u << rt);
    unsigned long value = chance(r, 60) ? 1UL << (intid % 32) : rnd(r);

    switch (below(r, 4)) {
    case 0: case 1: {   /* a per-INTID distributor/redistributor register */
        static const unsigned short bit_regs[] = { 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380 };
        unsigned long base = w.gicd, off;
        unsigned bytes = 4;
        switch (below(r, 5)) {
        case 0: off = 0x400 + intid; bytes = 1; value = below(r, 256); break;                      /* IPRIORITYR */
        case 1: off = 0x800 + intid; bytes = 1; value = below(r, 256); break;                      /* ITARGETSR */
        case 2: off = 0xc00 + 4 * (intid / 16); value = rnd(r); break;                             /* ICFGR */
        case 3: off = 0x6000 + 8 * intid; bytes = 8; value = chance(r, 50) ? below(r, 4) : rnd(r); break; /* IROUTER */
        default: off = bit_regs[below(r, 7)] + 4 * (intid / 32); break;
        }
        if (w.gic_version == 3 && intid < 32 && off < 0x6000) /* SGIs/PPIs: the redistributor's SGI frame */
            base = w.gicr_or_gicc + GICR_FRAME * below(r, w.ncpus + 1) + GICR_SGI;
        unsigned size = bytes == 8 ? 3 : bytes == 4 ? 2 : 0;
        op->word = 0x39000000 | size << 30 | (chance(r, 75) ? 0 : 1u << 22) | rn << 5 | rt;   /* STR or LDR */
        op->ctx.x[rn] = base + off;
        op->ctx.x[rt] = value;
        op->ea = base + off;
        op->size = bytes;
        op->writes = !(op->word & 1u << 22);
        op->value_reg = op->writes ? -1 : (int)rt;
        return;
    }
    case 2:             /* an SGI */
        if (w.gic_version == 3) {
            unsigned long v = (unsigned long)below(r, 16) << 24 | below(r, 1UL << 16);
            if (chance(r, 20)) v |= 1UL << 40;                           /* IRM: all but self */
            if (chance(r, 20)) v |= below(r, 256) << 16 | below(r, 256) << 32 | below(r, 256) << 48; /* Aff1..3 */
            if (chance(r, 10)) v = rnd(r);
            unsigned op2 = chance(r, 70) ? 5 : 6 + (unsigned)below(r, 2); /* SGI1R, ASGI1R, SGI0R */
            op->word = 0xd5000000 | 3u << 19 | 12u << 12 | 11u << 8 | op2 << 5 | rt;
            op->ctx.x[rt] = v;
        } else {
            unsigned long v = below(r, 4) << 24 | below(r, 256) << 16 | below(r, 16) | (chance(r, 20) ? 1UL << 15 : 0);
            op->word = 0xb9000000 | rn << 5 | rt;
            op->ctx.x[rn] = w.gicd + 0xf00;
            op->ctx.x[rt] = chance(r, 10) ? rnd(r) : v;
            op->ea = w.gicd + 0xf00;
            op->size = 4;
            op->writes = 1;
        }
        return;
    default:            /* EOI, DIR, acknowledge, of a random INTID */
        if (w.gic_version == 3) {
            static const unsigned char regs[][2] = { { 12, 1 }, { 11, 1 }, { 12, 0 }, { 8, 1 }, { 8, 0 }, { 12, 4 } };
            unsigned i = (unsigned)below(r, 6);
            unsigned l = i == 2 || i == 4;                                  /* IAR1, IAR0 are read */
            op->word = 0xd5000000 | l << 21 | 3u << 19 | 12u << 12 | (unsigned)regs[i][0] << 8 | (unsigned)regs[i][1] << 5 | rt;
            if (qemu_aborts(op->word))
                op->word |= 1u << 21;
            op->ctx.x[rt] = chance(r, 80) ? intid : rnd(r);
        } else {
            static const unsigned short regs[] = { 0x10, 0x1000, 0x0c, 0x24, 0x20 };
            unsigned i = (unsigned)below(r, 5);
            op->word = (i >= 2 ? 0xb9400000 : 0xb9000000) | rn << 5 | rt;
            op->ctx.x[rn] = w.gicr_or_gicc + regs[i];
            op->ctx.x[rt] = chance(r, 80) ? intid | below(r, 8) << 10 : rnd(r);
            op->ea = w.gicr_or_gicc + regs[i];
            op->size = 4;
            op->writes = i < 2;
        }
    }
}

/* HVC/SMC function ids: every PSCI 0.2/1.x function, SMCCC's, the hypervisor's own. */
static unsigned long call_id(struct rng *r)
{
    static const unsigned smccc[] = {
        0x80000000, 0x80000001, 0x80000002, 0x80008000, 0x80007fff, 0x80003fff,
        0xc6000000, 0xc6000001, 0xc6000002, 0xc6000003, 0x86000000, 0xc600ffff, 0xc5000000,
    };
    unsigned id;
    switch (below(r, 8)) {
    case 0: case 1: case 2: case 3:
        id = (chance(r, 50) ? 0x84000000 : 0xc4000000) + (unsigned)below(r, 0x16);
        break;
    case 4: case 5:
        id = smccc[below(r, sizeof smccc / sizeof smccc[0])];
        break;
    default:
        id = (unsigned)rnd(r);
    }
    /* The fuzzer's own vCPU must stay on: no CPU_OFF, SYSTEM_OFF or (here) SYSTEM_RESET/RESET2. */
    unsigned fn = id & 0xbfffffff;
    if (fn == 0x84000002 || fn == 0x84000008 || fn == 0x84000009 || fn == 0x84000012)
        id = 0x84000000;
    unsigned long hi = chance(r, 90) ? 0 : rnd(r) << 32;   /* SMC32 ids with junk above: w0 is the id */
    return hi | id;
}

/* An MPIDR: the VM's own vCPUs, other VMs' typical ones, junk. */
static unsigned long mpidr(struct rng *r)
{
    static const unsigned long v[] = { 0, 1, 2, 3, 4, 0x100, 0x10000, 0x80000000, 1UL << 32, 0xff };
    return chance(r, 85) ? v[below(r, sizeof v / sizeof v[0])] : rnd(r);
}

/* A CPU_ON entry: the real one, a page that powers off, or outside the VM's RAM / unaligned. */
static unsigned long entry(struct rng *r)
{
    switch (below(r, 5)) {
    case 0: case 1: return (unsigned long)secondary_entry;
    case 2: return w.junk;
    case 3: return w.junk + 1 + below(r, 3);
    default: return foreign(r);
    }
}

static void call_op(struct rng *r, struct op *op, int smc)
{
    unsigned long id = call_id(r);
    for (int i = 1; i < 18; i++)
        op->ctx.x[i] = reg_value(r);
    unsigned fn = (unsigned)id & 0xbfffffff;
    if (fn == 0x84000003 || fn == 0x84000004 || fn == 0x84000001 || fn == 0x8400000b || fn == 0x8400000d) {
        op->ctx.x[1] = mpidr(r);
        op->ctx.x[2] = fn == 0x84000004 && chance(r, 70) ? 0 : entry(r);
        op->ctx.x[3] = chance(r, 50) ? below(r, 16) : rnd(r);
    } else if (fn == 0x8400000a) {
        op->ctx.x[1] = call_id(r);
    }
    op->ctx.x[0] = id;
    unsigned imm = chance(r, 50) ? 0 : (unsigned)below(r, 1UL << 16);
    op->word = (smc ? 0xd4000003 : 0xd4000002) | imm << 5;
    /* A VM's MPIDRs are its vCPU indices (docs/hypercalls.md). */
    op->foreign_cpu_on = (fn == 0x84000003 || fn == 0x84000004) &&
                         ((fn == 0x84000003 || op->ctx.x[2] == 0) && op->ctx.x[1] >= (unsigned long)w.ncpus);
}

/* Whether a word is one no op may run (see the top of the file). */
static int forbidden(unsigned word)
{
    return (word & 0x7c000000) == 0x14000000 ||     /* B, BL */
           (word & 0xff000010) == 0x54000000 ||     /* B.cond */
           (word & 0x7e000000) == 0x34000000 ||     /* CBZ, CBNZ */
           (word & 0x7e000000) == 0x36000000 ||     /* TBZ, TBNZ */
           (word & 0xffe0001f) == 0xd4400000 ||     /* HLT (semihosting's is hlt #0xf000) */
           (word & 0xffe0001c) == 0xd4000000 ||     /* SVC/HVC/SMC: the call kinds, with chosen x0 */
           (word & 0xffffffe0) == 0xd5181000 ||     /* MSR SCTLR_EL1 */
           (word & 0xffffffe0) == 0xd518c000;       /* MSR VBAR_EL1 */
}

static void raw_op(struct rng *r, struct op *op)
{
    unsigned word;
    do {
        word = (unsigned)rnd(r);
        switch (below(r, 4)) {
        case 0: word = 0xd4000000 | (word & 0x01ffffff); break;   /* exception generation, system */
        case 1: word = (word & ~(1u << 25)) | 1u << 27; break;    /* loads and stores */
        default: break;
        }
    } while (forbidden(word));
    op->word = word;
}

/* ERET with chosen ELR_EL1/SPSR_EL1: to EL0, to EL1 elsewhere, to EL2 (an illegal return), to AArch32. */
static void eret_op(struct rng *r, struct op *op)
{
    static const unsigned modes[] = { 0x0, 0x4, 0x5, 0x8, 0x9, 0xc, 0x10, 0x1f, 0x3 };
    unsigned m = modes[below(r, sizeof modes / sizeof modes[0])];
    op->word = 0xd69f03e0;
    /* Never with IRQs masked (I, bit 7): code it reaches may loop, and only the timer ends that. */
    op->ctx.spsr = ((chance(r, 80) ? 0x340 : rnd(r) & ~0x1fUL) | m) & ~0x80UL;
    switch (below(r, 4)) {
    case 0: op->ctx.elr = (unsigned long)op_done; break;
    case 1: op->ctx.elr = (unsigned long)op_done + 1 + below(r, 3); break;
    default:
        /* AArch32 takes the low 32 bits alone: they must not land in the VM's RAM either, or
         * EL0 code would run from whatever is there and write where it likes (the MMU is off). */
        do
            op->ctx.elr = foreign(r);
        while (reachable(op->ctx.elr & 0xfffffffc, 4));
    }
}

void op_draw(unsigned long seed, unsigned long index, struct op *op)
{
    struct rng r = { seed * 0x2545f4914f6cdd1dUL ^ index * 0x9e3779b97f4a7c15UL };
    rnd(&r);
    for (int i = 0; i < 31; i++)
        op->ctx.x[i] = reg_value(&r);
    op->ctx.sp = reg_value(&r);
    op->ctx.elr = (unsigned long)op_done;   /* an ERET in any op returns into the executor, at EL1t */
    op->ctx.spsr = 0x3c4;
    op->ea = op->size = 0;
    op->writes = op->foreign_cpu_on = 0;
    op->value_reg = -1;
    unsigned d = (unsigned)below(&r, 1000);
    if (d < 130)      { op->kind = K_HVC; call_op(&r, op, 0); }
    else if (d < 200) { op->kind = K_SMC; call_op(&r, op, 1); }
    else if (d < 400) { op->kind = K_LOAD; mem_op(&r, op, 0); }
    else if (d < 560) { op->kind = K_STORE; mem_op(&r, op, 1); }
    else if (d < 700) { op->kind = K_SYSREG; sysreg_op(&r, op); }
    else if (d < 800) { op->kind = K_RAW; raw_op(&r, op); }
    else if (d < 960) { op->kind = K_GIC; gic_op(&r, op); }
    else if (d < 975) {
        static const unsigned waits[] = { 0xd503207f, 0xd503205f, 0xd503203f, 0xd503209f, 0xd50320bf };
        op->kind = K_WAIT;                                                  /* WFI, WFE, YIELD, SEV, SEVL */
        op->word = waits[below(&r, 5)];
    } else if (d < 999) { op->kind = K_ERET; eret_op(&r, op); }
    else {
        op->kind = K_RESET;
        op->word = chance(&r, 50) ? 0xd4000002 : 0xd4000003;               /* HVC/SMC SYSTEM_RESET(2) */
        static const unsigned long resets[] = { 0x84000009, 0x84000012, 0xc4000012 };
        op->ctx.x[0] = resets[below(&r, 3)];
        op->ctx.x[1] = 0;                                                   /* SYSTEM_RESET2: SYSTEM_WARM_RESET */
    }
}
