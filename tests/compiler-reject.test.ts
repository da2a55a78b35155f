// Rejection tests: every construct outside the subset is a located compile error
// `file:line:column: error: <what>; <what to write instead>`, and compilation writes no output.
// Each row is a whole program, written to build/reject/<name>.ts and compiled through the CLI's
// entry point (in process); a few also go through the real `bulkhead compile` command.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { main } from "../host/cli/main.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DIR = path.join(ROOT, "build/reject");

interface Row {
  name: string;
  /** line:column of the first error */
  at: string;
  /** a fragment of its message */
  msg: string;
  /** reported by the TypeScript front end (its own wording), not by the subset checker */
  ts?: boolean;
  src: string;
}

const rows: Row[] = [
  { name: "any", at: "1:22", msg: "`any` is not in the subset",
    src: `export function f(x: any): u32 { return 0; }` },
  { name: "arrlit", at: "2:18", msg: "array literals are not in the subset",
    src: `export function f(): u32 {
  const a: u32 = [1, 2][0];
  return a;
}` },
  { name: "arrow", at: "2:13", msg: "closures are not in the subset",
    src: `export function f(x: u32): u32 {
  const g = (y: u32): u32 => y + 1;
  return g(x);
}` },
  { name: "as", at: "2:10", msg: "type assertions are not in the subset",
    src: `export function f(a: u32): u64 {
  return a as unknown as u64;
}` },
  { name: "assigncall", at: "5:3", msg: "unspecified order",
    src: `const a = new Uint32Array(4);
let n: u32 = 0;
function g(): u32 { n++; return n & 3; }
export function f(): void {
  a[g()] = g();
}` },
  { name: "assignexpr", at: "3:19", msg: "assignment is a statement in the subset",
    src: `export function f(a: u32): u32 {
  let b: u32 = 0;
  const c: u32 = (b = a);
  return b + c;
}` },
  { name: "async", at: "1:1", msg: "async functions are not in the subset",
    src: `export async function f(x: u32): Promise<u32> {
  return x;
}` },
  { name: "await", at: "1:1", msg: "async functions are not in the subset",
    src: `async function g(): Promise<void> {}
export async function f(): Promise<void> {
  await g();
}` },
  { name: "bigint", at: "1:22", msg: "`bigint` has no width",
    src: `export function f(x: bigint): u64 { return x; }` },
  // `/** @cold */` (compiler/check/shape-tags.ts) marks a function, a method or a constructor, and nothing else.
  { name: "noinlinevar", at: "1:5", msg: "`@noinline` marks a function, a method or a constructor, not a variable",
    src: `/** @noinline */
const x: u32 = 1;
export function f(): u32 { return x; }` },
  { name: "noinlineplain", at: "1:4", msg: "`@noinline` here marks nothing",
    src: `// @noinline
export function f(): u32 { return 1; }` },
  { name: "coldvar", at: "1:5", msg: "`@cold` marks a function, a method or a constructor, not a variable",
    src: `/** @cold */
const x: u32 = 1;
export function f(): u32 { return x; }` },
  { name: "coldfield", at: "2:7", msg: "not a field",
    src: `class A {
  /** @cold */
  v: u32 = 0;
}
const a = new A();
export function f(): u32 { return a.v; }` },
  { name: "coldlocal", at: "2:7", msg: "not a variable",
    src: `export function f(): u32 {
  /** @cold */
  const y: u32 = 2;
  return y;
}` },
  { name: "colddeclare", at: "1:5", msg: "not a `declare function`",
    src: `/** @cold */
declare function g(): void;
export function f(): u32 { return 1; }` },
  { name: "coldcomment", at: "1:4", msg: "`@cold` here marks nothing",
    src: `// @cold
export function f(): u32 { return 1; }` },
  { name: "compoundcall", at: "5:5", msg: "evaluated twice, so it may not contain a call",
    src: `const a = new Uint32Array(4);
let n: u32 = 0;
function g(): u32 { n++; return n & 3; }
export function f(): void {
  a[g()] += 1;
}` },
  { name: "compoundfield", at: "5:3", msg: "evaluated twice",
    src: `class A { x: u32 = 0; }
const a = new A();
function g(): A { return a; }
export function f(): void {
  g().x += 1;
}` },
  { name: "constidx", at: "3:12", msg: "index 4 is out of range for an array of length 4",
    src: `const a = new Uint32Array(4);
export function f(): u32 {
  return a[4];
}` },
  { name: "default", at: "1:27", msg: "optional, default and rest parameters are not in the subset",
    src: `export function f(a: u32, b: u32 = 1): u32 {
  return a + b;
}` },
  { name: "divzero", at: "2:14", msg: "division by the constant zero",
    src: `export function f(a: u32): u32 {
  return a / 0;
}` },
  { name: "divzeroconst", at: "3:14", msg: "division by the constant zero",
    src: `const Z: u32 = 0;
export function f(a: u32): u32 {
  return a % Z;
}` },
  { name: "divzerofold", at: "2:19", msg: "division by the constant zero",
    src: `export function f(): u32 {
  return u32(1) / u32(0);
}` },
  { name: "tautology", at: "2:10", msg: "this comparison is always true: the value is in 0..255",
    src: `export function f(x: u8): bool {
  return u32(x) < 300;
}` },
  { name: "unsignedneg", at: "2:10", msg: "this comparison is always true: the value is in 0..4294967295",
    src: `export function f(x: u32): bool {
  return x >= 0;
}` },
  { name: "dynprop", at: "4:12", msg: "type assertions are not in the subset",
    src: `class A { x: u32 = 0; }
const a = new A();
export function f(k: string): u32 {
  return a[k as "x"];
}` },
  { name: "exp", at: "2:14", msg: "floating-point numbers are not in the subset",
    src: `export function f(x: u32): u32 {
  return x + 1e3;
}` },
  { name: "extends", at: "2:1", msg: "inheritance is not in the subset",
    src: `class A { x: u32 = 0; }
class B extends A { y: u32 = 0; }
const b = new B();
export function f(): u32 { return b.y; }` },
  { name: "float", at: "2:18", msg: "floating-point numbers are not in the subset",
    src: `export function f(x: u32): u32 {
  const y: u32 = 1.5;
  return x + y;
}` },
  { name: "forof", at: "4:3", msg: "for-of/for-in are not in the subset",
    src: `const a = new Uint32Array(4);
export function f(): u32 {
  let s: u32 = 0;
  for (const x of a) s += x;
  return s;
}` },
  { name: "funcexpr", at: "2:13", msg: "closures are not in the subset",
    src: `export function f(x: u32): u32 {
  const g = function (y: u32): u32 { return y; };
  return g(x);
}` },
  { name: "generator", at: "1:1", msg: "generators are not in the subset",
    src: `export function* f(): Generator<u32> {
  yield 1;
}` },
  { name: "inccall", at: "5:5", msg: "evaluated twice, so it may not contain a call",
    src: `const a = new Uint32Array(4);
let n: u32 = 0;
function g(): u32 { n++; return n & 3; }
export function f(): void {
  a[g()]++;
}` },
  { name: "incexpr", at: "3:18", msg: "++ and -- are statements in the subset",
    src: `export function f(a: u32): u32 {
  let b: u32 = a;
  const c: u32 = b++;
  return b + c;
}` },
  { name: "label", at: "2:3", msg: "labels are not in the subset",
    src: `export function f(): u32 {
  outer: for (let i: u32 = 0; i < 4; i++) {
    for (let j: u32 = 0; j < 4; j++) { if (j == 2) break outer; }
  }
  return 0;
}` },
  { name: "mixsign", at: "2:10", msg: "u32 + i32: the operands have different types",
    src: `export function f(a: u32, b: i32): u32 {
  return a + b;
}` },
  { name: "mutual", at: "1:1", msg: "recursion (g -> h -> g) is not in the subset",
    src: `function g(x: u32): u32 {
  return h(x);
}
function h(x: u32): u32 {
  return g(x);
}
export function f(): u32 { return g(1); }` },
  { name: "negrange", at: "2:17", msg: "-129 does not fit in i8",
    src: `export function f(): i8 {
  const x: i8 = -129;
  return x;
}` },
  { name: "nested", at: "2:3", msg: "nested functions (closures) are not in the subset",
    src: `export function f(x: u32): u32 {
  function g(y: u32): u32 { return y; }
  return g(x);
}` },
  { name: "newinfn", at: "3:13", msg: "created only at module level (no heap)",
    src: `class A { x: u32 = 0; }
export function f(): u32 {
  const a = new A();
  return a.x;
}` },
  { name: "nonnull", at: "4:10", msg: "`!` assertions are not in the subset",
    src: `class A { x: u32 = 0; }
const a = new A();
export function f(): u32 {
  return a!.x;
}` },
  { name: "null", at: "4:10", msg: "union types are not in the subset",
    src: `class A { x: u32 = 0; }
const a = new A();
export function f(): u32 {
  let p: A | null = null;
  p = a;
  return p.x;
}` },
  { name: "nulllit", at: "2:15", msg: "null is not in the subset",
    src: `export function f(x: u32): bool {
  return x == null;
}` },
  { name: "nullonly", at: "4:16", msg: "type assertions are not in the subset",
    src: `class A { x: u32 = 0; }
const a = new A();
export function f(): u32 {
  const p: A = null as unknown as A;
  return p.x + a.x;
}` },
  { name: "number", at: "1:22", msg: "`number` has no width",
    src: `export function f(x: number): u32 { return 0; }` },
  { name: "objlit", at: "2:13", msg: "object literals are not in the subset",
    src: `export function f(): u32 {
  const o = { a: 1 };
  return o.a;
}` },
  { name: "optional", at: "1:27", msg: "optional, default and rest parameters are not in the subset",
    src: `export function f(a: u32, b?: u32): u32 {
  return a;
}` },
  { name: "order2calls", at: "4:10", msg: "unspecified order, and `g()` may change what `g()` does",
    src: `let n: u32 = 0;
function g(): u32 { n++; return n; }
export function f(): u32 {
  return g() + g();
}` },
  { name: "orderargs", at: "5:10", msg: "unspecified order",
    src: `let n: u32 = 0;
function g(): u32 { n++; return n; }
function h(a: u32, b: u32): u32 { return a - b; }
export function f(): u32 {
  return h(g(), n);
}` },
  { name: "ordercallglobal", at: "4:10", msg: "unspecified order, and `g()` may change what `n` reads",
    src: `let n: u32 = 0;
function g(): u32 { n++; return n; }
export function f(): u32 {
  return n + g();
}` },
  { name: "ordermethod", at: "4:10", msg: "unspecified order",
    src: `class A { x: u32 = 0; bump(): u32 { this.x++; return this.x; } }
const a = new A();
export function f(): u32 {
  return a.x * a.bump();
}` },
  { name: "range", at: "1:15", msg: "256 does not fit in u8",
    src: `const x: u8 = 256;
export function f(): u8 { return x; }` },
  { name: "recursion", at: "1:1", msg: "recursion (f -> f) is not in the subset",
    src: `export function f(x: u32): u32 {
  if (x == 0) return 0;
  return f(x - 1);
}` },
  { name: "rosysreg", at: "2:7", msg: "CNTPCT_EL0 is read-only",
    src: `export function f(): void {
  msr("CNTPCT_EL0", 0n);
}` },
  { name: "shiftcount", at: "2:15", msg: "shift count 32 is not below 32",
    src: `export function f(a: u32): u32 {
  return a << 32;
}` },
  { name: "static", at: "2:3", msg: "static members are not in the subset",
    src: `class A {
  static n: u32 = 0;
  x: u32 = 0;
}
const a = new A();
export function f(): u32 { return a.x; }` },
  { name: "strcat", at: "2:9", msg: "string concatenation is not in the subset",
    src: `export function f(a: u32): void {
  panic("bad " + "x");
}` },
  { name: "sysreg", at: "2:7", msg: "ICC_IAR1_EL1 is read-only",
    src: `export function f(): void {
  msr("ICC_IAR1_EL1", 1n);
}` },
  { name: "sysreg2", at: "2:14", msg: "not assignable to parameter of type 'SysReg'", ts: true,
    src: `export function f(): u64 {
  return mrs("FOO_EL2");
}` },
  { name: "tablefloat", at: "1:31", msg: "floating-point numbers are not in the subset",
    src: `const t = new Uint32Array([1, 2.5]);
export function f(): u32 {
  return t[0];
}` },
  { name: "template", at: "2:9", msg: "template literals with substitutions are not in the subset",
    src: `export function f(a: u32): void {
  panic(\`bad \${a}\`);
}` },
  { name: "throw", at: "2:15", msg: "exceptions are not in the subset",
    src: `export function f(x: u32): u32 {
  if (x == 0) throw new Error("zero");
  return x;
}` },
  { name: "truthy", at: "2:7", msg: "a condition must be a bool",
    src: `export function f(a: u32): u32 {
  if (a) return 1;
  return 0;
}` },
  { name: "try", at: "2:3", msg: "exceptions are not in the subset",
    src: `export function f(x: u32): u32 {
  try { x = 1; } catch { }
  return x;
}` },
  { name: "undef", at: "2:13", msg: "`undefined` is not in the subset",
    src: `export function f(x: u32): u32 {
  if (x === undefined) return 1;
  return 0;
}` },
  { name: "union", at: "1:22", msg: "union types are not in the subset",
    src: `export function f(x: u32 | bool): u32 { return 0; }` },
  { name: "unknown", at: "1:22", msg: "`unknown` is not in the subset",
    src: `export function f(x: unknown): u32 { return 0; }` },
  { name: "var", at: "2:3", msg: "`var` is not in the subset",
    src: `export function f(a: u32): u32 {
  var b: u32 = a;
  return b;
}` },
];

