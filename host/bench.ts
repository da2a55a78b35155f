// `bulkhead bench` (npm run bench): the bench guest (guests/baremetal/bench.c) in the benchmark VM
// (board/<board>/configs/bench.ts: one vCPU running on CPU 0, the other CPUs asleep) on each board,
// and the same guest natively, under -icount shift=0 so that every count is an instruction count.
// For each trap path: native, ours, the cost we add, Bao's added cost (issue 12's table: Bao
// 738e3dc measured on this QEMU the same way) and the ratio, goal ≤ 0.5. Then the image's size,
// and the largest shipped config's (issue 12's goal: .text + .rodata under 40 KB). Figures, not pass/fail.
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { execFileSync } from "node:child_process";
import { build } from "./build.ts";
import { type CodeSize, largestShipped, sectionBytes, sizeLine } from "./codesize.ts";
import { builtinImage } from "./config/images.ts";
import { bootImage, run } from "./run.ts";
import { loadBoard } from "./board.ts";
import { runQemu } from "../qemu/launch.ts";
import { type Command, UsageError } from "./cli/args.ts";
import { traceArgs, tracePaths, type TracePath } from "./trace.ts";

export const BENCH_BOARDS = ["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"];

/** The paths, in print order: the guest's name for each, what it is, and Bao's added instructions (GICv3, GICv2). */
const PATHS: { name: string; what: string; bao?: [number, number] }[] = [
  { name: "hvc-null", what: "null hypercall (ours: HVC_NULL)" },
  { name: "hvc-rejected", what: "rejected hypercall (unknown fast call)", bao: [149, 149] },
  { name: "psci-hvc", what: "PSCI_VERSION over HVC", bao: [188, 188] },
  { name: "psci-smc", what: "PSCI_VERSION over SMC", bao: [202, 202] },
  { name: "gicd-read", what: "GICD_TYPER read", bao: [224, 224] },
  { name: "gicd-write", what: "GICD_CTLR write", bao: [236, 236] },
  { name: "gicd-enable-read", what: "GICD_ISENABLER1 read" },
  { name: "vtimer", what: "virtual timer, deadline to handler", bao: [199, 204] },
  { name: "sgi-self", what: "SGI to self, send to handler", bao: [768, 800] },
  { name: "sgi-cross", what: "SGI to vCPU 1, send to handler" },
];

export interface BenchFigures {
  board: string;
  figures: Record<string, number>;
  native: Record<string, number>;
  /** Where the native figures come from (QEMU raspi4b cannot enter a guest at EL1). */
  nativeFrom: string;
  gic: number;
  /** .text and .rodata of hyp.elf, and .data, .bss. */
  code: number;
  /** The shipped config whose build is the largest (.text + .rodata): what issue 12's size goal is about. */
  largest?: CodeSize;
  data: number;
  bss: number;
  /** The traps of a traced run, by path (host/trace.ts). */
  paths: TracePath[];
}

