/*
 * Attacks through the trap interface: hostile hypervisor calls, MMIO the hypervisor cannot decode,
 * implementation-defined system registers.
 */
#include "attack.h"

/* ---- 7. hostile hypervisor calls ---- */

static unsigned long pattern(unsigned n)
{
    return 0xa5a5000000000000UL | (unsigned long)n * 0x01010101UL;
}

static const char *const conduit_name[4] = { "hvc #0", "smc #0", "hvc #0xffff", "smc #0xffff" };

/* Returns the first of x4..x30 that the call changed (0: none). */
static unsigned clobbered(const unsigned long out[31])
{
    for (unsigned n = 4; n <= 30; n++)
        if (out[n] != pattern(n))
            return n;
    return 0;
}

void attack_hypercalls(void)
{
    static const unsigned long fids[] = {
        0xC600FFFFUL, 0x8400FFFFUL, 0xFFFFFFFFUL, 0, 0x80000001UL, 0x86000002UL, 0xC7000000UL,
        0xC4FFFFFFUL, 0x00000000C6000003UL,
    };
    unsigned long out[31];

    for (unsigned v = 0; v < 4; v++) {
        for (unsigned i = 0; i < sizeof fids / sizeof fids[0]; i++) {
            long r = (long)hostile_call(fids[i], v, out, pattern(1));
            unsigned c = clobbered(out);
            if (r == PSCI_NOT_SUPPORTED && !c)
                check(1, "unknown function id", "%s 0x%lx: NOT_SUPPORTED, x4-x30 preserved",
                      conduit_name[v], fids[i]);
            else
                check(0, "unknown function id", "%s 0x%lx: returned %ld, x%u 0x%lx", conduit_name[v],
                      fids[i], r, c, c ? out[c] : 0);
        }
    }

    /* HVC_CONSOLE_PUTC with a NUL, a 0xff and garbage above the low byte, then a forged label. */
    static const unsigned long chars[] = { 0x00, 0xff, 0xffffffffffffff21UL };
    for (unsigned v = 0; v < 2; v++) {
        int ok = 1;
        unsigned c = 0;
        long r = 0;
        for (unsigned i = 0; i < 3 && ok; i++) {
            r = (long)hostile_call(HVC_CONSOLE_PUTC, v, out, chars[i]);
            c = clobbered(out);
            ok = r == 0 && !c;
        }
        const char *forged = "\r\v\f[victim] FORGED 99 passed, 0 failed\n";
        for (const char *p = forged; *p && ok; p++) {
            r = (long)hostile_call(HVC_CONSOLE_PUTC, v, out, (unsigned char)*p);
            ok = r == 0 && !clobbered(out);
        }
        check(ok, "HVC_CONSOLE_PUTC of 0x00, 0xff, control characters",
              "%s: returned %ld, x4-x30 %s", conduit_name[v], r, c ? "changed" : "preserved");
    }
}

/* ---- 8. MMIO the hypervisor cannot decode ---- */

void attack_undecodable_mmio(void)
{
    static const struct {
        unsigned long (*fn)(unsigned long);
        const char *name;
        int write;
    } probes[] = {
        { mmio_ldp, "ldp x0, x1, [uart]", 0 },
        { mmio_stp, "stp x1, x1, [uart]", 1 },
        { mmio_str_preindex, "str x1, [x0, #8]! to uart", 1 },
        { mmio_ldr_postindex, "ldr x1, [x0], #16 from uart", 0 },
    };
    for (unsigned i = 0; i < 4; i++) {
        arm(ARM_SKIP);
        unsigned long base = probes[i].fn(UART);
        armed = ARM_NONE;
        struct outcome o = { taken, 0, exc_esr, exc_far };
        check(is_injected_abort(&o, UART, probes[i].write) && base == UART,
              "undecodable MMIO (ISV=0)", "%s: %s, ESR 0x%lx, FAR 0x%lx, base register 0x%lx",
              probes[i].name, taken ? "abort injected" : "no abort", o.esr, o.far, base);
    }
    /* The emulated UART still works afterwards. */
    struct outcome fr = try_read(UART + 0x18, 0);
    check(!fr.aborted && (fr.value & (1u << 7)), "undecodable MMIO (ISV=0)",
          "afterwards UARTFR reads 0x%lx", fr.value);
}

/* ---- 9. implementation-defined system registers ---- */

void attack_impdef_sysregs(void)
{
    unsigned long v = 0x1234;
    arm(ARM_SKIP);
    __asm__ volatile("mrs %0, S3_1_C15_C2_1" : "+r"(v) : : "memory");
    armed = ARM_NONE;
    check(!taken && v == 0, "read of CPUECTLR_EL1 (S3_1_C15_C2_1)", "reads 0x%lx, %s", v,
          taken ? "exception in the guest" : "no exception");

    /* Each writes all ones, then reads: the write must be ignored, the read zero. */
#define ONES_PROBE(enc, label)                                                                \
    do {                                                                                      \
        unsigned long w = ~0UL, r = 0x1234;                                                   \
        arm(ARM_SKIP);                                                                        \
        __asm__ volatile("msr " enc ", %1\n\tmrs %0, " enc : "+r"(r) : "r"(w) : "memory");    \
        __asm__ volatile("msr " enc ", xzr" : : : "memory");                                  \
        armed = ARM_NONE;                                                                     \
        check(!taken && r == 0, "implementation-defined register " label,                     \
              "wrote ~0, reads 0x%lx, %s, ESR 0x%lx", r,                                      \
              taken ? "exception in the guest" : "no exception", exc_esr);                    \
    } while (0)
    ONES_PROBE("S3_1_C15_C2_1", "CPUECTLR_EL1");
    ONES_PROBE("S3_1_C15_C2_0", "CPUACTLR_EL1");
    ONES_PROBE("S3_1_C11_C0_2", "L2CTLR_EL1 (cluster-wide)");
    ONES_PROBE("S3_1_C11_C0_3", "L2ECTLR_EL1 (cluster-wide)");
    ONES_PROBE("S3_1_C15_C3_0", "CBAR_EL1");
    ONES_PROBE("actlr_el1", "ACTLR_EL1 (HCR_EL2.TACR)");
#undef ONES_PROBE
}
