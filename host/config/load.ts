// Loading a config file: type-check it with tsc (so a wrong field is reported against the file,
// as the editor would), then import it (through tsx) and take its default export.
// Every problem is one line that names the file, `file:line:col: error: ...` where tsc or the
// exception's stack gives a place: a config is code, and what it throws is reported, not shown as a
// stack trace.
import fs from "node:fs";
import path from "node:path";
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import ts from "typescript";
import { formatTsDiagnostic } from "../../compiler/diag.ts";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import { boardNames } from "../board.ts";
import { oneLine, setConfigSource } from "./model.ts";
import type { Config } from "./types.ts";

/** What `import { definePartitions } from "bulkhead"` means in a config: this checkout's schema (package.json `exports`). */
export const SCHEMA_FILE = path.join(PROJECT_ROOT, "host/config/types.ts");

// A config is an ES module wherever it is, and "bulkhead" is SCHEMA_FILE (esm-hooks.mjs says why).
register(new URL("./esm-hooks.mjs", import.meta.url), { data: { schema: pathToFileURL(SCHEMA_FILE).href } });

export class ConfigLoadError extends Error {
  /** `details`: one problem each, already `file:line:col: error: ...`, or a sentence about the whole file. */
  constructor(readonly file: string, readonly details: string[]) {
    super(details.map((d) => oneLine(d.startsWith(`${file}:`) ? d : `${file}: error: ${d}`)).join("\n"));
    this.name = "ConfigLoadError";
  }
}

export interface LoadConfigOptions {
  /** Type-check the file with tsc first (default true). */
  typecheck?: boolean;
}

export async function loadConfig(file: string, opts: LoadConfigOptions = {}): Promise<Config> {
  const abs = path.resolve(file);
  const shown = path.relative(process.cwd(), abs) || abs;
  if (!fs.existsSync(abs)) throw new ConfigLoadError(shown, ["no such file"]);
  if (!fs.statSync(abs).isFile()) throw new ConfigLoadError(shown, ["not a file"]);
  if (opts.typecheck ?? true) {
    const diags = typecheckConfig(abs);
    if (diags.length) throw new ConfigLoadError(shown, diags);
  }
  let mod: { default?: unknown };
  // So that a throw's stack names the config's own line and column (tsx's CLI does this; vitest does not).
  process.setSourceMapsEnabled(true);
  try {
    // tsImport, not import(): under vitest, import() is vite's, which would not load it as Node does.
    mod = (await tsImport(pathToFileURL(abs).href, import.meta.url)) as { default?: unknown };
  } catch (e) {
    throw new ConfigLoadError(shown, [thrownAt(e, abs, shown)]);
  }
  const cfg = defaultExport(mod);
  if (cfg === undefined) throw new ConfigLoadError(shown, ["it has no default export (write `export default definePartitions({ vms: [...] })`)"]);
  if (typeof cfg !== "object" || cfg === null) throw new ConfigLoadError(shown, ["its default export is not a config object"]);
  setConfigSource(cfg as Config, abs);
  return cfg as Config;
}

/**
 * The module's default export. A .cts config is CommonJS (a .ts one never is, esm-hooks.mjs): its
 * exports object (`__esModule`, `default`) is then what import() calls the default.
 */
function defaultExport(mod: { default?: unknown }): unknown {
  const d = mod.default as { __esModule?: unknown; default?: unknown } | undefined;
  return typeof d === "object" && d !== null && d.__esModule === true ? d.default : d;
}

/** What evaluating the config threw, one line: at the config's own frame when its stack has one. */
function thrownAt(e: unknown, abs: string, shown: string): string {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : `${describeThrown(e)} was thrown`;
  const line = what.split("\n")[0];
  const stack = e instanceof Error ? e.stack ?? "" : "";
  const frame = stack.split("\n").map((l) => frameLocation(l, abs)).find((l) => l !== null);
  return frame ? `${shown}:${frame}: error: evaluating the config threw ${line}` : `evaluating the config threw ${line}`;
}

/** A thrown value that is not an Error, as text (String() itself throws for an object without a prototype). */
function describeThrown(e: unknown): string {
  try {
    return typeof e === "string" ? JSON.stringify(e) : String(e);
  } catch {
    return `a value of type ${typeof e}`;
  }
}

/** `line:col` of a stack frame `at ... (/abs/file.ts:3:113)` in `abs`, else null. */
function frameLocation(frame: string, abs: string): string | null {
  const m = /\((?:file:\/\/)?([^()]+):(\d+):(\d+)\)$|at (?:file:\/\/)?([^()\s]+):(\d+):(\d+)$/.exec(frame.trim());
  if (!m) return null;
  const [file, line, col] = m[1] ? [m[1], m[2], m[3]] : [m[4], m[5], m[6]];
  return path.resolve(decodeURIComponent(file)) === abs ? `${line}:${col}` : null;
}

const TSC_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  types: [],
  lib: ["lib.es2022.d.ts"],
  paths: { bulkhead: [SCHEMA_FILE] },
};

/**
 * A compiler host that parses TypeScript's own lib files once per process (they do not change):
 * type-checking a config is then a few tens of milliseconds, not ~150 (the config fuzzer checks
 * hundreds in one process, tests/config-fuzz.test.ts).
 */
const tscHost = (() => {
  const host = ts.createCompilerHost(TSC_OPTIONS);
  const libDir = path.dirname(ts.getDefaultLibFilePath(TSC_OPTIONS));
  const libs = new Map<string, ts.SourceFile | undefined>();
  const parse = host.getSourceFile;
  host.getSourceFile = (file, lang, onError, create) => {
    if (!file.startsWith(libDir)) return parse.call(host, file, lang, onError, create);
    if (!libs.has(file)) libs.set(file, parse.call(host, file, lang, onError, create));
    return libs.get(file);
  };
  return host;
})();

/** tsc's errors for the config file (and what it imports), one line each: file:line:col: error: ... */
export function typecheckConfig(file: string): string[] {
  const program = ts.createProgram([file], TSC_OPTIONS, tscHost);
  const diags = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  // tsc's elaborations ("Types of property 'ram' are incompatible.") follow on the error's own line.
  return diags.map((d) => formatTsDiagnostic(d).split("\n").map((l) => l.trim()).join(" "));
}

/**
 * The board `cfg` is for: the one it names (`board: "rpi4"`), or the command line's `--board`;
 * given both, they must agree. Never guessed from where the file is. `shown`: the file, as messages name it.
 */
export function boardOfConfig(cfg: Config, shown: string, flag: string | undefined): string {
  const named: unknown = (cfg as { board?: unknown }).board;
  const boards = boardNames();
  const refuse = (why: string) => new ConfigLoadError(shown, [why]);
  if (named !== undefined && !(typeof named === "string" && boards.includes(named))) {
    throw refuse(`the config names board ${typeof named === "string" ? JSON.stringify(named) : `a ${typeof named}`}, which does not exist (boards: ${boards.join(", ")})`);
  }
  if (flag !== undefined && !boards.includes(flag)) throw refuse(`unknown board ${JSON.stringify(flag)} given by --board (boards: ${boards.join(", ")})`);
  if (named !== undefined && flag !== undefined && named !== flag) throw refuse(`the config is for board "${named}", not --board "${flag}"`);
  const board = (named as string | undefined) ?? flag;
  if (board === undefined) throw refuse(`the config does not name its board: write board: "NAME" in it (boards: ${boards.join(", ")}), or give --board NAME`);
  return board;
}
