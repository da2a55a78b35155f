// Vite/Vitest plugin: subset modules (under src/ and tests/programs/) are compiled by the host
// backend, so that tests run them with the board's integer semantics.
import path from "node:path";
import type { Plugin } from "vite";
import { compileModuleToJs } from "./index.ts";
import { PROJECT_ROOT } from "./program.ts";

const SUBSET_DIRS = [path.join(PROJECT_ROOT, "src") + path.sep, path.join(PROJECT_ROOT, "tests/programs") + path.sep];

export function isSubsetModule(file: string): boolean {
  return file.endsWith(".ts") && !file.endsWith(".d.ts") && SUBSET_DIRS.some((d) => file.startsWith(d));
}

export function bulkheadSubset(opts: { board?: string } = {}): Plugin {
  return {
    name: "bulkhead-subset",
    enforce: "pre",
    transform(_code, id) {
      const file = id.split("?")[0];
      if (!isSubsetModule(file)) return null;
      return { code: compileModuleToJs(file, opts), map: null };
    },
  };
}
