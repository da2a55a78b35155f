// The compiler's API: load + check a subset program, then emit C for the board or JavaScript for the host.
import { loadProgram, type LoadOptions } from "./program.ts";
import { check } from "./check.ts";
import { type Checked } from "./checked.ts";
import { emitC, emitOffsetsHeader } from "./emit-c.ts";
import { emitJsModule } from "./emit-js.ts";
import path from "node:path";
import fs from "node:fs";

export { CompileError } from "./diag.ts";
export type { Checked } from "./checked.ts";

export function checkProgram(entry: string, opts: LoadOptions = {}): Checked {
  return check(loadProgram(entry, opts));
}

export function compileToC(entry: string, opts: LoadOptions = {}): { c: string; offsets: string; checked: Checked } {
  const checked = checkProgram(entry, opts);
  const src = path.relative(process.cwd(), entry);
  return { c: emitC(checked), offsets: emitOffsetsHeader(checked, src), checked };
}

export function compileModuleToJs(file: string, opts: LoadOptions = {}): string {
  return emitJsModule(checkProgram(file, opts), file);
}

/**
 * Every module of the program as host JavaScript, written to `outDir` (one .mjs per module, the
 * imports pointing at each other); returns the entry's .mjs path, to import().
 */
export function compileProgramToJs(entry: string, outDir: string, opts: LoadOptions = {}): string {
  const checked = checkProgram(entry, opts);
  const out = (f: string) => path.join(outDir, `${checked.modules.find((m) => path.resolve(m.file) === path.resolve(f))?.tag ?? path.basename(f)}.mjs`);
  fs.mkdirSync(outDir, { recursive: true });
  for (const m of checked.modules) fs.writeFileSync(out(m.file), emitJsModule(checked, m.file, out));
  return out(entry);
}
