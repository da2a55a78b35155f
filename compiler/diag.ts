// Located compile errors: `file:line:column: error: <what>; <what to write instead>`.
import ts from "typescript";
import path from "node:path";

export class CompileError extends Error {
  constructor(readonly diagnostics: string[]) {
    super(diagnostics.join("\n"));
    this.name = "CompileError";
  }
}

export function location(node: ts.Node): string {
  const sf = node.getSourceFile();
  return positionIn(sf, node.getStart(sf));
}

function positionIn(sf: ts.SourceFile, pos: number): string {
  const { line, character } = sf.getLineAndCharacterOfPosition(pos);
  return `${path.relative(process.cwd(), sf.fileName) || sf.fileName}:${line + 1}:${character + 1}`;
}

/** Where a part of the checker reports an error: at a node, with what to write instead. */
export type Report = (at: ts.Node, message: string) => void;

export function formatAt(node: ts.Node, message: string): string {
  return `${location(node)}: error: ${message}`;
}

/** An error at a position no node starts at (inside a comment). */
export function formatPos(sf: ts.SourceFile, pos: number, message: string): string {
  return `${positionIn(sf, pos)}: error: ${message}`;
}

export function formatTsDiagnostic(d: ts.Diagnostic): string {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (!d.file || d.start === undefined) return `error: ${msg}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const file = path.relative(process.cwd(), d.file.fileName) || d.file.fileName;
  return `${file}:${line + 1}:${character + 1}: error: ${msg}`;
}
