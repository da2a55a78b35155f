/* Benchmark driver: calls each kernel many times with varied inputs and prints a checksum of the
 * results, so that both variants (hand-written C, compiled TypeScript) are seen to compute the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

uint32_t pt_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs);
uint64_t pt_lookup(uint64_t va);
void pt_reset(void);
extern uint32_t irq_pending[32];
extern uint32_t irq_enabled[32];
extern uint8_t irq_priority[1024];
uint32_t irq_highest(void);
uint64_t esr_decode(uint64_t esr);
void bh_init_pagetable(void) __attribute__((weak));
void bh_init_irq(void) __attribute__((weak));
void bh_init_esr(void) __attribute__((weak));

void bh_panic(const char *reason) __attribute__((noreturn));
void bh_panic(const char *reason)
{
    fprintf(stderr, "bh_panic: %s\n", reason);
    exit(3);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(void)
{
    if (bh_init_pagetable) bh_init_pagetable();
    if (bh_init_irq) bh_init_irq();
    if (bh_init_esr) bh_init_esr();
    uint64_t sum = 0;

    /* Page tables: a guest's RAM (2 MiB blocks plus unaligned edges in 4 KiB pages) and a few devices. */
    for (int round = 0; round < 40; round++) {
        pt_reset();
        uint64_t ram = 0x40000000ull + ((next() & 0x3f) << 21);
        uint64_t edge = (next() & 0x1f) << 12;
        sum += pt_map(ram + edge, ram + 0x100000000ull + edge, (64ull << 20) - edge, 0x7c0);
        for (int d = 0; d < 6; d++) {
            uint64_t dev = 0x08000000ull + ((next() & 0xff) << 16);
            sum += pt_map(dev, dev, 0x10000 << (d & 1), 0x404);
        }
        for (int k = 0; k < 64; k++) sum += pt_lookup(ram + ((next() & 0x3ff) << 16)) * (k + 1);
    }

    /* Interrupts: sparse pending sets, most IRQs enabled, random priorities. */
    for (int round = 0; round < 3000; round++) {
        if (round % 100 == 0) {
            for (int i = 0; i < 1024; i++) irq_priority[i] = next() & 0xf8;
            for (int w = 0; w < 32; w++) irq_enabled[w] = (uint32_t)next() | (uint32_t)next();
        }
        for (int w = 0; w < 32; w++) irq_pending[w] = (next() & 3) == 0 ? (uint32_t)(next() & next() & next()) : 0;
        sum = sum * 31 + irq_highest();
    }

    /* Syndromes: a mix of the classes a hypervisor sees. */
    static const uint32_t ecs[] = { 0x24, 0x24, 0x24, 0x25, 0x18, 0x18, 0x16, 0x17, 0x01, 0x20, 0x07, 0x3c };
    for (int i = 0; i < 100000; i++) {
        uint64_t r = next();
        uint64_t esr = (uint64_t)ecs[r % 12] << 26 | (r >> 32 & 1) << 25 | (r >> 7 & 0x1ffffff);
        sum = sum * 1099511628211ull ^ esr_decode(esr);
    }

    printf("checksum %016llx\n", (unsigned long long)sum);
    return 0;
}
