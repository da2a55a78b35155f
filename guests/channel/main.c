/*
 * The channel guest (tests/channel.test.ts, and the control VM of the boards' default configs):
 * one bare-metal VM per role, the role from the kernel command line of its device tree:
 *
 * - `chan=producer` (the control VM): on its first channel (PCI slot 0) it waits for its peer's
 *   hello doorbell, then sends ROUNDS timestamped samples through ring A, ringing peer 1 after
 *   each, and waits (WFI) for each answer in ring B; it prints the round-trip times. On each
 *   further channel it writes a magic word, rings every peer, and waits for one to ring back.
 *   Then it streams STREAM samples through ring A as fast as the echo takes them, a doorbell
 *   per batch, and prints the throughput; each answer's delay from the doorbell to the echo's
 *   interrupt handler is printed too, as `bench:` lines (host/bench.ts: under -icount, one
 *   nanosecond of the virtual counter is one instruction).
 * - `chan=echo`: the other end of ring A/B (the Linux program guests/channel/linux-peer.c is
 *   the same for a Linux VM): says hello, then answers each sample with its own timestamp,
 *   taken in its interrupt handler; streamed samples it only takes.
 * - `chan=reader`: a member with read-only access ("ro"): waits for the magic word, reads it,
 *   tries to overwrite it (stage 2 must refuse: a data abort), and rings back.
 * - `chan=restarter` and `chan=steady` (tests/channel-restart.test.ts): a member that restarts
 *   itself (PSCI SYSTEM_RESET) mid-stream, and its peer, which must not notice but for the missing
 *   answer. The restarter answers BEFORE_RESET samples, then leaves its device as no boot does
 *   (INTx disabled, BAR0 being sized, an Interrupt Line, a doorbell latched) and restarts; on its
 *   second boot (its record in the channel's memory says so: a restart zeroes its RAM) it checks
 *   the device is as it found it on the first, says hello again, and echoes. The steady peer
 *   starts over on that hello, and checks every sample is answered and its own device untouched.
 *
 * Ring layout in the first channel's memory: ring A (samples) at 0, ring B (answers) at 4 KiB.
 * Built by guests/baremetal/build.sh with the bare-metal guest's support files.
 */
#include "arch.h"
#include "channel.h"
#include "check.h"
#include "fdt.h"
#include "gic.h"
#include "psci.h"
#include "ring.h"
#include "uart.h"

#define ROUNDS          64
#define RING_SLOTS      16
#define SAMPLE_WORDS    6       /* seq, flags, sent (2), the last round trip in ticks (2), for the peer to print */
#define ANSWER_WORDS    6       /* seq, flags, sent (2), seen by the peer (2) */
#define RING_B_OFFSET   0x1000
#define FLAG_LAST       1u
#define FLAG_STREAM     2u      /* taken, not answered */
#define STREAM          4096
#define MAGIC           0xb01dface
#define HELLO_SECONDS   600     /* a Linux peer boots first */
#define ANSWER_SECONDS  10
#define VTIMER_PPI      27
#define BEFORE_RESET    8       /* samples the restarter answers before it restarts */
#define AFTER_RESET     16      /* samples sent after the restart */
#define RESTART_SECONDS 30      /* the steady peer's wait for an answer or the restarter's second hello */
#define RECORD_OFFSET   0x2000  /* the restarter's record: RECORD_MAGIC, its boot, its first boot's device */
#define RECORD_MAGIC    0x5e5e7001u
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS_INTERRUPT    (1u << 19)      /* in the Command/Status dword */

static struct chan chans[2];
static int nchans;
/* The virtual counter when the last doorbell interrupt was taken (the echo's timestamps). */
static volatile unsigned long irq_at;
static volatile int expect_abort, abort_taken;
/* Doorbell interrupts taken, whether or not IntrStatus was set (chans[i].events counts those that found it set). */
static volatile unsigned doorbell_irqs;
/* The first channel's config space (Command/Status, BAR0, BAR2, Interrupt Line/Pin) as this boot found it. */
static uint32_t found[4];
static const unsigned found_at[4] = { 0x04, 0x10, 0x18, 0x3c };

