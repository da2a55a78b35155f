// Loads a subset program with the TypeScript compiler API: the entry file, everything it
// imports, and the subset's ambient declarations (src/types.d.ts, src/intrinsics.d.ts).
import ts from "typescript";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CompileError, formatTsDiagnostic } from "./diag.ts";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const AMBIENT = [path.join(PROJECT_ROOT, "src/types.d.ts"), path.join(PROJECT_ROOT, "src/intrinsics.d.ts")];

export interface LoadOptions {
  /** File that `import ... from "@board"` resolves to (the selected board's description). */
  board?: string;
  /** File that `import ... from "@config"` resolves to (the generated partition tables). */
  config?: string;
}

export const DEFAULT_BOARD = path.join(PROJECT_ROOT, "board/qemu-virt-gicv3/board.ts");
/** Written by `bulkhead build` for the default board's three bare-metal VMs (configs/threevm.ts, which
 * tests/global-setup.ts builds); what editors and host tests see. */
export const DEFAULT_CONFIG = path.join(PROJECT_ROOT, "build/qemu-virt-gicv3/threevm/config.ts");

export function compilerOptions(opts: LoadOptions = {}): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    // TypeScript's own lib.*.d.ts: checking them costs ~1.5 s per load, and their diagnostics are dropped below.
    skipDefaultLibCheck: true,
    allowImportingTsExtensions: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: false,
    noUnusedLocals: true,
    lib: ["lib.es2022.d.ts"],
    types: [],
    baseUrl: PROJECT_ROOT,
    paths: { "@board": [opts.board ?? DEFAULT_BOARD], "@config": [opts.config ?? DEFAULT_CONFIG] },
  };
}

export interface Loaded {
  program: ts.Program;
  checker: ts.TypeChecker;
  /** Subset source files in initialisation order: every module after the modules it imports. */
  files: ts.SourceFile[];
  entry: ts.SourceFile;
}

const hostCache = new Map<string, ts.SourceFile>();

/** A compiler host that keeps parsed files across loads: lib.d.ts is parsed once per process. */
function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, lang, onError, shouldCreate) => {
    const isLib = fileName.includes("/node_modules/typescript/lib/");
    if (isLib && hostCache.has(fileName)) return hostCache.get(fileName);
    const sf = getSourceFile(fileName, lang, onError, shouldCreate);
    if (isLib && sf) hostCache.set(fileName, sf);
    return sf;
  };
  return host;
}

export function loadProgram(entry: string, opts: LoadOptions = {}): Loaded {
  const options = compilerOptions(opts);
  const entryPath = path.resolve(entry);
  const program = ts.createProgram([entryPath, ...AMBIENT], options, cachingHost(options));
  const entrySf = program.getSourceFile(entryPath);
  if (!entrySf) throw new CompileError([`${entry}: error: cannot read the entry file`]);
  const diags = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()]
    .filter((d) => !d.file || !d.file.fileName.includes("/node_modules/"));
  if (diags.length) throw new CompileError(diags.map(formatTsDiagnostic));
  return { program, checker: program.getTypeChecker(), files: initOrder(program, entrySf), entry: entrySf };
}

/** Depth-first over imports, as ES module evaluation does: dependencies first, each module once. */
function initOrder(program: ts.Program, entry: ts.SourceFile): ts.SourceFile[] {
  const out: ts.SourceFile[] = [];
  const seen = new Set<ts.SourceFile>();
  const visit = (sf: ts.SourceFile) => {
    if (seen.has(sf)) return;
    seen.add(sf);
    for (const st of sf.statements) {
      const spec = ts.isImportDeclaration(st) || ts.isExportDeclaration(st) ? st.moduleSpecifier : undefined;
      if (!spec || !ts.isStringLiteral(spec)) continue;
      const resolved = ts.resolveModuleName(spec.text, sf.fileName, program.getCompilerOptions(), ts.sys);
      const target = resolved.resolvedModule && program.getSourceFile(resolved.resolvedModule.resolvedFileName);
      if (target && !target.isDeclarationFile) visit(target);
    }
    out.push(sf);
  };
  visit(entry);
  return out;
}
