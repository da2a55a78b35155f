// Vite/Vitest plugin: subset modules (under src/ and tests/programs/) are compiled by the host
// backend, so that tests run them with the board's integer semantics. The hypervisor is checked
// once as a whole program (from src/main.ts) and each of its modules emitted from that check.
import fs from "node:fs";
import path from "node:path";
import type { Plugin } from "vite";
import { checkProgram, compileModuleToJs, type Checked } from "./index.ts";
import { emitJsModule } from "./emit-js.ts";
import { PROJECT_ROOT, type LoadOptions } from "./program.ts";

const SUBSET_DIRS = [path.join(PROJECT_ROOT, "src") + path.sep, path.join(PROJECT_ROOT, "tests/programs") + path.sep];
const HYPERVISOR = path.join(PROJECT_ROOT, "src/main.ts");

export function isSubsetModule(file: string): boolean {
  return file.endsWith(".ts") && !file.endsWith(".d.ts") && SUBSET_DIRS.some((d) => file.startsWith(d));
}

/** The whole hypervisor, checked once per version of its sources. */
let cached: { checked: Checked } | null = null;

function hypervisorProgram(opts: LoadOptions): Checked | null {
  if (cached) {
    const stale = cached.checked.modules.some((m) => fs.readFileSync(m.file, "utf8") !== m.sf.text);
    if (!stale) return cached.checked;
  }
  try {
    cached = { checked: checkProgram(HYPERVISOR, opts) };
    return cached.checked;
  } catch {
    return null; // compile each module on its own: its errors are then reported for that module
  }
}

export function bulkheadSubset(opts: LoadOptions = {}): Plugin {
  return {
    name: "bulkhead-subset",
    enforce: "pre",
    transform(_code, id) {
      const file = id.split("?")[0];
      if (!isSubsetModule(file)) return null;
      const whole = file.startsWith(SUBSET_DIRS[0]) ? hypervisorProgram(opts) : null;
      if (whole && whole.modules.some((m) => path.resolve(m.file) === file)) return { code: emitJsModule(whole, file), map: null };
      return { code: compileModuleToJs(file, opts), map: null };
    },
  };
}
