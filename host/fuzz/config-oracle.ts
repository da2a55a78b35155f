// The config fuzzer's oracle: each mutant (config-mutants.ts) goes through `bulkhead check`, and
// through `bulkhead build` when refused or the first half of a build when accepted, in this process
// (host/cli/main.ts main, console captured), and must end one of two ways:
//  - refused: a non-zero status, and every line on stderr one error that says where, as
//    `file:line:col: error: ...` or `file: error: vm "name" ...` (or a sentence about the file as a
//    whole: it does not exist, exports no config, threw while evaluated); no stack frame; and the
//    build wrote nothing: no build/<board>/<mutant> directory;
//  - accepted: `ok: N VMs on <board>`, and then really valid: what independentProblems restates of
//    names, CPUs, interrupts and alignment holds, and the build's first half (host/build.ts
//    proveConfig: images placed, DTBs compiled, tables generated, the stage-2 isolation proof) goes
//    through on the same config.
// Anything else — an exception out of the command, a line without a place, a build that refuses what
// check accepted — is a finding, reported with the mutant's id, base and mutations.
import fs from "node:fs";
import path from "node:path";
import { main } from "../cli/main.ts";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import { loadBoard, type Board } from "../board.ts";
import { BuildError, proveConfig } from "../build.ts";
import { loadConfig } from "../config/load.ts";
import { devicesOf, hypRange, ramRanges } from "../config/model.ts";
import { reservedRegions } from "../config/reserved.ts";
import type { Config } from "../config/types.ts";
import type { Mutant } from "./config-mutants.ts";

export interface Outcome { status: number; stdout: string; stderr: string }

