// The subset checker's state, shared by its layers (declarations → expressions → calls →
// statements → compiler/check.ts): the result being built, the errors, the function being checked,
// and the name lookups that every layer makes through TypeScript's own resolution.
import ts from "typescript";
import { type ClassInfo, type FuncInfo } from "../types.ts";
import { formatAt, type Report } from "../diag.ts";
import { type Loaded } from "../program.ts";
import { Checked, type LocalInfo } from "../checked.ts";

/** The function being checked: its locals by declaration, and its loop counters proved below a bound. */
export interface FnCtx { fn: FuncInfo; locals: Map<ts.Node, LocalInfo>; loopVars: Map<LocalInfo, number> }

export abstract class CheckerBase {
  readonly out: Checked;
  readonly errors: string[] = [];
  protected readonly tc: ts.TypeChecker;
  protected fn: FnCtx | null = null;
  /** The C names of the program's own symbols, which a local's C name must not hide. */
  protected globalNames = new Set<string>();

  constructor(loaded: Loaded) {
    this.out = new Checked(loaded);
    this.tc = loaded.checker;
  }

  protected readonly err: Report = (node, msg) => {
    this.errors.push(formatAt(node, msg));
    this.erred.push(node);
  };

  /** Nodes already reported: an expression that contains one has no type worth a second message. */
  private readonly erred: ts.Node[] = [];
  protected reportedWithin(e: ts.Node): boolean {
    const sf = e.getSourceFile();
    return this.erred.some((n) => n.getSourceFile() === sf && n.pos >= e.pos && n.end <= e.end);
  }

  protected resolve(id: ts.Node): ts.Symbol | undefined {
    let sym = this.tc.getSymbolAtLocation(id);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.tc.getAliasedSymbol(sym);
    return sym;
  }

  protected resolveLocal(id: ts.Identifier): LocalInfo | undefined {
    const decl = this.resolve(id)?.valueDeclaration;
    return decl ? this.fn?.locals.get(decl) : undefined;
  }

  protected classByName(id: ts.Identifier): ClassInfo | null {
    const sym = this.resolve(id);
    const decl = sym?.valueDeclaration;
    return decl && ts.isClassDeclaration(decl) ? this.out.classOf.get(decl) ?? null : null;
  }
}
