/*
 * The fuzzer's victim (tests/fuzz.test.ts): a two-vCPU VM beside guests/fuzz that must not
 * notice it. vCPU 0 keeps a heartbeat on its virtual timer (PPI 27, a beat every 1 ms of the
 * virtual counter) and times how late each beat is; at each beat it makes a hypercall and pings
 * vCPU 1 with an SGI, which answers with one (a ping is sent only when the last was answered, so
 * no SGI can merge with another); every word of its RAM but its image holds a canary, checked
 * at the end. Bootargs "beats=N after=M": the longest run; it ends sooner once the fuzzer has written
 * DONE_MAGIC into the page they share, and "after=M" beats more (500; the fuzzer's own word: it
 * writes it after its last op, so the victim outlives it, its power-off included; nothing else of
 * the victim depends on it). "watch=V" (tests/health.test.ts): it ends the same way once VM V is off,
 * as HVC_HEALTH says (its config must give it the health view), and needs no page shared with the
 * fuzzer. It reports
 *   victim: <why it ended> after beats N worst-late U us, pings P answered A, hvc-bad H, unexpected-irq I, canary-bad C of W words
 * and checks each, and that its SPI (48) is configured as it left it, then powers off.
 *
 * Built by guests/baremetal/build.sh with the bare-metal guest's support files.
 */
#include "arch.h"
#include "check.h"
#include "fdt.h"
#include "gic.h"
#include "psci.h"
#include "uart.h"
#include "fuzz.h"

extern char _text[], _end[];

#define SGI_PING    1
#define SGI_PONG    2
#define HVC_VM_INFO 0xC6000001UL
#define HVC_HEALTH  0xC6000003UL
#define HEALTH_OFF  2

static unsigned long period, deadline;
static volatile unsigned long beats, worst_late, pings, pings_got, pongs, hvc_bad, unexpected, last_unexpected;
static volatile int ping_outstanding, vcpu1_ready, done;

static unsigned long now(void)
{
    isb();
    return read_sysreg(cntvct_el0);
}

static unsigned long canary(unsigned long addr)
{
    return (addr * 0x9e3779b97f4a7c15UL) ^ 0xc0ffee5a5a5a5a5aUL;
}

/* HVC_VM_INFO must name this vCPU of a two-vCPU VM. */
static void hvc_check(unsigned long vcpu)
{
    register unsigned long x0 __asm__("x0") = HVC_VM_INFO, x2 __asm__("x2"), x3 __asm__("x3");
    __asm__ volatile("hvc #0" : "+r"(x0), "=r"(x2), "=r"(x3) :: "x1", "memory");
    if (x0 != 0 || x2 != vcpu || x3 != 2)
        hvc_bad++;
}

static void beat(void)
{
    unsigned long late = now() - deadline;
    if (late > worst_late)
        worst_late = late;
    beats++;
    deadline += period;
    write_sysreg(cntv_cval_el0, deadline);
    hvc_check(0);
    if (!ping_outstanding) {
        ping_outstanding = 1;
        pings++;
        gic_send_sgi(SGI_PING, 1);
    }
}

void exception_handler(unsigned long index, unsigned long *frame)
{
    (void)frame;
    if (index != 5) {
        check(0, "victim exception", "vector %lu ESR 0x%lx ELR 0x%lx FAR 0x%lx", index,
              read_sysreg(esr_el1), read_sysreg(elr_el1), read_sysreg(far_el1));
        finish();
    }
    unsigned intid = gic_ack();
    if (intid >= 1020)
        return;
    unsigned cpu = read_sysreg(mpidr_el1) & 0xff;
    if (cpu == 0 && intid == VTIMER_INTID) {
        beat();
    } else if (cpu == 0 && intid == SGI_PONG) {
        pongs++;
        ping_outstanding = 0;
    } else if (cpu == 1 && intid == SGI_PING && done) {
        /* the wake-up to power off */
    } else if (cpu == 1 && intid == SGI_PING) {
        pings_got++;
        hvc_check(1);
        gic_send_sgi(SGI_PONG, 0);
    } else {
        unexpected++;
        last_unexpected = cpu << 16 | intid;
    }
    gic_eoi(intid);
}