static unsigned long counter(void)
{
    isb();
    return read_sysreg(cntvct_el0);
}

static unsigned long ns(unsigned long ticks)
{
    return ticks * 1000000000UL / read_sysreg(cntfrq_el0);
}

/* Whether `word` is one of the space-separated words of `s`. */
static int str_has(const char *s, const char *word)
{
    for (const char *p = s; *p; p++) {
        if (p != s && p[-1] != ' ')
            continue;
        const char *a = p, *b = word;
        while (*b && *a == *b)
            a++, b++;
        if (!*b && (!*a || *a == ' '))
            return 1;
    }
    return 0;
}

/* The virtual timer wakes chan_wait at its deadline. */
static unsigned long deadline_in(unsigned long seconds)
{
    unsigned long at = counter() + seconds * read_sysreg(cntfrq_el0);
    write_sysreg(cntv_cval_el0, at);
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    return at;
}

static void irq(unsigned intid)
{
    if (intid == VTIMER_PPI) {
        write_sysreg(cntv_ctl_el0, 3);      /* IMASK: the deadline has passed, chan_wait sees it */
        return;
    }
    irq_at = counter();
    for (int i = 0; i < nchans; i++)
        if (intid == chans[i].intid) {
            doorbell_irqs++;
            chan_irq(&chans[i]);
        }
}

void exception_handler(unsigned long index, unsigned long *frame)
{
    unsigned long esr = read_sysreg(esr_el1);
    (void)frame;
    if (index == 5) {
        gic_irq();
        return;
    }
    if (index == 4 && expect_abort && (esr >> 26 & 0x3f) == 0x25) {
        abort_taken = 1;
        expect_abort = 0;
        write_sysreg(elr_el1, read_sysreg(elr_el1) + 4);
        return;
    }
    check(0, "unexpected exception", "vector %lu ESR 0x%lx ELR 0x%lx FAR 0x%lx",
          index, esr, read_sysreg(elr_el1), read_sysreg(far_el1));
    finish();
}

void secondary_main(unsigned long context)
{
    (void)context;
}

static void put64(uint32_t *w, unsigned long v)
{
    w[0] = (uint32_t)v;
    w[1] = (uint32_t)(v >> 32);
}

static unsigned long get64(const uint32_t *w)
{
    return (unsigned long)w[0] | (unsigned long)w[1] << 32;
}

static void stream(struct chan *c, struct chan_ring *a, unsigned seen);

/* Ring A (samples) at the start of the channel's memory, ring B (answers) RING_B_OFFSET into it. */
static void rings_of(struct chan *c, struct chan_ring *a, struct chan_ring *b)
{
    chan_ring_at(a, c->mem, RING_SLOTS, SAMPLE_WORDS);
    chan_ring_at(b, (volatile uint8_t *)c->mem + RING_B_OFFSET, RING_SLOTS, ANSWER_WORDS);
}

