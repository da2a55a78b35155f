// The config fuzzer (host/fuzz/, issue 8 "Configs are fuzzed too"): fixed seeds of random mutations
// of the shipped configs, each either accepted and then provably isolated (the build's first half,
// with the stage-2 proof), or refused by `bulkhead check` and `bulkhead build` with one located line
// per error, a non-zero status, no stack trace, and nothing written to build/. A sample goes through
// the real CLI (node bin/bulkhead.mjs), whose stderr must be what the in-process run printed.
// A finding names its mutant: `npm run fuzz:config -- --replay s<seed>-m<index>` replays it.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OBJECT_KINDS, TEXT_KINDS } from "../host/fuzz/config-mutants.ts";
import { describeFinding, mutantFile, unlocatedLines, type Verdict } from "../host/fuzz/config-oracle.ts";
import { runConfigFuzz, type FuzzStats } from "../host/fuzz/config-fuzz.ts";

const root = path.resolve(import.meta.dirname, "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-config-fuzz-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Seeds 1-3, 100 mutants each: every mutation kind many times over, in about 30 s on 2 cores. */
const SEEDS = [1, 2, 3];
const PER_SEED = 100;
const MUTANT_ID = /^s\d+-m\d+$/;

/** Entries of build/<board>/ named like a mutant: a build of one wrote there. */
function mutantBuildDirs(): string[] {
  const build = path.join(root, "build");
  // Other test files make and remove their own directories under build/ meanwhile.
  const list = (dir: string) => { try { return fs.readdirSync(dir); } catch { return []; } };
  return list(build).flatMap((d) => list(path.join(build, d)).filter((n) => MUTANT_ID.test(n)).map((n) => `build/${d}/${n}`));
}

let stats: FuzzStats;
const verdicts: Verdict[] = [];

describe("config fuzzer", () => {
  it(`${SEEDS.length * PER_SEED} mutants of the shipped configs: accepted and proved, or refused with one located line per error`, async () => {
    stats = await runConfigFuzz({ seeds: SEEDS, mutants: PER_SEED, buildEvery: 3, proveMax: 12, dir, onVerdict: (v) => verdicts.push(v) });
    expect(stats.findings.map(describeFinding)).toEqual([]);
    // The run reaches both outcomes and both halves of the oracle.
    expect(stats.tested).toBe(SEEDS.length * PER_SEED);
    expect(stats.accepted).toBeGreaterThanOrEqual(10);
    expect(stats.proved).toBe(12);
    expect(stats.built).toBeGreaterThanOrEqual(50);
    const applied = new Set(verdicts.flatMap((v) => v.mutant.steps.map((s) => s.split(":")[0])));
    expect([...OBJECT_KINDS, ...TEXT_KINDS].filter((k) => !applied.has(k))).toEqual([]);
    expect(mutantBuildDirs()).toEqual([]);
    console.log(`config fuzz: ${stats.tested} mutants in ${(stats.ms / 1000).toFixed(1)} s (${(stats.tested / (stats.ms / 1000)).toFixed(1)}/s): `
      + `${stats.accepted} accepted (${stats.proved} proved), ${stats.refused} refused (${stats.built} also built)`);
  }, 150_000);

  it("the real CLI on a sample of refused mutants: exit 1, the same located lines, no stack trace, build/ untouched", async () => {
    expect(verdicts.length).toBe(SEEDS.length * PER_SEED);
    // One refused mutant of each way to be wrong: 6 mutants, 12 runs of the CLI (about 1.5 s each).
    const classes: [string, RegExp][] = [
      ["syntax or types (tsc)", /^(delete a delimiter|insert a token|truncate|bigint to number|number to string|wrong string|unknown identifier|missing import)$/],
      ["a throw while evaluated", /^throws when evaluated$/],
      ["the checker's rules", /^(overlap|misalign|address|size|duplicate cpu|bad cpu|duplicate name|bad name|interrupt|device|shared|entry):/],
      ["a wrong type behind `as any`", /^wrong type: .* as any$/],
      ["a missing or wrong file", /^file:/], ["an unknown board", /^--board /],
    ];
    const sample = classes.map(([what, re]) => {
      const v = verdicts.find((x) => !x.accepted && x.mutant.board !== "" && x.mutant.steps.some((s) => re.test(s)));
      expect(v, `a refused mutant of class ${what}`).toBeDefined();
      return v!;
    });
    const cli = (args: string[]) => new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const p = spawn("node", [path.join(root, "bin/bulkhead.mjs"), ...args], { cwd: root });
      let stderr = "";
      p.stderr.on("data", (d) => (stderr += d));
      p.on("close", (status) => resolve({ status, stderr }));
    });
    const runs = sample.flatMap((v) => {
      const file = mutantFile(dir, v.mutant);
      return [
        { v, file, cmd: "check", args: ["check", file, "--board", v.mutant.board] },
        { v, file, cmd: "build", args: ["build", "--config", file, "--board", v.mutant.board] },
      ];
    });
    // Two at a time: the machine has two cores.
    const results: { status: number | null; stderr: string }[] = [];
    for (let i = 0; i < runs.length; i += 2) results.push(...(await Promise.all(runs.slice(i, i + 2).map((r) => cli(r.args)))));
    runs.forEach((r, i) => {
      const { status, stderr } = results[i];
      const who = `${r.cmd} ${r.v.mutant.id} (${r.v.mutant.steps.join("; ")}):\n${stderr}`;
      expect(status, who).toBe(1);
      expect(stderr.trim(), who).not.toBe("");
      expect(stderr, who).not.toMatch(/^\s+at /m);
      expect(unlocatedLines(stderr, r.file), who).toEqual([]);
      // Under vitest stacks are not source-mapped: in process, a throw's line and column are not known.
      const unplaced = (s: string) => s.trimEnd().replace(/:\d+:\d+(: error: evaluating the config threw )/g, "$1");
      if (r.cmd === "check") expect(unplaced(stderr), who).toBe(unplaced(r.v.stderr));
    });
    expect(mutantBuildDirs()).toEqual([]);
  }, 120_000);
});
