// VMSAv8-64 translation tables with the 4 KiB granule (Arm ARM D8.2), for both the EL2 stage-1
// map and every VM's stage-2 map: the walk is the same, only the leaf attribute bits differ.
// Tables come from one static pool; a table descriptor holds the physical address of the next
// table, and the pool index is recovered from it, so host tests can walk what the board walks.

export class Table {
  e = new BigUint64Array(512);
}

export const MAX_TABLES: u32 = 64;
export const tables = aligned(pool(MAX_TABLES, Table), 65536);
let tablesUsed: u32 = 0;

/** Descriptor bits [1:0]: 0b11 table (levels 0-2) or page (level 3); 0b01 block (levels 1-2). */
export const DESC_VALID: u64 = 1n;
export const DESC_TABLE: u64 = 3n;
export const DESC_PAGE: u64 = 3n;
export const DESC_BLOCK: u64 = 1n;
/** Output address bits [47:12]. */
export const DESC_ADDR_MASK: u64 = 0x0000fffffffff000n;

/** Bytes mapped by one entry at `level` (1: 1 GiB, 2: 2 MiB, 3: 4 KiB). */
export function levelSize(level: u32): u64 {
  return 1n << u64(39 - 9 * level);
}

/** Allocates `count` consecutive zeroed tables aligned to `count` tables (a concatenated stage-2 root). @cold */
export function allocTables(count: u32): u32 {
  const first: u32 = (tablesUsed + count - 1) / count * count;
  if (first + count > MAX_TABLES) panic("translation table pool exhausted");
  tablesUsed = first + count;
  return first;
}

export function tableAddress(index: u32): u64 {
  return addressOf(tables) + u64(index) * 4096n;
}

function tableIndexOf(addr: u64): u32 {
  return u32((addr - addressOf(tables)) >> 12n);
}

/** The translation root: its first table, the level the walk starts at, and the input address size. */
export class Root {
  table: u32 = 0;
  startLevel: u32 = 1;
  inputBits: u32 = 39;
}

/** Entry index of `va` at `level`; at the start level it may run past 512 into concatenated tables. */
function entryIndex(root: Root, va: u64, level: u32): u32 {
  const shift: u64 = u64(39 - 9 * level);
  const bits: u64 = level == root.startLevel ? u64(root.inputBits) - shift : 9n;
  return u32((va >> shift) & ((1n << bits) - 1n));
}

/** The table holding `va`'s entry at `level`, allocating missing intermediate tables. @cold */
function tableFor(root: Root, va: u64, level: u32): u32 {
  const first: u32 = entryIndex(root, va, root.startLevel) >> 9;
  let t: u32 = root.table + first;
  for (let l: u32 = root.startLevel; l < level; l++) {
    const i: u32 = entryIndex(root, va, l) & 511;
    const d: u64 = tables[t].e[i];
    if ((d & 3n) == DESC_TABLE) {
      t = tableIndexOf(d & DESC_ADDR_MASK);
    } else {
      if ((d & DESC_VALID) != 0n) panic("mapping inside an existing block");
      const n: u32 = allocTables(1);
      const desc: u64 = tableAddress(n) | DESC_TABLE;
      tables[t].e[i] = desc;
      t = n;
    }
  }
  return t;
}

/** The largest level whose block fits at va/pa within `remaining` bytes (1 GiB, 2 MiB or 4 KiB). @cold */
function leafLevel(root: Root, va: u64, pa: u64, remaining: u64): u32 {
  for (let level: u32 = root.startLevel < 1 ? 1 : root.startLevel; level < 3; level++) {
    const size: u64 = levelSize(level);
    if (((va | pa) & (size - 1n)) == 0n && remaining >= size) return level;
  }
  return 3;
}

/**
 * Maps [va, va + size) to [pa, pa + size) with leaf attributes `attrs` (format-specific: see
 * src/el2/mmu.ts and src/stage2/vm.ts), using blocks wherever alignment allows. All three of va,
 * pa and size must be 4 KiB aligned; a range may not be mapped twice.
 * @cold
 */
export function mapRange(root: Root, va: u64, pa: u64, size: u64, attrs: u64): void {
  if (((va | pa | size) & 0xfffn) != 0n) panic("mapRange: unaligned range");
  let off: u64 = 0n;
  while (off < size) {
    const level: u32 = leafLevel(root, va + off, pa + off, size - off);
    const t: u32 = tableFor(root, va + off, level);
    const step: u64 = levelSize(level);
    // One walk for a run of entries: the next entry of table t maps the next `step` bytes. va and
    // pa stay aligned to `step`, and become aligned to the level above (where leafLevel may pick
    // a larger block) only where the index wraps to the next table: so the run lasts while the
    // index stays in the table and a whole `step` remains. Every entry placed had one, so off <= size.
    let i: u32 = entryIndex(root, va + off, level) & 511;
    while (true) {
      if ((tables[t].e[i & 511] & DESC_VALID) != 0n) panic("mapRange: address mapped twice");
      tables[t].e[i & 511] = (pa + off) | attrs | (level == 3 ? DESC_PAGE : DESC_BLOCK);
      off += step;
      i++;
      if (i >= 512 || size - off < step) break;
    }
  }
}

/** Result of a walk: the leaf descriptor for an address (0 if unmapped) and its level. */
export class Walk {
  desc: u64 = 0n;
  level: u32 = 0;
}

/** Looks `va` up as the MMU would; fills `out`. */
export function walk(root: Root, va: u64, out: Walk): void {
  const first: u32 = entryIndex(root, va, root.startLevel) >> 9;
  let t: u32 = root.table + first;
  out.desc = 0n;
  for (let level: u32 = root.startLevel; level <= 3; level++) {
    const i: u32 = entryIndex(root, va, level) & 511;
    const d: u64 = tables[t].e[i];
    out.level = level;
    if ((d & DESC_VALID) == 0n) return;
    if (level == 3 || (d & 3n) == DESC_BLOCK) {
      out.desc = d;
      return;
    }
    t = tableIndexOf(d & DESC_ADDR_MASK);
  }
}

/** How many tables the pool has handed out (for the build's report and the isolation proof). */
export function tablesInUse(): u32 {
  return tablesUsed;
}
