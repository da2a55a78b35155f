// The JSDoc tags that shape a function's C code (docs/subset.md):
// - `/** @cold */`: a function the hypervisor runs rarely (boot, restart, a log line, a panic, a
//   policy decision), which C compiles for size and keeps out of the hot paths' way:
//   `__attribute__((cold))` (GCC optimises its body for size, inlines into it only what shrinks it,
//   predicts every call of it not taken and places it in .text.unlikely).
// - `/** @noinline */`: a function kept out of line, `__attribute__((noinline))`, so that a fast
//   path beside its call does not pay for what its body needs (callee-saved registers, a frame):
//   the build compiles the whole program, where GCC inlines any function called once.
// The host backend ignores both: they change no result, only the code's shape. A tag anywhere else
// is a located error, so that a misplaced one never silently leaves the code as it was.
import ts from "typescript";
import { type FuncInfo, type ModuleInfo } from "../types.ts";
import { type Report, formatPos } from "../diag.ts";

const TAGS = ["cold", "noinline"] as const;
type Tag = (typeof TAGS)[number];

/** The JSDoc comments TypeScript attached to a node (an internal field, absent on most nodes). */
function jsDocsOf(node: ts.Node): readonly ts.JSDoc[] {
  return (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
}

/** What a tag may not sit on, in words, for the message. */
function what(host: ts.Node): string {
  if (ts.isFunctionDeclaration(host)) return "a `declare function` (written in assembly, not compiled here)";
  if (ts.isClassDeclaration(host)) return "a class";
  if (ts.isVariableStatement(host) || ts.isVariableDeclaration(host)) return "a variable";
  if (ts.isPropertyDeclaration(host)) return "a field";
  if (ts.isEnumDeclaration(host) || ts.isEnumMember(host)) return "an enum";
  if (ts.isImportDeclaration(host)) return "an import (there is no module-wide tag)";
  return "a statement";
}

/** Sets FuncInfo.cold and .noinline from each function's, method's and constructor's tags; reports every other tag. */
export function markShapeTags(modules: ModuleInfo[], funcOf: Map<ts.Node, FuncInfo>, report: Report, errors: string[]): void {
  for (const m of modules) {
    const placed = new Set<number>();
    const visit = (node: ts.Node): void => {
      for (const doc of jsDocsOf(node)) {
        for (const tag of doc.tags ?? []) {
          const name = tag.tagName.text as Tag;
          if (!TAGS.includes(name)) continue;
          placed.add(tag.getStart(m.sf));
          const f = funcOf.get(node);
          if (f && !f.external) f[name] = true;
          else report(tag, `\`@${name}\` marks a function, a method or a constructor, not ${what(node)}; put it in the JSDoc comment right before one`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(m.sf);
    // A tag TypeScript attaches to nothing (in a JSDoc comment inside a body or at the end of a
    // file), or one written as a plain comment (`// @cold`, `/* @cold */`), would mark nothing: say
    // so at the tag. A mention in running text (`@cold` in backticks) is no tag.
    for (const c of comments(m.sf)) {
      const tags = c.text.startsWith("/**") ? /(?<=[\s*])@(cold|noinline)\b/g : /^(?:\/\/|\/\*)\s*@(cold|noinline)\b/g;
      for (const t of c.text.matchAll(tags)) {
        const at = c.pos + t.index! + t[0].indexOf("@");
        if (placed.has(at)) continue;
        errors.push(formatPos(m.sf, at, `\`@${t[1]}\` here marks nothing; write \`/** @${t[1]} */\` as the JSDoc comment right before a function, a method or a constructor`));
      }
    }
  }
}

/** Every comment of a file, as TypeScript's scanner finds them (never inside a string or a template). */
function comments(sf: ts.SourceFile): { pos: number; text: string }[] {
  const out: { pos: number; text: string }[] = [];
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, sf.languageVariant, sf.text);
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.SingleLineCommentTrivia || k === ts.SyntaxKind.MultiLineCommentTrivia) out.push({ pos: scanner.getTokenStart(), text: scanner.getTokenText() });
  }
  return out;
}
