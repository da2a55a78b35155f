// The subset checker: walks the TypeScript AST of a loaded program, rejects everything outside
// the subset with a located message that says what to write instead, and gives every
// expression its subset type. Both backends read the result (class Checked, compiler/checked.ts);
// neither re-decides.
//
// The checker is one recursive walk built in layers, each a file of compiler/check/ that extends
// the one before: base.ts (state, errors, name lookup) → declarations.ts (pass 0 and 1: every
// module-level name and its type) → expressions.ts → calls.ts → statements.ts → this file (the
// passes, module-level initialisers, class and function bodies). A layer calls up into a later
// one only through an abstract method. The rules that need no walk of their own are functions
// the layers call: c-names.ts and layout.ts (what declarations become in C), eval-order.ts (C's
// unspecified evaluation order), ranges.ts (the proofs that elide run-time checks) and
// recursion.ts (bounded stacks).
import ts from "typescript";
import path from "node:path";
import { type ClassInfo, type ClassType, type FuncInfo, VOID, int } from "./types.ts";
import { CompileError } from "./diag.ts";
import { type Loaded } from "./program.ts";
import { type Checked, type GlobalInfo, type LocalInfo, newNeedsCode } from "./checked.ts";
import { type FnCtx } from "./check/base.ts";
import { StatementChecker } from "./check/statements.ts";
import { assignCNames } from "./check/c-names.ts";
import { layoutClass } from "./check/layout.ts";
import { checkRecursion } from "./check/recursion.ts";
import { markShapeTags } from "./check/shape-tags.ts";

export function check(loaded: Loaded): Checked {
  const c = new Checker(loaded);
  c.run();
  if (c.errors.length) throw new CompileError(c.errors);
  return c.out;
}

class Checker extends StatementChecker {
  run(): void {
    const { files } = this.out.loaded;
    const tags = new Set<string>();
    for (const sf of files) {
      let tag = path.basename(sf.fileName).replace(/\.ts$/, "").replace(/[^A-Za-z0-9_]/g, "_");
      while (tags.has(tag)) tag += "_";
      tags.add(tag);
      this.out.modules.push({ file: sf.fileName, sf, tag });
    }
    // Pass 0: class names, so that a field, parameter or result may name a class declared further down.
    for (const m of this.out.modules) for (const st of m.sf.statements) if (ts.isClassDeclaration(st) && st.name) this.registerClass(st);
    // Pass 1: declarations (so that uses may precede them, as in TypeScript).
    for (const m of this.out.modules) for (const st of m.sf.statements) this.declare(m, st);
    markShapeTags(this.out.modules, this.out.funcOf, this.err, this.errors);
    this.globalNames = assignCNames(this.out, this.err);
    for (const cls of this.out.classes) layoutClass(cls, new Set(), this.err);
    // Pass 2: bodies.
    for (const g of this.out.globals) this.checkGlobalInit(g);
    for (const cls of this.out.classes) this.checkClassBodies(cls);
    this.settleInit();
    for (const f of this.out.funcs) if (!f.cls && !f.external) this.checkFunction(f);
    checkRecursion(this.out.funcs, this.out.calls, this.err);
  }

  // ---------------------------------------------------------------- module-level initialisers

  protected checkGlobalInit(g: GlobalInfo): void {
    const init = g.init!;
    if (g.kind === "array") {
      const cls = g.type.k === "array" && g.type.elem.k === "class" ? g.type.elem.cls : null;
      if (cls?.ctor && cls.ctor.params.length) this.err(init, `pool() creates instances with \`new ${cls.name}()\`; give ${cls.name} a constructor without parameters`);
      g.runtimeInit = !!cls && cls.needsInit;
      return;
    }
    if (g.kind === "object") {
      const ne = init as ts.NewExpression;
      const cls = (g.type as ClassType).cls;
      this.checkNewArgs(ne, cls);
      g.runtimeInit = newNeedsCode(cls, ne);
      return;
    }
    if (g.type.k === "never") {
      // Untyped: take the initialiser's type, which must be definite.
      const t = this.expr(init, undefined);
      if (t.k === "lit") {
        this.err(g.decl, `give the constant a type: \`const ${g.name}: u32 = ...\` (or u64, i32, ...)`);
        g.type = int("u32");
      } else g.type = t;
    } else {
      this.exprAs(init, g.type);
    }
    if (g.type.k === "class" && g.kind === "const") g.kind = "var"; // a constant reference is a pointer fixed at init
    const v = this.out.consts.get(init);
    if (v !== undefined && (g.type.k === "int")) g.value = v;
    else if (g.type.k === "bool" && (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword)) g.value = init.kind === ts.SyntaxKind.TrueKeyword ? 1n : 0n;
    if (g.type.k === "string" && !ts.isStringLiteral(init)) this.err(init, "a module-level string must be a literal");
    if (g.kind === "const" && g.value === null && g.type.k !== "string") g.kind = "var";
    g.runtimeInit = g.value === null && g.type.k !== "string";
  }

