/*
 * A single-producer, single-consumer ring of fixed-size slots in a Bulkhead channel's memory
 * (docs/config.md, Channels). Header only, no library calls: it builds in a bare-metal guest, an
 * RTOS and Linux userspace alike, and every access is an aligned 32-bit volatile one, so it also
 * works on memory mapped as Device (a bare-metal guest with its MMU off; Linux's resource2 mmap).
 *
 * The producer alone writes `head` (slots produced), the consumer alone writes `tail` (slots
 * consumed); both count for ever and wrap at 2^32, slot i is at (i % count). So each side needs
 * write access only to its own index: a consumer that may only read the channel (access "ro")
 * keeps its tail in memory it can write (another channel, where it is "rw"): chan_ring_attach.
 *
 * Ordering: the producer writes the slot, then a barrier, then head; the consumer reads head, a
 * barrier, then the slot, then a barrier, then writes tail. The memory is non-cacheable at stage 2
 * (whatever either side maps), so no cache maintenance is needed; `dmb sy` orders the accesses.
 */
#ifndef BULKHEAD_CHANNEL_RING_H
#define BULKHEAD_CHANNEL_RING_H

#include <stdint.h>

struct chan_ring {
    volatile uint32_t *head;    /* slots produced: the producer's */
    volatile uint32_t *tail;    /* slots consumed: the consumer's */
    volatile uint32_t *slots;   /* count × slot_words words */
    uint32_t count;             /* slots, a power of two */
    uint32_t slot_words;        /* 32-bit words per slot */
};

/* The standard layout at `base` (64-byte aligned): head at +0, tail at +64, slots from +128. */
#define CHAN_RING_BYTES(count, slot_words) (128u + 4u * (uint32_t)(count) * (uint32_t)(slot_words))

static inline void chan_ring_barrier(void) { __asm__ volatile("dmb sy" ::: "memory"); }

/* A ring whose indices and slots are where the caller says (a read-only consumer's tail elsewhere). */
static inline void chan_ring_attach(struct chan_ring *r, volatile void *head, volatile void *tail,
                                    volatile void *slots, uint32_t count, uint32_t slot_words)
{
    r->head = (volatile uint32_t *)head;
    r->tail = (volatile uint32_t *)tail;
    r->slots = (volatile uint32_t *)slots;
    r->count = count;
    r->slot_words = slot_words;
}

/* A ring in the standard layout at `base`. */
static inline void chan_ring_at(struct chan_ring *r, volatile void *base, uint32_t count, uint32_t slot_words)
{
    volatile uint8_t *b = (volatile uint8_t *)base;
    chan_ring_attach(r, b, b + 64, b + 128, count, slot_words);
}

/* Producer, once before the consumer starts: an empty ring (head = tail = 0). */
static inline void chan_ring_reset(struct chan_ring *r)
{
    *r->head = 0;
    *r->tail = 0;
    chan_ring_barrier();
}

/* Slots the consumer has not taken yet. */
static inline uint32_t chan_ring_used(const struct chan_ring *r)
{
    return *r->head - *r->tail;
}

/* Producer: copies slot_words words from `words` into the next slot; 0 if the ring is full. */
static inline int chan_ring_put(struct chan_ring *r, const uint32_t *words)
{
    uint32_t head = *r->head;
    if (head - *r->tail >= r->count)
        return 0;
    volatile uint32_t *slot = r->slots + (head & (r->count - 1)) * r->slot_words;
    for (uint32_t i = 0; i < r->slot_words; i++)
        slot[i] = words[i];
    chan_ring_barrier();
    *r->head = head + 1;
    return 1;
}

/* Consumer: copies the oldest slot into `words`; 0 if the ring is empty. */
static inline int chan_ring_get(struct chan_ring *r, uint32_t *words)
{
    uint32_t tail = *r->tail;
    if (*r->head == tail)
        return 0;
    chan_ring_barrier();
    volatile uint32_t *slot = r->slots + (tail & (r->count - 1)) * r->slot_words;
    for (uint32_t i = 0; i < r->slot_words; i++)
        words[i] = slot[i];
    chan_ring_barrier();
    *r->tail = tail + 1;
    return 1;
}

#endif
