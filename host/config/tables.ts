// The hypervisor's view of a config: a generated subset module, imported by src/ as "@config",
// of constants and constant tables only. Also where a VM's image and DTB go in its memory.
import path from "node:path";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import type { Board, BoardFacts } from "../board.ts";
import type { Config, VmConfig } from "./types.ts";
import { isElf, flattenElf } from "./elf.ts";
import { VPCI_ECAM, VPCI_MMIO, channelMembers, vmChannels } from "./channels.ts";
import {
  MiB, regionKindCode, alignDown, alignUp, configSource, factsOf, findVm, hex, uartEmulated, vmInterrupts, vmMappings, watchdogIpa,
} from "./model.ts";

/** Where the build put one VM's image and DTB inside the hypervisor image, and where they go in the VM. */
export interface Placement {
  vm: string;
  /** PA of the image bytes inside the hypervisor image. */
  imagePa: bigint;
  imageSize: bigint;
  /** IPA the image is copied to, and the IPA the VM's boot vCPU starts at. */
  loadIpa: bigint;
  entryIpa: bigint;
  dtbPa: bigint;
  dtbSize: bigint;
  dtbIpa: bigint;
  /** The initial RAM disk, if the VM has one: where it is in the hypervisor image and in the VM. */
  initrd?: { pa: bigint; size: bigint; ipa: bigint };
}

/** Linux arm64 Image header (Documentation/arch/arm64/booting.rst). */
export const IMAGE_MAGIC = 0x644d5241; // "ARM\x64", little-endian u32 at 0x38
const IMAGE_MAGIC_OFFSET = 0x38;
const TEXT_OFFSET_DEFAULT = 0x80000n;
/** Where a flat binary goes in the VM's first RAM region (QEMU's KERNEL64_LOAD_ADDR). */
export const FLAT_LOAD_OFFSET = 0x80000n;

export interface ImageHeader { textOffset: bigint; imageSize: bigint }

/** The Image header of `bytes`, or null for a flat binary. */
export function imageHeader(bytes: Uint8Array): ImageHeader | null {
  if (bytes.length < 0x40) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(IMAGE_MAGIC_OFFSET, true) !== IMAGE_MAGIC) return null;
  const imageSize = dv.getBigUint64(0x10, true);
  // "Where image_size is zero, text_offset can be assumed to be 0x80000."
  const textOffset = imageSize === 0n ? TEXT_OFFSET_DEFAULT : dv.getBigUint64(0x08, true);
  return { textOffset, imageSize };
}

/**
 * Where `vm`'s image goes: a Linux Image at its first RAM region's ipa (rounded up to 2 MiB) +
 * text_offset; a flat binary 0x80000 into ram[0], where QEMU's own loader puts an arm64 binary
 * without a header (hw/arm/boot.c, KERNEL64_LOAD_ADDR), so guests written for QEMU virt run
 * unchanged. Entered at `entry` if the config gives one, else at the load address. `memSize`: the
 * bytes the image occupies (image_size when the header gives more).
 */
export function guestLoad(cfg: Config, vm: VmConfig | string, imageBytes: Uint8Array): { loadIpa: bigint; entryIpa: bigint; memSize: bigint } {
  const v = findVm(cfg, vm);
  if (isElf(imageBytes)) {
    const elf = flattenElf(imageBytes);
    return { loadIpa: elf.load, entryIpa: v.entry ?? elf.entry, memSize: BigInt(elf.image.length) };
  }
  const ram0 = v.ram[0];
  const h = imageHeader(imageBytes);
  const fileSize = BigInt(imageBytes.length);
  const loadIpa = h ? alignUp(ram0.ipa, 2n * MiB) + h.textOffset : ram0.ipa + FLAT_LOAD_OFFSET;
  const memSize = h && h.imageSize > fileSize ? h.imageSize : fileSize;
  return { loadIpa, entryIpa: v.entry ?? loadIpa, memSize };
}