/** The `bench: <name> <count>` lines a benchmark guest prints. */
export function parseBench(lines: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) {
    const m = /bench: ([\w-]+) (\d+)$/.exec(l);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const nativeCache = new Map<string, Record<string, number>>();

/** The bench guest without the hypervisor, on QEMU virt with the board's GIC (no virtualization: entered at EL1). */
async function nativeFigures(machine: string): Promise<Record<string, number>> {
  const cached = nativeCache.get(machine);
  if (cached) return cached;
  const guest = builtinImage("bench");
  const r = await runQemu({ machine, memory: "1G", smp: 2, kernel: guest, icount: true, timeoutSec: 120 });
  const figures = parseBench(r.lines);
  if (!r.lines.includes("bench: done")) throw new Error(`the native bench run on ${machine} did not finish:\n${r.output}`);
  nativeCache.set(machine, figures);
  return figures;
}

/** The bench VM's figures on `board`, natively and traced; with `pathsOnly`, not the restart bench's. */
export async function benchBoard(board: string, pathsOnly = false): Promise<BenchFigures> {
  const config = path.join(PROJECT_ROOT, "board", board, "configs", "bench.ts");
  // The benchmark counts the hypervisor's instructions (PMCCFILTR_EL0.NSH): a build that lets it (src/el2/pmu.ts).
  const b = await build({ board, config, pmuCountsEl2: true });
  const r = await bootImage(b, { icount: true, timeoutSec: 180 });
  if (r.timedOut || r.exitCode !== 0) throw new Error(`bench on ${board} failed (status ${r.exitCode}):\n${r.output}`);
  const figures = parseBench(r.lines);
  if (!r.lines.some((l) => l.endsWith("bench: done"))) throw new Error(`bench on ${board} did not finish:\n${r.output}`);
  if (!pathsOnly) Object.assign(figures, await restartBench(board));
  const gic = Number(b.board.facts.GIC_VERSION);
  // QEMU raspi4b enters any kernel at EL2 or EL3, never EL1: its native figures are QEMU virt's with its GIC version.
  const nativeMachine = `virt,gic-version=${gic}`;
  const native = await nativeFigures(nativeMachine);
  // Once more with QEMU's execution log of the hypervisor's code: where each path's instructions go.
  const log = path.join(b.dir, "trace.log");
  const traced = await bootImage(b, { icount: true, timeoutSec: 300, extraArgs: traceArgs(b.elf, log) });
  if (traced.exitCode !== 0) throw new Error(`the traced bench run on ${board} failed (status ${traced.exitCode}):\n${traced.output}`);
  const paths = tracePaths(b.elf, log, 16);
  fs.rmSync(log, { force: true });
  return {
    board, figures, native, nativeFrom: nativeMachine, gic, paths,
    code: sectionBytes(b.elf, [".text", ".rodata"]), data: sectionBytes(b.elf, [".data"]), bss: sectionBytes(b.elf, [".bss"]),
  };
}

/**
 * A channel between two bare-metal VMs (board/<board>/configs/channel.ts, guests/channel): the
 * echo's `doorbell-to-handler-ns` (from the producer's timestamp, just before it rings, to the
 * echo's interrupt handler) and the producer's stream figures. Under -icount shift=0 the virtual
 * counter advances one nanosecond per instruction executed on any CPU, and every CPU but the two
 * is idle: the nanoseconds are instructions (in steps of one counter tick, 16 at QEMU's 62.5 MHz).
 */
export async function benchChannel(board: string): Promise<Record<string, number>> {
  const b = await build({ board, config: path.join(PROJECT_ROOT, "board", board, "configs", "channel.ts") });
  const r = await bootImage(b, { icount: true, timeoutSec: 120 });
  if (r.timedOut || r.exitCode !== 0) throw new Error(`channel bench on ${board} failed (status ${r.exitCode}):\n${r.output}`);
  const f = parseBench(r.lines);
  return { "doorbell-insns": f["doorbell-to-handler-ns"], "ring-insns-per-24B": f["ring-ns-per-sample"], "ring-MB/s@1GIPS": f["ring-mb-per-s"] };
}

/** The restart benchmark's figures: SYSTEM_RESET and the watchdog's expiry, a 64 MiB VM scrubbed and not (guests/baremetal/bench.c restart_bench). */
const RESTARTS = ["restart-reset-64m", "restart-reset-64m-scrub", "restart-watchdog-64m", "restart-watchdog-64m-scrub"];

/**
 * Instructions from where the hypervisor acts on a restart (SYSTEM_RESET taken, the watchdog's
 * expiry noticed) to the restarted guest's first instruction, for a 64 MiB VM with its RAM scrubbed
 * and not (board/<board>/configs/bench-restart.ts, bench-restart-noscrub.ts; QEMU virt boards),
 * each VM alone: under -icount QEMU's cycle counter counts every CPU's instructions.
 */
async function restartBench(board: string): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const name of ["bench-restart", "bench-restart-noscrub"]) {
    const config = path.join(PROJECT_ROOT, "board", board, "configs", `${name}.ts`);
    if (!fs.existsSync(config)) return {};
    const b = await build({ board, config, pmuCountsEl2: true });
    const r = await bootImage(b, { icount: true, timeoutSec: 240 });
    if (r.timedOut || r.exitCode !== 0) throw new Error(`the restart bench ${name} on ${board} failed (status ${r.exitCode}):\n${r.output}`);
    Object.assign(figures, parseBench(r.lines));
  }
  const missing = RESTARTS.filter((n) => figures[n] === undefined);
  if (missing.length) throw new Error(`the restart bench on ${board} did not report ${missing.join(", ")}`);
  return figures;
}

/**
 * Debian's Linux with its busybox initramfs (build/linux, guests/linux/build.sh) in quick mode, to
 * its "Run /init": the kernel's timestamp there, which under -icount shift=0 counts the
 * instructions every CPU ran (one nanosecond each, the hypervisor's traps included) since the
 * kernel's clock started at 0 — early in its own boot, so not the hypervisor's boot or its copy of
 * the kernel image (its first lines read [    0.000000]).
 */
export async function benchLinux(board: string): Promise<number> {
  const out = path.join(PROJECT_ROOT, "build/linux");
  execFileSync("bash", [path.join(PROJECT_ROOT, "guests/linux/build.sh"), out], { stdio: "inherit" });
  const uart = (await loadBoard(board)).facts.UART_BASE;
  const { qemu } = await run({
    board, guest: path.join(out, "Image"), initrd: path.join(out, "initramfs.cpio"),
    bootargs: `console=ttyAMA0 earlycon=pl011,0x${uart.toString(16)} rdinit=/init`, icount: true, timeoutSec: 600,
  });
  const m = qemu.lines.map((l) => /\[\s*(\d+)\.(\d{6})\] Run \/init as init process/.exec(l)).find((x) => x);
  if (!m) throw new Error(`Linux on ${board} did not reach its init:\n${qemu.output}`);
  return Number(m[1]) * 1e9 + Number(m[2]) * 1000;
}

