// `bulkhead bench` (npm run bench): the benchmark guest under the hypervisor on each QEMU board,
// with -icount shift=0 so that every count is an instruction count, plus the image's sizes.
// Figures, not pass/fail: compare them with Bao's, measured on this QEMU the same way.
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { build, imagePath, type BuildResult } from "./build.ts";
import { bootImage } from "./run.ts";
import { runQemu } from "../qemu/launch.ts";
import type { Command } from "./cli/args.ts";

export const BENCH_BOARDS = ["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"];

/** Bao on this QEMU (cortex-a53, -icount shift=0, guest-side PMCCNTR), per board where it differs. */
const BAO: Record<string, Record<string, number>> = {
  "qemu-virt-gicv3": { "null-hvc": 146, "psci-version": 202, "gicd-read": 224, "vtimer-extra": 200 },
  "qemu-virt-gicv2": { "null-hvc": 146, "psci-version": 202, "gicd-read": 224, "vtimer-extra": 209 },
};

export interface BenchFigures { board: string; figures: Record<string, number>; sizes: BuildResult["sizes"] }

/** The `bench: <name> <count>` lines a benchmark guest prints. */
export function parseBench(lines: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) {
    const m = /bench: ([\w-]+) (\d+)$/.exec(l);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

export async function benchBoard(board: string): Promise<BenchFigures> {
  const guest = imagePath({ name: "bench", cpus: [0], ram: [], image: { builtin: "bench" } }, null);
  // The benchmark counts the hypervisor's instructions (PMCCFILTR_EL0.NSH): a build that lets it (src/el2/pmu.ts).
  const b = await build({ board, guest, pmuCountsEl2: true });
  const r = await bootImage(b, { icount: true, timeoutSec: 120 });
  if (r.timedOut || r.exitCode !== 0) throw new Error(`bench on ${board} failed (status ${r.exitCode}):\n${r.output}`);
  const figures = parseBench(r.lines);
  // The same guest natively (no hypervisor: QEMU virt enters it at EL1) gives the baseline for
  // latencies. QEMU raspi4b enters any kernel at EL2 or EL3, never EL1: no baseline there.
  if (b.board.host.name === "rpi4") return { board, figures, sizes: b.sizes };
  const native = await runQemu({
    machine: b.board.host.qemu.machine.replace(",virtualization=on", ""), memory: b.board.host.qemu.memory,
    kernel: guest, icount: true, timeoutSec: 120,
  });
  const base = parseBench(native.lines);
  if (figures["vtimer-latency"] !== undefined && base["vtimer-latency"] !== undefined)
    figures["vtimer-extra"] = figures["vtimer-latency"] - base["vtimer-latency"];
  return { board, figures, sizes: b.sizes };
}

export function report(results: BenchFigures[]): string[] {
  const lines = ["Bulkhead benchmarks — QEMU -icount shift=0, guest-side PMCCNTR: one count per instruction", ""];
  const row = (c: string[]) => c[0].padEnd(17) + c[1].padEnd(16) + c[2].padStart(10) + c[3].padStart(8) + c[4].padStart(8);
  lines.push(row(["board", "measure", "bulkhead", "Bao", "ratio"]));
  for (const r of results) {
    for (const [name, v] of Object.entries(r.figures)) {
      const bao = BAO[r.board]?.[name];
      lines.push(row([r.board, name, String(v), bao ? String(bao) : "", bao ? (v / bao).toFixed(2) : ""]));
    }
  }
  lines.push("");
  for (const r of results) lines.push(`${r.board}: hypervisor image text ${r.sizes.text} B, data ${r.sizes.data} B, bss ${r.sizes.bss} B (Bao: ~65 KB of .text)`);
  return lines;
}

export const benchCommand: Command = {
  name: "bench",
  summary: "instruction counts of the hypervisor's paths under QEMU -icount on each QEMU board, and image sizes",
  positionals: { synopsis: "", min: 0, max: 0 },
  flags: [],
  details: ["Writes build/bench.json as well."],
  async run() {
    const results: BenchFigures[] = [];
    for (const board of BENCH_BOARDS) results.push(await benchBoard(board));
    const lines = report(results);
    console.log(lines.join("\n"));
    fs.mkdirSync(path.join(PROJECT_ROOT, "build"), { recursive: true });
    fs.writeFileSync(path.join(PROJECT_ROOT, "build/bench.json"), JSON.stringify(results, null, 2));
    return 0;
  },
};