/** The bytes copied into the VM for its image: an ELF file flattened, anything else as it is. */
export function guestImageBytes(imageBytes: Buffer): Buffer {
  return isElf(imageBytes) ? flattenElf(imageBytes).image : imageBytes;
}

/** Where `vm`'s DTB goes: 2 MiB below the top of its first RAM region, 2 MiB aligned. */
export function dtbIpa(cfg: Config, vm: VmConfig | string): bigint {
  const ram0 = findVm(cfg, vm).ram[0];
  const top = ram0.ipa + ram0.size;
  return top >= 2n * MiB ? alignDown(top - 2n * MiB, 2n * MiB) : 0n;
}

/** Where `vm`'s initial RAM disk of `size` bytes goes: right below its DTB, page aligned. */
export function initrdIpa(cfg: Config, vm: VmConfig | string, size: bigint): bigint {
  return (dtbIpa(cfg, vm) - size) & ~0xfffn;
}

export interface TablesOptions {
  /** Shown in the header comment (default: the file the config was loaded from). */
  source?: string;
  /** PMU_COUNTS_EL2: the guest's PMU may count at EL2 (src/el2/pmu.ts). Benchmarks only: it lets a guest observe the hypervisor. */
  pmuCountsEl2?: boolean;
}

/** What the generated tables hold: VM numbers and row indices are u8, and NO_VM (255) marks a CPU no VM runs on. */
export const MAX_VMS = 254;
/** Memory regions (REGION_FIRST) and passed-through interrupts (IRQ_FIRST) of all VMs together. */
export const MAX_TABLE_ROWS = 255;