export function report(results: BenchFigures[]): string[] {
  const lines = [
    "Bulkhead benchmarks — QEMU -icount shift=0, guest-side PMCCNTR: one count per instruction, minimum of 16",
    "added = ours - native; Bao = Bao's added cost (issue 12); goal: ratio = added / Bao <= 0.5",
  ];
  const row = (c: string[]) => c[0].padEnd(40) + c.slice(1).map((x, i) => x.padStart(i === 0 ? 8 : 9)).join("");
  for (const r of results) {
    lines.push("", `${r.board} (GICv${r.gic}; native: ${r.nativeFrom})`);
    lines.push(row(["path", "native", "ours", "added", "Bao", "ratio", "goal"]));
    for (const p of PATHS) {
      const ours = r.figures[p.name];
      if (ours === undefined) continue;
      const native = r.native[p.name];
      const added = native === undefined ? undefined : ours - native;
      const bao = p.bao?.[r.gic === 3 ? 0 : 1];
      const ratio = bao && added !== undefined ? added / bao : undefined;
      lines.push(row([p.what, native === undefined ? "" : String(native), String(ours), added === undefined ? "" : String(added),
        bao ? String(bao) : "", ratio === undefined ? "" : ratio.toFixed(2), bao ? `<= ${Math.floor(bao / 2)}` : ""]));
    }
    const f = r.figures;
    lines.push(`boot to the guest's first instruction: ${f["boot-to-guest"]} instructions`);
    if (f["restart-reset-64m"] !== undefined) {
      lines.push(`restart of a 64 MiB VM to its first instruction, instructions: from SYSTEM_RESET ${f["restart-reset-64m"]} (RAM scrubbed: ${f["restart-reset-64m-scrub"]}), `
        + `from the watchdog's expiry ${f["restart-watchdog-64m"]} (RAM scrubbed: ${f["restart-watchdog-64m-scrub"]})`);
    }
    lines.push(`instructions the sleeping CPUs ran during a 300,000-instruction wait: ${f["idle-others"]}`);
    if (f["linux-to-init"] !== undefined) lines.push(`Linux (Debian's kernel, --guest: 4 vCPUs) from its clock's start to "Run /init": ${f["linux-to-init"]} instructions, all CPUs`);
    if (f["doorbell-insns"] !== undefined) {
      lines.push(`channel (configs/channel.ts): a doorbell, ring to the peer's handler: ${f["doorbell-insns"]} instructions; a stream through the ring: ` +
        `${f["ring-insns-per-24B"]} instructions per 24-byte sample, ${f["ring-MB/s@1GIPS"]} MB/s at one instruction per ns`);
    }
    lines.push(`hyp.elf: .text + .rodata ${r.code} B, .data ${r.data} B, .bss ${r.bss} B (this build)`);
    if (r.largest) lines.push(sizeLine(r.largest));
    lines.push("", `${r.board}: the hypervisor's instructions per trap, from QEMU's execution log (the cheapest of each path taken >= 16 times)`);
    lines.push("  total  entry dispatch handler  exit  traps  path (functions in order); costliest functions");
    for (const p of r.paths) {
      const ph = p.phases;
      lines.push(`${String(p.total).padStart(7)}${String(ph.entry).padStart(7)}${String(ph.dispatch).padStart(9)}${String(ph.handler).padStart(8)}${String(ph.exit).padStart(6)}${String(p.count).padStart(7)}  ${p.path}`);
      lines.push(`${" ".repeat(46)}${p.functions.map(([f, n]) => `${f} ${n}`).join(", ")}`);
    }
  }
  return lines;
}

export const benchCommand: Command = {
  name: "bench",
  summary: "instruction counts of the hypervisor's paths under QEMU -icount on each QEMU board, and image sizes",
  positionals: { synopsis: "", min: 0, max: 0 },
  flags: [
    { name: "--board", value: "BOARD", help: `one board only (default: each of ${BENCH_BOARDS.join(", ")})` },
    { name: "--paths", help: "the bench VM's trap paths and their breakdown only, for a quick look while optimising one: no restart, channel or Linux figures, no shipped configs' size, no build/bench.json" },
  ],
  details: ["Writes build/bench.json as well (not with --paths)."],
  async run(a) {
    const board = a.get("--board");
    if (board !== undefined && !BENCH_BOARDS.includes(board)) throw new UsageError(`--board: the bench runs on ${BENCH_BOARDS.join(", ")}, not ${JSON.stringify(board)}`);
    const pathsOnly = a.has("--paths");
    const results: BenchFigures[] = [];
    for (const b of board === undefined ? BENCH_BOARDS : [board]) {
      const r = await benchBoard(b, pathsOnly);
      if (!pathsOnly) {
        if (b !== "rpi4") Object.assign(r.figures, await benchChannel(b));
        r.figures["linux-to-init"] = await benchLinux(b);
        // After benchLinux: the Linux guest it assembles is what the Linux configs carry.
        r.largest = await largestShipped(b);
      }
      results.push(r);
    }
    const lines = report(results);
    console.log(lines.join("\n"));
    if (pathsOnly) return 0;
    fs.mkdirSync(path.join(PROJECT_ROOT, "build"), { recursive: true });
    fs.writeFileSync(path.join(PROJECT_ROOT, "build/bench.json"), JSON.stringify(results, null, 2));
    return 0;
  },
};
