// `bulkhead check <config> [--board NAME]` and `bulkhead map <config> [--board NAME] [--svg FILE] [--html FILE]`: the board is the config's own or --board's.
import fs from "node:fs";
import path from "node:path";
import { loadBoard, type Board } from "../board.ts";
import { checkConfig, configWarnings } from "./check.ts";
import { boardOfConfig, loadConfig } from "./load.ts";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import { describeHealth, hasWatchdog, hex, oneLine, span, vmInterrupts, watchdogIpa, type Range } from "./model.ts";
import { DTB_ROOM, carriedFiles, layout, reserveOf } from "./images.ts";
import { dtbIpa, guestLoad, initrdIpa } from "./tables.ts";
import { physicalMap } from "./map.ts";
import { shapeErrors } from "./shape.ts";
import type { Config } from "./types.ts";
import { BOARD_FLAG } from "../commands.ts";
import type { Args, Command, Flag } from "../cli/args.ts";
import { mapHtml, mapSvg } from "../map-svg.ts";

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
    const errors = checkConfig(p.board, p.cfg, {});
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
  summary: "print the board's physical memory map with the owner of every range, the CPUs and the interrupts; or draw it",
  positionals: { synopsis: "<config.ts>", min: 1, max: 1 },
  flags: [
    ...CHECK_FLAGS,
    { name: "--svg", value: "FILE", help: "instead: draw the physical map and each VM's guest-physical map, coloured by owner, into an SVG file" },
    { name: "--html", value: "FILE", help: "instead: the same drawing in an HTML page" },
  ],
  details: ["A config with errors is still drawn (the errors printed first, status 1), unless it is malformed."],
  async run(a) {
    const p = await prepare(a);
    const errors = checkConfig(p.board, p.cfg, {});
    for (const w of configWarnings(p.board, p.cfg)) console.error(`${p.file}: warning: ${oneLine(w)}`);
    for (const e of errors) console.error(`${p.file}: error: ${oneLine(e)}`);
    if (shapeErrors(p.cfg).length) return 1; // malformed: no map to draw
    // The reserve the build gives this config (images.ts), as the checker took it.
    const hyp = reserveOf(p.board, p.cfg);
    const drawings = [["--svg", mapSvg], ["--html", mapHtml]] as const;
    const title = `${p.board.facts.BOARD_NAME}: ${path.basename(p.file)}`;
    for (const [flag, draw] of drawings) {
      const out = a.get(flag);
      if (out === undefined) continue;
      try {
        fs.writeFileSync(out, draw(p.board, p.cfg, hyp, title));
      } catch (e) {
        console.error(`${out}: error: cannot write the drawing: ${(e as Error).message}`);
        return 1;
      }
      console.log(`${out}: the memory maps of ${p.cfg.vms.length} VM${p.cfg.vms.length === 1 ? "" : "s"} on ${p.board.facts.BOARD_NAME}`);
    }
    if (!drawings.some(([flag]) => a.has(flag))) console.log(memoryMap(p.board, p.cfg, hyp).join("\n"));
    return errors.length ? 1 : 0;
  },
};

/**
 * The board's physical memory map with owners, CPUs and interrupts, as `bulkhead map` prints it
 * (map.ts physicalMap: reserved regions are owned by "hypervisor" or "withheld" from every VM).
 */
export function memoryMap(board: Board, cfg: Config, hyp: Range = reserveOf(board, cfg)): string[] {
  const f = board.facts;
  const rows = physicalMap(board, cfg, hyp).map((r) => ({
    span: span(r.base, r.size), owner: r.owners.join(" + "), what: r.what,
    where: r.where ? `  (${r.where}${r.dmaUnisolated ? ", DMA unisolated: reaches all memory" : ""})` : "",
  }));
  const src = path.relative(PROJECT_ROOT, board.dir);
  const out = [`${f.BOARD_NAME} (${src}): physical memory`];
  const w = Math.max(...rows.map((r) => r.span.length));
  const ow = Math.max(...rows.map((r) => r.owner.length));
  for (const r of rows) out.push(`  ${r.span.padEnd(w)}  ${r.owner.padEnd(ow)}  ${r.what}${r.where}`);
  out.push(...carriedMap(board, cfg));
  out.push("cpus:");
  for (let c = 0; c < f.CPU_COUNT; c++) {
    const vm = cfg.vms.find((v) => v.cpus.includes(c));
    out.push(`  ${c}  ${vm ? `${vm.name} vcpu ${vm.cpus.indexOf(c)}` : "idle"}`);
  }
  out.push("health:");
  const nw = Math.max(...cfg.vms.map((v) => v.name.length));
  for (const vm of cfg.vms) out.push(`  ${vm.name.padEnd(nw)}  ${describeHealth(vm)}${hasWatchdog(vm) ? ` (SP805 at ipa ${hex(watchdogIpa(board))})` : ""}`);
  out.push("interrupts:");
  out.push(`  ${f.UART_INTID}  hypervisor (board UART)`);
  const irqs = cfg.vms.flatMap((vm) => vmInterrupts(vm).map((i) => ({ i, vm: vm.name }))).sort((a, b) => a.i - b.i);
  for (const { i, vm } of irqs) out.push(`  ${i}  ${vm}`);
  return out;
}

/**
 * What the hypervisor carries in its reserve for each VM and where (images.ts layout, as the build
 * places it), with the IPA each file is copied to at the VM's start.
 */
function carriedMap(board: Board, cfg: Config): string[] {
  const files = carriedFiles(cfg);
  const { slots } = layout(board, files);
  const rows: { span: string; vm: string; what: string }[] = [];
  files.forEach((c, i) => {
    const vm = cfg.vms[i];
    const s = slots[i];
    if (c.initrd) rows.push({ span: span(s.initrdPa!, c.initrd.size), vm: c.vm, what: `initrd ${path.basename(c.initrd.file)} (to ipa ${hex(initrdIpa(cfg, vm, c.initrd.size))})` });
    if (c.image) {
      let to = "";
      try {
        const load = guestLoad(cfg, vm, fs.readFileSync(c.image.file));
        to = ` (to ipa ${hex(load.loadIpa)}, entered at ${hex(load.entryIpa)})`;
      } catch {
        // The checker's error says why it does not load.
      }
      rows.push({ span: span(s.imagePa, BigInt(c.image.bytes.length)), vm: c.vm, what: `image ${path.basename(c.image.file)}${to}` });
    }
    rows.push({ span: span(s.dtbPa, c.dtb?.size ?? DTB_ROOM), vm: c.vm, what: `${c.dtb ? `dtb ${path.basename(c.dtb.file)}` : "device tree (generated)"} (to ipa ${hex(dtbIpa(cfg, vm))})` });
  });
  const w = Math.max(...rows.map((r) => r.span.length));
  const vw = Math.max(...rows.map((r) => r.vm.length));
  return ["carried in the hypervisor's reserve:", ...rows.map((r) => `    ${r.span.padEnd(w)}  ${r.vm.padEnd(vw)}  ${r.what}`)];
}
