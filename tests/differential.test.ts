// Differential testing of the two backends: the same subset programs are compiled to C (built as a
// Node native addon with node-gyp) and to host JavaScript, run on the same inputs, and must agree
// exactly: the same value, or both panic. Programs: random ones from a seeded generator
// (tests/differential/gen.ts; DIFF_SEED=<n> to choose the seed, DIFF_PROGRAMS=<n> how many), the
// operator × type matrix (also checked against the BigInt reference), and tests/programs/diff-edge.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { compileToC, CompileError } from "../compiler/index.ts";
import { emitJsModule } from "../compiler/emit-js.ts";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { BhPanic } from "../compiler/runtime/index.ts";
import type { IntName } from "../compiler/types.ts";
import { Rng, TYPES, edgeValues, hostValue, info, randomValue, wrapTo } from "./differential/values.ts";
import { generateProgram } from "./differential/gen.ts";
import { generateMatrix, type Reference } from "./differential/matrix.ts";
import { buildAddon, type NativeFn, type NativeProgram } from "./differential/native.ts";

const SEED = Number(process.env.DIFF_SEED ?? 0x5eed2024) >>> 0;
const PROGRAMS = Number(process.env.DIFF_PROGRAMS ?? 12);
const CALLS_PER_FUNCTION = 60;
// One directory per run: concurrent runs (the full suite beside this file alone) must not share a build.
const DIR = path.join(PROJECT_ROOT, "build/differential", `run-${process.pid}`);
const EDGE = path.join(PROJECT_ROOT, "tests/programs/diff-edge.ts");

type Fn = (...args: unknown[]) => unknown;
type Outcome = { value: number | bigint } | { panic: string } | { error: string };

interface Prog { tag: string; file: string; functions: NativeFn[]; js: Record<string, Fn> }

const seedNote = `(DIFF_SEED=${SEED}; rerun with DIFF_SEED=${SEED} npx vitest run tests/differential.test.ts)`;
const progs: Prog[] = [];
/** The run directory is kept after a failure (for the programs a report names), removed after a clean run. */
let failed = true;
let native: Record<string, Fn> = {};
let refs = new Map<string, Reference>();

function outcome(f: () => unknown, isNative: boolean): Outcome {
  try {
    const v = f();
    if (typeof v !== "number" && typeof v !== "bigint") return { error: `returned ${typeof v}: ${String(v)}` };
    return { value: v };
  } catch (e) {
    if (isNative && (e as { code?: string }).code === "BH_PANIC") return { panic: (e as Error).message };
    if (!isNative && e instanceof BhPanic) return { panic: e.message };
    return { error: String(e) };
  }
}

function show(o: Outcome): string {
  if ("value" in o) return typeof o.value === "bigint" ? `${o.value}n` : Object.is(o.value, -0) ? "-0" : `${o.value}`;
  return "panic" in o ? `<${o.panic}>` : `<ERROR ${o.error}>`;
}

/** Equal values (Object.is: a -0 from the host backend is a bug), or both panicked (the reason may
 *  legitimately differ: C evaluates operands in an unspecified order). */
function agree(a: Outcome, b: Outcome): boolean {
  if ("value" in a && "value" in b) return Object.is(a.value, b.value);
  return "panic" in a && "panic" in b;
}

function compile(tag: string, file: string, relax: boolean, natives: NativeProgram[]): void {
  let r;
  try {
    r = compileToC(file);
  } catch (e) {
    failed = true;
    throw new Error(`${file} does not compile ${seedNote}:\n${e instanceof CompileError ? e.message : (e as Error).stack}`);
  }
  const functions: NativeFn[] = r.checked.funcs.filter((f) => f.exported && !f.cls).map((f) => {
    const ps = f.params.map((p) => { if (p.type.k !== "int") throw new Error(`${f.name}: non-integer parameter`); return p.type.name; });
    if (f.ret.k !== "int") throw new Error(`${f.name}: non-integer result`);
    return { name: f.cName, params: ps, ret: f.ret.name };
  });
  const mjs = path.join(DIR, "js", `${tag}.mjs`);
  fs.writeFileSync(mjs, emitJsModule(r.checked, file));
  natives.push({ tag, c: r.c, functions, relaxTautologies: relax });
  progs.push({ tag, file, functions, js: {} });
}

/** Argument tuples for a function: all pairs of a few edge values for small arities, then random ones. */
function inputs(rng: Rng, f: NativeFn, count: number): bigint[][] {
  const out: bigint[][] = [];
  const small = (t: IntName) => {
    const ti = info(t);
    return [...new Set([0n, 1n, 2n, -1n, -2n, ti.min, ti.min + 1n, ti.max, ti.max - 1n, 7n, 8n, 31n, 32n, 33n, 63n, 64n, 127n, 128n, -128n]
      .map((v) => wrapTo(t, v)))];
  };
  if (f.params.length === 0) return [[]];
  if (f.params.length === 1) out.push(...edgeValues(f.params[0]).map((v) => [v]));
  if (f.params.length === 2) for (const a of small(f.params[0])) for (const b of small(f.params[1])) out.push([a, b]);
  for (let i = 0; i < count; i++) out.push(f.params.map((t) => randomValue(rng, t)));
  return out;
}

