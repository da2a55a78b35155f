// Validation of a partition config against a board: every error names both parties and their
// ranges (inclusive ends), e.g.
//   vm "rtos" RAM 0x48000000-0x4fffffff overlaps vm "linux" RAM 0x40000000-0x4bffffff
//   vm "attacker" device "msi" 0x8020000-0x8020fff overlaps the GICv2m MSI frame 0x8020000-0x8020fff (reaches beyond one VM: ...)
// Warnings (configWarnings) name what the config accepts knowingly: devices whose DMA is unisolated.
import fs from "node:fs";
import path from "node:path";
import type { Board, BoardFacts } from "../board.ts";
import type { Config, VmConfig } from "./types.ts";
import { channelErrors } from "./channel-check.ts";
import { dmaErrors, dmaWarnings } from "./dma.ts";
import {
  HYP_RESERVE, PAGE, describe, factsOf, hex, overlaps, ramRanges, resolveDtb, resolveInitrd,
  span, uartEmulated, UART_SIZE, WATCHDOG_SIZE, hasWatchdog, vgicRegions, watchdogIpa, vmInterrupts, vmMappings, type Mapping, type Range,
} from "./model.ts";
import { describeReserved, reservedRegions } from "./reserved.ts";
import { shapeErrors } from "./shape.ts";
import { resolveDeviceNodes } from "./board-nodes.ts";
import { isElf } from "./elf.ts";
import { generatedDtb, imageFile, reserveOf } from "./images.ts";
import { MAX_TABLE_ROWS, MAX_VMS, dtbIpa, guestLoad, initrdIpa } from "./tables.ts";

export { HYP_RESERVE, hypRange } from "./model.ts";

export const VM_NAME = /^[a-z][a-z0-9-]{0,15}$/;
/** The hypervisor's own console label (src/el2/console.ts): no VM may take it. */
const HYP_LABEL = "hyp";
export const DEVICE_NAME = /^[a-z][a-z0-9,._+-]{0,30}$/;

export interface CheckOptions {
  /**
   * The hypervisor's own memory (PA, end exclusive): no VM region may touch it (nor any other
   * reserved region of the board). Default: the reserve the config's files need (images.ts), as
   * the build sizes it.
   */
  hypRange?: Range;
  /** Directory that relative image/dtb paths are taken from (default: the config file's, else cwd). */
  baseDir?: string;
}