static void producer(struct chan *c)
{
    struct chan_ring a, b;
    rings_of(c, &a, &b);
    chan_ring_reset(&a);
    chan_ring_reset(&b);
    printf("# producer: waiting for peer 1's hello on slot 0 (peer %u of %u)\n", c->peer, c->peers);
    unsigned seen = chan_wait(c, 0, deadline_in(HELLO_SECONDS));
    check(seen != 0, "the peer says hello", "%u doorbells", seen);
    if (!seen)
        return;
    unsigned long min = ~0UL, max = 0, sum = 0, oneway = 0, rtt = 0;
    int answered = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        uint32_t s[SAMPLE_WORDS] = { i, 0 };
        unsigned long sent = counter();
        put64(s + 2, sent);
        put64(s + 4, rtt);
        chan_ring_put(&a, s);
        chan_ring(c, 1);
        uint32_t ans[ANSWER_WORDS];
        int got = 0;
        unsigned long deadline = deadline_in(ANSWER_SECONDS);
        while (!got) {
            while (chan_ring_get(&b, ans))
                got = got || ans[0] == i;
            if (got)
                break;
            unsigned now = chan_wait(c, seen, deadline);
            if (now == seen)
                break;
            seen = now;
        }
        if (!got)
            break;
        rtt = counter() - get64(ans + 2);
        oneway += get64(ans + 4) - get64(ans + 2);
        sum += rtt;
        min = rtt < min ? rtt : min;
        max = rtt > max ? rtt : max;
        answered++;
    }
    check(answered == ROUNDS, "every sample answered through the channel", "%d of %d", answered, ROUNDS);
    if (answered)
        printf("channel round trip: %d samples, min %lu avg %lu max %lu ns; to the peer avg %lu ns\n",
               answered, ns(min), ns(sum / answered), ns(max), ns(oneway / answered));
    if (answered == ROUNDS)
        stream(c, &a, seen);
}

/* STREAM samples, as fast as the peer takes them: a doorbell after each batch, a wait when the ring is full. */
static void stream(struct chan *c, struct chan_ring *a, unsigned seen)
{
    unsigned long start = counter(), deadline = deadline_in(ANSWER_SECONDS);
    unsigned sent = 0;
    while (sent < STREAM) {
        int put = 0;
        for (;;) {
            uint32_t s[SAMPLE_WORDS] = { ROUNDS + sent, FLAG_STREAM | (sent == STREAM - 1 ? FLAG_LAST : 0) };
            if (sent == STREAM || !chan_ring_put(a, s))
                break;
            sent++;
            put++;
        }
        if (put)
            chan_ring(c, 1);
        if (sent == STREAM)
            break;
        unsigned now = chan_wait(c, seen, deadline);
        if (now == seen)
            break;
        seen = now;
    }
    /* The last batch taken: the peer rings once more. */
    while (chan_ring_used(a)) {
        unsigned now = chan_wait(c, seen, deadline);
        if (now == seen)
            break;
        seen = now;
    }
    unsigned long t = counter() - start;
    int done = sent == STREAM && !chan_ring_used(a);
    check(done, "a stream of samples through the ring", "%u of %d sent, %u not taken", sent, STREAM, chan_ring_used(a));
    if (done)
        printf("bench: ring-mb-per-s %lu\nbench: ring-ns-per-sample %lu\n",
               (unsigned long)STREAM * SAMPLE_WORDS * 4 * 1000UL / (ns(t) ? ns(t) : 1), ns(t) / STREAM);
}

static void announce(struct chan *c)
{
    volatile uint32_t *word = (volatile uint32_t *)c->mem;
    *word = MAGIC;
    for (unsigned p = 0; p < c->peers; p++)
        if (p != c->peer)
            chan_ring(c, p);
    unsigned seen = chan_wait(c, 0, deadline_in(HELLO_SECONDS));
    check(seen != 0, "a reader rings back on the second channel", "%u doorbells", seen);
}

static void echo(struct chan *c)
{
    struct chan_ring a, b;
    rings_of(c, &a, &b);
    chan_ring(c, 0);                        /* hello */
    unsigned seen = 0, samples = 0, answered = 0;
    unsigned long latency = ~0UL;
    int last = 0;
    while (!last) {
        unsigned now = chan_wait(c, seen, deadline_in(HELLO_SECONDS));
        if (now == seen)
            break;
        seen = now;
        uint32_t s[SAMPLE_WORDS];
        while (chan_ring_get(&a, s)) {
            samples++;
            last = last || (s[1] & FLAG_LAST);
            if (s[1] & FLAG_STREAM)
                continue;
            /* From the producer's timestamp (just before it rang) to this VM's interrupt handler. */
            unsigned long d = irq_at - get64(s + 2);
            latency = d < latency ? d : latency;
            uint32_t ans[ANSWER_WORDS] = { s[0], s[1], s[2], s[3] };
            put64(ans + 4, irq_at);
            chan_ring_put(&b, ans);
            answered++;
        }
        chan_ring(c, 0);
    }
    check(last, "the producer's samples taken, to the last", "%u samples (%u answered), %u doorbells", samples, answered, seen);
    if (answered)
        printf("bench: doorbell-to-handler-ns %lu\n", ns(latency));
}

