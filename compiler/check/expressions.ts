// The checker's expression layer: gives every expression its subset type. An integer constant
// stays untyped (kind "lit") until its context gives it a type, which then decides its width, its
// range and whether it is a number or a bigint literal (coerce); constants are folded with the
// target's wrap-around semantics. Each operand is checked against the evaluation-order rules
// (eval-order.ts) and each index and divisor against the range facts (ranges.ts). Two things are
// left to later layers through abstract methods: calls (calls.ts), and the initialiser of a module
// variable used before the pass over initialisers reached it (compiler/check.ts).
import ts from "typescript";
import {
  type Type, type IntType, type LitType, BOOL, VOID, STRING, int, sameType, typeName, intRange, wrap,
} from "../types.ts";
import { type GlobalInfo } from "../checked.ts";
import { ARITH, COMPARE, evalBinary, isFloatLiteral, isLiteral, litValue } from "../integers.ts";
import { DeclarationChecker } from "./declarations.ts";
import { orderCheck } from "./eval-order.ts";
import { markDivisor, provedInRange, tautology } from "./ranges.ts";

export abstract class ExpressionChecker extends DeclarationChecker {
  protected abstract call(e: ts.CallExpression, expected: Type | undefined): Type;
  protected abstract checkGlobalInit(g: GlobalInfo): void;

  /** A condition of if, while, for, ?:, && or ||: a bool (no truthiness of integers). */
  protected cond(e: ts.Expression): void {
    const t = this.expr(e, BOOL);
    if (t.k !== "bool") this.err(e, `a condition must be a bool; compare explicitly, e.g. \`${e.getText()} != 0\``);
  }

  /** Checks e in a context that requires type t (constants take it). */
  protected exprAs(e: ts.Expression, t: Type): void {
    const got = this.expr(e, t);
    if (got.k === "lit") {
      if (t.k === "int") this.coerce(e, t);
      else this.err(e, `expected ${typeName(t)}, found an integer constant`);
      return;
    }
    if (got.k === "never") return;
    if (got.k === "void" && this.reportedWithin(e)) return;
    if (!sameType(got, t)) {
      if (got.k === "int" && t.k === "int")
        this.err(e, `expected ${t.name}, found ${got.name}; convert explicitly: \`${t.name}(${e.getText()})\``);
      else this.err(e, `expected ${typeName(t)}, found ${typeName(got)}`);
    }
  }

