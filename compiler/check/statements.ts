// The checker's statement layer: the statements of a function body, its locals (typed, never
// `var`, objects and arrays only at module level: no heap), assignments (statements only, to a
// variable, a field or an array element), and loops, whose bounded counters become range facts
// for the indices inside them (ranges.ts).
import ts from "typescript";
import { type Type, VOID, int } from "../types.ts";
import { type LocalInfo } from "../checked.ts";
import { COMPOUND } from "../integers.ts";
import { CallChecker } from "./calls.ts";
import { localCName } from "./c-names.ts";
import { orderCheck, singleEvalTarget } from "./eval-order.ts";
import { boundedLoopVar, markDivisor } from "./ranges.ts";

export abstract class StatementChecker extends CallChecker {
  protected block(b: ts.Block): void {
    for (const st of b.statements) this.stmt(st);
  }

  private stmt(st: ts.Statement): void {
    switch (st.kind) {
      case ts.SyntaxKind.Block: return this.block(st as ts.Block);
      case ts.SyntaxKind.EmptyStatement: return;
      case ts.SyntaxKind.VariableStatement: return this.localDecls((st as ts.VariableStatement).declarationList);
      case ts.SyntaxKind.ExpressionStatement: return this.exprStmt((st as ts.ExpressionStatement).expression);
      case ts.SyntaxKind.IfStatement: {
        const s = st as ts.IfStatement;
        this.cond(s.expression);
        this.stmt(s.thenStatement);
        if (s.elseStatement) this.stmt(s.elseStatement);
        return;
      }
      case ts.SyntaxKind.WhileStatement: {
        const s = st as ts.WhileStatement;
        this.cond(s.expression);
        return this.stmt(s.statement);
      }
      case ts.SyntaxKind.DoStatement: {
        const s = st as ts.DoStatement;
        this.stmt(s.statement);
        return this.cond(s.expression);
      }
      case ts.SyntaxKind.ForStatement: return this.forStmt(st as ts.ForStatement);
      case ts.SyntaxKind.SwitchStatement: return this.switchStmt(st as ts.SwitchStatement);
      case ts.SyntaxKind.BreakStatement:
      case ts.SyntaxKind.ContinueStatement:
        if ((st as ts.BreakStatement).label) this.err(st, "labelled break/continue is not in the subset; use a flag or a function");
        return;
      case ts.SyntaxKind.ReturnStatement: {
        const s = st as ts.ReturnStatement;
        const ret = this.fn!.fn.ret;
        if (s.expression) {
          if (ret.k === "void") this.err(s, "this function returns nothing (void)");
          else this.exprAs(s.expression, ret);
        }
        return;
      }
      case ts.SyntaxKind.ThrowStatement:
      case ts.SyntaxKind.TryStatement:
        return this.err(st, "exceptions are not in the subset; call panic(\"reason\") for a fatal error, or return a status code");
      case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.ForInStatement:
        return this.err(st, "for-of/for-in are not in the subset; write an index loop: `for (let i: u32 = 0; i < a.length; i++)`");
      case ts.SyntaxKind.LabeledStatement:
        return this.err(st, "labels are not in the subset; use a bool flag, or move the inner loop into a function and return from it");
      case ts.SyntaxKind.FunctionDeclaration:
        return this.err(st, "nested functions (closures) are not in the subset; declare the function at module level");
      case ts.SyntaxKind.ClassDeclaration:
        return this.err(st, "classes are declared at module level");
      default:
        return this.err(st, `${ts.SyntaxKind[st.kind]} is not in the subset`);
    }
  }

  private localDecls(list: ts.VariableDeclarationList): void {
    const isConst = !!(list.flags & ts.NodeFlags.Const);
    if (!(list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) this.err(list, "`var` is not in the subset; write `let` or `const`");
    for (const d of list.declarations) {
      if (!ts.isIdentifier(d.name)) { this.err(d, "destructuring is not in the subset; declare each name"); continue; }
      let type: Type;
      if (d.type) {
        type = this.typeFromNode(d.type, d, "variable");
        if (d.initializer) this.exprAs(d.initializer, type);
      } else if (d.initializer) {
        if (ts.isNewExpression(d.initializer) || (ts.isCallExpression(d.initializer) && ts.isIdentifier(d.initializer.expression) && ["pool", "aligned"].includes(d.initializer.expression.text))) {
          this.err(d.initializer, "objects and arrays are created only at module level (no heap); declare it there and use it here");
          continue;
        }
        type = this.expr(d.initializer, undefined);
        if (type.k === "lit") {
          this.err(d, `give the variable a type: \`${isConst ? "const" : "let"} ${d.name.text}: u32 = ...\` (or u64, i32, ...)`);
          type = int(type.big ? "u64" : "u32");
        }
        if (type.k === "void" || type.k === "never") this.err(d, "this expression has no value");
      } else {
        this.err(d, "give the variable a type: `let x: u32 = 0`");
        continue;
      }
      if (type.k === "array" && !isConst) this.err(d, "an array reference is fixed: declare it with `const`");
      this.addLocal(d, d.name.text, type, false);
    }
  }

  private forStmt(s: ts.ForStatement): void {
    if (s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) this.localDecls(s.initializer);
      else this.exprStmt(s.initializer);
    }
    if (s.condition) this.cond(s.condition);
    if (s.incrementor) this.exprStmt(s.incrementor);
    // After the condition is checked: its bound must already be folded to a constant.
    const loopVar = boundedLoopVar(this.out, s, (id) => this.resolveLocal(id));
    if (loopVar) this.fn!.loopVars.set(loopVar.local, loopVar.bound);
    this.stmt(s.statement);
    if (loopVar) this.fn!.loopVars.delete(loopVar.local);
  }