/* What Linux's PCI core and uio_pci_generic rely on in the device model, and what a guest may try on it. */
static void device_model(struct chan *c)
{
    volatile uint32_t *config = (volatile uint32_t *)CHAN_ECAM;     /* slot 0, function 0 */
    volatile uint16_t *command = (volatile uint16_t *)(CHAN_ECAM + 4);
    uint32_t bar2 = config[6];
    config[6] = 0x20000000u;
    check(config[6] == bar2, "the channel's BAR2 stays where stage 2 maps it", "0x%x, written 0x20000000: 0x%x", bar2, config[6]);
    *command = (uint16_t)(*command | 0x400);                        /* 16 bits, as Linux writes it */
    uint32_t masked = config[1];
    *command = (uint16_t)(*command & ~0x400);
    check((masked & 0x400) && !(config[1] & 0x400), "PCI_COMMAND.INTX_DISABLE is writable (uio_pci_generic needs INTx masking)",
          "0x%x, then 0x%x", masked, config[1]);
    uint32_t other = *(volatile uint32_t *)(CHAN_ECAM + (5UL << 15)), fn1 = *(volatile uint32_t *)(CHAN_ECAM + (1UL << 12));
    check(other == 0xffffffffu && fn1 == 0xffffffffu, "no device at another slot or function", "0x%x, 0x%x", other, fn1);
    uint64_t wide = *(volatile uint64_t *)c->regs;
    check(wide == 0 && c->regs[0] == 1, "the registers take 32-bit accesses only", "64-bit 0x%lx, IntrMask %u", (unsigned long)wide, c->regs[0]);
    c->regs[3] = 7u << 16;                                          /* a peer the channel does not have: ignored */
}

static void reader(struct chan *c)
{
    check(c->read_only, "the channel is read-only here", "Access register %d", c->read_only);
    device_model(c);
    unsigned seen = chan_wait(c, 0, deadline_in(HELLO_SECONDS));
    volatile uint32_t *word = (volatile uint32_t *)c->mem;
    uint32_t got = *word;
    check(seen && got == MAGIC, "the producer's word arrives with its doorbell", "%u doorbells, word 0x%x", seen, got);
    expect_abort = 1;
    *word = ~MAGIC;
    dsb();
    expect_abort = 0;
    check(abort_taken && *word == MAGIC, "a write to the read-only channel is refused (data abort), the word unchanged",
          "abort %d, word 0x%x", abort_taken, *word);
    chan_ring(c, 0);
}

static volatile uint32_t *slot0(unsigned reg)
{
    return (volatile uint32_t *)(CHAN_ECAM + reg);
}

