// The memory maps `bulkhead map` shows: the board's physical memory with the owner of every range,
// and each VM's guest-physical (IPA) space. Both come from the same placement code the checker and
// the build use (reserved.ts, model.ts vmMappings/vgicRegions), so a map never disagrees with a build.
import type { Board } from "../board.ts";
import type { Config, VmConfig } from "./types.ts";
import { MiB, UART_SIZE, describe, factsOf, hex, ramRanges, span, uartEmulated, vgicRegions, vmMappings, type Mapping, type Range } from "./model.ts";
import { reservedRegions } from "./reserved.ts";
import { BAR0_SIZE, VPCI_ECAM, VPCI_ECAM_SIZE, VPCI_MMIO, vmChannels } from "./channels.ts";

/**
 * What a range is: a region the hypervisor keeps (`reserved`, the GIC's frames being `gic`), a VM's
 * `RAM`, `device` or `shared` memory, what the hypervisor emulates in a VM's IPA space (`emulated`:
 * its virtual GIC and PL011), or RAM nobody has (`free`).
 */
export type MapKind = "reserved" | "gic" | "RAM" | "device" | "shared" | "emulated" | "free";

export interface MapRegion {
  base: bigint;
  size: bigint;
  kind: MapKind;
  /** "hypervisor", "withheld" or "free"; else the VMs that map it (a shared region: each of them, the declaring VM first). */
  owners: string[];
  what: string;
  /** Physical map: where each VM sees it (`ipa alpha 0x40000000`); a VM's map: where it is in physical memory. */
  where?: string;
  /** A passthrough device that masters the bus with nothing confining it. */
  dmaUnisolated?: boolean;
}

function byBase(a: MapRegion, b: MapRegion): number {
  return a.base < b.base ? -1 : a.base > b.base ? 1 : 0;
}

/** `the GIC distributor (GICD)` → `GIC distributor (GICD)`, as a map shows a name. */
function bare(what: string): string {
  return what.replace(/^the /, "");
}

/**
 * The board's physical memory, sorted by address: its reserved regions (`hyp` the hypervisor's RAM
 * reserve), every VM's regions (a shared region once, with each VM that maps it), and the free RAM.
 */
export function physicalMap(board: Board, cfg: Config, hyp: Range): MapRegion[] {
  const emulating = cfg.vms.filter(uartEmulated).map((v) => v.name);
  const rows: MapRegion[] = [];
  for (const r of reservedRegions(board, hyp)) {
    const what = r.key === "UART" && emulating.length ? `${r.what} (emulated for ${emulating.join(", ")})` : `${r.what}: ${r.why}`;
    rows.push({ base: r.base, size: r.size, kind: r.key.startsWith("GIC") ? "gic" : "reserved", owners: [r.owner], what: bare(what) });
  }
  const shared = new Map<string, MapRegion>();
  for (const vm of cfg.vms) {
    for (const m of vmMappings(cfg, vm)) {
      if (m.kind === "shared" || m.kind === "channel") {
        const key = `${m.kind} ${m.name}@${m.pa}`;
        const seen = shared.get(key);
        const ro = m.readOnly ? " read-only" : "";
        if (seen) {
          seen.owners.push(vm.name);
          seen.where += `, ${vm.name} ${hex(m.ipa)}${ro}`;
          continue;
        }
        const r: MapRegion = { base: m.pa, size: m.size, kind: "shared", owners: [vm.name], what: describe(m), where: `ipa ${vm.name} ${hex(m.ipa)}${ro}` };
        shared.set(key, r);
        rows.push(r);
        continue;
      }
      rows.push({ base: m.pa, size: m.size, kind: m.kind, owners: [vm.name], what: describe(m), where: `ipa ${span(m.ipa, m.size)}`, ...(dmaUnisolated(vm, m) ? { dmaUnisolated: true } : {}) });
    }
  }
  // Free gaps inside board RAM.
  const gaps: MapRegion[] = [];
  for (const [ramStart, ramEnd] of ramRanges(factsOf(board))) {
    let at = ramStart;
    for (const r of rows.filter((r) => r.base < ramEnd && r.base + r.size > ramStart).sort(byBase)) {
      if (r.base > at) gaps.push(free(at, r.base));
      if (r.base + r.size > at) at = r.base + r.size;
    }
    if (at < ramEnd) gaps.push(free(at, ramEnd));
  }
  return [...rows, ...gaps].sort(byBase);
}

function dmaUnisolated(vm: VmConfig, m: Mapping): boolean {
  return m.kind === "device" && vm.devices?.find((d) => d.name === m.name)?.dma === "unisolated";
}

function free(start: bigint, end: bigint): MapRegion {
  return { base: start, size: end - start, kind: "free", owners: ["free"], what: `${(end - start) / MiB} MiB` };
}

/**
 * `vm`'s guest-physical (IPA) space, sorted by address: its RAM, devices and shared regions (each
 * with its physical address), and the virtual GIC and PL011 the hypervisor emulates there.
 */
export function guestMap(board: Board, cfg: Config, vm: VmConfig): MapRegion[] {
  const f = factsOf(board);
  const rows: MapRegion[] = vmMappings(cfg, vm).map((m) => ({
    base: m.ipa, size: m.size, kind: m.kind === "channel" ? "shared" : m.kind,
    what: describe(m) + (m.fromPeer ? ` (from ${m.fromPeer})` : "") + (m.readOnly ? " (read-only)" : ""),
    owners: m.kind === "shared" || m.kind === "channel" ? sharers(cfg, vm, m) : [vm.name],
    where: `pa ${span(m.pa, m.size)}`,
    ...(dmaUnisolated(vm, m) ? { dmaUnisolated: true } : {}),
  }));
  for (const g of vgicRegions(f, vm.cpus.length)) rows.push({ base: g.base, size: g.size, kind: "emulated", owners: ["hypervisor"], what: g.what });
  const ports = vmChannels(cfg, vm);
  if (ports.length) {
    rows.push({ base: VPCI_ECAM, size: VPCI_ECAM_SIZE, kind: "emulated", owners: ["hypervisor"], what: "virtual PCI ECAM (channels)" });
    rows.push({ base: VPCI_MMIO, size: BAR0_SIZE * BigInt(ports.length), kind: "emulated", owners: ["hypervisor"], what: "channel registers (BAR0s)" });
  }
  if (uartEmulated(vm)) rows.push({ base: f.UART_BASE, size: UART_SIZE, kind: "emulated", owners: ["hypervisor"], what: "emulated PL011 UART" });
  return rows.sort(byBase);
}

/** The VMs that map the shared region or channel `s` (vmMappings decides it, as for the tables): `vm` first. */
function sharers(cfg: Config, vm: VmConfig, s: Mapping): string[] {
  const others = cfg.vms.filter((o) => o !== vm && vmMappings(cfg, o).some((m) => m.kind === s.kind && m.name === s.name && m.pa === s.pa));
  return [vm.name, ...others.map((o) => o.name)];
}
