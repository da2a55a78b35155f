// Loading a config file: type-check it with tsc (so a wrong field is reported against the file,
// as the editor would), then import it (the host runs under tsx) and take its default export.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { formatTsDiagnostic } from "../../compiler/diag.ts";
import { DEFAULT_BOARD_NAME } from "../board.ts";
import { setConfigSource } from "./model.ts";
import type { Config } from "./types.ts";

export class ConfigLoadError extends Error {
  constructor(readonly file: string, readonly details: string[]) {
    super(`cannot load config ${file}:\n${details.map((d) => `  ${d}`).join("\n")}`);
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
  if (opts.typecheck ?? true) {
    const diags = typecheckConfig(abs);
    if (diags.length) throw new ConfigLoadError(shown, diags);
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(abs).href)) as { default?: unknown };
  } catch (e) {
    throw new ConfigLoadError(shown, [(e as Error).message.split("\n")[0]]);
  }
  const cfg = mod.default;
  if (cfg === undefined) throw new ConfigLoadError(shown, ["it has no default export (write `export default definePartitions({ vms: [...] })`)"]);
  if (typeof cfg !== "object" || cfg === null) throw new ConfigLoadError(shown, ["its default export is not a config object"]);
  setConfigSource(cfg as Config, abs);
  return cfg as Config;
}

/** tsc's errors for the config file (and what it imports), formatted file:line:col: error: ... */
export function typecheckConfig(file: string): string[] {
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es2022.d.ts"],
  });
  const diags = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  return diags.map(formatTsDiagnostic);
}

/** The board a config is for: board/<name>/configs/... names it; else the default board. */
export function boardOfConfigPath(file: string): string {
  const parts = path.resolve(file).split(path.sep);
  const i = parts.lastIndexOf("configs");
  if (i >= 2 && parts[i - 2] === "board") return parts[i - 1];
  return DEFAULT_BOARD_NAME;
}
