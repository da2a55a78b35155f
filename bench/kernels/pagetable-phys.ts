// Benchmark kernel: pagetable.ts written pointer-style, as the hand-written C is: descriptors hold
// physical addresses and the walk follows them with load64/store64 (the hypervisor maps its RAM
// identity), instead of recovering pool indices. Same algorithm, same results.
export class Table {
  e = new BigUint64Array(512);
}

const POOL_TABLES: u32 = 64;
const tables = aligned(pool(POOL_TABLES, Table), 4096);
let used: u32 = 1; // table 0 is the root

const VALID: u64 = 1n;
const TABLE: u64 = 2n; // levels 0-2: next-level table; level 3: page
const ADDR: u64 = 0x0000fffffffff000n;
const BLOCK: u64 = 0x200000n;
const PAGE: u64 = 0x1000n;

/** The address of the table an entry points to, allocating it when the entry is empty. */
function nextLevel(table: u64, index: u64): u64 {
  const slot: u64 = table + (index << 3n);
  const desc: u64 = load64(slot);
  if ((desc & VALID) != 0n) return desc & ADDR;
  if (used >= POOL_TABLES) panic("page-table pool exhausted");
  const t: u64 = addressOf(tables) + (u64(used) << 12n);
  used++;
  store64(slot, t | TABLE | VALID);
  return t;
}

/** Maps [va, va + size) to [pa, pa + size) with the given attribute bits; returns the entries written. */
export function pt_map(va: u64, pa: u64, size: u64, attrs: u64): u32 {
  let written: u32 = 0;
  let off: u64 = 0n;
  while (off < size) {
    const v: u64 = va + off;
    const p: u64 = pa + off;
    const l1: u64 = nextLevel(addressOf(tables), (v >> 39n) & 511n);
    const l2: u64 = nextLevel(l1, (v >> 30n) & 511n);
    const i2: u64 = (v >> 21n) & 511n;
    if (((v | p) & (BLOCK - 1n)) == 0n && size - off >= BLOCK) {
      store64(l2 + (i2 << 3n), (p & ADDR) | attrs | VALID);
      off += BLOCK;
    } else {
      const l3: u64 = nextLevel(l2, i2);
      store64(l3 + (((v >> 12n) & 511n) << 3n), (p & ADDR) | attrs | TABLE | VALID);
      off += PAGE;
    }
    written++;
  }
  return written;
}

/** Reads the descriptor that maps va at the last level reached (0 when unmapped). */
export function pt_lookup(va: u64): u64 {
  let table: u64 = addressOf(tables);
  for (let level: u32 = 0; level < 4; level++) {
    const shift: u64 = u64(39 - 9 * level);
    const desc: u64 = load64(table + (((va >> shift) & 511n) << 3n));
    if ((desc & VALID) == 0n || level == 3 || (desc & TABLE) == 0n) return desc;
    table = desc & ADDR;
  }
  return 0n;
}

export function pt_reset(): void {
  for (let t: u32 = 0; t < POOL_TABLES; t++) {
    for (let i: u32 = 0; i < 512; i++) tables[t].e[i] = 0n;
  }
  used = 1;
}
