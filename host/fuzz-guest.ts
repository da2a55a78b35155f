// `npm run fuzz -- [--board NAME|all] [--seed S] [--seeds K] [--ops N] [--every P] [--stop I | --stop1 I] [--verbose FROM]`:
// the hostile-guest fuzzer (guests/fuzz) beside its victim, on board/<board>/configs/fuzz.ts with
// other bootargs: K runs of N ops from seed S (a nightly-size run), or, with --stop, seed S replayed
// up to op I, which is printed with its registers and outcome (--stop1: vCPU 1's stream beside seed
// S, run alone). The verdict is fuzzProblems(), the one tests/fuzz.test.ts applies.
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run } from "./run.ts";

export const FUZZ_BOARDS = ["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"] as const;

/**
 * The CPU a board's fuzz run uses when not the board's own: on QEMU virt with GICv3 a Cortex-A76, so
 * that the LSE atomics the fuzzer draws (LDADD, SWP, LDCLR, LDSET, CAS: FEAT_LSE, Armv8.1) execute
 * and reach the hypervisor as stage-2 aborts without a valid syndrome; the A53 (GICv2) and the
 * RPi4's A72 have none, and take them as undefined instructions at EL1.
 */
export const FUZZ_CPU: Partial<Record<string, string>> = { "qemu-virt-gicv3": "cortex-a76" };

/**
 * The bound on the victim's worst heartbeat lateness, in microseconds of its virtual counter. The
 * hypervisor's own share is a few microseconds per trap; the rest is QEMU's four vCPU threads on
 * the host's cores (two, in CI, shared with other tests' QEMUs), which the guest's virtual counter
 * sees as lost time: measured with the fuzzer idle, 20-160 ms; with it, 20-340 ms. A hypervisor
 * that held the victim's CPU for a restart, a lock or a log would show as seconds.
 */
export const MAX_LATE_US = 500_000;
/** A progress line at least this often (seconds of wall time), else the fuzzer is taken to hang. */
export const PROGRESS_BOUND_SEC = 20;

export interface FuzzArgs {
  seed: number;
  runs: number;
  ops: number;
  every?: number;
  stop?: number;
  /** Replay vCPU 1's stream (beside seed `seed`) alone up to this op. */
  stop1?: number;
  /** Power the fuzzer off (SYSTEM_OFF from vCPU 0, vCPU 1 still running ops) at this op. */
  off?: number;
  /** Print every op from this one. */
  verbose?: number;
  /** The victim's longest run in 1 ms beats (it ends when the fuzzer is done): it must outlast the fuzzer. */
  beats: number;
  /** Beats the victim runs on once the fuzzer is done, over its power-off (default 500). */
  after?: number;
}

/** The fuzzer's and the victim's bootargs, padded to a fixed length: the device trees keep their size and the hypervisor need not be recompiled. */
export function bootargs(a: FuzzArgs): { fuzz: string; victim: string } {
  const fuzz = [`seed=${a.seed}`, `runs=${a.runs}`, `ops=${a.ops}`, `every=${a.every ?? 2500}`,
    ...(a.stop !== undefined ? [`stop=${a.stop}`] : []), ...(a.stop1 !== undefined ? [`stop1=${a.stop1}`] : []), ...(a.off !== undefined ? [`off=${a.off}`] : []), ...(a.verbose !== undefined ? [`verbose=${a.verbose}`] : [])].join(" ");
  return { fuzz: fuzz.padEnd(96), victim: `beats=${a.beats} after=${a.after ?? 500}`.padEnd(32) };
}

/**
 * A config file that is board/<board>/configs/fuzz.ts with these bootargs: build/fuzz-run/<board>/,
 * one per checkout and board (one path, so the build is reused: only the device trees change).
 */