/** Every problem of `cfg` on `board`, one line each; empty: the config is good. */
export function checkConfig(board: Board, cfg: Config, opts: CheckOptions): string[] {
  const shape = shapeErrors(cfg);
  if (shape.length) return shape;
  const unresolved = resolveDeviceNodes(board, cfg);
  if (unresolved.length) return unresolved;
  const f = factsOf(board);
  const errors: string[] = [];
  const err = (m: string) => errors.push(m);
  const vms = cfg.vms;
  if (vms.length === 0) err("the config has no VMs (at least one VM with at least one CPU is needed)");
  // What the hypervisor's tables hold (tables.ts): the build would fail past these, after the check.
  if (vms.length > MAX_VMS) err(`the config has ${vms.length} VMs; the hypervisor's tables hold at most ${MAX_VMS}`);
  const regionRows = vms.reduce((n, vm) => n + vmMappings(cfg, vm).length, 0);
  if (regionRows > MAX_TABLE_ROWS) err(`the config maps ${regionRows} memory regions in all (each VM's RAM, devices and shared regions); the hypervisor's tables hold at most ${MAX_TABLE_ROWS}`);
  const irqRows = vms.reduce((n, vm) => n + vmInterrupts(vm).length, 0);
  if (irqRows > MAX_TABLE_ROWS) err(`the config passes ${irqRows} interrupts through in all; the hypervisor's tables hold at most ${MAX_TABLE_ROWS}`);

  // Names.
  const byName = new Map<string, number>();
  vms.forEach((vm, i) => {
    if (!VM_NAME.test(vm.name)) err(`vm "${vm.name}": the name must match ${VM_NAME} (lower case, at most 16 characters)`);
    // Console lines are labelled by source: a VM called "hyp" could print lines that pass for the hypervisor's.
    else if (vm.name === HYP_LABEL) err(`vm "${vm.name}": the name is the hypervisor's console label; choose another`);
    const first = byName.get(vm.name);
    if (first !== undefined) err(`vm "${vm.name}" (vms[${i}]) has the same name as vm "${vm.name}" (vms[${first}])`);
    else byName.set(vm.name, i);
  });

  const ram = ramRanges(f);
  const ipaLimit = 1n << BigInt(f.PA_BITS);
  const boardRam = `board RAM ${ram.map(([s, e]) => span(s, e - s)).join(" and ")}`;
  const hyp = opts.hypRange ?? reserveOf(board, cfg, opts.baseDir);
  const reserved = reservedRegions(f, hyp);

  for (const vm of vms) {
    const who = `vm "${vm.name}"`;
    // CPUs.
    if (vm.cpus.length === 0) err(`${who} has no CPUs (every VM needs at least one)`);
    const seenCpu = new Set<number>();
    for (const c of vm.cpus) {
      if (!Number.isInteger(c) || c < 0 || c >= f.CPU_COUNT) err(`${who} CPU ${c} does not exist (the board has CPUs 0-${f.CPU_COUNT - 1})`);
      else if (seenCpu.has(c)) err(`${who} lists CPU ${c} twice`);
      seenCpu.add(c);
    }
    // Interrupts.
    const seenIrq = new Set<number>();
    const irqs = [...(vm.interrupts ?? []), ...(vm.devices ?? []).flatMap((d) => d.interrupts ?? [])];
    for (const i of irqs) {
      if (seenIrq.has(i)) continue;
      seenIrq.add(i);
      if (!Number.isInteger(i) || i < 32 || i > 1019) err(`${who} interrupt ${i} is not an SPI (INTIDs 32-1019 can be passed through)`);
      else if (i === f.UART_INTID) err(`${who} interrupt ${i} is the board UART's (UART_INTID ${f.UART_INTID}), which the hypervisor owns`);
    }

    // Regions: alignment, sizes, IPA space, where the PAs may be.
    // Channels are checked once each, not per member (channel-check.ts).
    const declared = vmMappings(cfg, vm).filter((m) => !m.fromPeer && m.kind !== "channel");
    for (const m of declared) {
      const what = `${who} ${describe(m)}`;
      for (const [field, v] of [["ipa", m.ipa], ["pa", m.pa], ["size", m.size]] as const) {
        if (v % PAGE !== 0n) err(`${what} ${field} ${hex(v)} is not 4 KiB aligned`);
      }
      if (m.size <= 0n) { err(`${what} has size ${hex(m.size)} (must be positive)`); continue; }
      if (m.ipa < 0n || m.ipa + m.size > ipaLimit) err(`${what} IPA ${span(m.ipa, m.size)} is beyond the ${f.PA_BITS}-bit IPA space`);
      if (m.pa < 0n || m.pa + m.size > ipaLimit) err(`${what} ${span(m.pa, m.size)} is beyond the ${f.PA_BITS}-bit physical address space`);
      if (m.kind === "device") {
        if (ram.some(([s, e]) => overlaps(m.pa, m.size, s, e - s))) err(`${what} ${span(m.pa, m.size)} overlaps ${boardRam} (a device is MMIO, not RAM)`);
      } else if (!ram.some(([s, e]) => m.pa >= s && m.pa + m.size <= e)) err(`${what} ${span(m.pa, m.size)} is outside ${boardRam}`);
      for (const r of reserved) {
        if (overlaps(m.pa, m.size, r.base, r.size)) err(`${what} ${span(m.pa, m.size)} overlaps ${describeReserved(r)}`);
      }
    }
    errors.push(...dmaErrors(board, vm));

    // Names of devices and shared regions, unique within the VM.
    const regionNames = new Map<string, string>();
    for (const m of declared) {
      if (m.kind === "RAM") continue;
      if (m.kind === "device" && !DEVICE_NAME.test(m.name)) err(`${who} device "${m.name}": the name must match ${DEVICE_NAME} (it names a device-tree node)`);
      if (m.kind === "shared" && !VM_NAME.test(m.name)) err(`${who} shared "${m.name}": the name must match ${VM_NAME}`);
      const prev = regionNames.get(m.name);
      if (prev) err(`${who} ${describe(m)} has the same name as its ${prev}`);
      else regionNames.set(m.name, describe(m));
    }

    // Shared regions: peers exist; a peer declaring the same region agrees on it.
    for (const s of vm.shared ?? []) {
      if (s.peers.length === 0) err(`${who} shared "${s.name}" has no peers`);
      for (const p of s.peers) {
        if (p === vm.name) err(`${who} shared "${s.name}" lists its own vm as a peer`);
        else if (!byName.has(p)) err(`${who} shared "${s.name}" names peer "${p}", which is not a vm of the config`);
        else {
          const twin = vms.find((v) => v.name === p)!.shared?.find((t) => t.name === s.name);
          if (twin && (twin.pa !== s.pa || twin.size !== s.size) && vms.indexOf(vm) < vms.findIndex((v) => v.name === p)) {
            err(`vm "${p}" shared "${s.name}" ${span(twin.pa, twin.size)} differs from ${who} shared "${s.name}" ${span(s.pa, s.size)}`);
          }
        }
      }
    }

    // Within the VM: IPA ranges apart (own regions, peers' shared regions, emulated UART, virtual GIC);
    // PA ranges apart (no aliasing).
    const all = vmMappings(cfg, vm);
    const ipaName = (m: Mapping) => `${describe(m)}${m.fromPeer ? ` (from vm "${m.fromPeer}")` : ""} IPA ${span(m.ipa, m.size)}`;
    for (let i = 0; i < all.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = all[i], b = all[j];
        if (a.size > 0n && b.size > 0n && overlaps(a.ipa, a.size, b.ipa, b.size)) err(`${who} ${ipaName(a)} overlaps its ${ipaName(b)}`);
      }
    }
    for (let i = 0; i < declared.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = declared[i], b = declared[j];
        if (a.size > 0n && b.size > 0n && overlaps(a.pa, a.size, b.pa, b.size)) err(`${who} ${describe(a)} ${span(a.pa, a.size)} overlaps its ${describe(b)} ${span(b.pa, b.size)}`);
      }
    }
    const virtual = vgicRegions(f, vm.cpus.length).map((g) => ({ what: g.what, base: g.base, size: g.size }));
    if (uartEmulated(vm)) virtual.push({ what: "emulated UART", base: f.UART_BASE, size: UART_SIZE });
    if (hasWatchdog(vm)) virtual.push({ what: "emulated watchdog (SP805)", base: watchdogIpa(f), size: WATCHDOG_SIZE });
    for (const v of virtual) {
      for (const m of all) {
        if (m.size > 0n && overlaps(m.ipa, m.size, v.base, v.size)) err(`${who} ${v.what} IPA ${span(v.base, v.size)} overlaps its ${ipaName(m)}`);
      }
    }

    // Entry, image, DTB.
    const ram0 = vm.ram[0];
    if (vm.entry !== undefined && !vm.ram.some((r) => vm.entry! >= r.ipa && vm.entry! < r.ipa + r.size)) {
      err(`${who} entry ${hex(vm.entry)} is not in its RAM (${vm.ram.map((r) => `IPA ${span(r.ipa, r.size)}`).join(", ")})`);
    }
    const dtbAt = dtbIpa(cfg, vm);
    if (ram0.size > 0n && dtbAt <= ram0.ipa) err(`${who} RAM IPA ${span(ram0.ipa, ram0.size)} is too small for an image and the DTB (the DTB goes 2 MiB below its top)`);
    const image = imageFile(cfg, vm, opts.baseDir);
    let l: ReturnType<typeof guestLoad> | null = null;
    if (fs.existsSync(image)) {
      try {
        l = guestLoad(cfg, vm, fs.readFileSync(image));
      } catch (e) {
        err(`${who} image ${path.basename(image)}: ${(e as Error).message}`);
      }
    } else err(`${who} image ${image} does not exist`);
    if (l && ram0.size > 0n) {
      const at = `${path.basename(image)} (IPA ${span(l.loadIpa, l.memSize)})`;
      if (l.loadIpa < ram0.ipa || l.loadIpa + l.memSize > ram0.ipa + ram0.size) {
        // An ELF file goes where it is linked: the fix is in the link, or in ram[0].
        const how = isElf(fs.readFileSync(image)) ? "is linked at" : "loads at";
        err(`${who} image ${path.basename(image)} ${how} IPA ${span(l.loadIpa, l.memSize)}, outside its first RAM region IPA ${span(ram0.ipa, ram0.size)}`);
      } else if (dtbAt > ram0.ipa && l.loadIpa + l.memSize > dtbAt) {
        err(`${who} image ${at} does not fit below its DTB at ${hex(dtbAt)} (2 MiB below the top of its first RAM region IPA ${span(ram0.ipa, ram0.size)})`);
      }
    }
    // The build copies these files into the hypervisor image: each must be a file there now.
    const initrd = resolveInitrd(cfg, vm, opts.baseDir);
    for (const [what, file] of [["dtb", resolveDtb(cfg, vm, opts.baseDir)], ["initrd", initrd]] as const) {
      if (file === undefined) continue;
      if (!fs.existsSync(file)) err(`${who} ${what} ${file} does not exist`);
      else if (!fs.statSync(file).isFile()) err(`${who} ${what} ${file} is not a file`);
    }
    // The initrd goes right below the DTB (tables.ts initrdIpa), above the image.
    if (l && initrd && fs.existsSync(initrd) && fs.statSync(initrd).isFile()) {
      const size = BigInt(fs.statSync(initrd).size);
      if (initrdIpa(cfg, vm, size) < l.loadIpa + l.memSize) {
        err(`${who} initrd ${initrd} (${hex(size)} bytes) does not fit between its image (up to IPA ${hex(l.loadIpa + l.memSize - 1n)}) and its DTB at ${hex(dtbAt)}`);
      }
    }
  }

  // Between VMs: CPUs, interrupts, physical memory.
  const cpuOwner = new Map<number, string>();
  const irqOwner = new Map<number, string>();
  for (const vm of vms) {
    for (const c of new Set(vm.cpus)) {
      const o = cpuOwner.get(c);
      if (o !== undefined) err(`vm "${vm.name}" claims CPU ${c}, already owned by vm "${o}"`);
      else cpuOwner.set(c, vm.name);
    }
    for (const i of vmInterrupts(vm)) {
      const o = irqOwner.get(i);
      if (o !== undefined) err(`vm "${vm.name}" claims interrupt ${i}, already owned by vm "${o}"`);
      else irqOwner.set(i, vm.name);
    }
  }
  for (let i = 0; i < vms.length; i++) {
    const mine = vmMappings(cfg, vms[i]).filter((m) => !m.fromPeer && m.kind !== "channel");
    for (let j = 0; j < i; j++) {
      const theirs = vmMappings(cfg, vms[j]).filter((m) => !m.fromPeer && m.kind !== "channel");
      for (const a of mine) {
        for (const b of theirs) {
          if (a.size <= 0n || b.size <= 0n || !overlaps(a.pa, a.size, b.pa, b.size)) continue;
          if (a.kind === "shared" && b.kind === "shared" && a.name === b.name && peers(vms[i], a.name, vms[j].name, vms[j])) continue;
          err(`vm "${vms[i].name}" ${describe(a)} ${span(a.pa, a.size)} overlaps vm "${vms[j].name}" ${describe(b)} ${span(b.pa, b.size)}`);
        }
      }
    }
  }
  errors.push(...channelErrors(board, cfg, hyp));
  // Last, on a config otherwise good: each generated device tree compiles and fits its slot.
  if (errors.length === 0) {
    for (const vm of vms) {
      if (resolveDtb(cfg, vm, opts.baseDir) !== undefined) continue;
      const initrd = resolveInitrd(cfg, vm, opts.baseDir);
      const size = initrd ? BigInt(fs.statSync(initrd).size) : 0n;
      const dtb = generatedDtb(board, cfg, vm, initrd ? { ipa: initrdIpa(cfg, vm, size), size } : undefined);
      if (typeof dtb === "string") err(dtb);
    }
  }
  return errors;
}

