// Compiler benchmark: instruction counts of compiled TypeScript against hand-written C for kernels
// typical of the hypervisor (bench/kernels/<name>.ts and <name>.c, same algorithm). Both variants are
// built with the host gcc -O2 and linked with one driver (bench/kernels/driver.c) that runs every
// kernel on varied inputs; callgrind counts the instructions executed inside the kernel functions
// only (--toggle-collect). Also prints the time to compile each kernel and the whole hypervisor.
// Run: npm run bench:compiler (or npx tsx bench/compiler.ts). Exit status 1 if the variants disagree.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { compileToC } from "../compiler/index.ts";
import { PROJECT_ROOT } from "../compiler/program.ts";

/** name: the TypeScript kernel; c: the hand-written C it is compared with (default: the same name). */
const KERNELS: { name: string; c?: string; what: string; functions: string[] }[] = [
  { name: "pagetable", c: "pagetable-pool", what: "map a range into a 4-level table (+ lookups), pool indices checked as src/stage2 does", functions: ["pt_map", "pt_lookup"] },
  { name: "pagetable", c: "pagetable", what: "the same TS against C walking raw pointers from descriptors, unchecked", functions: ["pt_map", "pt_lookup"] },
  { name: "pagetable-phys", c: "pagetable", what: "physical addresses with load64/store64, against the same pointer C", functions: ["pt_map", "pt_lookup"] },
  { name: "irq", what: "highest-priority pending IRQ of 1024", functions: ["irq_highest"] },
  { name: "esr", what: "decode ESR_EL2 syndromes", functions: ["esr_decode"] },
];
const TARGET = 1.05;
const SRC = path.join(PROJECT_ROOT, "bench/kernels");
const OUT = path.join(PROJECT_ROOT, "build/bench");
const CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror"];

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { cwd: OUT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(0)} ms`;
}

/** Instructions executed inside `functions` (and what they call), by callgrind. */
function instructions(exe: string, functions: string[], tag: string): number {
  const out = path.join(OUT, `callgrind.${tag}.out`);
  execFileSync("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, ...functions.map((f) => `--toggle-collect=${f}`), `./${exe}`], {
    cwd: OUT, stdio: ["ignore", "ignore", "pipe"],
  });
  const m = /^(?:totals|summary):\s*(\d+)/m.exec(fs.readFileSync(out, "utf8"));
  if (!m) throw new Error(`no totals in ${out}`);
  return Number(m[1]);
}

function main(): number {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });

  // Compile the TypeScript kernels (a first, untimed load warms up the TypeScript compiler).
  compileToC(path.join(SRC, `${KERNELS[0].name}.ts`));
  const compileTimes: [string, string][] = [];
  for (const k of KERNELS) {
    const t0 = performance.now();
    const { c } = compileToC(path.join(SRC, `${k.name}.ts`));
    compileTimes.push([`${k.name}.ts`, ms(t0)]);
    fs.writeFileSync(path.join(OUT, `${k.name}.ts.c`), c);
  }
  const main = path.join(PROJECT_ROOT, "src/main.ts");
  if (fs.existsSync(main)) {
    const t0 = performance.now();
    try {
      const { c } = compileToC(main);
      compileTimes.push([`src/main.ts (hypervisor, ${c.split("\n").length} lines of C)`, ms(t0)]);
    } catch (e) {
      compileTimes.push(["src/main.ts (hypervisor)", `does not compile: ${(e as Error).message.split("\n")[0]}`]);
    }
  }

  // Build the variants with one driver: for each kernel, a binary with its hand-written C and one with
  // its compiled TypeScript; the driver's other kernels come from the first kernel of their group
  // (kernels with the same functions share C symbols, so each binary holds one of a group).
  run("gcc", [...CFLAGS, "-c", path.join(SRC, "driver.c"), "-o", "driver.o"]);
  const cNames = [...new Set(KERNELS.map((k) => k.c ?? k.name))];
  for (const n of cNames) run("gcc", [...CFLAGS, "-c", path.join(SRC, `${n}.c`), "-o", `${n}.c.o`]);
  for (const k of new Set(KERNELS.map((x) => x.name))) run("gcc", [...CFLAGS, `-Dbh_init=bh_init_${k.replace(/\W/g, "_")}`, "-c", `${k}.ts.c`, "-o", `${k}.ts.o`]);
  const group = (k: (typeof KERNELS)[number]) => k.functions.join(",");
  const others = (k: (typeof KERNELS)[number], obj: (x: (typeof KERNELS)[number]) => string) =>
    [...new Set(KERNELS.filter((x) => group(x) !== group(k)).map(group))].map((g) => obj(KERNELS.find((x) => group(x) === g)!));
  const cObj = (x: (typeof KERNELS)[number]) => `${x.c ?? x.name}.c.o`;
  const tsObj = (x: (typeof KERNELS)[number]) => `${x.name}.ts.o`;
  let sum = "";
  KERNELS.forEach((k, i) => {
    run("gcc", ["-O2", "driver.o", cObj(k), ...others(k, cObj), "-o", `bench-c-${i}`]);
    run("gcc", ["-O2", "driver.o", tsObj(k), ...others(k, tsObj), "-o", `bench-ts-${i}`]);
  });
  for (const exe of KERNELS.flatMap((_, i) => [`bench-c-${i}`, `bench-ts-${i}`])) {
    const out = run(`./${exe}`, []).trim();
    if (sum && out !== sum) {
      console.error(`the variants disagree: ${exe} prints "${out}", the others "${sum}"`);
      return 1;
    }
    sum = out;
  }

  const rows = KERNELS.map((k, i) => {
    const c = instructions(`bench-c-${i}`, k.functions, `${i}.${k.c ?? k.name}.c`);
    const ts = instructions(`bench-ts-${i}`, k.functions, `${i}.${k.name}.ts`);
    return { k, c, ts, ratio: ts / c };
  });

  console.log(`Compiled TypeScript vs hand-written C (gcc -O2, host ${process.arch}); instructions in the kernels (callgrind Ir); ${sum}\n`);
  const head = ["kernel (TS vs C)", "hand-written C Ir", "compiled-TS Ir", "ratio", ""];
  const body = rows.map((r) => [`${r.k.name} vs ${r.k.c ?? r.k.name}`, r.c.toLocaleString("en"), r.ts.toLocaleString("en"), `${r.ratio.toFixed(3)}x`, r.ratio <= TARGET ? "ok" : `above ${TARGET}x`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  console.log(fmt(head));
  for (const b of body) console.log(fmt(b));
  for (const r of rows) console.log(`  ${r.k.name} vs ${r.k.c ?? r.k.name}: ${r.k.what} (${r.k.functions.join(", ")})`);
  console.log("\nCompile time (TypeScript to C):");
  for (const [what, t] of compileTimes) console.log(`  ${what}: ${t}`);
  console.log(`\nOutputs in ${path.relative(PROJECT_ROOT, OUT)}/ (generated C, callgrind.*.out for callgrind_annotate).`);
  return 0;
}

process.exitCode = main();
