/*
 * Console-input guest (tests/console-input.test.ts), two roles from one source:
 *
 * - The echo (default build, "echo"): takes its emulated PL011's receive interrupts (the SPI its
 *   device tree names, through the virtual GIC) and prints each line it receives as
 *   `echo: got <line>`; the line `off` powers the VM off.
 * - The deaf one (-DDEAF, "echo-deaf"): first tries to silence the UART's interrupt for everyone
 *   through its own, which has the board UART's INTID (disables, clears, reconfigures, lowers and
 *   reroutes it in its virtual distributor: the other VMs must go on receiving); then takes no
 *   interrupt and reads nothing until its receive FIFO reports full (UARTFR.RXFF), waits a second
 *   more (whatever else arrives is the hypervisor's to drop), reads everything and says how much it
 *   got: the hypervisor's FIFO bound, as a guest sees it. Then it powers off.
 *
 * Built by guests/baremetal/build.sh with the bare-metal guest's support files.
 */
#include "arch.h"
#include "check.h"
#include "fdt.h"
#include "gic.h"
#include "psci.h"
#include "uart.h"

#define UARTDR      0x00
#define UARTFR      0x18
#define UARTLCR_H   0x2c
#define UARTIMSC    0x38
#define FR_RXFF     (1u << 6)
#define FR_RXFE     (1u << 4)
#define LCR_H_FEN   (1u << 4)
#define INT_RT_RX   ((1u << 6) | (1u << 4))

static volatile unsigned *reg(unsigned off)
{
    return (volatile unsigned *)(uart_base() + off);
}

void exception_handler(unsigned long index, unsigned long *frame)
{
    (void)frame;
    if (index == 5) {       /* IRQ, current EL with SP_ELx */
        gic_irq();
        return;
    }
    check(0, "unexpected exception", "vector %lu ESR 0x%lx ELR 0x%lx", index, read_sysreg(esr_el1),
          read_sysreg(elr_el1));
    finish();
}

void secondary_main(unsigned long context)
{
    (void)context;
}

#ifdef DEAF

#define GICD_ICENABLER(n)   (0x180 + 4 * ((n) / 32))
#define GICD_ICPENDR(n)     (0x280 + 4 * ((n) / 32))
#define GICD_ICACTIVER(n)   (0x380 + 4 * ((n) / 32))
#define GICD_ICFGR(n)       (0xc00 + 4 * ((n) / 16))
#define GICD_ITARGETSR      0x800
#define GICD_IROUTER        0x6000

int main(void *dtb)
{
    struct dt_info dt;

    uart_init(dtb);
    if (fdt_parse(dtb, &dt) == 0 && gic_setup(&dt) && dt.uart_intid) {
        unsigned n = dt.uart_intid, bit = 1u << (n % 32);
        gicd_write(GICD_ICENABLER(n), bit);
        gicd_write(GICD_ICPENDR(n), bit);
        gicd_write(GICD_ICACTIVER(n), bit);
        gicd_write(GICD_ICFGR(n), 0xaaaaaaaau);             /* every INTID of the word edge-triggered */
        gicd_write8(0x400 + n, 0xf8);                         /* the lowest priority */
        if (gic_version() == 3)
            *(volatile unsigned long *)(gicd_base() + GICD_IROUTER + 8 * n) = 3;  /* a vCPU it does not have */
        else
            gicd_write8(GICD_ITARGETSR + n, 0x08);
        printf("deaf: disabled, cleared, reconfigured and rerouted its UART's interrupt (INTID %u)\n", n);
    }
    printf("deaf: ready, reading nothing until the receive FIFO is full\n");
    /* Looks once a millisecond: a guest that polls its UART flat out costs only itself, but slows QEMU. */
    while (!(*reg(UARTFR) & FR_RXFF)) {
        unsigned long next = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 1000;
        while (read_sysreg(cntvct_el0) < next)
            __asm__ volatile("yield");
    }
    unsigned long end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0);
    while (read_sysreg(cntvct_el0) < end)
        ;
    unsigned n = 0;
    while (!(*reg(UARTFR) & FR_RXFE)) {
        (void)*reg(UARTDR);
        n++;
    }
    printf("deaf: read %u bytes\n", n);
    system_off();
}

#else

static char line[128];
static unsigned length;
static volatile int off, irqs;

/* The UART's interrupt: everything waiting is read (which lowers the line), lines are echoed. */
static void uart_irq(unsigned intid)
{
    (void)intid;
    irqs++;
    while (!(*reg(UARTFR) & FR_RXFE)) {
        char c = (char)(*reg(UARTDR) & 0xff);
        if (c != '\r' && c != '\n') {
            if (length < sizeof line - 1)
                line[length++] = c;
            continue;
        }
        line[length] = 0;
        printf("echo: got %s\n", line);
        if (length == 3 && line[0] == 'o' && line[1] == 'f' && line[2] == 'f')
            off = 1;
        length = 0;
    }
}

int main(void *dtb)
{
    struct dt_info dt;

    uart_init(dtb);
    if (fdt_parse(dtb, &dt) != 0 || !gic_setup(&dt) || !dt.uart_intid) {
        check(0, "device tree names a GIC and the UART's interrupt", "UART INTID %u", dt.uart_intid);
        finish();
    }
    gic_init_cpu();
    gic_set_hook(uart_irq);
    gic_enable(dt.uart_intid);
    *reg(UARTLCR_H) = *reg(UARTLCR_H) | LCR_H_FEN;
    *reg(UARTIMSC) = INT_RT_RX;
    printf("echo: ready (UART interrupt %u)\n", dt.uart_intid);
    irq_unmask();
    while (!off)
        __asm__ volatile("wfi");
    irq_mask();
    printf("echo: %d receive interrupts, powering off\n", irqs);
    system_off();
}

#endif
