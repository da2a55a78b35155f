// The EL2 stage-1 map: identity, so that physical addresses in descriptors, the guest tables
// and MMIO work unchanged. Hypervisor text is read-only and executable, read-only data is
// read-only, everything else (data, RAM holding guest images and VM memory, devices) is
// writable and never executable: SCTLR_EL2.WXN enforces that no page is both. The guard page
// below each CPU's stack is not mapped at all.
import { CPU_COUNT, RAM_BASE, RAM_SIZE, RAM2_BASE, RAM2_SIZE, UART_BASE, GICD_BASE, GICD_SIZE, GICR_BASE, GICR_SIZE, GICC_BASE, GICH_BASE } from "@board";
import { Root, allocTables, mapRange, tableAddress, tablesInUse } from "../stage2/pagetable.ts";
import { GUARD_BYTES, percpu } from "./cpu.ts";

declare function hyp_start_address(): u64;
declare function hyp_text_end_address(): u64;
declare function hyp_rodata_end_address(): u64;

// Stage-1 block/page attributes (D8.3.2), EL2 regime without VHE.
const ATTR_INDX_DEVICE: u64 = 0n << 2n;  // MAIR_EL2 attr0
const ATTR_INDX_NORMAL: u64 = 1n << 2n;  // MAIR_EL2 attr1
const AP_RO: u64 = 1n << 7n;             // AP[2]: read-only
const AP_RES1: u64 = 1n << 6n;           // AP[1]: RES1 in a regime with one privilege level
const SH_INNER: u64 = 3n << 8n;
const AF: u64 = 1n << 10n;               // access flag set: no access-flag faults
const XN: u64 = 1n << 54n;

const NORMAL_RW: u64 = ATTR_INDX_NORMAL | AP_RES1 | SH_INNER | AF | XN;
const NORMAL_RX: u64 = ATTR_INDX_NORMAL | AP_RES1 | AP_RO | SH_INNER | AF;
const NORMAL_RO: u64 = ATTR_INDX_NORMAL | AP_RES1 | AP_RO | SH_INNER | AF | XN;
const DEVICE_RW: u64 = ATTR_INDX_DEVICE | AP_RES1 | AF | XN;

/** MAIR_EL2: attr0 Device-nGnRE, attr1 Normal write-back read/write-allocate, inner and outer. */
const MAIR_EL2_VALUE: u64 = 0xff04n;
/** TCR_EL2: T0SZ = 25 (39-bit VA, walk from level 1), IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, PS 40 bits, RES1 bits 31 and 23. */
const TCR_EL2_VALUE: u64 = 25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (2n << 16n) | (1n << 23n) | (1n << 31n);
/** SCTLR_EL2: M (MMU), A off, C (data cache), SA (SP alignment check), I (instruction cache), WXN; RES1 bits. */
const SCTLR_EL2_VALUE: u64 = 0x30c50830n | 1n | (1n << 2n) | (1n << 3n) | (1n << 12n) | (1n << 19n);

const el2Root = new Root();

/** @cold */
function mapDevice(base: u64, size: u64): void {
  if (base != 0n && size != 0n) mapRange(el2Root, base, base, size, DEVICE_RW);
}

/** Builds the map (boot CPU, MMU still off). @cold */
export function buildEl2Map(): void {
  el2Root.table = allocTables(1);
  el2Root.startLevel = 1;
  el2Root.inputBits = 39;
  const start: u64 = hyp_start_address();
  const textEnd: u64 = hyp_text_end_address();
  const rodataEnd: u64 = hyp_rodata_end_address();
  mapRange(el2Root, RAM_BASE, RAM_BASE, start - RAM_BASE, NORMAL_RW);
  mapRange(el2Root, start, start, textEnd - start, NORMAL_RX);
  mapRange(el2Root, textEnd, textEnd, rodataEnd - textEnd, NORMAL_RO);
  // Data, bss and the rest of RAM, less each CPU's stack guard page (src/el2/cpu.ts PerCpu; the
  // pool is in .bss, in CPU order, and every guard is a whole page).
  let from: u64 = rodataEnd;
  for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
    const guard: u64 = addressOf(percpu[cpu].guard);
    if ((guard & (GUARD_BYTES - 1n)) != 0n || guard < from) panic("stack guard page not page aligned, or out of order");
    mapRange(el2Root, from, from, guard - from, NORMAL_RW);
    from = guard + GUARD_BYTES;
  }
  mapRange(el2Root, from, from, RAM_BASE + RAM_SIZE - from, NORMAL_RW);
  // The second RAM range, VMs' memory only: written when their images are loaded and their RAM scrubbed.
  if (RAM2_SIZE != 0n) mapRange(el2Root, RAM2_BASE, RAM2_BASE, RAM2_SIZE, NORMAL_RW);
  mapDevice(UART_BASE, 0x1000n);
  mapDevice(GICD_BASE, GICD_SIZE);
  mapDevice(GICR_BASE, GICR_SIZE);
  mapDevice(GICC_BASE, 0x2000n);
  mapDevice(GICH_BASE, 0x2000n);
  // Written with the MMU off, straight to memory: drop any older cached copy before the walker looks.
  for (let a: u64 = tableAddress(0); a < tableAddress(tablesInUse()); a += 64n) dc("ivac", a);
  dsb("sy");
}

/**
 * Turns the MMU and caches on for this CPU (Arm ARM D8.2.12: invalidate, program, then enable
 * with an ISB between).
 * @cold
 */
export function enableEl2Mmu(): void {
  tlbi("alle2");
  dsb("sy");
  msr("MAIR_EL2", MAIR_EL2_VALUE);
  msr("TCR_EL2", TCR_EL2_VALUE);
  msr("TTBR0_EL2", tableAddress(el2Root.table));
  isb();
  msr("SCTLR_EL2", SCTLR_EL2_VALUE);
  isb();
}