/* First boot: answer BEFORE_RESET samples, leave the device as no boot finds it, and restart. */
static void restart_midstream(struct chan *c, volatile uint32_t *rec)
{
    for (int i = 0; i < 4; i++)
        rec[2 + i] = found[i];
    rec[6] = c->regs[0];
    rec[1] = 1;
    rec[0] = RECORD_MAGIC;
    check((found[0] & 0xffff0000u) == 0 && (found[0] & PCI_COMMAND_INTX_DISABLE) == 0 && rec[6] == 1,
          "the channel device out of reset at the first boot", "Command/Status 0x%x, IntrMask %u", found[0], rec[6]);
    struct chan_ring a, b;
    rings_of(c, &a, &b);
    chan_ring(c, 0);                        /* hello */
    unsigned seen = 0, answered = 0;
    unsigned long deadline = deadline_in(ANSWER_SECONDS);
    while (answered < BEFORE_RESET) {
        unsigned now = chan_wait(c, seen, deadline);
        if (now == seen)
            break;
        seen = now;
        uint32_t s[SAMPLE_WORDS];
        while (answered < BEFORE_RESET && chan_ring_get(&a, s)) {
            uint32_t ans[ANSWER_WORDS] = { s[0], s[1], s[2], s[3] };
            put64(ans + 4, irq_at);
            chan_ring_put(&b, ans);
            if (++answered == BEFORE_RESET) {
                /* What a driver leaves behind: INTx disabled, BAR0 mid-sizing, an Interrupt Line. */
                *slot0(0x3c) = 0x5a;
                *slot0(0x10) = 0xffffffffu;
                *slot0(0x04) = found[0] | PCI_COMMAND_INTX_DISABLE | 0x6;
            }
            chan_ring(c, 0);
        }
    }
    check(answered == BEFORE_RESET, "samples answered before the restart", "%u of %d", answered, BEFORE_RESET);
    /* The next sample's doorbell, latched in IntrStatus (INTx disabled: no interrupt): PCI_STATUS.INTERRUPT. */
    deadline = deadline_in(ANSWER_SECONDS);
    while (!(*slot0(0x04) & PCI_STATUS_INTERRUPT) && counter() < deadline)
        ;
    check(*slot0(0x04) & PCI_STATUS_INTERRUPT, "a doorbell latched while INTx is disabled", "Command/Status 0x%x", *slot0(0x04));
    printf("# restarter: SYSTEM_RESET with the device dirty\n");
    hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
    check(0, "SYSTEM_RESET restarts the VM", "it returned");
}

/* A member that restarts mid-stream: its device must come back as at its first boot. */
static void restarter(struct chan *c)
{
    volatile uint32_t *rec = (volatile uint32_t *)((volatile uint8_t *)c->mem + RECORD_OFFSET);
    if (rec[0] != RECORD_MAGIC) {
        restart_midstream(c, rec);
        return;
    }
    check(rec[1] == 1, "a second boot, after SYSTEM_RESET", "boot %u", rec[1] + 1);
    int differ = 0;
    for (int i = 0; i < 4; i++)
        differ += found[i] != rec[2 + i];
    check(!differ, "after its restart the channel device's config is as at boot",
          "%d differ: 0x%x 0x%x 0x%x 0x%x", differ, found[0], found[1], found[2], found[3]);
    unsigned mask = c->regs[0], status = c->regs[1];
    check(mask == rec[6] && status == 0 && doorbell_irqs == 0, "no doorbell left over from before the restart",
          "IntrMask %u, IntrStatus %u, %u doorbell interrupts", mask, status, doorbell_irqs);
    rec[1] = 2;
    echo(c);                                /* hello again: the steady peer starts over */
}

static void device_config(volatile uint32_t *cfg)
{
    for (int i = 0; i < 4; i++)
        cfg[i] = *slot0(found_at[i]);
}

