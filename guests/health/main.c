/*
 * The health-policy test guest (tests/health.test.ts): a VM that fails, so that the hypervisor
 * notices and restarts it (or powers it off, by its policy). Its boot count and the time of its
 * last pet live in a page it shares with its neighbour (SHARED_PAGE), since a restart scrubs its
 * RAM. Bootargs "mode=M":
 *   hang   boot 1 pets its watchdog (arm,sp805) a few times, then masks interrupts and spins;
 *          boot 2 says how long after the last pet it started again, checks the SP805's
 *          registers, and powers off.
 *   crash  every boot fails at once: odd boots spin with interrupts masked (the watchdog catches
 *          it), even ones take an exception with VBAR_EL1 0, whose vector is not its memory (the
 *          hypervisor sees the fetch fault at the vector it would enter: wedged). Its policy
 *          powers it off in the end.
 * Each boot prints "health: boot N ...".
 *
 * Built by guests/baremetal/build.sh with the bare-metal guest's support files.
 */
#include "arch.h"
#include "check.h"
#include "fdt.h"
#include "psci.h"
#include "uart.h"

#define SHARED_PAGE 0x50000000UL    /* board/<board>/configs/health*.ts: shared "marker" */
#define MAGIC       0x6874006c61656868UL

struct shared {
    unsigned long magic, boots, last_pet;
};

/* SP805 registers (ARM DDI 0270B 3.2). */
#define WDOG_LOAD       0x000
#define WDOG_VALUE      0x004
#define WDOG_CONTROL    0x008
#define WDOG_INTCLR     0x00c
#define WDOG_LOCK       0xc00
#define WDOG_UNLOCK     0x1acce551U

static unsigned long wdog;

static unsigned wd_read(unsigned off) { return *(volatile unsigned *)(wdog + off); }
static void wd_write(unsigned off, unsigned v) { *(volatile unsigned *)(wdog + off) = v; }

static unsigned long now(void)
{
    isb();
    return read_sysreg(cntpct_el0);
}

static unsigned long to_us(unsigned long ticks)
{
    return ticks / (read_sysreg(cntfrq_el0) / 1000000UL);
}

void exception_handler(unsigned long index, unsigned long *frame)
{
    (void)frame;
    check(0, "health exception", "vector %lu ESR 0x%lx ELR 0x%lx", index, read_sysreg(esr_el1), read_sysreg(elr_el1));
    finish();
}

void secondary_main(unsigned long context) { (void)context; }

static void __attribute__((noreturn)) spin_masked(void)
{
    __asm__ volatile("msr daifset, #0xf" ::: "memory");
    for (;;)
        __asm__ volatile("" ::: "memory");
}

static void __attribute__((noreturn)) wedge(void)
{
    write_sysreg(vbar_el1, 0);
    isb();
    __asm__ volatile("udf #0");
    for (;;)
        ;
}

/* The SP805 as the hypervisor emulates it: its identity, its lock, a running watchdog that cannot be stopped or lengthened. */
static void check_sp805(void)
{
    unsigned id = wd_read(0xfe0) | wd_read(0xfe4) << 8 | wd_read(0xfe8) << 16 | wd_read(0xfec) << 24;
    unsigned cell = wd_read(0xff0) | wd_read(0xff4) << 8 | wd_read(0xff8) << 16 | wd_read(0xffc) << 24;
    check(id == 0x00141805 && cell == 0xb105f00d, "sp805 identification registers", "PeriphID 0x%x PCellID 0x%x", id, cell);
    unsigned load = wd_read(WDOG_LOAD);
    wd_write(WDOG_LOCK, 0);
    wd_write(WDOG_LOAD, load / 2);
    unsigned locked = wd_read(WDOG_LOCK), after = wd_read(WDOG_LOAD);
    wd_write(WDOG_LOCK, WDOG_UNLOCK);
    check(locked == 1 && after == load && wd_read(WDOG_LOCK) == 0, "sp805 lock", "locked %u, LOAD 0x%x after a locked write of 0x%x", locked, after, load / 2);
    wd_write(WDOG_LOAD, 0xffffffffU);
    check(wd_read(WDOG_LOAD) == load, "sp805 LOAD cannot exceed the config's timeout", "0x%x, at most 0x%x", wd_read(WDOG_LOAD), load);
    wd_write(WDOG_CONTROL, 0);
    check((wd_read(WDOG_CONTROL) & 3) == 3, "sp805 cannot be stopped once running", "WdogControl 0x%x", wd_read(WDOG_CONTROL));
    unsigned v1 = wd_read(WDOG_VALUE);
    for (unsigned long t = now(); now() - t < read_sysreg(cntfrq_el0) / 1000; )
        ;
    unsigned v2 = wd_read(WDOG_VALUE);
    check(v2 < v1 && v1 <= load, "sp805 counts down", "WdogValue 0x%x then 0x%x, LOAD 0x%x", v1, v2, load);
}

int main(void *dtb)
{
    unsigned long entered = now();
    static struct dt_info dt;
    volatile struct shared *sh = (volatile struct shared *)SHARED_PAGE;
    if (fdt_parse(dtb, &dt) != 0 || !dt.wdog_base) {
        check(0, "health device tree", "memory and an arm,sp805 node expected");
        finish();
    }
    wdog = dt.wdog_base;
    if (sh->magic != MAGIC) {
        sh->magic = MAGIC;
        sh->boots = 0;
        sh->last_pet = 0;
    }
    unsigned long boot = ++sh->boots;
    dsb();
    unsigned long timeout_ms = 2 * ((unsigned long)wd_read(WDOG_LOAD) + 1) / 1000;  /* 1 MHz WDOGCLK */

    if (bootargs_have(dt.bootargs, "mode=crash")) {
        printf("health: boot %lu, %s\n", boot, boot % 2 ? "spinning with interrupts masked" : "taking an exception with no vector");
        if (boot % 2)
            spin_masked();
        wedge();
    }
    if (boot == 1) {
        /* Four pets, a quarter of the timeout apart: the watchdog must not fire meanwhile. */
        for (int i = 0; i < 4; i++) {
            for (unsigned long t = now(); now() - t < read_sysreg(cntfrq_el0) / 4000 * timeout_ms; )
                ;
            wd_write(WDOG_INTCLR, 1);
            sh->last_pet = now();
        }
        dsb();
        printf("health: boot 1, 4 pets, then spinning with interrupts masked (timeout %lu ms)\n", timeout_ms);
        spin_masked();
    }
    unsigned long since = to_us(entered - sh->last_pet);
    printf("health: boot %lu, started %lu us after the last pet (timeout %lu ms)\n", boot, since, timeout_ms);
    check(since >= timeout_ms * 1000, "the watchdog did not fire before its timeout", "%lu us after the last pet", since);
    check_sp805();
    /* HVC_HEALTH: only a VM whose config gives it the view may read another's health. */
    long r = hvc_call(0xC6000003UL, 0, 0, 0);
    check(r == PSCI_NOT_SUPPORTED, "no health view without the config's leave", "HVC_HEALTH returned %ld", r);
    finish();
}
