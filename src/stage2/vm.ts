// The VM model: each VM of the generated partition config (@config) gets a VMID, a stage-2
// map of exactly its regions, and its images copied into its memory at boot.
import { CPU_COUNT, PA_BITS, GIC_VERSION, GICC_BASE, GICV_BASE, GICV_SIZE } from "@board";
import {
  VM_COUNT, REGION_FIRST, REGION_KIND, REGION_IPA, REGION_PA, REGION_SIZE,
  LOAD_VM, LOAD_SRC, LOAD_DST, LOAD_SIZE,
} from "@config";
import { Root, allocTables, mapRange, tableAddress } from "./pagetable.ts";
import { VUart } from "./vuart.ts";

export const enum RegionKind { Ram = 0, Device = 1, Shared = 2, Channel = 3, ChannelRo = 4 }

export class Vm {
  root = new Root();
  uart = new VUart();
  /** Set once the VM's first unexpected system-register access has been logged. */
  sysregLogged: bool = false;
}

export const vms = pool(CPU_COUNT, Vm);

// Stage-2 leaf attributes (Arm ARM D8.3.2).
const S2_MEMATTR_NORMAL_WB: u64 = 0xfn << 2n;   // outer and inner write-back cacheable
const S2_MEMATTR_NORMAL_NC: u64 = 0x5n << 2n;   // outer and inner non-cacheable
const S2_MEMATTR_DEVICE_NGNRE: u64 = 0x1n << 2n;
const S2AP_RW: u64 = 3n << 6n;
const S2AP_RO: u64 = 1n << 6n;
const SH_INNER: u64 = 3n << 8n;
const AF: u64 = 1n << 10n;
const S2_XN: u64 = 2n << 53n;                    // XN[1:0] = 0b10: not executable at EL1 or EL0

export const S2_RAM: u64 = S2_MEMATTR_NORMAL_WB | S2AP_RW | SH_INNER | AF;
export const S2_DEVICE: u64 = S2_MEMATTR_DEVICE_NGNRE | S2AP_RW | AF | S2_XN;
/**
 * A channel's memory: non-cacheable at stage 2, so that whatever a guest's own (stage-1) attributes
 * — Linux maps a BAR as Device, a bare-metal guest with its MMU off sees Device, an RTOS may map it
 * cacheable — the combined attribute is never cacheable and every member sees every write without
 * cache maintenance (Arm ARM D8.5.5, combining stage 1 and stage 2 attributes). Never executable:
 * it is data another VM writes. A read-only member's writes fault at stage 2 (a permission fault).
 */
const S2_CHANNEL: u64 = S2_MEMATTR_NORMAL_NC | S2AP_RW | SH_INNER | AF | S2_XN;
const S2_CHANNEL_RO: u64 = S2_MEMATTR_NORMAL_NC | S2AP_RO | SH_INNER | AF | S2_XN;

/** The stage-2 input (IPA) size and walk: the board's PA size, from level 1 (concatenating up to 16 tables) or level 0. */
function startLevel(): u32 {
  return PA_BITS > 43 ? 0 : 1;
}

function rootTables(): u32 {
  return PA_BITS > 39 && PA_BITS <= 43 ? u32(1) << (PA_BITS - 39) : 1;
}

/** VTCR_EL2.PS: the PA size encoding (D23.2.184). */
function physicalSize(): u64 {
  if (PA_BITS <= 32) return 0n;
  if (PA_BITS <= 36) return 1n;
  if (PA_BITS <= 40) return 2n;
  if (PA_BITS <= 42) return 3n;
  if (PA_BITS <= 44) return 4n;
  return 5n;
}

/** VTCR_EL2: T0SZ from the IPA size; SL0 the start level; IRGN0/ORGN0 write-back; SH0 inner; TG0 4 KiB; PS; RES1 bit 31. */
export function vtcrValue(): u64 {
  const sl0: u64 = startLevel() == 0 ? 2n : 1n;
  return u64(64 - PA_BITS) | (sl0 << 6n) | (1n << 8n) | (1n << 10n) | (3n << 12n) | (physicalSize() << 16n) | (1n << 31n);
}

/** VTTBR_EL2: the VM's stage-2 root and its VMID (VM index + 1; VMID 0 is never used). */
export function vttbrValue(vm: u32): u64 {
  return tableAddress(vms[vm].root.table) | (u64(vm + 1) << 48n);
}

/** The physical address of `ipa` in the VM's RAM (or memory it shares), or 0 if it is not there. */
export function ramAddress(vm: u32, ipa: u64, size: u64): u64 {
  for (let r: u32 = u32(REGION_FIRST[vm]); r < u32(REGION_FIRST[vm + 1]); r++) {
    if (REGION_KIND[r] != RegionKind.Ram && REGION_KIND[r] != RegionKind.Shared) continue;
    // Compared as offsets into the region: `ipa + size` could wrap around (a guest's CPU_ON entry is any u64).
    if (ipa >= REGION_IPA[r] && size <= REGION_SIZE[r] && ipa - REGION_IPA[r] <= REGION_SIZE[r] - size) return REGION_PA[r] + (ipa - REGION_IPA[r]);
  }
  return 0n;
}

/** The stage-2 leaf attributes of a region of kind `kind`. @cold */
function regionAttrs(kind: u32): u64 {
  if (kind == RegionKind.Device) return S2_DEVICE;
  if (kind == RegionKind.Channel) return S2_CHANNEL;
  if (kind == RegionKind.ChannelRo) return S2_CHANNEL_RO;
  return S2_RAM;
}