/** `bulkhead <argv>` in this process, its output captured; an exception out of it is returned as a finding's text. */
export async function runInProcess(argv: string[]): Promise<Outcome | { crash: string }> {
  const out: string[] = [], err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const status = await main(argv);
    return { status, stdout: out.join("\n"), stderr: err.join("\n") };
  } catch (e) {
    return { crash: e instanceof Error ? (e.stack ?? String(e)).split("\n").slice(0, 3).join(" | ") : String(e) };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** File-level errors: about the config file as a whole, so the file is their place. */
const WHOLE_FILE = /^(no such file|not a file|it has no default export|its default export is not a config object|evaluating the config threw |the config |unknown board )/;

/**
 * The lines of `stderr` that break the rules: a stack frame, or an error that does not say where.
 * `file` is the config path as given; messages may show it relative to the working directory.
 */
export function unlocatedLines(stderr: string, file: string): string[] {
  const forms = [file, path.relative(process.cwd(), file)];
  const bad: string[] = [];
  for (const line of stderr.split("\n").filter((l) => l.trim() !== "")) {
    if (/^\s+at /.test(line)) { bad.push(`stack frame: ${line}`); continue; }
    const f = forms.find((x) => line.startsWith(`${x}:`));
    const rest = f === undefined ? null : line.slice(f.length);
    const ok = rest !== null && (/^:\d+:\d+: (error|warning): \S/.test(rest)
      || /^: (error|warning): (vm "|vms\[\d+\]|channel "|channels\[\d+\])/.test(rest)
      || (rest.startsWith(": error: ") && WHOLE_FILE.test(rest.slice(": error: ".length))));
    if (!ok) bad.push(`no place: ${line}`);
  }
  return bad;
}

/**
 * What an accepted config must have, said again without the checker's code: names well-formed and
 * unique, every CPU and SPI of one VM only and real, regions page-aligned and non-empty, apart in
 * each VM's IPA space, RAM in board RAM, nothing over the board's reserved regions, no physical
 * page in two VMs but a shared region's. (Cheap, so every accepted mutant gets it; the stage-2
 * proof, for some, judges what the tables let each VM reach.)
 */
export function independentProblems(board: Board, cfg: Config): string[] {
  const f = board.facts;
  const out: string[] = [];
  const meets = (a: bigint, as: bigint, b: bigint, bs: bigint) => a < b + bs && b < a + as;
  const reserved = reservedRegions(board, hypRange(board));
  const names = new Set<string>(), cpus = new Set<number>(), irqs = new Set<number>();
  for (const vm of cfg.vms) {
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(vm.name) || vm.name === "hyp" || names.has(vm.name)) out.push(`accepted the vm name ${JSON.stringify(vm.name)}`);
    names.add(vm.name);
    if (vm.cpus.length === 0) out.push(`accepted vm ${vm.name} without CPUs`);
    for (const c of vm.cpus) {
      if (!Number.isInteger(c) || c < 0 || c >= f.CPU_COUNT || cpus.has(c)) out.push(`accepted CPU ${c} for vm ${vm.name}`);
      cpus.add(c);
    }
    const own = new Set([...(vm.interrupts ?? []), ...devicesOf(vm).flatMap((d) => d.interrupts ?? [])]);
    for (const i of own) {
      if (!Number.isInteger(i) || i < 32 || i > 1019 || i === f.UART_INTID || irqs.has(i)) out.push(`accepted interrupt ${i} for vm ${vm.name}`);
      irqs.add(i);
    }
    for (const r of [...vm.ram, ...devicesOf(vm), ...(vm.shared ?? [])]) {
      for (const v of [r.ipa, r.pa ?? r.ipa, r.size]) if (typeof v !== "bigint" || v < 0n || v % 0x1000n !== 0n) out.push(`accepted a region of vm ${vm.name} with ${String(v)}`);
      if (r.size <= 0n) out.push(`accepted an empty region of vm ${vm.name}`);
      const pa = r.pa ?? r.ipa;
      for (const x of reserved) if (meets(pa, r.size, x.base, x.size)) out.push(`accepted PA 0x${pa.toString(16)} of vm ${vm.name} over ${x.what}`);
    }
    for (const r of vm.ram) {
      const pa = r.pa ?? r.ipa;
      if (!ramRanges(board).some(([s, e]) => pa >= s && pa + r.size <= e)) out.push(`accepted RAM at PA 0x${pa.toString(16)} of vm ${vm.name}, outside board RAM`);
    }
    const ipas = [...vm.ram, ...devicesOf(vm), ...(vm.shared ?? [])];
    ipas.forEach((a, i) => ipas.slice(0, i).forEach((b) => {
      if (meets(a.ipa, a.size, b.ipa, b.size)) out.push(`accepted IPA 0x${a.ipa.toString(16)} twice in vm ${vm.name}`);
    }));
  }
  const owned = cfg.vms.map((vm) => [
    ...[...vm.ram, ...devicesOf(vm)].map((r) => ({ vm: vm.name, shared: "", pa: r.pa ?? r.ipa, size: r.size })),
    ...(vm.shared ?? []).map((r) => ({ vm: vm.name, shared: r.name, pa: r.pa, size: r.size })),
  ]);
  owned.forEach((mine, i) => owned.slice(0, i).flat().forEach((b) => mine.forEach((a) => {
    if (a.pa < b.pa + b.size && b.pa < a.pa + a.size && !(a.shared && a.shared === b.shared)) out.push(`accepted PA 0x${a.pa.toString(16)} in vm ${a.vm} and vm ${b.vm}`);
  })));
  // Channels: a power of two, aligned, in board RAM, apart from every VM's regions and each other, between VMs that exist.
  (cfg.channels ?? []).forEach((ch, i) => {
    if (ch.size < 0x1000n || (ch.size & (ch.size - 1n)) !== 0n || ch.pa % ch.size !== 0n) out.push(`accepted channel ${ch.name} of ${String(ch.size)} bytes at 0x${ch.pa.toString(16)}`);
    if (!ramRanges(board).some(([s, e]) => ch.pa >= s && ch.pa + ch.size <= e)) out.push(`accepted channel ${ch.name} outside board RAM`);
    for (const x of reserved) if (meets(ch.pa, ch.size, x.base, x.size)) out.push(`accepted channel ${ch.name} over ${x.what}`);
    for (const r of owned.flat()) if (meets(ch.pa, ch.size, r.pa, r.size)) out.push(`accepted channel ${ch.name} over a region of vm ${r.vm}`);
    for (const o of (cfg.channels ?? []).slice(0, i)) if (meets(ch.pa, ch.size, o.pa, o.size)) out.push(`accepted channels ${o.name} and ${ch.name} over each other`);
    const members = Object.keys(ch.vms);
    if (members.length < 2 || members.some((m) => !names.has(m))) out.push(`accepted channel ${ch.name} between ${members.join(", ")}`);
  });
  return out;
}

