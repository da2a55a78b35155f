// `bulkhead check <config> [--board NAME]` and `bulkhead map <config> [--board NAME]`: the board is the config's own or --board's.
import path from "node:path";
import { loadBoard, type Board } from "../board.ts";
import { checkConfig, configWarnings } from "./check.ts";
import { boardOfConfig, loadConfig } from "./load.ts";
import { describe, hex, hypRange, oneLine, ramRanges, span, uartEmulated, vmInterrupts, vmMappings } from "./model.ts";
import { reservedRegions } from "./reserved.ts";
import { shapeErrors } from "./shape.ts";
import type { Config } from "./types.ts";
import { BOARD_FLAG } from "../commands.ts";
import type { Args, Command, Flag } from "../cli/args.ts";

const CHECK_FLAGS: Flag[] = [BOARD_FLAG];

/** The config and its board, loaded; a refusal is a ConfigLoadError (main prints it). */
async function prepare(a: Args): Promise<{ board: Board; cfg: Config; file: string }> {
  const file = a.positional[0];
  const cfg = await loadConfig(file);
  const shown = path.relative(process.cwd(), path.resolve(file)) || file;
  return { board: await loadBoard(boardOfConfig(cfg, shown, a.get("--board"))), cfg, file };
}

export const checkCommand: Command = {
  name: "check",
  summary: "validate a partition config, as every build does first, without building",
  positionals: { synopsis: "<config.ts>", min: 1, max: 1 },
  flags: CHECK_FLAGS,
  details: ["Prints `ok: N VMs on <board>`, or each problem as `file:line:col: error: ...` or `file: error: vm \"x\" ...` (status 1)."],
  async run(a) {
    const p = await prepare(a);
    const errors = checkConfig(p.board, p.cfg, { hypRange: hypRange(p.board) });
    for (const w of configWarnings(p.board, p.cfg)) console.error(`${p.file}: warning: ${oneLine(w)}`);
    if (errors.length) {
      for (const e of errors) console.error(`${p.file}: error: ${oneLine(e)}`);
      return 1;
    }
    console.log(`ok: ${p.cfg.vms.length} VM${p.cfg.vms.length === 1 ? "" : "s"} on ${p.board.facts.BOARD_NAME}`);
    return 0;
  },
};

export const mapCommand: Command = {
  name: "map",
  summary: "print the board's physical memory map with the owner of every range, the CPUs and the interrupts",
  positionals: { synopsis: "<config.ts>", min: 1, max: 1 },
  flags: CHECK_FLAGS,
  async run(a) {
    const p = await prepare(a);
    const errors = checkConfig(p.board, p.cfg, { hypRange: hypRange(p.board) });
    for (const w of configWarnings(p.board, p.cfg)) console.error(`${p.file}: warning: ${oneLine(w)}`);
    for (const e of errors) console.error(`${p.file}: error: ${oneLine(e)}`);
    if (shapeErrors(p.cfg).length) return 1; // malformed: no map to draw
    console.log(memoryMap(p.board, p.cfg).join("\n"));
    return errors.length ? 1 : 0;
  },
};

interface Row { base: bigint; size: bigint; owner: string; what: string; ipa?: string }

/**
 * The board's physical memory map with owners, CPUs and interrupts, as `bulkhead map` prints it.
 * Reserved regions (reserved.ts) are owned by "hypervisor" or "withheld" from every VM.
 */
export function memoryMap(board: Board, cfg: Config): string[] {
  const f = board.facts;
  const rows: Row[] = [];
  const emulating = cfg.vms.filter(uartEmulated).map((v) => v.name);
  for (const r of reservedRegions(board, hypRange(board))) {
    const what = r.key === "UART" && emulating.length ? `${r.what} (emulated for ${emulating.join(", ")})` : `${r.what}: ${r.why}`;
    rows.push({ base: r.base, size: r.size, owner: r.owner, what: what.replace(/^the /, "") });
  }
  const sharedSeen = new Map<string, Row>();
  for (const vm of cfg.vms) {
    for (const m of vmMappings(cfg, vm)) {
      if (m.kind === "shared") {
        const key = `${m.name}@${m.pa}`;
        const row = sharedSeen.get(key);
        if (row) {
          row.owner += ` + ${vm.name}`;
          row.ipa += `, ${vm.name} ${hex(m.ipa)}`;
          continue;
        }
        const r: Row = { base: m.pa, size: m.size, owner: vm.name, what: describe(m), ipa: `ipa ${vm.name} ${hex(m.ipa)}` };
        sharedSeen.set(key, r);
        rows.push(r);
        continue;
      }
      const dma = m.kind === "device" && vm.devices?.find((d) => d.name === m.name)?.dma === "unisolated" ? ", DMA unisolated: reaches all memory" : "";
      rows.push({ base: m.pa, size: m.size, owner: vm.name, what: describe(m), ipa: `ipa ${span(m.ipa, m.size)}${dma}` });
    }
  }
  // Free gaps inside board RAM.
  const gaps: Row[] = [];
  for (const [ramStart, ramEnd] of ramRanges(f)) {
    const inRam = rows.filter((r) => r.base < ramEnd && r.base + r.size > ramStart).sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    let at = ramStart;
    for (const r of inRam) {
      if (r.base > at) gaps.push({ base: at, size: r.base - at, owner: "free", what: `${(r.base - at) >> 20n} MiB` });
      if (r.base + r.size > at) at = r.base + r.size;
    }
    if (at < ramEnd) gaps.push({ base: at, size: ramEnd - at, owner: "free", what: `${(ramEnd - at) >> 20n} MiB` });
  }
  rows.push(...gaps);
  rows.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));

  const src = path.relative(process.cwd(), board.dir);
  const out = [`${f.BOARD_NAME} (${src}): physical memory`];
  const w = Math.max(...rows.map((r) => span(r.base, r.size).length));
  const ow = Math.max(...rows.map((r) => r.owner.length));
  for (const r of rows) out.push(`  ${span(r.base, r.size).padEnd(w)}  ${r.owner.padEnd(ow)}  ${r.what}${r.ipa ? `  (${r.ipa})` : ""}`);
  out.push("cpus:");
  for (let c = 0; c < f.CPU_COUNT; c++) {
    const vm = cfg.vms.find((v) => v.cpus.includes(c));
    out.push(`  ${c}  ${vm ? `${vm.name} vcpu ${vm.cpus.indexOf(c)}` : "idle"}`);
  }
  out.push("interrupts:");
  out.push(`  ${f.UART_INTID}  hypervisor (board UART)`);
  const irqs = cfg.vms.flatMap((vm) => vmInterrupts(vm).map((i) => ({ i, vm: vm.name }))).sort((a, b) => a.i - b.i);
  for (const { i, vm } of irqs) out.push(`  ${i}  ${vm}`);
  return out;
}