void secondary_main(unsigned long context)
{
    (void)context;
    gic_init_cpu();
    gic_enable(SGI_PING);
    irq_unmask();
    vcpu1_ready = 1;
    while (!done)
        __asm__ volatile("wfi");
    irq_mask();
    hvc_call(PSCI_CPU_OFF, 0, 0, 0);
}

/* Every 8-byte word of RAM outside the image (the device tree is read by then). */
static unsigned long canary_pass(unsigned long base, unsigned long size, int fill, unsigned long *first_bad)
{
    unsigned long bad = 0;
    for (unsigned long a = base; a < base + size; a += 8) {
        if (a >= (unsigned long)_text && a < (unsigned long)_end)
            continue;
        volatile unsigned long *p = (volatile unsigned long *)a;
        if (fill) {
            *p = canary(a);
        } else if (*p != canary(a)) {
            if (!bad++)
                *first_bad = a;
        }
    }
    return bad;
}

/* The number after "<name>=" in the bootargs, or `dflt`. */
static unsigned long parse_arg(const char *args, const char *name, unsigned long dflt)
{
    for (const char *s = args; s && *s; s++) {
        const char *p = s, *q = name;
        if (s != args && s[-1] != ' ')
            continue;
        while (*q && *p == *q)
            p++, q++;
        if (*q || *p != '=')
            continue;
        unsigned long n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++)
            n = n * 10 + (unsigned long)(*p - '0');
        return n;
    }
    return dflt;
}

/* VM `vm`'s health, as HVC_HEALTH says: its state, restarts and the cause of its last stop. */
static unsigned long watched_restarts, watched_cause;

static int vm_off(unsigned long vm)
{
    register unsigned long x0 __asm__("x0") = HVC_HEALTH, x1 __asm__("x1") = vm, x2 __asm__("x2"), x3 __asm__("x3");
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "=r"(x2), "=r"(x3) :: "memory");
    watched_restarts = x2;
    watched_cause = x3;
    return x0 == 0 && x1 == HEALTH_OFF;
}

/* The victim's SPI (board/<board>/configs/fuzz.ts, the first its device tree passes through: 48 on
 * virt, 60 on the RPi4): configured at the start, read back at the end. The fuzzer aims its GIC
 * traffic at it (both are among its favourites). */
static unsigned victim_spi;

static void spi_setup(void)
{
    gicd_write8(0x400 + victim_spi, 0xa0);                          /* IPRIORITYR */
    if (gic_version() == 3) {
        gicd_write(0x80 + 4 * (victim_spi / 32), gicd_read(0x80 + 4 * (victim_spi / 32)) | 1u << (victim_spi % 32));
        gicd_write(0x6000 + 8 * victim_spi, 1);                     /* IROUTER: vCPU 1 */
    } else {
        gicd_write8(0x800 + victim_spi, 2);                         /* ITARGETSR: vCPU 1 */
    }
    gicd_write(0x100 + 4 * (victim_spi / 32), 1u << (victim_spi % 32));  /* ISENABLER */
}

/* Whether the SPI is as spi_setup() left it. */
static int spi_intact(void)
{
    unsigned target = gic_version() == 3 ? gicd_read(0x6000 + 8 * victim_spi) : gicd_read8(0x800 + victim_spi);
    return gicd_read8(0x400 + victim_spi) == 0xa0 && target == (gic_version() == 3 ? 1u : 2u) &&
           (gicd_read(0x100 + 4 * (victim_spi / 32)) >> (victim_spi % 32) & 1);
}

static unsigned long to_us(unsigned long ticks)
{
    return ticks * 1000000UL / read_sysreg(cntfrq_el0);
}

