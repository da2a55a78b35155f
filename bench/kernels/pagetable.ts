// Benchmark kernel: map a range into a 4-level translation table (4 KiB granule; 2 MiB blocks
// where both addresses are aligned and enough of the range is left). Tables come from a static
// pool; a table descriptor holds the physical address of the next-level table.
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

function tableIndexOf(desc: u64): u32 {
  return u32(((desc & ADDR) - addressOf(tables)) >> 12n);
}

/** The table an entry points to (a pool index), allocating it when the entry is empty. */
function nextLevel(table: u32, index: u32): u32 {
  const t: Table = tables[table];
  const desc: u64 = t.e[index & 511];
  if ((desc & VALID) != 0n) return tableIndexOf(desc);
  if (used >= POOL_TABLES) panic("page-table pool exhausted");
  const n: u32 = used;
  used++;
  t.e[index & 511] = (addressOf(tables) + (u64(n) << 12n)) | TABLE | VALID;
  return n;
}

/** Maps [va, va + size) to [pa, pa + size) with the given attribute bits; returns the entries written. */
export function pt_map(va: u64, pa: u64, size: u64, attrs: u64): u32 {
  let written: u32 = 0;
  let off: u64 = 0n;
  while (off < size) {
    const v: u64 = va + off;
    const p: u64 = pa + off;
    const l1: u32 = nextLevel(0, u32(v >> 39n) & 511);
    const l2: u32 = nextLevel(l1, u32(v >> 30n) & 511);
    const i2: u32 = u32(v >> 21n) & 511;
    if (((v | p) & (BLOCK - 1n)) == 0n && size - off >= BLOCK) {
      tables[l2].e[i2] = (p & ADDR) | attrs | VALID;
      off += BLOCK;
    } else {
      const l3: u32 = nextLevel(l2, i2);
      tables[l3].e[u32(v >> 12n) & 511] = (p & ADDR) | attrs | TABLE | VALID;
      off += PAGE;
    }
    written++;
  }
  return written;
}

/** Reads the descriptor that maps va at the last level reached (0 when unmapped). */
export function pt_lookup(va: u64): u64 {
  let table: u32 = 0;
  for (let level: u32 = 0; level < 4; level++) {
    const shift: u64 = u64(39 - 9 * level);
    const desc: u64 = tables[table].e[u32(va >> shift) & 511];
    if ((desc & VALID) == 0n || level == 3 || (desc & TABLE) == 0n) return desc;
    table = tableIndexOf(desc);
  }
  return 0n;
}

export function pt_reset(): void {
  for (let t: u32 = 0; t < POOL_TABLES; t++) {
    for (let i: u32 = 0; i < 512; i++) tables[t].e[i] = 0n;
  }
  used = 1;
}
