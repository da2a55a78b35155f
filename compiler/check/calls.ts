// The checker's call layer: calls of the program's functions and methods (arity, argument types,
// and an edge of the call graph for recursion.ts), conversions between integer types (`u32(x)`,
// a constant folded), `s.charCodeAt(i)`, and the intrinsics, whose sysreg and operation arguments
// are string literals checked against compiler/sysregs.ts and their access direction.
import ts from "typescript";
import { type Type, type IntType, type FuncInfo, VOID, STRING, int, isIntName, wrap } from "../types.ts";
import { INTRINSICS, INTRINSIC_SIGS } from "../builtins.ts";
import { isLiteral } from "../integers.ts";
import { SYSREGS } from "../sysregs.ts";
import { ExpressionChecker } from "./expressions.ts";
import { orderCheck } from "./eval-order.ts";

export abstract class CallChecker extends ExpressionChecker {
  protected call(e: ts.CallExpression, expected: Type | undefined): Type {
    const callee = e.expression;
    if (e.questionDotToken) { this.err(e, "optional calls are not in the subset"); return VOID; }
    if (ts.isIdentifier(callee)) {
      const name = callee.text;
      if (isIntName(name) && this.isAmbient(callee)) return this.conversion(e, int(name));
      if (INTRINSICS.has(name) && this.isAmbient(callee)) return this.intrinsic(e, name);
      if ((name === "aligned" || name === "pool") && this.isAmbient(callee)) {
        this.err(e, `${name}() is only for module-level initialisers`);
        return VOID;
      }
      const decl = this.resolve(callee)?.valueDeclaration;
      const f = decl && this.out.funcOf.get(decl);
      if (!f) { this.err(callee, `\`${name}\` is not a subset function`); return VOID; }
      this.out.callees.set(e, { k: "func", f });
      return this.callArgs(e, f);
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const rt = this.expr(callee.expression, undefined);
      const name = callee.name.text;
      if (rt.k === "class") {
        const f = rt.cls.methods.get(name);
        if (!f) { this.err(callee, `${rt.cls.name} has no method ${name}`); return VOID; }
        this.out.callees.set(e, { k: "method", f, receiver: callee.expression });
        return this.callArgs(e, f);
      }
      if (rt.k === "string" && name === "charCodeAt" && e.arguments.length === 1) {
        this.exprAs(e.arguments[0], int("u32"));
        this.out.callees.set(e, { k: "charCodeAt", receiver: callee.expression });
        return int("u8");
      }
      this.err(e, `\`.${name}()\` is not in the subset${rt.k === "string" ? "; strings offer .length and .charCodeAt(i)" : ""}`);
      return VOID;
    }
    void expected;
    this.err(e, "only named functions and methods can be called");
    return VOID;
  }

  private isAmbient(id: ts.Identifier): boolean {
    const decl = this.resolve(id)?.declarations?.[0];
    return !!decl && decl.getSourceFile().isDeclarationFile;
  }

  private callArgs(e: ts.CallExpression, f: FuncInfo): Type {
    if (e.arguments.length !== f.params.length) this.err(e, `${f.name} takes ${f.params.length} argument(s)`);
    e.arguments.forEach((a, i) => { if (f.params[i]) this.exprAs(a, f.params[i].type); });
    if (this.fn) this.out.calls.get(this.fn.fn)?.add(f);
    orderCheck(this.out, this.err, e, [...(ts.isPropertyAccessExpression(e.expression) ? [e.expression.expression] : []), ...e.arguments], false);
    return f.ret;
  }

  private conversion(e: ts.CallExpression, to: IntType): Type {
    if (e.arguments.length !== 1) { this.err(e, `${to.name}(x) takes one argument`); return to; }
    const a = e.arguments[0];
    const t = this.expr(a, undefined);
    this.out.callees.set(e, { k: "convert", to });
    if (t.k === "lit") {
      // A conversion of a constant is a constant; literal spelling must still match number/bigint.
      const from = t.big ? int("i64") : int("i32");
      if (isLiteral(a) || (ts.isPrefixUnaryExpression(a) && isLiteral(a.operand))) {
        this.out.types.set(a, from);
        if (ts.isPrefixUnaryExpression(a)) this.out.types.set(a.operand, from);
      } else this.coerce(a, t.big ? int("u64") : int("u32"));
      this.out.consts.set(e, wrap(to, t.value));
      return to;
    }
    if (t.k !== "int" && t.k !== "bool") this.err(a, `${to.name}() converts integers and bools`);
    const v = this.out.consts.get(a);
    if (v !== undefined && t.k === "int") this.out.consts.set(e, wrap(to, v));
    return to;
  }

  private intrinsic(e: ts.CallExpression, name: string): Type {
    const sig = INTRINSIC_SIGS[name];
    this.out.callees.set(e, { k: "intrinsic", name });
    this.out.intrinsicsUsed.add(name);
    if (e.arguments.length !== sig.params.length) { this.err(e, `${name} takes ${sig.params.length} argument(s)`); return sig.ret; }
    e.arguments.forEach((a, i) => {
      const p = sig.params[i];
      if (p === "string") { this.exprAs(a, STRING); return; }
      if (p === "sysreg" || p === "word") {
        if (!ts.isStringLiteral(a)) { this.err(a, `${name}'s first argument is a string literal naming the ${p === "sysreg" ? "register" : "operation"}`); return; }
        if (p === "sysreg") {
          const def = SYSREGS[a.text];
          if (!def) { this.err(a, `unknown system register \`${a.text}\`; the known names are listed in compiler/sysregs.ts`); return; }
          const dir = name === "mrs" ? "r" : "w";
          if ((dir === "r" && def.access === "wo") || (dir === "w" && def.access === "ro")) this.err(a, def.access === "ro" ? `${a.text} is read-only; it can only be read, with mrs()` : `${a.text} is write-only; it can only be written, with msr()`);
          if (!this.out.sysregsUsed.has(a.text)) this.out.sysregsUsed.set(a.text, new Set());
          this.out.sysregsUsed.get(a.text)!.add(dir);
        }
        this.out.types.set(a, STRING);
        return;
      }
      if (p === "object") {
        const t = this.expr(a, undefined);
        const ref = this.out.refs.get(a);
        if (!((t.k === "array" || t.k === "class") && ref && (ref.k === "global" || ref.k === "field" || ref.k === "local" || ref.k === "this") ) && !ts.isElementAccessExpression(a))
          this.err(a, "addressOf() takes a module-level array or object, a field holding one, or an object reference");
        return;
      }
      this.exprAs(a, int(p));
    });
    orderCheck(this.out, this.err, e, [...e.arguments], false);
    return sig.ret;
  }
}
