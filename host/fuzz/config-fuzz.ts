// The config fuzzer: `npm run fuzz:config -- [--seeds K] [--first-seed S] [--mutants N] [--build-every B] [--prove-max P] [--replay ID]`.
// Seeds S..S+K-1 (default 1..4; the test runs 1-3), N mutants each (config-mutants.ts), each judged in this process (config-oracle.ts);
// every Bth refused mutant also goes through `bulkhead build`, and up to P accepted ones through the
// build's first half (the stage-2 proof). Mutants are written under the system's temporary
// directory, never into the repository. Prints each finding, then the totals; exits 1 on a finding.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadBases, mutate, type Base, type Mutant } from "./config-mutants.ts";
import { describeFinding, judge, type Verdict } from "./config-oracle.ts";
import { Rng, mutantSeed } from "./rng.ts";

export interface FuzzOptions {
  seeds: number[];
  mutants: number;
  /** Every this many refused mutants, one also goes through `bulkhead build` (0: none). */
  buildEvery: number;
  /** At most this many accepted mutants go through the build's first half. */
  proveMax: number;
  /** Where mutants are written (default: a fresh directory under os.tmpdir()). */
  dir?: string;
  onVerdict?: (v: Verdict) => void;
}

export interface FuzzStats { tested: number; accepted: number; refused: number; built: number; proved: number; findings: Verdict[]; ms: number }

/** Mutant `index` of run `seed`, the same every time. */
export function mutantOf(bases: Base[], seed: number, index: number): Mutant {
  const r = new Rng(mutantSeed(seed, index));
  return mutate(r.pick(bases), `s${seed}-m${index}`, r);
}

export async function runConfigFuzz(o: FuzzOptions): Promise<FuzzStats> {
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-config-fuzz-"));
  const bases = await loadBases();
  const stats: FuzzStats = { tested: 0, accepted: 0, refused: 0, built: 0, proved: 0, findings: [], ms: 0 };
  const t0 = Date.now();
  for (const seed of o.seeds) {
    for (let i = 0; i < o.mutants; i++) {
      const m = mutantOf(bases, seed, i);
      const build = o.buildEvery > 0 && stats.refused % o.buildEvery === 0;
      const prove = stats.proved < o.proveMax;
      const v = await judge(m, dir, { build, prove });
      stats.tested++;
      if (v.accepted) { stats.accepted++; if (prove) stats.proved++; } else { stats.refused++; if (build) stats.built++; }
      if (v.findings.length) stats.findings.push(v);
      o.onVerdict?.(v);
    }
  }
  stats.ms = Date.now() - t0;
  if (!o.dir) fs.rmSync(dir, { recursive: true, force: true });
  return stats;
}

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} takes a whole number`);
  return n;
}

async function cli(args: string[]): Promise<number> {
  const replay = args.indexOf("--replay");
  let o: FuzzOptions;
  if (replay >= 0) {
    const m = /^s(\d+)-m(\d+)$/.exec(args[replay + 1] ?? "");
    if (!m) { console.error("--replay takes a mutant id, s<seed>-m<index>"); return 2; }
    const bases = await loadBases();
    const mutant = mutantOf(bases, Number(m[1]), Number(m[2]));
    console.log(`${mutant.id} (${mutant.base}, --board ${mutant.board}): ${mutant.steps.join("; ")}\n${mutant.text ?? "(no file)"}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-config-fuzz-"));
    const v = await judge(mutant, dir, { build: true, prove: true });
    if (v.stderr) console.log(`bulkhead check:\n${v.stderr}`);
    console.log(v.findings.length ? describeFinding(v) : `${v.accepted ? "accepted" : "refused"}, as it should be`);
    return v.findings.length ? 1 : 0;
  }
  const seeds = arg(args, "--seeds", 4), first = arg(args, "--first-seed", 1);
  o = {
    seeds: Array.from({ length: seeds }, (_, i) => first + i), mutants: arg(args, "--mutants", 100),
    buildEvery: arg(args, "--build-every", 4), proveMax: arg(args, "--prove-max", 20),
    onVerdict: (v) => { if (v.findings.length) console.log(describeFinding(v)); },
  };
  const s = await runConfigFuzz(o);
  console.log(`config fuzz: ${s.tested} mutants (seeds ${first}-${first + seeds - 1}, ${o.mutants} each) in ${(s.ms / 1000).toFixed(1)} s, ${(s.tested / (s.ms / 1000)).toFixed(1)} mutants/s: `
    + `${s.accepted} accepted (${s.proved} proved), ${s.refused} refused (${s.built} also built), ${s.findings.length} with findings`);
  return s.findings.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await cli(process.argv.slice(2));
}
