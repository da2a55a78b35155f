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
  { name: "pagetable", what: "map a range into a 4-level table (+ lookups), pool indices as src/stage2 does", functions: ["pt_map", "pt_lookup"] },
  { name: "pagetable-phys", c: "pagetable", what: "the same, walking physical addresses with load64/store64", functions: ["pt_map", "pt_lookup"] },
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

  // Build the variants with one driver: hand-written C, and compiled TypeScript for each TS kernel
  // (linked with the other kernels' TypeScript; kernels with the same C symbols go in separate binaries).
  run("gcc", [...CFLAGS, "-c", path.join(SRC, "driver.c"), "-o", "driver.o"]);
  const cNames = [...new Set(KERNELS.map((k) => k.c ?? k.name))];
  for (const n of cNames) run("gcc", [...CFLAGS, "-c", path.join(SRC, `${n}.c`), "-o", `${n}.c.o`]);
  for (const k of KERNELS) run("gcc", [...CFLAGS, `-Dbh_init=bh_init_${(k.c ?? k.name).replace(/\W/g, "_")}`, "-c", `${k.name}.ts.c`, "-o", `${k.name}.ts.o`]);
  run("gcc", ["-O2", "driver.o", ...cNames.map((n) => `${n}.c.o`), "-o", "bench-c"]);
  const sumC = run("./bench-c", []).trim();
  for (const k of KERNELS) {
    // This kernel's TypeScript, the other kernels' TypeScript (their first variant).
    const others = cNames.filter((n) => n !== (k.c ?? k.name)).map((n) => `${KERNELS.find((x) => (x.c ?? x.name) === n)!.name}.ts.o`);
    run("gcc", ["-O2", "driver.o", `${k.name}.ts.o`, ...others, "-o", `bench-ts-${k.name}`]);
    const sumTs = run(`./bench-ts-${k.name}`, []).trim();
    if (sumC !== sumTs) {
      console.error(`the variants disagree with ${k.name}.ts: hand-written C prints "${sumC}", compiled TypeScript "${sumTs}"`);
      return 1;
    }
  }

  const rows = KERNELS.map((k) => {
    const c = instructions("bench-c", k.functions, `${k.name}.c`);
    const ts = instructions(`bench-ts-${k.name}`, k.functions, `${k.name}.ts`);
    return { k, c, ts, ratio: ts / c };
  });

  console.log(`Compiled TypeScript vs hand-written C (gcc -O2, host ${process.arch}); instructions in the kernels (callgrind Ir); ${sumC}\n`);
  const head = ["kernel", "hand-written C Ir", "compiled-TS Ir", "ratio", ""];
  const body = rows.map((r) => [r.k.name, r.c.toLocaleString("en"), r.ts.toLocaleString("en"), `${r.ratio.toFixed(3)}x`, r.ratio <= TARGET ? "ok" : `above ${TARGET}x`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  console.log(fmt(head));
  for (const b of body) console.log(fmt(b));
  for (const r of rows) console.log(`  ${r.k.name}: ${r.k.what} (${r.k.functions.join(", ")})`);
  console.log("\nCompile time (TypeScript to C):");
  for (const [what, t] of compileTimes) console.log(`  ${what}: ${t}`);
  console.log(`\nOutputs in ${path.relative(PROJECT_ROOT, OUT)}/ (generated C, callgrind.*.out for callgrind_annotate).`);
  return 0;
}

process.exitCode = main();