export function fuzzConfig(board: string, a: FuzzArgs): string {
  const dir = path.join(PROJECT_ROOT, "build", "fuzz-run", board);
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(PROJECT_ROOT, "board", board, "configs", "fuzz.ts");
  const b = bootargs(a);
  const file = path.join(dir, "fuzz-run.ts");
  fs.writeFileSync(file, [
    `import base from ${JSON.stringify(base)};`,
    `export default { vms: base.vms.map((vm) => ({ ...vm, bootargs: vm.name === "fuzz" ? ${JSON.stringify(b.fuzz)} : ${JSON.stringify(b.victim)} })) };`,
    "",
  ].join("\n"));
  return file;
}

export interface FuzzOutcome {
  problems: string[];
  /** Ops the fuzzer ran (its last line), and the victim's worst lateness. */
  ops: number;
  worstLateUs: number | null;
}

/**
 * Everything wrong with a fuzz run's console (`lines`, with `times[i]` the wall-clock second line i
 * arrived at); `expectOps` the ops the fuzzer had to run.
 */
export function fuzzProblems(lines: string[], times: number[], expectOps: number): FuzzOutcome {
  const problems: string[] = [];
  for (const l of lines) if (l.startsWith("[hyp]") && /PANIC|panic/.test(l)) problems.push(`hypervisor panic: ${l}`);
  // The fuzzer's own checks: its first failure, with the seed, the op and the replay.
  const failAt = lines.findIndex((l) => /^\[fuzz\].*FAIL - /.test(l));
  if (failAt >= 0) problems.push(lines.slice(failAt, failAt + 14).filter((l) => l.startsWith("[fuzz]")).join("\n"));
  // Progress: the time between progress lines (and from the last one to the end) stays bounded.
  // From the first console line: the time before it is the build's and QEMU's start, not the fuzzer's.
  let lastAt = times[0] ?? 0, lastLine = "(start)";
  for (let i = 0; i < lines.length; i++) {
    const m = /fuzz-(?:progress|start|resume|done)[^\n]*/.exec(lines[i]);
    if (!m || !lines[i].startsWith("[fuzz]")) continue;
    if (times[i] - lastAt > PROGRESS_BOUND_SEC) problems.push(`no fuzzer progress for ${(times[i] - lastAt).toFixed(0)} s after "${lastLine}"`);
    lastAt = times[i];
    lastLine = m[0];
  }
  if (failAt < 0 && !lines.some((l) => /^\[fuzz\] \d+ passed, 0 failed$/.test(l))) problems.push("the fuzzer's checks did not all pass");
  const doneAt = lines.findIndex((l) => /^\[fuzz\] fuzz-done /.test(l));
  const done = doneAt >= 0 ? /total (\d+) ops/.exec(lines[doneAt]) : null;
  const ops = done ? Number(done[1]) : 0;
  if (!done) problems.push(`the fuzzer did not finish (last progress: "${lastLine}")`);
  // Exactly the budget: the fuzzer keeps its place and counts across its own restarts.
  else if (ops !== expectOps) problems.push(`the fuzzer counted ${ops} ops, not the ${expectOps} it was asked to run`);
  // The victim: its report, each check, and its heartbeat bound; it outlived the fuzzer.
  const report = lines.findIndex((l) => l.startsWith("[victim] victim: "));
  const m = report >= 0 ? /worst-late (\d+) us/.exec(lines[report]) : null;
  const worstLateUs = m ? Number(m[1]) : null;
  if (report < 0) problems.push("no victim report");
  else if (worstLateUs! > MAX_LATE_US) problems.push(`the victim's heartbeat was ${worstLateUs} us late (bound ${MAX_LATE_US} us)`);
  else if (!lines[report].startsWith("[victim] victim: fuzzer done after")) problems.push("the victim ended before the fuzzer: give it more beats");
  for (const l of lines) if (/^\[victim\] FAIL/.test(l)) problems.push(l);
  if (!lines.includes("[victim] 5 passed, 0 failed")) problems.push("the victim's checks did not all pass");
  if (lines[lines.length - 1] !== "[hyp] run ended: status 0") problems.push(`last line ${JSON.stringify(lines[lines.length - 1] ?? "")}`);
  return { problems, ops, worstLateUs };
}

