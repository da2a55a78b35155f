/*
 * Benchmark kernel, hand-written C: the same algorithm as pagetable.ts, pool indices and all. A
 * descriptor holds the next table's physical address; the walk turns it back into a pool index and
 * checks it, so that a corrupt descriptor cannot send it outside the pool.
 */
#include <stdint.h>

void bh_panic(const char *reason) __attribute__((noreturn));

#define ENTRIES 512
#define POOL_TABLES 64
#define VALID 1ull
#define TABLE 2ull
#define ADDR 0x0000fffffffff000ull
#define BLOCK 0x200000ull
#define PAGE 0x1000ull

static uint64_t pool[POOL_TABLES][ENTRIES] __attribute__((aligned(4096)));
static uint32_t used = 1;

static inline uint32_t table_index(uint64_t desc)
{
    uint64_t i = ((desc & ADDR) - (uint64_t)(uintptr_t)pool) >> 12;
    if (i >= POOL_TABLES) bh_panic("descriptor outside the table pool");
    return (uint32_t)i;
}

static inline uint32_t next_level(uint32_t table, uint32_t index)
{
    uint64_t desc = pool[table][index];
    if (desc & VALID) return table_index(desc);
    if (used >= POOL_TABLES) bh_panic("page-table pool exhausted");
    uint32_t n = used++;
    pool[table][index] = ((uint64_t)(uintptr_t)pool + ((uint64_t)n << 12)) | TABLE | VALID;
    return n;
}

uint32_t pt_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs)
{
    uint32_t written = 0;
    for (uint64_t off = 0; off < size; written++) {
        uint64_t v = va + off, p = pa + off;
        uint32_t l1 = next_level(0, (v >> 39) & 511);
        uint32_t l2 = next_level(l1, (v >> 30) & 511);
        uint32_t i2 = (v >> 21) & 511;
        if (((v | p) & (BLOCK - 1)) == 0 && size - off >= BLOCK) {
            pool[l2][i2] = (p & ADDR) | attrs | VALID;
            off += BLOCK;
        } else {
            uint32_t l3 = next_level(l2, i2);
            pool[l3][(v >> 12) & 511] = (p & ADDR) | attrs | TABLE | VALID;
            off += PAGE;
        }
    }
    return written;
}

uint64_t pt_lookup(uint64_t va)
{
    uint32_t table = 0;
    for (uint32_t level = 0; level < 4; level++) {
        uint64_t desc = pool[table][(va >> (39 - 9 * level)) & 511];
        if (!(desc & VALID) || level == 3 || !(desc & TABLE)) return desc;
        table = table_index(desc);
    }
    return 0;
}

void pt_reset(void)
{
    for (uint32_t i = 0; i < POOL_TABLES; i++)
        for (uint32_t j = 0; j < ENTRIES; j++) pool[i][j] = 0;
    used = 1;
}