interface Mismatch { fn: string; args: string; c: string; js: string; ref?: string }

function runProgram(p: Prog, count: number): { calls: number; panics: number; mismatches: Mismatch[] } {
  const rng = new Rng(SEED ^ [...p.tag].reduce((h, ch) => Math.imul(h, 31) + ch.charCodeAt(0), 7));
  const mismatches: Mismatch[] = [];
  let calls = 0;
  let panics = 0;
  for (const f of p.functions) {
    const cf = native[f.name];
    const jf = p.js[f.name];
    if (typeof cf !== "function" || typeof jf !== "function") throw new Error(`${f.name} missing from a backend`);
    const ref = refs.get(f.name);
    for (const args of inputs(rng, f, count)) {
      const hv = args.map((v, i) => hostValue(f.params[i], v));
      const c = outcome(() => cf(...hv), true);
      const js = outcome(() => jf(...hv), false);
      calls++;
      if ("panic" in c) panics++;
      let bad = !agree(c, js) || "error" in c || "error" in js;
      let refText: string | undefined;
      if (ref) {
        const want = ref(args);
        const wo: Outcome = want === "panic" ? { panic: "reference" } : { value: hostValue(f.ret, want) };
        refText = show(wo);
        if (!agree(wo, c) || !agree(wo, js)) bad = true;
      }
      if (bad && mismatches.length < 20) {
        mismatches.push({ fn: f.name, args: hv.map((v) => (typeof v === "bigint" ? `${v}n` : `${v}`)).join(", "), c: show(c), js: show(js), ref: refText });
      }
    }
  }
  return { calls, panics, mismatches };
}

function report(p: Prog, m: Mismatch[]): string {
  failed = true;
  return `${m.length} mismatch(es) in ${path.relative(PROJECT_ROOT, p.file)} ${seedNote}:\n` + m.map((x) =>
    `  ${x.fn}(${x.args}): C ${x.c}, JS ${x.js}${x.ref ? `, reference ${x.ref}` : ""}`).join("\n");
}

beforeAll(async () => {
  fs.mkdirSync(path.join(DIR, "programs"), { recursive: true });
  fs.rmSync(path.join(DIR, "js"), { recursive: true, force: true });
  fs.mkdirSync(path.join(DIR, "js"), { recursive: true });
  const natives: NativeProgram[] = [];
  const rng = new Rng(SEED);
  for (let i = 0; i < PROGRAMS; i++) {
    const g = generateProgram(rng, i);
    const file = path.join(DIR, "programs", `p${i}.ts`);
    fs.writeFileSync(file, g.source);
    compile(`p${i}`, file, true, natives);
  }
  const matrix = generateMatrix();
  refs = matrix.refs;
  const mfile = path.join(DIR, "programs", "matrix.ts");
  fs.writeFileSync(mfile, matrix.source);
  compile("matrix", mfile, false, natives);
  compile("edge", EDGE, false, natives);
  native = buildAddon(path.join(DIR, "native"), natives);
  for (const p of progs) p.js = await import(path.join(DIR, "js", `${p.tag}.mjs`));
  failed = false;
}, 240_000);

afterAll(() => { if (!failed) fs.rmSync(DIR, { recursive: true, force: true }); });