  /** Gives a constant expression the integer type t: records it on every node, checks literal ranges. */
  protected coerce(e: ts.Expression, t: IntType): void {
    const v = this.out.consts.get(e);
    this.out.types.set(e, t);
    if (ts.isParenthesizedExpression(e)) this.coerce(e.expression, t);
    else if (ts.isPrefixUnaryExpression(e)) {
      if (e.operator === ts.SyntaxKind.MinusToken && isLiteral(e.operand)) {
        const [lo] = intRange(t);
        if (-(litValue(e.operand)) < lo) this.err(e, `${e.getText()} does not fit in ${t.name} (${lo}..${intRange(t)[1]}); write a value in range, or wrap it on purpose: \`${t.name}(${e.getText()})\``);
        this.out.types.set(e.operand, t);
        this.out.consts.set(e, wrap(t, -litValue(e.operand)));
        return;
      }
      this.coerce(e.operand, t);
    } else if (ts.isBinaryExpression(e)) {
      this.coerce(e.left, t);
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.LessThanLessThanToken || op === ts.SyntaxKind.GreaterThanGreaterThanToken || op === ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken)
        this.shiftCount(e.right, t);
      else this.coerce(e.right, t);
      if (op === ts.SyntaxKind.SlashToken || op === ts.SyntaxKind.PercentToken) markDivisor(this.out, this.err, e, e.right);
    } else if (ts.isConditionalExpression(e)) {
      this.coerce(e.whenTrue, t);
      this.coerce(e.whenFalse, t);
    } else if (isLiteral(e)) {
      const [lo, hi] = intRange(t);
      const lv = litValue(e);
      if (lv < lo || lv > hi) this.err(e, `${e.getText()} does not fit in ${t.name} (${lo}..${hi}); write a value in range, or wrap it on purpose: \`${t.name}(${e.getText()})\``);
      if ((t.bits === 64) !== ts.isBigIntLiteral(e)) this.err(e, t.bits === 64 ? `a ${t.name} constant is a bigint: write ${e.getText()}n` : `a ${t.name} constant is a number: drop the n`);
    }
    if (v !== undefined) this.out.consts.set(e, this.fold(e, t) ?? v);
  }

  /** Folds a constant expression in type t with the target's wrap-around semantics. */
  protected fold(e: ts.Expression, t: IntType): bigint | null {
    const c = this.out.consts.get(e);
    if (isLiteral(e)) return wrap(t, litValue(e));
    if (ts.isParenthesizedExpression(e)) return this.fold(e.expression, t);
    if (ts.isPrefixUnaryExpression(e)) {
      const v = this.fold(e.operand, t);
      if (v === null) return null;
      if (e.operator === ts.SyntaxKind.MinusToken) return wrap(t, -v);
      if (e.operator === ts.SyntaxKind.TildeToken) return wrap(t, ~v);
      return null;
    }
    if (ts.isBinaryExpression(e)) {
      const a = this.fold(e.left, t);
      const b = this.fold(e.right, this.shiftCountType(t, e));
      if (a === null || b === null) return null;
      const div = e.operatorToken.kind === ts.SyntaxKind.SlashToken || e.operatorToken.kind === ts.SyntaxKind.PercentToken;
      if (div && b === 0n) return null; // reported by markDivisor
      return evalBinary(e.operatorToken.kind, t, a, b);
    }
    if (ts.isConditionalExpression(e)) {
      const cv = this.out.consts.get(e.condition);
      if (cv === undefined) return null;
      return cv ? this.fold(e.whenTrue, t) : this.fold(e.whenFalse, t);
    }
    return c !== undefined ? wrap(t, c) : null;
  }

  private shiftCountType(t: IntType, e: ts.BinaryExpression): IntType {
    const ty = this.out.types.get(e.right);
    return ty && ty.k === "int" ? ty : t;
  }

  protected shiftCount(e: ts.Expression, left: IntType): void {
    const t = this.expr(e, undefined);
    if (t.k === "lit") {
      this.coerce(e, left.bits === 64 ? int("u64") : int("u32"));
      const v = this.out.consts.get(e)!;
      if (v >= BigInt(left.bits === 64 ? 64 : 32)) this.err(e, `shift count ${v} is not below ${left.bits === 64 ? 64 : 32}; the count is taken modulo that, so write the count you mean`);
      return;
    }
    if (t.k !== "int") this.err(e, "a shift count is an integer");
    else if ((t.bits === 64) !== (left.bits === 64)) this.err(e, `the shift count must be a ${left.bits === 64 ? "bigint (u64/i64)" : "number (u8..u32, i8..i32)"} like the shifted value`);
  }

  /** Checks an expression; returns its type. Constants return kind "lit" until a context types them. */
  protected expr(e: ts.Expression, expected: Type | undefined): Type {
    const t = this.expr1(e, expected);
    if (!this.out.types.has(e) || t.k !== "lit") this.out.types.set(e, t);
    return t;
  }

  private expr1(e: ts.Expression, expected: Type | undefined): Type {
    switch (e.kind) {
      case ts.SyntaxKind.NumericLiteral:
      case ts.SyntaxKind.BigIntLiteral: {
        if (isFloatLiteral(e)) {
          this.err(e, `floating-point numbers are not in the subset; write an integer (scale the unit, e.g. milliseconds instead of seconds)`);
          return VOID;
        }
        const v = litValue(e as ts.LiteralExpression);
        this.out.consts.set(e, v);
        return this.litOr({ k: "lit", value: v, big: e.kind === ts.SyntaxKind.BigIntLiteral }, e, expected);
      }
      case ts.SyntaxKind.TrueKeyword:
      case ts.SyntaxKind.FalseKeyword:
        this.out.consts.set(e, e.kind === ts.SyntaxKind.TrueKeyword ? 1n : 0n);
        return BOOL;
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral: {
        const text = (e as ts.StringLiteral).text;
        if (!/^[\x20-\x7e\n\t\r]*$/.test(text)) this.err(e, "string literals hold printable ASCII, \\n, \\t and \\r only (the console is byte-wide)");
        return STRING;
      }
      case ts.SyntaxKind.TemplateExpression:
        this.err(e, "template literals with substitutions are not in the subset; print the parts one by one (puts, putHex)");
        return STRING;
      case ts.SyntaxKind.ParenthesizedExpression: {
        const inner = (e as ts.ParenthesizedExpression).expression;
        const t = this.expr(inner, expected);
        const v = this.out.consts.get(inner);
        if (v !== undefined) this.out.consts.set(e, v);
        return t;
      }
      case ts.SyntaxKind.Identifier: return this.identifier(e as ts.Identifier, expected);
      case ts.SyntaxKind.ThisKeyword: {
        const cls = this.fn?.fn.cls;
        if (!cls) { this.err(e, "`this` is only for methods and constructors"); return VOID; }
        this.out.refs.set(e, { k: "this" });
        return { k: "class", cls };
      }
      case ts.SyntaxKind.PropertyAccessExpression: return this.property(e as ts.PropertyAccessExpression, expected);
      case ts.SyntaxKind.ElementAccessExpression: return this.element(e as ts.ElementAccessExpression);
      case ts.SyntaxKind.CallExpression: return this.call(e as ts.CallExpression, expected);
      case ts.SyntaxKind.BinaryExpression: return this.binary(e as ts.BinaryExpression, expected);
      case ts.SyntaxKind.PrefixUnaryExpression: return this.prefix(e as ts.PrefixUnaryExpression, expected);
      case ts.SyntaxKind.PostfixUnaryExpression:
        this.err(e, "++ and -- are statements in the subset; write `x++;` on its own line");
        return VOID;
      case ts.SyntaxKind.ConditionalExpression: return this.conditional(e as ts.ConditionalExpression, expected);
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.TypeAssertionExpression:
      case ts.SyntaxKind.SatisfiesExpression:
        this.err(e, "type assertions are not in the subset; convert with u32(x), u64(x), ...");
        return VOID;
      case ts.SyntaxKind.NonNullExpression:
        this.err(e, "`!` assertions are not in the subset: there is no null; drop the `!`");
        return VOID;
      case ts.SyntaxKind.NewExpression:
        this.err(e, "objects and arrays are created only at module level (no heap after boot); declare a module-level const, or a pool()");
        return VOID;
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
        this.err(e, "closures are not in the subset; declare a module-level function");
        return VOID;
      case ts.SyntaxKind.ObjectLiteralExpression:
        this.err(e, "object literals are not in the subset; declare a class and a module-level instance");
        return VOID;
      case ts.SyntaxKind.ArrayLiteralExpression:
        this.err(e, "array literals are not in the subset; declare a module-level typed array");
        return VOID;
      case ts.SyntaxKind.NullKeyword:
        this.err(e, "null is not in the subset; use a bool beside the value, or an index");
        return VOID;
      case ts.SyntaxKind.AwaitExpression:
        this.err(e, "await is not in the subset; call the function synchronously");
        return VOID;
      case ts.SyntaxKind.TypeOfExpression:
      case ts.SyntaxKind.DeleteExpression:
      case ts.SyntaxKind.VoidExpression:
        this.err(e, `${e.getText().split(" ")[0]} is not in the subset`);
        return VOID;
      default:
        this.err(e, `${ts.SyntaxKind[e.kind]} is not in the subset`);
        return VOID;
    }
  }

  private litOr(t: LitType, e: ts.Expression, expected: Type | undefined): Type {
    if (expected?.k === "int") { this.coerce(e, expected); return expected; }
    return t;
  }

  private identifier(id: ts.Identifier, expected: Type | undefined): Type {
    if (id.text === "undefined" || id.text === "NaN" || id.text === "Infinity") {
      this.err(id, `\`${id.text}\` is not in the subset; every value is an integer, a bool or an object: keep a bool beside the value to say it is absent`);
      return VOID;
    }
    const sym = this.resolve(id);
    const decl = sym?.valueDeclaration;
    if (!decl) { this.err(id, `cannot resolve \`${id.text}\``); return VOID; }
    const local = this.fn?.locals.get(decl);
    if (local) {
      local.used = true;
      this.out.refs.set(id, { k: "local", local });
      return local.type;
    }
    const g = this.out.globalOf.get(decl);
    if (g) {
      this.out.refs.set(id, { k: "global", g });
      if (g.kind === "const" && g.value !== null) this.out.consts.set(id, g.value);
      if (g.type.k === "never") {
        // Referenced before its initialiser was checked: check it now.
        this.checkGlobalInit(g);
      }
      if (g.kind === "const" && g.value !== null && g.type.k === "int") this.out.consts.set(id, g.value);
      return g.type;
    }
    if (ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl) || ts.isEnumDeclaration(decl)) {
      this.err(id, `\`${id.text}\` is not a value here; functions are only called, classes only instantiated at module level`);
      return VOID;
    }
    if (ts.isParameter(decl) || ts.isVariableDeclaration(decl)) {
      this.err(id, `\`${id.text}\` is declared outside this function; closures are not in the subset`);
      return VOID;
    }
    void expected;
    this.err(id, `\`${id.text}\` is not in the subset`);
    return VOID;
  }

  private property(e: ts.PropertyAccessExpression, expected: Type | undefined): Type {
    const name = e.name.text;
    if (ts.isIdentifier(e.expression)) {
      const sym = this.resolve(e.expression);
      const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
      if (decl && ts.isEnumDeclaration(decl)) {
        const en = this.out.enumOf.get(decl);
        const mem = en?.members.find((m) => m.name === name);
        if (!en || !mem) return VOID;
        this.out.refs.set(e, { k: "enum", e: en, value: mem.value, member: name });
        this.out.consts.set(e, mem.value);
        return this.litOr({ k: "lit", value: mem.value, big: false }, e, expected);
      }
      if (sym && sym.flags & ts.SymbolFlags.ValueModule) { this.err(e, "namespaces are not in the subset"); return VOID; }
    }
    const ot = this.expr(e.expression, undefined);
    if (ot.k === "class") {
      const field = ot.cls.fields.find((f) => f.name === name);
      if (field) {
        this.out.refs.set(e, { k: "field", field, cls: ot.cls });
        return field.type;
      }
      if (ot.cls.methods.has(name)) this.err(e, `method ${name} can only be called: \`${e.getText()}(...)\``);
      else this.err(e, `${ot.cls.name} has no field ${name}`);
      return VOID;
    }
    if (ot.k === "array" && name === "length") {
      this.out.refs.set(e, { k: "length", length: ot.length });
      this.out.consts.set(e, BigInt(ot.length));
      return this.litOr({ k: "lit", value: BigInt(ot.length), big: false }, e, expected ?? int("u32"));
    }
    if (ot.k === "string" && name === "length") {
      this.out.refs.set(e, { k: "strlen" });
      return int("u32");
    }
    this.err(e, `\`.${name}\` is not in the subset for a value of type ${typeName(ot)}`);
    return VOID;
  }

  private element(e: ts.ElementAccessExpression): Type {
    const at = this.expr(e.expression, undefined);
    const it = this.expr(e.argumentExpression, undefined);
    if (at.k !== "array") { this.err(e, "only arrays can be indexed (no dynamic property access)"); return VOID; }
    if (it.k === "lit") this.coerce(e.argumentExpression, int("u32"));
    else if (it.k !== "int") { this.err(e.argumentExpression, "an index is an integer"); return at.elem; }
    if (provedInRange(this.out, e.argumentExpression, at.length, this.fn?.loopVars)) this.out.inRange.add(e);
    else {
      const v = this.out.consts.get(e.argumentExpression);
      if (v !== undefined) this.err(e.argumentExpression, `index ${v} is out of range for an array of length ${at.length}; the valid indices are 0 to ${at.length - 1}`);
    }
    orderCheck(this.out, this.err, e, [e.expression, e.argumentExpression], false);
    return at.elem;
  }

  private prefix(e: ts.PrefixUnaryExpression, expected: Type | undefined): Type {
    const op = e.operator;
    if (op === ts.SyntaxKind.ExclamationToken) {
      const t = this.expr(e.operand, BOOL);
      if (t.k !== "bool") this.err(e, `! applies to bool; compare explicitly: \`${e.operand.getText()} == 0\``);
      return BOOL;
    }
    if (op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken) {
      this.err(e, "++ and -- are statements in the subset; write `x++;` on its own line");
      return VOID;
    }
    if (op === ts.SyntaxKind.PlusToken) { this.err(e, "unary + is not in the subset"); return VOID; }
    // `-128` as an i8: the literal 128 alone does not fit, so it meets the type only as `-128` (in coerce).
    const negLiteral = op === ts.SyntaxKind.MinusToken && isLiteral(e.operand);
    const t = this.expr(e.operand, expected?.k === "int" && !negLiteral ? expected : undefined);
    if (t.k === "lit") {
      const v = op === ts.SyntaxKind.MinusToken ? -t.value : ~t.value;
      this.out.consts.set(e, v);
      return this.litOr({ k: "lit", value: v, big: t.big }, e, expected);
    }
    if (t.k !== "int") { this.err(e, `${ts.tokenToString(op)} applies to integers`); return VOID; }
    const c = this.fold(e, t);
    if (c !== null && this.out.consts.has(e.operand)) this.out.consts.set(e, c);
    return t;
  }

  private conditional(e: ts.ConditionalExpression, expected: Type | undefined): Type {
    this.cond(e.condition);
    const a = this.expr(e.whenTrue, expected);
    const b = this.expr(e.whenFalse, expected);
    // No evaluation-order check: only one of the branches is ever evaluated.
    if (a.k === "lit" && b.k === "lit") return a;
    if (a.k === "lit" && b.k === "int") { this.coerce(e.whenTrue, b); return b; }
    if (b.k === "lit" && a.k === "int") { this.coerce(e.whenFalse, a); return a; }
    if (a.k === "never") return b;
    if (b.k === "never") return a;
    if (!sameType(a, b)) this.err(e, `both branches must have one type (${typeName(a)} vs ${typeName(b)})`);
    if (a.k === "array") this.err(e, "a conditional chooses between integers, bools, strings or object references");
    return a;
  }

  private binary(e: ts.BinaryExpression, expected: Type | undefined): Type {
    const op = e.operatorToken.kind;
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) {
      this.err(e, "assignment is a statement in the subset; assign on its own line");
      return VOID;
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
      this.cond(e.left);
      this.cond(e.right);
      return BOOL;
    }
    if (op === ts.SyntaxKind.CommaToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.InKeyword
      || op === ts.SyntaxKind.InstanceOfKeyword || op === ts.SyntaxKind.AsteriskAsteriskToken) {
      this.err(e.operatorToken, `${ts.tokenToString(op)} is not in the subset; write the operation out with the subset's operators and statements`);
      return VOID;
    }
    const isCmp = COMPARE.has(op);
    const isShift = op === ts.SyntaxKind.LessThanLessThanToken || op === ts.SyntaxKind.GreaterThanGreaterThanToken
      || op === ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken;
    if (!isCmp && !ARITH.has(op) && !isShift) { this.err(e.operatorToken, `${ts.tokenToString(op)} is not in the subset`); return VOID; }

    if (isShift) {
      const lt = this.expr(e.left, expected?.k === "int" ? expected : undefined);
      orderCheck(this.out, this.err, e, [e.left, e.right], false);
      if (lt.k === "lit") {
        const rt = this.expr(e.right, undefined);
        if (rt.k === "lit") {
          const v = evalBinary(op, int(lt.big ? "i64" : "i32"), lt.value, rt.value, true);
          this.out.consts.set(e, v);
          return this.litOr({ k: "lit", value: v, big: lt.big }, e, expected);
        }
        this.err(e.left, "give the shifted constant a type: `u32(1) << n` (or u64(1n) << n)");
        return VOID;
      }
      if (lt.k !== "int") { this.err(e.left, "shifts apply to integers"); return VOID; }
      this.shiftCount(e.right, lt);
      this.foldInto(e, lt);
      return lt;
    }

    // Constants take their type from the other operand, or (for arithmetic) from the context.
    const ctx = !isCmp && expected?.k === "int" ? expected : undefined;
    const lt = this.expr(e.left, ctx);
    const rt = this.expr(e.right, lt.k === "int" ? lt : ctx);
    orderCheck(this.out, this.err, e, [e.left, e.right], false);
    if (lt.k === "lit" && rt.k === "lit") {
      if (isCmp) { this.err(e, "both sides of this comparison are constants"); return BOOL; }
      if (expected?.k === "int") { this.coerce(e.left, expected); this.coerce(e.right, expected); this.foldInto(e, expected); return expected; }
      const v = evalBinary(op, int(lt.big ? "i64" : "i32"), lt.value, rt.value, true);
      this.out.consts.set(e, v);
      return { k: "lit", value: v, big: lt.big };
    }
    let t: Type;
    if (lt.k === "lit") { t = rt; if (rt.k === "int") this.coerce(e.left, rt); }
    else if (rt.k === "lit") { t = lt; if (lt.k === "int") this.coerce(e.right, lt); }
    else {
      t = lt;
      if (!sameType(lt, rt)) {
        if (lt.k === "int" && rt.k === "int")
          this.err(e, `${lt.name} ${ts.tokenToString(op)} ${rt.name}: the operands have different types; convert one explicitly, e.g. \`${lt.name}(${e.right.getText()})\``);
        else this.err(e, `cannot apply ${ts.tokenToString(op)} to ${typeName(lt)} and ${typeName(rt)}`);
        return isCmp ? BOOL : VOID;
      }
    }
    if (isCmp) {
      const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken
        || op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
      if (t.k === "bool" || t.k === "class") { if (!eq) this.err(e, `${ts.tokenToString(op)} does not apply to ${typeName(t)}`); }
      else if (t.k !== "int") this.err(e, `cannot compare values of type ${typeName(t)}`);
      else tautology(this.out, this.err, e, op);
      return BOOL;
    }
    if (t.k !== "int") {
      this.err(e, op === ts.SyntaxKind.PlusToken && (lt.k === "string" || rt.k === "string")
        ? "string concatenation is not in the subset; print the parts one by one"
        : `${ts.tokenToString(op)} applies to integers; for bools use && || !`);
      return VOID;
    }
    if (op === ts.SyntaxKind.SlashToken || op === ts.SyntaxKind.PercentToken) markDivisor(this.out, this.err, e, e.right);
    this.foldInto(e, t);
    return t;
  }

  /** Records the folded value when both operands are constants of a definite type. */
  private foldInto(e: ts.BinaryExpression, t: IntType): void {
    if (this.out.consts.has(e.left) && this.out.consts.has(e.right)) {
      const v = this.fold(e, t);
      if (v !== null) this.out.consts.set(e, v);
    }
  }
}
