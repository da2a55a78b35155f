/* Benchmark kernel, hand-written C: the same algorithm as irq.ts. */
#include <stdint.h>

uint32_t irq_pending[32];
uint32_t irq_enabled[32];
uint8_t irq_priority[1024];

static const uint8_t debruijn[32] = {
    0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8,
    31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9,
};

uint32_t irq_highest(void)
{
    uint32_t best = 1023, best_prio = 256;
    for (uint32_t w = 0; w < 32; w++) {
        uint32_t bits = irq_pending[w] & irq_enabled[w];
        while (bits) {
            uint32_t low = bits & -bits;
            uint32_t irq = (w << 5) | debruijn[(low * 0x077cb531u) >> 27];
            uint32_t prio = irq_priority[irq];
            if (prio < best_prio) {
                best_prio = prio;
                best = irq;
            }
            bits ^= low;
        }
    }
    return best;
}
