// Golden tests of the C backend: each tests/golden/<name>.ts (except lib_*.ts, which are imported
// by another program) is compiled and its whole C output compared with tests/golden/<name>.c.
// The expected files were reviewed by hand. After a deliberate change to the C backend, rewrite
// them with `UPDATE_GOLDEN=1 npx vitest run tests/compiler-golden.test.ts` and review the diff.
// Every expected C file must also compile cleanly: with the host gcc (programs without aarch64
// intrinsics) and with the aarch64 cross compiler under the hypervisor's flags (all programs).
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { compileToC } from "../compiler/index.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const GOLDEN = path.join(ROOT, "tests/golden");
const OUT = path.join(ROOT, "build/golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** Programs whose C uses aarch64 instructions (inline assembly): cross compiler only. */
const AARCH64_ONLY = new Set(["intrinsics"]);

const HOST_CC = ["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-c"];
const CROSS_CC = ["aarch64-linux-gnu-gcc", "-std=c11", "-ffreestanding", "-nostdlib", "-mgeneral-regs-only",
  "-mno-outline-atomics", "-fno-strict-aliasing", "-O2", "-Wall", "-Wextra", "-Werror", "-c"];

const programs = fs.readdirSync(GOLDEN).filter((f) => f.endsWith(".ts") && !f.startsWith("lib_")).map((f) => f.replace(/\.ts$/, "")).sort();

function compile(name: string): string {
  // The C names its source relative to the working directory: pin it to the project root.
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    return compileToC(path.join("tests/golden", `${name}.ts`)).c;
  } finally {
    process.chdir(cwd);
  }
}

function run(cmd: string[]): string {
  try {
    return execFileSync(cmd[0], cmd.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`${cmd.join(" ")} failed:\n${err.stderr ?? ""}${err.stdout ?? ""}`);
  }
}

describe("C backend golden output", () => {
  it("has the expected set of golden programs", () => {
    expect(programs).toEqual(["classes", "cold", "control", "data", "imports", "intrinsics", "ints"]);
  });

  for (const name of programs) {
    describe(name, () => {
      const expectedFile = path.join(GOLDEN, `${name}.c`);

      it("emits the reviewed C", () => {
        const c = compile(name);
        if (UPDATE) fs.writeFileSync(expectedFile, c);
        expect(fs.existsSync(expectedFile), `${expectedFile} is missing; run with UPDATE_GOLDEN=1 and review it`).toBe(true);
        expect(c).toBe(fs.readFileSync(expectedFile, "utf8"));
      });

      it("compiles with the aarch64 cross compiler (hypervisor flags)", () => {
        fs.mkdirSync(OUT, { recursive: true });
        run([...CROSS_CC, expectedFile, "-o", path.join(OUT, `${name}.aarch64.o`)]);
      });

      if (!AARCH64_ONLY.has(name)) {
        it("compiles with the host gcc, and needs nothing but bh_panic", () => {
          fs.mkdirSync(OUT, { recursive: true });
          const obj = path.join(OUT, `${name}.host.o`);
          run([...HOST_CC, expectedFile, "-o", obj]);
          const undefinedSyms = run(["nm", "-u", obj]).split("\n").map((l) => l.trim().split(/\s+/).pop()!).filter(Boolean);
          for (const s of undefinedSyms) expect(s).toBe("bh_panic");
        });
      }
    });
  }
});
