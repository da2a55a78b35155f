// Shared helpers of the config layer: address ranges, the virtual GIC a VM sees, what each VM
// maps (its own regions and the shared regions peers give it), where its image comes from.
import path from "node:path";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import type { Board, BoardFacts } from "../board.ts";
import type { Config, DeviceRegion, VmConfig } from "./types.ts";
import { vmChannels } from "./channels.ts";

export const KiB = 1n << 10n;
export const MiB = 1n << 20n;
export const PAGE = 4n * KiB;

/** The hypervisor's own memory at the bottom of board RAM: QEMU's DTB at RAM_BASE, the hypervisor at HYP_BASE. */
export const HYP_RESERVE = 32n * MiB;

/** [start, end): end exclusive. */
export type Range = [bigint, bigint];

/** The hypervisor's memory: `reserve` bytes from RAM_BASE (more than HYP_RESERVE when its guest images need it). */
export function hypRange(board: Board | BoardFacts, reserve: bigint = HYP_RESERVE): Range {
  const f = factsOf(board);
  return [f.RAM_BASE, f.RAM_BASE + reserve];
}

/** The board's RAM ranges [start, end): RAM_BASE's (the hypervisor's reserve at its bottom), then RAM2's if it has one. */
export function ramRanges(board: Board | BoardFacts): Range[] {
  const f = factsOf(board);
  const out: Range[] = [[f.RAM_BASE, f.RAM_BASE + f.RAM_SIZE]];
  if (f.RAM2_SIZE > 0n) out.push([f.RAM2_BASE, f.RAM2_BASE + f.RAM2_SIZE]);
  return out;
}

/**
 * The VM's devices, each written out: checkConfig fills in those named by a board device-tree node
 * (host/config/board-nodes.ts) before anything else reads them, so one that is not is a bug here.
 */
export function devicesOf(vm: VmConfig): DeviceRegion[] {
  const devices = vm.devices ?? [];
  for (const d of devices) if (!("ipa" in d && "size" in d && "name" in d) || d.ipa === undefined) throw new Error(`vm "${vm.name}": device node ${JSON.stringify(d.node)} read before the check filled it in`);
  return devices as DeviceRegion[];
}

export function factsOf(board: Board | BoardFacts): BoardFacts {
  return "facts" in board ? board.facts : board;
}

/** `0x4000000`, `-0x4000000`: as a config writes a negative number (not `0x-4000000`). */
export function hex(x: bigint): string {
  return x < 0n ? `-0x${(-x).toString(16)}` : `0x${x.toString(16)}`;
}

/** `0x40000000-0x4bffffff`: inclusive end, as messages and maps show ranges. */
export function span(start: bigint, size: bigint): string {
  return `${hex(start)}-${hex(start + size - 1n)}`;
}

/**
 * `s` as one line, inert on a terminal: the control characters a name may hold (a newline, an ESC)
 * written as escapes, so that every error is one line and a config cannot forge the lines after it.
 */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === "\n" ? "\\n" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

export function overlaps(a0: bigint, asz: bigint, b0: bigint, bsz: bigint): boolean {
  return a0 < b0 + bsz && b0 < a0 + asz;
}

export function alignUp(x: bigint, a: bigint): bigint {
  return (x + a - 1n) / a * a;
}

export function alignDown(x: bigint, a: bigint): bigint {
  return x / a * a;
}

/** PL011 frame size. */
export const UART_SIZE = 0x1000n;
/** GICv3: one RD_base + SGI_base frame pair per CPU. */
export const GICR_FRAME = 0x20000n;
/** The GICv2 CPU interface a VM sees (its GICV frame, mapped at the board's GICC address). */
export const GICV2_FRAME = 0x2000n;
/** The GICv2 distributor the guest sees. */
export const GICV2_GICD_SIZE = 0x1000n;

export interface BoardRegion { what: string; base: bigint; size: bigint }

/** The virtual GIC a VM sees, at the board's IPAs (GICv3: GICD + one GICR pair per vCPU; GICv2: GICD + GICC). */
export function vgicRegions(board: Board | BoardFacts, vcpus: number): BoardRegion[] {
  const f = factsOf(board);
  if (f.GIC_VERSION >= 3) {
    return [
      { what: "virtual GIC distributor", base: f.GICD_BASE, size: f.GICD_SIZE },
      { what: "virtual GIC redistributors", base: f.GICR_BASE, size: GICR_FRAME * BigInt(Math.max(vcpus, 1)) },
    ];
  }
  return [
    { what: "virtual GIC distributor", base: f.GICD_BASE, size: GICV2_GICD_SIZE },
    { what: "virtual GIC CPU interface", base: f.GICC_BASE, size: GICV2_FRAME },
  ];
}

export type RegionKind = "RAM" | "device" | "shared" | "channel";
/** REGION_KIND in the generated tables (src/stage2/vm.ts RegionKind); a read-only channel is CHANNEL_RO_CODE. */
export const REGION_KIND_CODE: Record<RegionKind, number> = { RAM: 0, device: 1, shared: 2, channel: 3 };
export const CHANNEL_RO_CODE = 4;

export function regionKindCode(m: Mapping): number {
  return m.kind === "channel" && m.readOnly ? CHANNEL_RO_CODE : REGION_KIND_CODE[m.kind];
}

