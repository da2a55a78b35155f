// The compiler's API: load + check a subset program, then emit C for the board or JavaScript for the host.
import { loadProgram, type LoadOptions } from "./program.ts";
import { check, type Checked } from "./check.ts";
import { emitC, emitOffsetsHeader } from "./emit-c.ts";
import { emitJsModule } from "./emit-js.ts";
import path from "node:path";

export { CompileError } from "./diag.ts";
export type { Checked } from "./check.ts";

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