/** One run of the fuzzer beside its victim; prints its own lines and the hypervisor's but its fault log. */
export async function fuzzRun(board: string, a: FuzzArgs, timeoutSec: number, show: (l: string) => void = () => {}):
  Promise<FuzzOutcome & { lines: string[]; seconds: number; timedOut: boolean }> {
  const t0 = Date.now();
  const times: number[] = [];
  const { qemu } = await run({
    board, config: fuzzConfig(board, a), timeoutSec, cpu: FUZZ_CPU[board],
    onLine: (l) => {
      times.push((Date.now() - t0) / 1000);
      show(l);
    },
  });
  const seconds = (Date.now() - t0) / 1000;
  const outcome = fuzzProblems(qemu.lines, times.length === qemu.lines.length ? times : qemu.lines.map(() => 0), a.stop !== undefined ? a.stop + 1 : a.stop1 !== undefined ? 0 : a.ops * a.runs);
  if (qemu.timedOut) outcome.problems.unshift(`timed out after ${timeoutSec} s`);
  const crash = /^.*(Assertion|Aborted|Segmentation).*$/m.exec(qemu.stderr);
  if (crash) outcome.problems.unshift(`QEMU itself crashed: ${crash[0]}`);
  return { ...outcome, lines: qemu.lines, seconds, timedOut: qemu.timedOut };
}

/**
 * Ops per second of virtual time (= wall time: QEMU runs without -icount), as measured on a
 * 2-core host beside other QEMU runs: about 5800 on either board. Sizes the victim's longest run
 * (4 times the expected fuzz time: it ends as soon as the fuzzer is done) and the time limit.
 */
export const OPS_PER_SEC = 5000;

export function beatsFor(ops: number): number {
  return Math.max(10_000, Math.ceil((ops / OPS_PER_SEC) * 1000 * 4));
}

async function main(argv: string[]): Promise<number> {
  const opt = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, dflt: number) => {
    const v = opt(name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) throw new Error(`--${name}: ${JSON.stringify(v)} is not a number`);
    return Number(v);
  };
  const boardArg = opt("board") ?? "all";
  const boards = boardArg === "all" ? [...FUZZ_BOARDS] : [boardArg];
  const stop = opt("stop") !== undefined ? num("stop", 0) : undefined;
  const stop1 = opt("stop1") !== undefined ? num("stop1", 0) : undefined;
  const replay = stop ?? stop1;
  const ops = replay !== undefined ? replay + 1 : num("ops", 100_000);
  const runs = replay !== undefined ? 1 : num("seeds", 1);
  const a: FuzzArgs = { seed: num("seed", 1), runs, ops, every: num("every", 2500), stop, stop1, verbose: opt("verbose") !== undefined ? num("verbose", 0) : undefined, beats: beatsFor(ops * runs) };
  let failed = 0;
  for (const board of boards) {
    const timeout = num("timeout", Math.ceil(a.beats / 1000) + 60);
    console.log(`${board}: seeds ${a.seed}..${a.seed + runs - 1}, ${ops} ops each${replay !== undefined ? `, replay up to op ${replay}${stop1 !== undefined ? " of vCPU 1's stream" : ""}` : ""}`);
    const r = await fuzzRun(board, a, timeout, (l) => {
      if (l.startsWith("[hyp] vm fuzz: stage-2") || l.startsWith("[hyp] vm fuzz: unexpected") || /not logged \(rate limit\)/.test(l)) return;
      if (l.startsWith("[fuzz]") && !/fuzz-|FAIL|passed|^\[fuzz\] (op |  *(x\d|sp=|outcome|after))|replay/.test(l)) return;
      console.log(l);
    });
    console.log(`${board}: ${r.ops} ops in ${r.seconds.toFixed(1)} s, worst heartbeat ${r.worstLateUs ?? "?"} us: ${r.problems.length ? "FAILED" : "passed"}`);
    for (const p of r.problems) console.log(`  ${p}`);
    if (r.problems.length) failed++;
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename ?? "")) {
  main(process.argv.slice(2)).then((s) => process.exit(s), (e) => {
    console.error(`fuzz: ${(e as Error).message}`);
    process.exit(2);
  });
}