int main(void *dtb)
{
    static struct dt_info dt;
    if (fdt_parse(dtb, &dt) != 0 || !gic_setup(&dt) || dt.ncpus != 2 || dt.npassthrough < 1) {
        check(0, "victim device tree", "memory, GIC, two CPUs and an SPI expected");
        finish();
    }
    victim_spi = dt.passthrough[0];
    unsigned long target = parse_arg(dt.bootargs, "beats", 1000), after = parse_arg(dt.bootargs, "after", 500);
    unsigned long watch = parse_arg(dt.bootargs, "watch", ~0UL);
    unsigned long first_bad = 0, words = 0;
    canary_pass(dt.mem_base, dt.mem_size, 1, &first_bad);
    words = (dt.mem_size - ((unsigned long)_end - (unsigned long)_text)) / 8;
    printf("victim-start %lu beats of 1 ms, canary over %lu words\n", target, words);

    if (hvc_call(PSCI_CPU_ON_64, 1, (unsigned long)secondary_entry, 1) != PSCI_SUCCESS) {
        check(0, "victim vCPU 1 on", "CPU_ON failed");
        finish();
    }
    while (!vcpu1_ready)
        ;
    gic_init_cpu();
    spi_setup();
    gic_enable(VTIMER_INTID);
    gic_enable(SGI_PONG);
    period = read_sysreg(cntfrq_el0) / 1000;
    deadline = now() + period;
    write_sysreg(cntv_cval_el0, deadline);
    write_sysreg(cntv_ctl_el0, 1);
    irq_unmask();
    /* After the fuzzer's last word, `after` beats more: its power-off (and the hypervisor's work
     * for it) happens while the heartbeat still runs. */
    unsigned long end = target;
    while (beats < end) {
        if (end == target && (watch != ~0UL ? vm_off(watch) : *(volatile unsigned long *)DONE_PAGE == DONE_MAGIC))
            end = beats + after < target ? beats + after : target;
        __asm__ volatile("wfi");
        if (hvc_call(0xC6000000UL, 0, 0, 0) != 0)   /* HVC_NULL */
            hvc_bad++;
    }
    write_sysreg(cntv_ctl_el0, 0);
    for (unsigned long t = now(); ping_outstanding && now() - t < 100 * period; )
        ;   /* the last ping's answer: 100 ms at most */
    irq_mask();
    done = 1;
    dsb();
    while (hvc_call(PSCI_AFFINITY_INFO_64, 1, 0, 0) != 1)
        gic_send_sgi(SGI_PING, 1);  /* wakes vCPU 1 from WFI to see `done` */
    unsigned long bad = canary_pass(dt.mem_base, dt.mem_size, 0, &first_bad);

    printf("victim: %s after beats %lu worst-late %lu us, pings %lu answered %lu, hvc-bad %lu, unexpected-irq %lu, canary-bad %lu of %lu words\n",
           end < target ? (watch != ~0UL ? "watched VM off" : "fuzzer done") : "all beats", beats, to_us(worst_late), pings, pongs, hvc_bad, unexpected, bad, words);
    if (watch != ~0UL)
        printf("victim: VM %lu's health: off after %lu restarts, last cause %lu\n", watch, watched_restarts, watched_cause);
    check(pings == pongs && pings == pings_got, "victim SGIs", "%lu pings, %lu received, %lu answered", pings, pings_got, pongs);
    check(hvc_bad == 0, "victim hypercalls", "%lu wrong answers", hvc_bad);
    check(unexpected == 0, "victim interrupts", "%lu unexpected, last cpu %lu INTID %lu", unexpected,
          last_unexpected >> 16, last_unexpected & 0xffff);
    check(spi_intact(), "victim SPI", "INTID %u: priority, target and enable as it set them", victim_spi);
    check(bad == 0, "victim canaries", "%lu of %lu words changed, first at 0x%lx", bad, words, first_bad);
    finish();
}
