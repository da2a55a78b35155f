// The C names of the program's symbols. An exported function or variable keeps its name (it is a
// C symbol that assembly or the linker may name) and must be unique in the program; every other
// symbol keeps its name where it can, else takes its module's tag as a prefix. A name the C output
// reserves, or one starting with bh_ (the prefix of the output's own symbols), gets a trailing `_`.
import type ts from "typescript";
import path from "node:path";
import { type Report } from "../diag.ts";
import { type Checked, type EnumInfo, type LocalInfo } from "../checked.ts";

/** Names the C output reserves: keywords, its own types, and the receiver of methods. */
const C_RESERVED = new Set(("auto char double extern float goto inline int long register restrict short signed sizeof " +
  "static struct typedef union unsigned volatile bool true false self main NULL uint8_t uint16_t uint32_t uint64_t " +
  "int8_t int16_t int32_t int64_t uintptr_t size_t _Bool offsetof").split(" "));

/** Names every function, variable, class and enum member in C; returns the names taken. */
export function assignCNames(out: Checked, report: Report): Set<string> {
  const taken = new Map<string, string>(); // C name -> owner description
  const claim = (want: string, tag: string, exported: boolean, at: ts.Node, what: string): string => {
    let name = C_RESERVED.has(want) || (want.startsWith("bh_") && !(exported && want === "bh_panic")) ? `${want}_` : want;
    if (taken.has(name)) {
      if (exported) {
        report(at, `exported ${what} \`${want}\` is also declared elsewhere (${taken.get(name)}); exported names are C symbols and must be unique in the program`);
        return name;
      }
      name = `${tag}_${want}`;
      while (taken.has(name)) name += "_";
    }
    taken.set(name, `${path.basename(at.getSourceFile().fileName)}`);
    return name;
  };
  // Exported symbols first: they keep their names.
  for (const f of out.funcs) if (f.exported) f.cName = claim(f.name, f.module.tag, true, f.decl, "function");
  for (const g of out.globals) if (g.exported) g.cName = claim(g.name, g.module.tag, true, g.decl, "variable");
  for (const cls of out.classes) {
    const m = out.modules.find((mm) => mm.sf === cls.decl.getSourceFile())!;
    cls.cName = claim(cls.name, m.tag, false, cls.decl, "class");
  }
  for (const f of out.funcs) {
    if (f.exported) continue;
    f.cName = f.cls ? claim(`${f.cls.cName}_${f.name}`, f.module.tag, false, f.decl, "method") : claim(f.name, f.module.tag, false, f.decl, "function");
  }
  for (const g of out.globals) if (!g.exported) g.cName = claim(g.name, g.module.tag, false, g.decl, "variable");
  for (const e of out.enums) for (const mem of e.members) mem.cName = claim(mem.cName, "", false, enumDecl(out, e), "enum member");
  return new Set(taken.keys());
}

function enumDecl(out: Checked, e: EnumInfo): ts.Node {
  for (const [n, info] of out.enumOf) if (info === e) return n;
  throw new Error("enum without declaration");
}

/**
 * A local's C name: its own, unless that is reserved or hides a symbol of the program. A nested
 * block may redeclare a name; C allows the shadowing too, but names are kept distinct for readability.
 */
export function localCName(name: string, isParam: boolean, globalNames: Set<string>, siblings: LocalInfo[]): string {
  let cName = C_RESERVED.has(name) || globalNames.has(name) || name.startsWith("bh_") ? `${name}_` : name;
  while (siblings.some((l) => l.cName === cName) && !isParam) cName += "_";
  return cName;
}