  /**
   * Whether a class needs init code is known only once every class body is checked: an embedded
   * object of a class declared later, and static instances and pools checked before the class bodies,
   * are settled here (to a fixed point, since embedding nests).
   */
  private settleInit(): void {
    for (let changed = true; changed;) {
      changed = false;
      for (const cls of this.out.classes) {
        if (cls.needsInit) continue;
        if (cls.fields.some((f) => f.embedded && f.type.k === "class" && f.type.cls.needsInit)) { cls.needsInit = true; changed = true; }
      }
    }
    for (const g of this.out.globals) {
      if (g.type.k === "array" && g.type.elem.k === "class") g.runtimeInit = g.type.elem.cls.needsInit;
      else if (g.kind === "object" && g.type.k === "class") g.runtimeInit = newNeedsCode(g.type.cls, g.init as ts.NewExpression);
    }
  }

  private checkNewArgs(ne: ts.NewExpression, cls: ClassInfo): void {
    const args = ne.arguments ?? ts.factory.createNodeArray();
    const params = cls.ctor?.params ?? [];
    if (args.length !== params.length) { this.err(ne, `${cls.name}'s constructor takes ${params.length} argument(s)`); return; }
    const saved = this.fn;
    this.fn = null;
    args.forEach((a, i) => this.exprAs(a, params[i].type));
    this.fn = saved;
  }

  // ---------------------------------------------------------------- classes and functions

  private checkClassBodies(cls: ClassInfo): void {
    // Field initialisers run at the start of the constructor, in declaration order.
    const ctx = this.newFnCtx(cls.ctor ?? ({ name: "init", cName: `${cls.cName}_init`, decl: cls.decl as never, params: [], ret: VOID, cls, exported: false, module: null as never }));
    this.fn = ctx;
    for (const f of cls.fields) {
      const init = f.decl.initializer;
      if (!init) continue;
      if (f.embedded) {
        if (f.type.k === "class") {
          this.checkNewArgs(init as ts.NewExpression, f.type.cls);
          if (newNeedsCode(f.type.cls, init as ts.NewExpression)) cls.needsInit = true;
        }
        continue;
      }
      this.exprAs(init, f.type);
      if (!this.out.consts.has(init) && !(f.type.k === "bool" && (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword)))
        cls.needsInit = true;
      else if ((this.out.consts.get(init) ?? 0n) !== 0n || init.kind === ts.SyntaxKind.TrueKeyword) cls.needsInit = true;
    }
    this.fn = null;
    if (cls.ctor) { cls.needsInit = true; this.checkFunction(cls.ctor); }
    for (const m of cls.methods.values()) this.checkFunction(m);
  }

  private newFnCtx(fn: FuncInfo): FnCtx {
    return { fn, locals: new Map(), loopVars: new Map() };
  }

  private checkFunction(f: FuncInfo): void {
    this.fn = this.newFnCtx(f);
    const list: LocalInfo[] = [];
    this.out.localsOf.set(f, list);
    this.out.calls.set(f, new Set());
    f.decl.parameters.forEach((p, i) => this.addLocal(p, f.params[i].name, f.params[i].type, true));
    if (f.decl.body) this.block(f.decl.body);
    this.fn = null;
  }
}