/** The "@config" module for `cfg` on `board`, with the build's `placement` of images and DTBs. */
export function targetConfigTs(board: Board | BoardFacts, cfg: Config, placement: Placement[], opts: TablesOptions = {}): string {
  const f = factsOf(board);
  const vms = cfg.vms;
  if (vms.length > MAX_VMS) throw new Error(`${vms.length} VMs: the tables hold at most ${MAX_VMS}`);
  const place = vms.map((vm) => {
    const p = placement.find((x) => x.vm === vm.name);
    if (!p) throw new Error(`no placement for vm "${vm.name}" (the build must place every VM's image and DTB)`);
    return p;
  });

  const NO_VM = 255;
  const cpuVm = new Array<number>(f.CPU_COUNT).fill(NO_VM);
  const cpuVcpu = new Array<number>(f.CPU_COUNT).fill(0);
  vms.forEach((vm, i) => vm.cpus.forEach((c, k) => { cpuVm[c] = i; cpuVcpu[c] = k; }));

  const regionFirst = [0], regionKind: number[] = [], regionIpa: bigint[] = [], regionPa: bigint[] = [], regionSize: bigint[] = [];
  const irqFirst = [0], irqIntid: number[] = [];
  const loadVm: number[] = [], loadSrc: bigint[] = [], loadDst: bigint[] = [], loadSize: bigint[] = [];
  vms.forEach((vm, i) => {
    for (const m of vmMappings(cfg, vm)) {
      regionKind.push(regionKindCode(m)); regionIpa.push(m.ipa); regionPa.push(m.pa); regionSize.push(m.size);
    }
    regionFirst.push(regionKind.length);
    irqIntid.push(...vmInterrupts(vm));
    irqFirst.push(irqIntid.length);
    const p = place[i];
    loadVm.push(i, i);
    loadSrc.push(p.imagePa, p.dtbPa);
    loadDst.push(p.loadIpa, p.dtbIpa);
    loadSize.push(p.imageSize, p.dtbSize);
    if (p.initrd) {
      loadVm.push(i);
      loadSrc.push(p.initrd.pa);
      loadDst.push(p.initrd.ipa);
      loadSize.push(p.initrd.size);
    }
  });
  // Channels (channels.ts): a row per member VM's device, VM by VM; per channel its rows in peer-ID order.
  const chanFirst = [0], chanVm: number[] = [], chanChannel: number[] = [], chanPeer: number[] = [], chanRo: number[] = [];
  const chanBar2: bigint[] = [], chanSize: bigint[] = [], chanIntid: number[] = [];
  const rowOf = new Map<string, number>();
  vms.forEach((vm, i) => {
    for (const p of vmChannels(cfg, vm)) {
      rowOf.set(`${p.index}/${p.peer}`, chanVm.length);
      chanVm.push(i); chanChannel.push(p.index); chanPeer.push(p.peer); chanRo.push(p.access === "ro" ? 1 : 0);
      chanBar2.push(p.bar2); chanSize.push(p.channel.size); chanIntid.push(p.intid);
    }
    chanFirst.push(chanVm.length);
  });
  const channelFirst = [0], memberRow: number[] = [];
  (cfg.channels ?? []).forEach((ch, c) => {
    channelMembers(ch).forEach((_, peer) => memberRow.push(rowOf.get(`${c}/${peer}`) ?? 0));
    channelFirst.push(memberRow.length);
  });
  if (chanVm.length > MAX_TABLE_ROWS) throw new Error(`${chanVm.length} channel devices: the tables hold at most ${MAX_TABLE_ROWS}`);
  if (regionKind.length > MAX_TABLE_ROWS) throw new Error(`${regionKind.length} memory regions: the tables hold at most ${MAX_TABLE_ROWS}`);
  if (irqIntid.length > MAX_TABLE_ROWS) throw new Error(`${irqIntid.length} interrupts: the tables hold at most ${MAX_TABLE_ROWS}`);

  const src = opts.source ?? configSource(cfg);
  const shown = src ? (path.isAbsolute(src) ? path.relative(PROJECT_ROOT, src) : src) : "a built-in config";
  const u8 = (xs: number[]) => `new Uint8Array([${(xs.length ? xs : [0]).join(", ")}])`;
  const u16 = (xs: number[]) => `new Uint16Array([${(xs.length ? xs : [0]).join(", ")}])`;
  const u32 = (xs: number[]) => `new Uint32Array([${(xs.length ? xs : [0]).join(", ")}])`;
  const u64 = (xs: bigint[]) => `new BigUint64Array([${(xs.length ? xs : [0n]).map((x) => `${hex(x)}n`).join(", ")}])`;

  return `// Generated by bulkhead from ${shown} for ${f.BOARD_NAME} — do not edit.
export const VM_COUNT: u32 = ${vms.length};
export const PMU_COUNTS_EL2: bool = ${opts.pmuCountsEl2 === true}; // true only in a benchmark build: guests may count the hypervisor's instructions
export const NO_VM: u32 = ${NO_VM};
/** Per physical CPU (board CPU_COUNT entries): the VM it runs (NO_VM: none) and its vCPU index in that VM. */
export const CPU_VM = ${u8(cpuVm)};
export const CPU_VCPU = ${u8(cpuVcpu)};
/** Per VM. */
export const VM_VCPUS = ${u8(vms.map((vm) => vm.cpus.length))};
export const VM_ENTRY = ${u64(place.map((p) => p.entryIpa))};
export const VM_DTB = ${u64(place.map((p) => p.dtbIpa))};
export const VM_UART = ${u64(vms.map((vm) => (uartEmulated(vm) ? f.UART_BASE : 0n)))}; // IPA of the emulated PL011, 0: none
export const VM_SCRUB = ${u8(vms.map((vm) => (vm.scrubOnRestart === false ? 0 : 1)))}; // 1: RAM zeroed when the VM restarts
/** Health (types.ts HealthPolicy, src/el2/health.ts): the emulated SP805's IPA (0: none), its timeout, whether it runs from boot. */
export const VM_WATCHDOG = ${u64(vms.map((vm) => (vm.health?.watchdog ? watchdogIpa(f) : 0n)))};
export const VM_WATCHDOG_MS = ${u32(vms.map((vm) => vm.health?.watchdog?.timeoutMs ?? 0))};
export const VM_WATCHDOG_BOOT = ${u8(vms.map((vm) => (vm.health?.watchdog && vm.health.watchdog.start !== "guest" ? 1 : 0)))};
/** On a failure: 0 restart, 1 power off; restarts allowed within the window before that (0xffffffff: no limit), the window in ms. */
export const VM_ON_FAILURE = ${u8(vms.map((vm) => (vm.health?.onFailure === "off" ? 1 : 0)))};
export const VM_RESTART_LIMIT = ${u32(vms.map((vm) => { const o = vm.health?.onFailure; return typeof o === "object" ? o.restart : 0xffffffff; }))};
export const VM_RESTART_WINDOW_MS = ${u32(vms.map((vm) => { const o = vm.health?.onFailure; return typeof o === "object" ? o.withinMs : 0; }))};
/** 1: the VM may read every VM's health (HVC_HEALTH). */
export const VM_HEALTH_VIEW = ${u8(vms.map((vm) => (vm.health?.view ? 1 : 0)))};
/** Memory regions, VM by VM: rows REGION_FIRST[vm] .. REGION_FIRST[vm + 1] - 1. */
export const REGION_FIRST = ${u8(regionFirst)};
export const REGION_KIND = ${u8(regionKind)}; // 0: RAM, 1: device, 2: shared, 3: channel, 4: channel read-only
export const REGION_IPA = ${u64(regionIpa)};
export const REGION_PA = ${u64(regionPa)};
export const REGION_SIZE = ${u64(regionSize)};
/** Copies made at boot: from the hypervisor image into a VM's memory (image, dtb). */
export const LOAD_VM = ${u8(loadVm)};
export const LOAD_SRC = ${u64(loadSrc)};
export const LOAD_DST = ${u64(loadDst)}; // IPA
export const LOAD_SIZE = ${u64(loadSize)};
/** Interrupts passed through: rows IRQ_FIRST[vm] .. IRQ_FIRST[vm + 1] - 1. */
export const IRQ_FIRST = ${u8(irqFirst)};
export const IRQ_INTID = ${u16(irqIntid)}; // a one-element dummy when empty: tables need at least one element
/** The virtual PCI host bridge of a VM in channels: its ECAM (bus 0) and slot k's BAR0 at VPCI_BAR0 + k × 4 KiB (IPAs). */
export const VPCI_ECAM: u64 = ${hex(VPCI_ECAM)}n;
export const VPCI_BAR0: u64 = ${hex(VPCI_MMIO)}n;
/** Channel devices, VM by VM: rows CHAN_FIRST[vm] .. CHAN_FIRST[vm + 1] - 1; a row's PCI slot is row - CHAN_FIRST[vm]. */
export const CHAN_FIRST = ${u8(chanFirst)};
export const CHAN_VM = ${u8(chanVm)};
export const CHAN_CHANNEL = ${u8(chanChannel)};
export const CHAN_PEER = ${u8(chanPeer)}; // the VM's peer ID in the channel
export const CHAN_RO = ${u8(chanRo)}; // 1: the VM may only read the memory
export const CHAN_BAR2 = ${u64(chanBar2)}; // IPA of the memory
export const CHAN_SIZE = ${u64(chanSize)};
export const CHAN_INTID = ${u16(chanIntid)}; // the device's INTA: a virtual SPI of the VM
/** Channels: MEMBER_ROW[CHANNEL_FIRST[c] .. CHANNEL_FIRST[c + 1] - 1] are channel c's device rows, by peer ID. */
export const CHANNEL_FIRST = ${u8(channelFirst)};
export const MEMBER_ROW = ${u8(memberRow)};
export function vmName(vm: u32): string {
  switch (vm) {
${vms.map((vm, i) => `    case ${i}: return "${vm.name}";`).join("\n")}
    default: return "?";
  }
}
`;
}
