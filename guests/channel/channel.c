/* See channel.h. */
#include "channel.h"

#define REG_INTR_STATUS 1
#define REG_IV_POSITION 2
#define REG_DOORBELL    3
#define REG_PEERS       4
#define REG_ACCESS      5
#define REG_INTERRUPT   6

#define PCI_ID          0x00
#define PCI_COMMAND     0x04
#define PCI_BAR0        0x10
#define PCI_BAR2        0x18
#define IVSHMEM_ID      0x11101af4u
#define COMMAND_MEMORY  (1u << 1)

static volatile uint32_t *config(unsigned long ecam, unsigned slot, unsigned reg)
{
    return (volatile uint32_t *)(ecam + ((unsigned long)slot << 15) + reg);
}

/* A BAR's size: write all ones, read back the mask (the BAR keeps its address: Bulkhead's do not move). */
static unsigned long bar_size(volatile uint32_t *bar)
{
    uint32_t at = *bar;
    *bar = 0xffffffffu;
    uint32_t mask = *bar & ~0xfu;
    *bar = at;
    return (unsigned long)(~mask + 1u);
}

int chan_open(struct chan *c, unsigned long ecam, unsigned slot)
{
    if (slot >= 32 || *config(ecam, slot, PCI_ID) != IVSHMEM_ID)
        return -1;
    volatile uint32_t *bar0 = config(ecam, slot, PCI_BAR0), *bar2 = config(ecam, slot, PCI_BAR2);
    c->regs = (volatile uint32_t *)(unsigned long)(*bar0 & ~0xfu);
    c->mem = (volatile void *)(unsigned long)(*bar2 & ~0xfu);
    c->size = bar_size(bar2);
    *config(ecam, slot, PCI_COMMAND) |= COMMAND_MEMORY;
    c->peer = c->regs[REG_IV_POSITION];
    c->peers = c->regs[REG_PEERS];
    c->read_only = c->regs[REG_ACCESS] & 1;
    c->intid = c->regs[REG_INTERRUPT];
    c->events = 0;
    return 0;
}

void chan_ring(struct chan *c, unsigned peer)
{
    __asm__ volatile("dmb sy" ::: "memory");   /* what was written before, before the peer wakes */
    c->regs[REG_DOORBELL] = peer << 16;
}

void chan_irq(struct chan *c)
{
    if (c->regs[REG_INTR_STATUS])
        c->events++;
}

unsigned chan_wait(struct chan *c, unsigned seen, unsigned long deadline)
{
    for (;;) {
        /* Masked while checking, so that a doorbell between the check and the WFI still wakes it. */
        __asm__ volatile("msr daifset, #2" ::: "memory");
        unsigned now = c->events;
        unsigned long t;
        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
        if (now != seen || (deadline && t >= deadline)) {
            __asm__ volatile("msr daifclr, #2" ::: "memory");
            return now;
        }
        __asm__ volatile("wfi");
        __asm__ volatile("msr daifclr, #2; isb" ::: "memory");
    }
}
