/* The hypervisor's register frames for a trapped load or store, seen from the guest (frames.S): a
 * 32-bit load of GICD_TYPER into each general register, and a store of each to it (read-only: the
 * write is ignored), leave every other register as it was — x0-x18 and x30, which a data abort's
 * light frame holds (src/el2/vectors.S dabt_entry), x19-x29, which take it to the whole frame, and
 * WZR — and the load's value in its own register alone, zero-extended. Natively as well. */
#include "frames.h"
#include "check.h"
#include "gic.h"

#define PATTERN(r) (0xa5a5000000000000UL | (unsigned long)(r))

typedef void (*probe)(unsigned long addr, unsigned long *out);
#define PROBES(op) \
    extern void frame_##op##_0(unsigned long, unsigned long *), frame_##op##_1(unsigned long, unsigned long *), \
        frame_##op##_2(unsigned long, unsigned long *), frame_##op##_3(unsigned long, unsigned long *), \
        frame_##op##_4(unsigned long, unsigned long *), frame_##op##_5(unsigned long, unsigned long *), \
        frame_##op##_6(unsigned long, unsigned long *), frame_##op##_7(unsigned long, unsigned long *), \
        frame_##op##_8(unsigned long, unsigned long *), frame_##op##_9(unsigned long, unsigned long *), \
        frame_##op##_10(unsigned long, unsigned long *), frame_##op##_11(unsigned long, unsigned long *), \
        frame_##op##_12(unsigned long, unsigned long *), frame_##op##_13(unsigned long, unsigned long *), \
        frame_##op##_14(unsigned long, unsigned long *), frame_##op##_15(unsigned long, unsigned long *), \
        frame_##op##_16(unsigned long, unsigned long *), frame_##op##_17(unsigned long, unsigned long *), \
        frame_##op##_18(unsigned long, unsigned long *), frame_##op##_19(unsigned long, unsigned long *), \
        frame_##op##_20(unsigned long, unsigned long *), frame_##op##_21(unsigned long, unsigned long *), \
        frame_##op##_22(unsigned long, unsigned long *), frame_##op##_23(unsigned long, unsigned long *), \
        frame_##op##_24(unsigned long, unsigned long *), frame_##op##_25(unsigned long, unsigned long *), \
        frame_##op##_26(unsigned long, unsigned long *), frame_##op##_27(unsigned long, unsigned long *), \
        frame_##op##_28(unsigned long, unsigned long *), frame_##op##_29(unsigned long, unsigned long *), \
        frame_##op##_30(unsigned long, unsigned long *), frame_##op##_31(unsigned long, unsigned long *); \
    static const probe op##_probes[32] = { \
        frame_##op##_0, frame_##op##_1, frame_##op##_2, frame_##op##_3, frame_##op##_4, frame_##op##_5, \
        frame_##op##_6, frame_##op##_7, frame_##op##_8, frame_##op##_9, frame_##op##_10, frame_##op##_11, \
        frame_##op##_12, frame_##op##_13, frame_##op##_14, frame_##op##_15, frame_##op##_16, frame_##op##_17, \
        frame_##op##_18, frame_##op##_19, frame_##op##_20, frame_##op##_21, frame_##op##_22, frame_##op##_23, \
        frame_##op##_24, frame_##op##_25, frame_##op##_26, frame_##op##_27, frame_##op##_28, frame_##op##_29, \
        frame_##op##_30, frame_##op##_31, \
    }
PROBES(ldr);
PROBES(str);

/* Runs the probe of register `n` on `addr`; 0 if every register is as expected (the loaded register:
 * `loaded`, for a load), else 1 with the first difference in *reg, *got, *want. */
static int run(probe p, unsigned n, unsigned long addr, int load, unsigned loaded,
               unsigned *reg, unsigned long *got, unsigned long *want)
{
    unsigned long out[31];
    unsigned base = n == 16 ? 17 : 16;
    p(addr, out);
    for (unsigned r = 0; r < 31; r++) {
        unsigned long w = r == base ? addr : load && r == n ? loaded : PATTERN(r);
        if (out[r] != w) {
            *reg = r;
            *got = out[r];
            *want = w;
            return 1;
        }
    }
    return 0;
}

void check_trap_frames(void)
{
    if (!gic_version()) {
        check_skip("trap frames (no GIC in the device tree)");
        return;
    }
    unsigned long typer = gicd_base() + 4;
    unsigned value = gicd_read(4);
    for (int load = 1; load >= 0; load--) {
        unsigned bad = 0, first = 0, reg = 0;
        unsigned long got = 0, want = 0;
        for (unsigned n = 0; n < 32; n++) {
            unsigned r;
            unsigned long g, w;
            if (run(load ? ldr_probes[n] : str_probes[n], n, typer, load, value, &r, &g, &w) && bad++ == 0) {
                first = n;
                reg = r;
                got = g;
                want = w;
            }
        }
        check(bad == 0 && gicd_read(4) == value,
              load ? "a GICD_TYPER load into each of W0-W30, WZR changes that register alone"
                   : "a store of each of W0-W30, WZR to read-only GICD_TYPER changes no register",
              "%u of 32 differ; the first: W%u's, x%u 0x%lx, expected 0x%lx; GICD_TYPER 0x%x",
              bad, first, reg, got, want, gicd_read(4));
    }
}