/** What `cfg` accepts knowingly and `check`, `map` print as warnings: one line each, naming the VM. */
export function configWarnings(board: Board, cfg: Config): string[] {
  return shapeErrors(cfg).length ? [] : dmaWarnings(board, cfg);
}

/** Whether the shared region `name` of `a` and that of `b` are declared between peers (either side lists the other). */
function peers(a: VmConfig, name: string, bName: string, b: VmConfig): boolean {
  const sa = a.shared?.find((s) => s.name === name);
  const sb = b.shared?.find((s) => s.name === name);
  return !!(sa?.peers.includes(bName) || sb?.peers.includes(a.name));
}

/**
 * A one-VM config for `--guest IMAGE`: vm "guest" on every CPU (`cpus`: the first that many), RAM
 * at the board's RAM_BASE (IPA; or its host's quickRamIpa) backed by everything above the
 * hypervisor reserve (PA = RAM_BASE + HYP_RESERVE; `memory`: that many bytes of it), emulated UART.
 * A `bootargs` given is the command line as it is, an empty one too. The checker judges the shape
 * asked for like any config's (a CPU or RAM the board does not have is an error naming it).
 */
export function quickConfig(board: Board | BoardFacts, imagePath: string,
  opts: { reserve?: bigint; initrd?: string; bootargs?: string; cpus?: number; memory?: bigint } = {}): Config {
  const f = factsOf(board);
  const reserve = opts.reserve ?? HYP_RESERVE;
  return {
    vms: [{
      name: "guest",
      cpus: Array.from({ length: opts.cpus ?? f.CPU_COUNT }, (_, i) => i),
      ram: [{ ipa: ("host" in board ? board.host.quickRamIpa : undefined) ?? f.RAM_BASE, pa: f.RAM_BASE + reserve, size: opts.memory ?? f.RAM_SIZE - reserve }],
      uart: "emulated",
      image: path.resolve(imagePath),
      ...(opts.initrd ? { initrd: path.resolve(opts.initrd) } : {}),
      ...(opts.bootargs !== undefined ? { bootargs: opts.bootargs } : {}),
    }],
  };
}