describe("differential: C backend (native addon) vs host backend", () => {
  it("random programs agree", () => {
    let calls = 0;
    let panics = 0;
    const failures: string[] = [];
    for (const p of progs.filter((q) => q.tag.startsWith("p"))) {
      const r = runProgram(p, CALLS_PER_FUNCTION);
      calls += r.calls;
      panics += r.panics;
      if (r.mismatches.length) failures.push(report(p, r.mismatches));
    }
    expect(failures.join("\n")).toBe("");
    // The inputs must exercise both outcomes.
    expect(calls).toBeGreaterThan(2000);
    expect(panics).toBeGreaterThan(0);
    expect(panics).toBeLessThan(calls / 2);
  });

  it("the operator × type matrix agrees, and matches the BigInt reference", () => {
    const p = progs.find((q) => q.tag === "matrix")!;
    const r = runProgram(p, 20);
    expect(r.mismatches.length ? report(p, r.mismatches) : "").toBe("");
    expect(p.functions.length).toBeGreaterThan(300);
    for (const t of TYPES) expect(refs.has(`m_div_${t}`)).toBe(true);
  });

  it("the hand-written edge cases agree", () => {
    const p = progs.find((q) => q.tag === "edge")!;
    const r = runProgram(p, 40);
    expect(r.mismatches.length ? report(p, r.mismatches) : "").toBe("");
  });

  it("the edge cases have the values the subset defines", () => {
    const p = progs.find((q) => q.tag === "edge")!;
    const cases: [string, unknown[], number | bigint | "panic"][] = [
      ["sdiv8", [-128, -1], -128], ["smod8", [-128, -1], 0], ["sdiv16", [-32768, -1], -32768],
      ["sdiv32", [-2147483648, -1], -2147483648], ["smod32", [-2147483648, -1], 0], ["sdiv32", [7, -2], -3], ["smod32", [-7, 2], -1],
      ["sdiv64", [-(2n ** 63n), -1n], -(2n ** 63n)], ["smod64", [-(2n ** 63n), -1n], 0n], ["udiv64", [2n ** 64n - 1n, 3n], 6148914691236517205n],
      ["sdiv32", [1, 0], "panic"], ["udiv64", [1n, 0n], "panic"],
      ["intMinDivMinus1", [], -2147483648], ["intMinModMinus1", [], 0], ["i64MinDivMinus1Folded", [], -(2n ** 63n)],
      ["i8MinDivMinus1Folded", [], -128], ["i8MinModMinus1Folded", [], 0], ["divByZero", [5], "panic"], ["modByZero64", [5n], "panic"],
      ["shl32", [1, 31], 0x80000000], ["shl32", [1, 32], 1], ["shl32", [1, 33], 2], ["shl32", [1, -1], 0x80000000], ["shl32", [3, 0], 3],
      ["shr32", [-8, 1], -4], ["shr32", [-8, 33], -4], ["ushr32", [-8, 28], 15], ["ushr32", [-1, 0], -1], ["ushr32", [-1, 32], -1],
      ["ushr8", [-1, 4], 15], ["ushr8", [-128, 7], 1], ["shl8", [1, 8], 0], ["shl8", [3, 39], 128], ["shl8", [255, 33], 254], ["shr16", [-32768, 15], -1],
      ["shl64", [1n, 63n], 2n ** 63n], ["shl64", [1n, 64n], 1n], ["shl64", [1n, -1n], 2n ** 63n], ["shr64", [-(2n ** 63n), 63n], -1n],
      ["shr64", [-(2n ** 63n), 64n], -(2n ** 63n)], ["shru64", [2n ** 64n - 1n, 65n], 2n ** 63n - 1n],
      ["shlByVar", [32], 1], ["shlByVar", [31], 0x80000000], ["shlByVar64", [32n], 2n ** 32n], ["shlByVar64", [64n], 1n],
      ["u8Wrap", [], 0], ["u16WrapDown", [], 65535], ["u8AddWrap", [200, 100], 44], ["u8MulWrap", [16, 16], 0],
      ["u16MulWrap", [65535, 65535], 1], ["i16MulWrap", [-32768, -1], -32768], ["i32MulWrap", [65536, 65536], 0],
      ["i32MulWrap", [-2147483648, -1], -2147483648], ["u32MulWrap", [0xffffffff, 0xffffffff], 1],
      ["i8Neg", [-128], -128], ["i8NegMinFolded", [], -128], ["u64MaxPlus1", [], 0n], ["i64MinMinus1", [], 2n ** 63n - 1n],
      ["u64MaxPlus1Folded", [], 0n], ["i32MaxPlus1", [2147483647], -2147483648], ["i32MinMinus1", [-2147483648], 2147483647],
      ["i64ToU8", [-1n], 255], ["i64ToU8", [0x1234n], 0x34], ["u32ToI8", [0x80], -128], ["u32ToI8", [0xffffff7f], 127],
      ["i8ToU64", [-1], 2n ** 64n - 1n], ["i8ToU64", [-128], 2n ** 64n - 128n], ["u64ToI32", [0xffffffffn], -1], ["i16ToU32", [-1], 0xffffffff],
      ["u16ToI16", [0x8000], -32768], ["boolToU32", [1, 2], 1], ["boolToU32", [2, 1], 0], ["boolToI64", [0], 1n], ["boolToI64", [3], 0n],
      ["u8OfMinus1", [], 255], ["i8Of255", [], -1], ["u32OfMinus1n", [], 0xffffffff], ["i64OfU64Max", [], -1n],
      ["notU8", [0], 255], ["notI16", [0], -1], ["notU32", [0], 0xffffffff], ["negU32", [1], 0xffffffff], ["negU64", [1n], 2n ** 64n - 1n],
      ["negI64", [-(2n ** 63n)], -(2n ** 63n)],
      ["square", [7], 49], ["square", [8], "panic"], ["square", [-1], "panic"], ["square64", [15], 98],
    ];
    const wrong: string[] = [];
    for (const [name, args, want] of cases) {
      for (const [label, f] of [["C", native[name]], ["JS", p.js[name]]] as const) {
        const got = outcome(() => f(...args), label === "C");
        const ok = want === "panic" ? "panic" in got : "value" in got && Object.is(got.value, want);
        if (!ok) wrong.push(`${label} ${name}(${args.join(", ")}) = ${show(got)}, want ${String(want)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
