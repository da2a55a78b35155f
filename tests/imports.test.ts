// The house rule that two files never import each other (nor close a longer loop of imports): a
// file that needs another's names and is needed by it is one concept, or the two need a third.
import { describe, expect, it } from "vitest";
import ts from "typescript";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Every cycle of relative imports among the .ts files under the given folders, as "a -> b -> a". */
function importCycles(roots: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== "node_modules") walk(p);
      else if (e.isFile() && e.name.endsWith(".ts")) files.push(p);
    }
  };
  roots.forEach(walk);
  const known = new Set(files);
  const imports = new Map<string, string[]>();
  for (const f of files) {
    // Static imports, `export ... from` and `import "./m.ts"` alike; type-only imports count too.
    const info = ts.preProcessFile(fs.readFileSync(f, "utf8"), true, false);
    imports.set(f, info.importedFiles.map((i) => i.fileName).filter((n) => n.startsWith("."))
      .map((n) => path.join(path.dirname(f), n)).filter((n) => known.has(n)));
  }
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (f: string, stack: string[]): void => {
    if (state.get(f) === "done") return;
    if (state.get(f) === "open") {
      cycles.push([...stack.slice(stack.indexOf(f)), f].map((x) => path.relative(process.cwd(), x)).join(" -> "));
      return;
    }
    state.set(f, "open");
    for (const g of imports.get(f) ?? []) visit(g, [...stack, f]);
    state.set(f, "done");
  };
  for (const f of files) visit(f, []);
  return cycles;
}

describe("imports", () => {
  it("finds two files that import each other, and a longer loop", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bh-imports-"));
    try {
      fs.writeFileSync(path.join(dir, "a.ts"), 'import { b } from "./b.ts";\nexport const a = b;\n');
      fs.writeFileSync(path.join(dir, "b.ts"), 'import type { a } from "./a.ts";\nexport const b = 1;\n');
      fs.mkdirSync(path.join(dir, "sub"));
      fs.writeFileSync(path.join(dir, "sub/c.ts"), 'export { d } from "../d.ts";\n');
      fs.writeFileSync(path.join(dir, "d.ts"), 'import "./e.ts";\nexport const d = 1;\n');
      fs.writeFileSync(path.join(dir, "e.ts"), 'import { d } from "./sub/c.ts";\n');
      fs.writeFileSync(path.join(dir, "f.ts"), 'import { a } from "./a.ts";\nimport { d } from "./d.ts";\n');
      const cycles = importCycles([dir]).map((c) => c.replaceAll(path.relative(process.cwd(), dir) + path.sep, ""));
      expect(cycles.sort()).toEqual(["a.ts -> b.ts -> a.ts", "d.ts -> e.ts -> sub/c.ts -> d.ts"]);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it("has no import cycle in the hypervisor, the compiler, the host tools, the boards or the QEMU launcher", () => {
    expect(importCycles(["src", "compiler", "host", "board", "qemu", "bench"])).toEqual([]);
  });
});