/** Builds the VM's stage-2 map from its regions (RAM and shared memory normal, devices Device-nGnRE, never executable; channels above). @cold */
export function buildStage2(vm: u32): void {
  const root: Root = vms[vm].root;
  root.startLevel = startLevel();
  root.inputBits = PA_BITS;
  root.table = allocTables(rootTables());
  for (let r: u32 = u32(REGION_FIRST[vm]); r < u32(REGION_FIRST[vm + 1]); r++) {
    const attrs: u64 = regionAttrs(u32(REGION_KIND[r]));
    mapRange(root, REGION_IPA[r], REGION_PA[r], REGION_SIZE[r], attrs);
  }
  // GICv2: the guest's CPU interface (at the GICC address its device tree names) is the virtual CPU
  // interface itself, so its acknowledges and EOIs never trap. The distributor is emulated (not mapped).
  if (GIC_VERSION == 2 && GICV_SIZE != 0n) mapRange(root, GICC_BASE, GICV_BASE, GICV_SIZE, S2_DEVICE);
}

/**
 * Copies `size` bytes (a multiple of 8) from `src` to `dst`, which do not overlap: 64 bytes a round,
 * all eight words loaded before any is stored, so that the compiler may pair them (LDP/STP: with
 * -fno-strict-aliasing a store between two loads would have to stay there). A Linux image is
 * tens of MiB, copied at every restart: 12 instructions per 64 bytes against 48 word by word.
 */
function copyWords(dst: u64, src: u64, size: u64): void {
  let off: u64 = 0n;
  for (; off + 64n <= size; off += 64n) {
    const s: u64 = src + off;
    const d: u64 = dst + off;
    const w0: u64 = load64(s), w1: u64 = load64(s + 8n), w2: u64 = load64(s + 16n), w3: u64 = load64(s + 24n);
    const w4: u64 = load64(s + 32n), w5: u64 = load64(s + 40n), w6: u64 = load64(s + 48n), w7: u64 = load64(s + 56n);
    store64(d, w0);
    store64(d + 8n, w1);
    store64(d + 16n, w2);
    store64(d + 24n, w3);
    store64(d + 32n, w4);
    store64(d + 40n, w5);
    store64(d + 48n, w6);
    store64(d + 56n, w7);
  }
  for (; off < size; off += 8n) store64(dst + off, load64(src + off));
}

/**
 * Copies the VM's images (kernel, device tree) from the hypervisor image into its memory and
 * cleans them to the point of coherency: the guest starts with its MMU and caches off.
 */
export function loadImages(vm: u32): void {
  for (let i: u32 = 0; i < LOAD_VM.length; i++) {
    if (u32(LOAD_VM[i]) != vm || LOAD_SIZE[i] == 0n) continue;
    const size: u64 = (LOAD_SIZE[i] + 7n) & ~7n;
    const dst: u64 = ramAddress(vm, LOAD_DST[i], size);
    if (dst == 0n) panic("guest image outside the VM's RAM (the config checker should have refused it)");
    copyWords(dst, LOAD_SRC[i], size);
    for (let line: u64 = dst & ~63n; line < dst + size; line += 64n) dc("cvac", line);
  }
  dsb("sy");
  ic("iallu");
  dsb("sy");
  isb();
}

/** DC ZVA's block in bytes (DCZID_EL0.BS: log2 of its size in words, D23.2.39), or 0 if DC ZVA is prohibited (DZP). */
function zvaBlock(): u64 {
  const dczid: u64 = mrs("DCZID_EL0");
  return (dczid & 0x10n) != 0n ? 0n : 4n << (dczid & 0xfn);
}

/**
 * Zeroes the VM's own RAM (not memory it shares with other VMs: they still use it), so that
 * nothing of its last run is visible to the next: a block at a time with DC ZVA (one instruction
 * per 64 bytes on a Cortex-A53 or A72, where stores take eight), else by stores. Each line is
 * then cleaned and invalidated to the point of coherency: the guest starts with its caches off,
 * and no stale line may later be written back over what it writes. Regions are page aligned, so
 * a whole number of blocks (at most 2 KiB) fills each.
 */
export function scrubRam(vm: u32): void {
  const zva: u64 = zvaBlock();
  const block: u64 = zva != 0n ? zva : 64n;
  for (let r: u32 = u32(REGION_FIRST[vm]); r < u32(REGION_FIRST[vm + 1]); r++) {
    if (REGION_KIND[r] != RegionKind.Ram) continue;
    const end: u64 = REGION_PA[r] + REGION_SIZE[r];
    for (let at: u64 = REGION_PA[r]; at < end; at += block) {
      if (zva != 0n) dc("zva", at);
      else for (let off: u64 = 0n; off < 64n; off += 8n) store64(at + off, 0n);
      for (let line: u64 = at; line < at + block; line += 64n) dc("civac", line);
    }
  }
  dsb("sy");
}



/**
 * How many VMs have not powered off: every VM of the config, set on the boot CPU before any CPU
 * enters a guest; lowered once per VM, by the vCPU that powers it off (src/el2/restart.ts).
 */
const running = new Uint32Array(1);

/** @cold */
export function vmsRunningInit(): void {
  storeRelease32(addressOf(running), VM_COUNT);
}

/** One VM has powered off; true if it was the last one running. @cold */
export function vmPoweredOff(): bool {
  return atomicFetchAdd32(addressOf(running), 0xffffffff) == 1;
}

export function vmCount(): u32 {
  return VM_COUNT;
}