  private switchStmt(s: ts.SwitchStatement): void {
    const t = this.expr(s.expression, undefined);
    if (t.k !== "int") { this.err(s.expression, "switch on an integer (or a const enum) value"); return; }
    const seen = new Set<bigint>();
    for (const clause of s.caseBlock.clauses) {
      if (ts.isCaseClause(clause)) {
        this.exprAs(clause.expression, t);
        const v = this.out.consts.get(clause.expression);
        if (v === undefined) this.err(clause.expression, "case labels must be constants (literals, const enum members, module constants)");
        else if (seen.has(v)) this.err(clause.expression, `duplicate case value ${v}`);
        else seen.add(v);
      }
      for (const st of clause.statements) this.stmt(st);
    }
  }

  /** Expression statements: calls, assignments, ++ and --. Assignments are statements only. */
  private exprStmt(e: ts.Expression): void {
    if (ts.isParenthesizedExpression(e)) return this.exprStmt(e.expression);
    if (ts.isCallExpression(e)) { this.expr(e, undefined); return; }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.CommaToken) { this.exprStmt(e.left); this.exprStmt(e.right); return; }
      if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) { this.assignment(e); return; }
    }
    if ((ts.isPostfixUnaryExpression(e) || ts.isPrefixUnaryExpression(e))
      && (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken)) {
      const t = this.lvalue(e.operand);
      if (t && t.k !== "int") this.err(e, "++ and -- apply to integers");
      if (t) singleEvalTarget(this.err, e.operand);
      this.out.types.set(e, t ?? VOID);
      return;
    }
    this.err(e, "this expression does nothing; a statement is a call, an assignment, ++ or --");
  }

  private assignment(e: ts.BinaryExpression): void {
    const t = this.lvalue(e.left);
    if (!t) return;
    const op = e.operatorToken.kind;
    if (op !== ts.SyntaxKind.EqualsToken) singleEvalTarget(this.err, e.left);
    if (op === ts.SyntaxKind.EqualsToken) {
      if (t.k === "array") { this.err(e, "arrays are not assigned as a whole; copy the elements in a loop"); return; }
      this.exprAs(e.right, t);
    } else {
      const bin = COMPOUND[op];
      if (!bin) { this.err(e.operatorToken, `${ts.tokenToString(op)} is not in the subset`); return; }
      if (t.k !== "int") { this.err(e, `${ts.tokenToString(op)} applies to integers`); return; }
      if (bin === "<<" || bin === ">>" || bin === ">>>") this.shiftCount(e.right, t);
      else this.exprAs(e.right, t);
      if ((bin === "/" || bin === "%")) markDivisor(this.out, this.err, e, e.right);
    }
    this.out.types.set(e, t);
    orderCheck(this.out, this.err, e, [e.left, e.right], true);
  }

  /** The type of an assignable place, or null (error reported). */
  private lvalue(e: ts.Expression): Type | null {
    if (ts.isParenthesizedExpression(e)) return this.lvalue(e.expression);
    if (ts.isIdentifier(e)) {
      const t = this.expr(e, undefined);
      const ref = this.out.refs.get(e);
      if (ref?.k === "local" && ref.local.isParam) { this.err(e, "parameters are read-only in the subset; copy into a `let`"); return null; }
      if (ref?.k === "global" && ref.g.kind !== "var") { this.err(e, `\`${e.text}\` is not a variable`); return null; }
      const decl = this.resolve(e)?.valueDeclaration;
      if (decl && ts.isVariableDeclaration(decl) && decl.parent.flags & ts.NodeFlags.Const) { this.err(e, `\`${e.text}\` is a const`); return null; }
      return t;
    }
    if (ts.isPropertyAccessExpression(e)) {
      const t = this.expr(e, undefined);
      const ref = this.out.refs.get(e);
      if (ref?.k !== "field") { this.err(e, "only fields, variables and array elements can be assigned"); return null; }
      if (ref.field.embedded) { this.err(e, `\`${ref.field.name}\` is stored inside the object; assign its fields instead`); return null; }
      if (ts.getCombinedModifierFlags(ref.field.decl) & ts.ModifierFlags.Readonly && this.fn?.fn.decl.kind !== ts.SyntaxKind.Constructor) {
        this.err(e, `\`${ref.field.name}\` is readonly`);
        return null;
      }
      return t;
    }
    if (ts.isElementAccessExpression(e)) {
      const t = this.expr(e, undefined);
      if (t.k === "class") { this.err(e, "pool elements are fixed; assign their fields instead"); return null; }
      return t;
    }
    this.err(e, "only fields, variables and array elements can be assigned");
    return null;
  }

  protected addLocal(decl: ts.Node, name: string, type: Type, isParam: boolean): LocalInfo {
    const list = this.out.localsOf.get(this.fn!.fn)!;
    const cName = localCName(name, isParam, this.globalNames, list);
    const info: LocalInfo = { name, cName, type, isParam, used: false };
    list.push(info);
    this.fn!.locals.set(decl, info);
    this.out.locals.set(decl, info);
    return info;
  }
}
