// The build-time isolation proof. The stage-2 tables are built on the host by the same subset
// code the board runs (src/stage2/vm.ts, through the host backend, from the same generated
// tables); then every VM's tables are walked, leaf by leaf, and the build fails unless:
//  - every mapped page belongs to one of that VM's regions, at that region's IPA→PA offset,
//    with the region's attributes (RAM and shared memory normal, devices Device-nGnRE and never
//    executable; nothing writable and executable that is not RAM; a channel's memory normal
//    non-cacheable and never executable);
//  - no page of a channel that the config gives a VM read-only ("ro") is writable in that VM:
//    checked against the config itself, not the tables' own region kinds;
//  - no physical page is mapped in two VMs, unless both map it as the same shared region;
//  - no page of a reserved region of the board is reachable (config/reserved.ts: the hypervisor's
//    reserve, every GIC frame, the hypervisor's UART; also what reaches beyond one VM, as the GICv2m
//    MSI frame and the ITS), except on GICv2 the virtual CPU interface (GICV) at each VM's GICC IPA;
//  - every region of the config is mapped completely.
import fs from "node:fs";
import path from "node:path";
import { compileProgramToJs } from "../compiler/index.ts";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { setMachine, Machine } from "../compiler/runtime/index.ts";
import type { Board } from "./board.ts";
import type { Config } from "./config/types.ts";
import { hypRange, hex, vmMappings, type Range } from "./config/model.ts";
import { describeReserved, reservedRegions } from "./config/reserved.ts";

/** A leaf of a translation table: [ipa, ipa + size) → [pa, pa + size), with its descriptor. */
export interface Leaf { ipa: bigint; pa: bigint; size: bigint; desc: bigint }

/** What the proof reads from the host-built program (src/stage2/vm.ts and src/stage2/pagetable.ts). */
export interface Stage2Program {
  vms: { root: { table: number; startLevel: number; inputBits: number } }[];
  tables: { e: BigUint64Array }[];
  tableBase: bigint;
  /** Table rows, as the hypervisor sees them. */
  regions: { vm: number; kind: number; ipa: bigint; pa: bigint; size: bigint }[];
  vmCount: number;
}

const ADDR_MASK = 0x0000fffffffff000n;
const MEMATTR_MASK = 0xfn << 2n;
const MEMATTR_NORMAL_WB = 0xfn << 2n;
const MEMATTR_DEVICE_NGNRE = 0x1n << 2n;
const MEMATTR_NORMAL_NC = 0x5n << 2n;
const XN_MASK = 3n << 53n;
/** S2AP[1] (bit 7): stage 2 permits writes. */
const S2AP_WRITE = 1n << 7n;
const KIND_NAMES = ["RAM", "device", "shared", "channel", "read-only channel"];

/** Enumerates the leaves of one VM's stage-2 tables, as the MMU would find them. */
export function leaves(p: Stage2Program, vm: number): Leaf[] {
  const root = p.vms[vm].root;
  const out: Leaf[] = [];
  const visit = (table: number, level: number, base: bigint, entries: number) => {
    const shift = BigInt(39 - 9 * level);
    for (let i = 0; i < entries; i++) {
      const t = p.tables[table + (i >> 9)];
      const d = t.e[i & 511];
      if ((d & 1n) === 0n) continue;
      const ipa = base + (BigInt(i) << shift);
      if (level < 3 && (d & 3n) === 3n) {
        visit(Number(((d & ADDR_MASK) - p.tableBase) >> 12n), level + 1, ipa, 512);
      } else if (level === 3 ? (d & 3n) === 3n : (d & 3n) === 1n) {
        out.push({ ipa, pa: d & ADDR_MASK & ~((1n << shift) - 1n), size: 1n << shift, desc: d });
      }
    }
  };
  visit(root.table, root.startLevel, 0n, 1 << (root.inputBits - (39 - 9 * root.startLevel)));
  return out;
}

/**
 * Every violation of the rules above in `p`, one line each, naming the VM, the mapping and what it
 * reaches; `hyp` is the hypervisor's reserve the build placed (by default, the board's minimum).
 * Independent of the config checker: it reads the tables, not the config's intent.
 */