async function compile(row: Row): Promise<{ code: number; errors: string[]; file: string; out: string }> {
  const file = path.join("build/reject", `${row.name}.ts`);
  const out = path.join("build/reject", `${row.name}.c`);
  fs.writeFileSync(path.join(ROOT, file), row.src + "\n");
  fs.rmSync(path.join(ROOT, out), { force: true });
  const errors: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => { errors.push(a.join(" ")); });
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const code = await main(["compile", file, "-o", out]);
    return { code, errors: errors.join("\n").split("\n").filter(Boolean), file, out };
  } finally {
    process.chdir(cwd);
    spy.mockRestore();
  }
}

describe("constructs outside the subset are rejected with a located message", () => {
  beforeAll(() => fs.mkdirSync(DIR, { recursive: true }));

  it("has one row per case", () => {
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  for (const row of rows) {
    it(row.name, async () => {
      const r = await compile(row);
      expect(r.code).not.toBe(0);
      expect(fs.existsSync(path.join(ROOT, r.out)), "a rejected program must not produce output").toBe(false);
      expect(r.errors.length).toBeGreaterThan(0);
      const first = r.errors[0];
      expect(first.startsWith(`${r.file}:${row.at}: error: `), first).toBe(true);
      expect(first).toContain(row.msg);
      // The subset checker says what to write instead, after a semicolon.
      if (!row.ts) expect(first.slice(first.indexOf(": error: ") + 9)).toMatch(/; \S/);
    });
  }
});

describe("the bulkhead CLI", () => {
  const bad = path.join(DIR, "cli-bad.ts");
  const out = path.join(DIR, "cli-bad.c");
  beforeAll(() => {
    fs.mkdirSync(DIR, { recursive: true });
    fs.writeFileSync(bad, "export function f(a: u32, b: i32): u32 {\n  return a + b;\n}\n");
    fs.rmSync(out, { force: true });
  });
  afterAll(() => fs.rmSync(out, { force: true }));

  it("exits non-zero, prints the located message and writes nothing", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "bin/bulkhead.mjs"), "compile", path.relative(ROOT, bad), "-o", path.relative(ROOT, out)],
      { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("build/reject/cli-bad.ts:2:10: error: u32 + i32: the operands have different types; convert one explicitly, e.g. `u32(b)`");
    expect(fs.existsSync(out)).toBe(false);
  });
});
