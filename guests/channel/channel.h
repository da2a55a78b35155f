/*
 * A Bulkhead channel from a bare-metal guest or an RTOS (docs/config.md, Channels): no library
 * calls, no heap; copy channel.h, channel.c and ring.h into your tree.
 *
 * Each channel a VM is in is a PCI device on the VM's virtual host bridge: device `slot` on bus 0
 * of the ECAM window at 0x30000000 (the `pci` node of the VM's device tree), in the order the
 * config lists the channels. Its BAR0 holds the registers (IntrMask, IntrStatus, IVPosition,
 * Doorbell, Peers, Access, Interrupt: src/stage2/channel.ts), its BAR2 the shared memory.
 *
 *   struct chan c;
 *   chan_open(&c, 0x30000000, 0);        // slot 0: the VM's first channel
 *   // enable c.intid in your GIC, and call chan_irq(&c) from your handler for that INTID
 *   chan_ring(&c, peer);                 // a virtual interrupt arrives at the peer
 *   chan_wait(&c, seen, deadline);       // sleeps (WFI) until a peer rings, or the deadline
 *
 * The doorbell is a virtual SPI that only the hypervisor raises (no physical line is shared),
 * edge-triggered, once per rising edge of IntrStatus: doorbells rung before chan_irq reads
 * IntrStatus coalesce, so after a wake-up take everything there is (the rings are the truth).
 */
#ifndef BULKHEAD_CHANNEL_H
#define BULKHEAD_CHANNEL_H

#include <stdint.h>

/* Where Bulkhead puts a VM's PCI ECAM window (host/config/channels.ts). */
#define CHAN_ECAM 0x30000000UL

struct chan {
    volatile uint32_t *regs;    /* BAR0 */
    volatile void *mem;         /* BAR2 */
    unsigned long size;         /* bytes of memory */
    unsigned peer;              /* this VM's peer ID */
    unsigned peers;             /* member VMs */
    int read_only;              /* the memory may only be read (stage 2 refuses writes) */
    unsigned intid;             /* the doorbell's INTID in this VM's GIC */
    volatile unsigned events;   /* doorbells taken by chan_irq */
};

/* Finds the channel of PCI slot `slot` under `ecam`; 0 on success, -1 if there is none. */
int chan_open(struct chan *c, unsigned long ecam, unsigned slot);
/* Rings peer `peer`: its doorbell interrupt. */
void chan_ring(struct chan *c, unsigned peer);
/* From the interrupt handler of c->intid: acknowledges the doorbell (reads IntrStatus) and counts it. */
void chan_irq(struct chan *c);
/*
 * Waits until c->events differs from `seen` (a doorbell taken since), sleeping in WFI, or until the
 * virtual counter reaches `deadline` (0: no deadline; the caller's timer must wake the WFI then).
 * Returns c->events (== seen on timeout). Call with the doorbell's interrupt enabled.
 */
unsigned chan_wait(struct chan *c, unsigned seen, unsigned long deadline);

#endif