export interface Verdict {
  mutant: Mutant;
  accepted: boolean;
  /** What `bulkhead check` printed on stderr (a crash: ""). */
  stderr: string;
  findings: string[];
}

export interface JudgeOptions {
  /** Run `bulkhead build` too when check refuses (twice the time). */
  build: boolean;
  /** Run the build's first half (the proof) when check accepts (about a second each). */
  prove: boolean;
}

/** Where mutant `m` is written: half in a `"type": "module"` directory, half in a plain one (tsx treats the two differently). */
export function mutantFile(dir: string, m: Mutant): string {
  const sub = path.join(dir, Number(/m(\d+)$/.exec(m.id)?.[1] ?? 0) % 2 ? "plain" : "esm");
  if (!fs.existsSync(sub)) {
    fs.mkdirSync(sub, { recursive: true });
    if (sub.endsWith("esm")) fs.writeFileSync(path.join(sub, "package.json"), `{ "type": "module" }\n`);
  }
  return path.join(sub, `${m.id}.ts`);
}

export async function judge(m: Mutant, dir: string, opts: JudgeOptions): Promise<Verdict> {
  const file = mutantFile(dir, m);
  if (m.text !== null) fs.writeFileSync(file, m.text);
  const findings: string[] = [];
  const check = await runInProcess(["check", file, "--board", m.board]);
  if ("crash" in check) return { mutant: m, accepted: false, stderr: "", findings: [`check threw: ${check.crash}`] };
  const accepted = check.status === 0;
  // A usage error (status 2: `--board` without a name) is about the command line, not the config.
  const usage = check.status === 2 && /^usage: /.test(check.stderr);
  if (!usage) findings.push(...unlocatedLines(check.stderr, file).map((l) => `check: ${l}`));
  if (accepted) {
    if (!/^ok: \d+ VMs? on \S+$/.test(check.stdout)) findings.push(`check: status 0 but stdout ${JSON.stringify(check.stdout)}`);
    findings.push(...independentProblems(await loadBoard(m.board), await loadConfig(file, { typecheck: false })));
    if (opts.prove) {
      try {
        await proveConfig({ config: file, board: m.board, outDir: path.join(dir, "build", m.id) });
      } catch (e) {
        findings.push(e instanceof BuildError
          ? `check accepted it, the build refused it: ${e.lines.join(" | ")}`
          : `check accepted it, the build threw: ${(e as Error).stack?.split("\n").slice(0, 3).join(" | ")}`);
      }
    }
  } else {
    if (check.stderr.trim() === "") findings.push(`check: status ${check.status} and nothing on stderr`);
    if (opts.build) {
      const b = await runInProcess(["build", "--config", file, "--board", m.board]);
      if ("crash" in b) findings.push(`build threw: ${b.crash}`);
      else {
        if (b.status === 0) findings.push("check refused it, build accepted it");
        findings.push(...unlocatedLines(b.stderr, file).map((l) => `build: ${l}`));
      }
      const out = path.join(PROJECT_ROOT, "build", m.board, m.id);
      if (fs.existsSync(out)) findings.push(`build wrote ${path.relative(PROJECT_ROOT, out)}`);
    }
  }
  return { mutant: m, accepted, stderr: check.stderr, findings };
}

/** One finding, replayable: `npm run fuzz:config -- --replay <id>`. */
export function describeFinding(v: Verdict): string {
  return [`mutant ${v.mutant.id} (${v.mutant.base}, --board ${JSON.stringify(v.mutant.board)}): ${v.mutant.steps.join("; ")}`, ...v.findings.map((f) => `  ${f}`)].join("\n");
}