/** One mapping of a VM's stage-2 tables. */
export interface Mapping {
  kind: RegionKind;
  /** Device or shared-region name; "" for RAM. */
  name: string;
  ipa: bigint;
  pa: bigint;
  size: bigint;
  /** A shared region this VM maps because a peer declared it (and this VM did not). */
  fromPeer?: string;
  /** A channel this VM may only read (stage 2 maps it read-only). */
  readOnly?: boolean;
}

export function describe(m: { kind: RegionKind; name: string }): string {
  return m.kind === "RAM" ? "RAM" : `${m.kind} "${m.name}"`;
}

/** Everything `vm` maps, in table order: RAM, devices, shared (declared, then given by peers), channels (at their BAR2). */
export function vmMappings(cfg: Config, vm: VmConfig): Mapping[] {
  const out: Mapping[] = [];
  for (const r of vm.ram) out.push({ kind: "RAM", name: "", ipa: r.ipa, pa: r.pa ?? r.ipa, size: r.size });
  for (const d of devicesOf(vm)) out.push({ kind: "device", name: d.name, ipa: d.ipa, pa: d.pa ?? d.ipa, size: d.size });
  const own = new Set<string>();
  for (const s of vm.shared ?? []) {
    own.add(s.name);
    out.push({ kind: "shared", name: s.name, ipa: s.ipa, pa: s.pa, size: s.size });
  }
  for (const other of cfg.vms) {
    if (other === vm) continue;
    for (const s of other.shared ?? []) {
      if (!s.peers.includes(vm.name) || own.has(s.name)) continue;
      own.add(s.name);
      out.push({ kind: "shared", name: s.name, ipa: s.ipa, pa: s.pa, size: s.size, fromPeer: other.name });
    }
  }
  for (const p of vmChannels(cfg, vm)) {
    out.push({ kind: "channel", name: p.channel.name, ipa: p.bar2, pa: p.channel.pa, size: p.channel.size, readOnly: p.access === "ro" });
  }
  return out;
}

/** SPI INTIDs passed through to `vm`: its `interrupts` and its devices', sorted, each once. */
export function vmInterrupts(vm: VmConfig): number[] {
  const all = new Set<number>(vm.interrupts ?? []);
  for (const d of devicesOf(vm)) for (const i of d.interrupts ?? []) all.add(i);
  return [...all].sort((a, b) => a - b);
}

export function uartEmulated(vm: VmConfig): boolean {
  return (vm.uart ?? "emulated") === "emulated";
}

/** An emulated SP805 frame's size. */
export const WATCHDOG_SIZE = 0x1000n;

/**
 * Where a VM with a watchdog (types.ts HealthPolicy) sees its emulated SP805: 64 KiB above the
 * board's UART address, in the same peripheral window (QEMU virt: 0x9010000, its PL031's slot,
 * which no VM is given; Raspberry Pi 4: 0xfe211000).
 */
export function watchdogIpa(board: Board | BoardFacts): bigint {
  return factsOf(board).UART_BASE + 0x10000n;
}

export function hasWatchdog(vm: VmConfig): boolean {
  return vm.health?.watchdog !== undefined;
}

/** A VM's failure policy in words, as `map` shows it. */
export function describeHealth(vm: VmConfig): string {
  const h = vm.health;
  const w = h?.watchdog ? `watchdog ${h.watchdog.timeoutMs} ms from ${h.watchdog.start ?? "boot"}` : "no watchdog";
  const f = h?.onFailure ?? "restart";
  const then = typeof f === "string" ? `on failure ${f}` : `on failure restart at most ${f.restart} times within ${f.withinMs} ms, then ${f.then}`;
  return `${w}; ${then}${h?.view ? "; reads every VM's health" : ""}`;
}

/** Where each loaded config came from (definePartitions cannot know its caller's file). */
const sources = new WeakMap<Config, string>();

export function setConfigSource(cfg: Config, file: string): void {
  sources.set(cfg, path.resolve(file));
}

export function configSource(cfg: Config): string | undefined {
  return sources.get(cfg);
}

export function builtinImagePath(name: string): string {
  return path.join(PROJECT_ROOT, "build/guests", `${name}.bin`);
}

/** The image file of `vm`: built-ins under build/guests, relative paths from the config's directory (else cwd). */
export function resolveImage(cfg: Config, vm: VmConfig, baseDir?: string): string {
  if (typeof vm.image === "object") return builtinImagePath(vm.image.builtin);
  return path.resolve(baseDir ?? configDir(cfg), vm.image);
}

/** A `dtb` path of `vm`, resolved like its image; undefined when generated. */
export function resolveDtb(cfg: Config, vm: VmConfig, baseDir?: string): string | undefined {
  if (vm.dtb === undefined || vm.dtb === "generate") return undefined;
  return path.resolve(baseDir ?? configDir(cfg), vm.dtb);
}

/** The `initrd` path of `vm`, resolved like its image; undefined when it has none. */
export function resolveInitrd(cfg: Config, vm: VmConfig, baseDir?: string): string | undefined {
  return vm.initrd === undefined ? undefined : path.resolve(baseDir ?? configDir(cfg), vm.initrd);
}

function configDir(cfg: Config): string {
  const src = configSource(cfg);
  return src ? path.dirname(src) : process.cwd();
}

export function findVm(cfg: Config, vm: VmConfig | string): VmConfig {
  if (typeof vm !== "string") return vm;
  const found = cfg.vms.find((v) => v.name === vm);
  if (!found) throw new Error(`no vm "${vm}" in the config`);
  return found;
}