/* The restarter's peer: samples until the restarter's second hello, then AFTER_RESET more, all answered. */
static void steady(struct chan *c)
{
    volatile uint32_t *rec = (volatile uint32_t *)((volatile uint8_t *)c->mem + RECORD_OFFSET);
    struct chan_ring a, b;
    rings_of(c, &a, &b);
    chan_ring_reset(&a);
    chan_ring_reset(&b);
    *slot0(0x3c) = 0x77;                    /* this VM's own mark: the peer's restart must leave it */
    uint32_t before[4], after[4];
    device_config(before);
    unsigned seen = chan_wait(c, 0, deadline_in(HELLO_SECONDS));
    check(seen != 0, "the peer says hello", "%u doorbells", seen);
    unsigned answered[2] = { 0, 0 }, sent = 0;
    int restarted = 0;
    while (seen && answered[1] < AFTER_RESET) {
        uint32_t s[SAMPLE_WORDS] = { sent, restarted && answered[1] == AFTER_RESET - 1 ? FLAG_LAST : 0 };
        put64(s + 2, counter());
        chan_ring_put(&a, s);
        chan_ring(c, 1);
        int got = 0;
        unsigned long deadline = deadline_in(RESTART_SECONDS);
        while (!got) {
            uint32_t ans[ANSWER_WORDS];
            while (chan_ring_get(&b, ans))
                got = got || ans[0] == sent;
            if (got || (!restarted && rec[0] == RECORD_MAGIC && rec[1] == 2))
                break;
            unsigned now = chan_wait(c, seen, deadline);
            if (now == seen)
                break;
            seen = now;
        }
        if (got) {
            answered[restarted]++;
            sent++;
        } else if (!restarted && rec[1] == 2) {
            /* The restarter's second hello: it starts over on empty rings. */
            restarted = 1;
            chan_ring_reset(&a);
            chan_ring_reset(&b);
            sent = 0;
        } else {
            break;
        }
    }
    check(answered[0] == BEFORE_RESET, "the restarter's answers before its restart", "%u of %d", answered[0], BEFORE_RESET);
    check(restarted, "the restarter's hello after its restart", "%u doorbells", seen);
    check(answered[1] == AFTER_RESET, "every sample answered through the channel after the restart",
          "%u of %d", answered[1], AFTER_RESET);
    device_config(after);
    /* Status.Interrupt (bit 3 of Status, bit 19 of the word) follows this VM's own doorbells: it may
     * be set or clear at either read; everything else must be as it was. */
    const uint32_t status_interrupt = 1u << 19;
    check(((before[0] ^ after[0]) & ~status_interrupt) == 0 && before[3] == after[3] && c->regs[0] == 1,
          "this VM's channel device untouched by the peer's restart", "Command/Status 0x%x -> 0x%x, Interrupt Line 0x%x -> 0x%x",
          before[0], after[0], before[3], after[3]);
    /* The restarter rings once for each hello and at most once per answer: no interrupt without a
     * doorbell, none that finds IntrStatus clear. (Masked: both counts from the same handlers.) */
    __asm__ volatile("msr daifset, #2" ::: "memory");
    unsigned irqs = doorbell_irqs, events = c->events, rung = 2 + answered[0] + answered[1];
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    check(irqs == events && events >= seen && events <= rung, "no spurious doorbell interrupt",
          "%u interrupts, %u with IntrStatus set, at most %u doorbells rung", irqs, events, rung);
}

int main(void *dtb)
{
    struct dt_info dt;
    fdt_parse(dtb, &dt);
    gic_setup(&dt);
    gic_set_hook(irq);
    gic_init_cpu();
    gic_enable(VTIMER_PPI);
    for (int i = 0; i < 4; i++)
        found[i] = *slot0(found_at[i]);
    while (nchans < 2 && chan_open(&chans[nchans], CHAN_ECAM, nchans) == 0)
        nchans++;
    check(nchans > 0, "a channel on the PCI bus", "%d found", nchans);
    for (int i = 0; i < nchans; i++) {
        printf("# slot %d: peer %u of %u, %s, %lu KiB, doorbell INTID %u\n", i, chans[i].peer, chans[i].peers,
               chans[i].read_only ? "ro" : "rw", chans[i].size >> 10, chans[i].intid);
        gic_enable(chans[i].intid);
    }
    irq_unmask();
    const char *role = dt.bootargs ? dt.bootargs : "";
    if (nchans && str_has(role, "chan=producer")) {
        producer(&chans[0]);
        if (nchans > 1)
            announce(&chans[1]);
    } else if (nchans && str_has(role, "chan=echo")) {
        echo(&chans[0]);
    } else if (nchans && str_has(role, "chan=reader")) {
        reader(&chans[0]);
    } else if (nchans && str_has(role, "chan=restarter")) {
        restarter(&chans[0]);
    } else if (nchans && str_has(role, "chan=steady")) {
        steady(&chans[0]);
    } else {
        check(0, "a role", "bootargs \"%s\"", role);
    }
    finish();
}