export function prove(board: Board, cfg: Config, p: Stage2Program, hyp: Range = hypRange(board)): string[] {
  const errors: string[] = [];
  const names = cfg.vms.map((v) => v.name);
  const forbidden = reservedRegions(board, hyp);
  // GICv2: the virtual CPU interface (GICV) is the one GIC frame a VM may reach, whole, at the GICC
  // IPA (src/stage2/vm.ts buildStage2), and only there.
  const f = board.facts;
  const gicv = f.GIC_VERSION === 2 && f.GICV_SIZE > 0n ? { pa: f.GICV_BASE, ipa: f.GICC_BASE, size: f.GICV_SIZE } : null;
  const owners = new Map<bigint, { vm: number; shared: boolean }>();
  for (let vm = 0; vm < p.vmCount; vm++) {
    const regions = p.regions.filter((r) => r.vm === vm);
    const readOnly = vm < cfg.vms.length ? vmMappings(cfg, cfg.vms[vm]).filter((m) => m.readOnly) : [];
    const covered = new Map<number, bigint>();
    for (const leaf of leaves(p, vm)) {
      const where = `vm "${names[vm]}" maps IPA ${hex(leaf.ipa)}-${hex(leaf.ipa + leaf.size - 1n)} to PA ${hex(leaf.pa)}-${hex(leaf.pa + leaf.size - 1n)}`;
      const isGicv = gicv && leaf.ipa >= gicv.ipa && leaf.ipa + leaf.size <= gicv.ipa + gicv.size && leaf.pa - leaf.ipa === gicv.pa - gicv.ipa;
      for (const fb of forbidden) {
        if (isGicv && fb.key === "GICV") continue;
        if (leaf.pa < fb.base + fb.size && fb.base < leaf.pa + leaf.size) errors.push(`${where}: reaches ${describeReserved(fb)}`);
      }
      const ri = regions.findIndex((r) => leaf.ipa >= r.ipa && leaf.ipa + leaf.size <= r.ipa + r.size);
      const r = regions[ri];
      if (!r && !isGicv) { errors.push(`${where}: not one of its regions`); continue; }
      if (r && leaf.pa - leaf.ipa !== r.pa - r.ipa) { errors.push(`${where}: its ${KIND_NAMES[r.kind]} region maps that IPA to PA ${hex(r.pa + (leaf.ipa - r.ipa))}`); continue; }
      const device = isGicv || r.kind === 1;
      const channel = !!r && r.kind >= 3;
      const attr = leaf.desc & MEMATTR_MASK;
      const xn = (leaf.desc & XN_MASK) === 2n << 53n;
      if (device && (attr !== MEMATTR_DEVICE_NGNRE || !xn)) errors.push(`${where}: a device must be Device-nGnRE and never executable (descriptor ${hex(leaf.desc)})`);
      if (channel && (attr !== MEMATTR_NORMAL_NC || !xn)) errors.push(`${where}: a channel must be normal non-cacheable and never executable (descriptor ${hex(leaf.desc)})`);
      if (!device && !channel && attr !== MEMATTR_NORMAL_WB) errors.push(`${where}: memory must be normal write-back (descriptor ${hex(leaf.desc)})`);
      for (const m of readOnly) {
        if ((leaf.desc & S2AP_WRITE) !== 0n && leaf.pa < m.pa + m.size && m.pa < leaf.pa + leaf.size) errors.push(`${where}: writable, but the config gives it channel "${m.name}" ${hex(m.pa)}-${hex(m.pa + m.size - 1n)} read-only`);
      }
      if (r) covered.set(ri, (covered.get(ri) ?? 0n) + leaf.size);
      // The GICV frame is banked per CPU: every VM's vCPUs reach only their own CPU's virtual interface.
      for (let page = leaf.pa; !isGicv && page < leaf.pa + leaf.size; page += 0x1000n) {
        const shared = !!r && r.kind >= 2;
        const prev = owners.get(page);
        if (prev && prev.vm !== vm && !(prev.shared && shared)) {
          errors.push(`${where}: PA ${hex(page)} is also mapped by vm "${names[prev.vm]}"`);
          break;
        }
        if (!prev) owners.set(page, { vm, shared });
      }
    }
    regions.forEach((r, i) => {
      if ((covered.get(i) ?? 0n) !== r.size) errors.push(`vm "${names[vm]}" ${KIND_NAMES[r.kind]} IPA ${hex(r.ipa)}-${hex(r.ipa + r.size - 1n)} is not completely mapped`);
    });
  }
  return errors;
}

let builds = 0;

/**
 * Builds every VM's stage-2 tables on the host with the program's own code (src/stage2/vm.ts
 * through the host backend, with the generated tables), and returns what the proof reads.
 * Each call gets its own copy of the modules, so that their state (the table pool) starts fresh.
 */
export async function buildStage2OnHost(boardFile: string, configTs: string, outDir: string): Promise<Stage2Program> {
  const dir = path.join(outDir, `${process.pid}-${builds++}`);
  fs.rmSync(dir, { recursive: true, force: true });
  compileProgramToJs(path.join(PROJECT_ROOT, "src/stage2/vm.ts"), dir, { board: boardFile, config: configTs });
  setMachine(new Machine());
  const vm = await import(path.join(dir, "vm.mjs"));
  const pt = await import(path.join(dir, "pagetable.mjs"));
  const cfg = await import(path.join(dir, "config.mjs"));
  const count: number = vm.vmCount();
  for (let v = 0; v < count; v++) vm.buildStage2(v);
  const regions: Stage2Program["regions"] = [];
  for (let v = 0; v < count; v++) {
    for (let r = cfg.REGION_FIRST[v]; r < cfg.REGION_FIRST[v + 1]; r++) {
      regions.push({ vm: v, kind: cfg.REGION_KIND[r], ipa: cfg.REGION_IPA[r], pa: cfg.REGION_PA[r], size: cfg.REGION_SIZE[r] });
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { vms: vm.vms, tables: pt.tables, tableBase: pt.tableAddress(0), regions, vmCount: count };
}
