// Range facts: what the checker proves about an integer's value, so that the C needs no run-time
// check (an index below its array's length, a divisor that is a non-zero constant), and a comparison
// whose result its operand's range already decides. The proofs are deliberately simple (constants,
// masks, remainders, narrow types, counters of bounded loops): what they cannot prove keeps its check.
import ts from "typescript";
import { intRange } from "../types.ts";
import { type Report } from "../diag.ts";
import { type Checked, type LocalInfo } from "../checked.ts";

/** Simple range facts that elide the bounds check: constants, masks, remainders, small types, loop counters. */
export function provedInRange(out: Checked, ix: ts.Expression, n: number, loopVars: Map<LocalInfo, number> | undefined): boolean {
  const N = BigInt(n);
  const v = out.consts.get(ix);
  if (v !== undefined) return v >= 0n && v < N;
  if (ts.isParenthesizedExpression(ix)) return provedInRange(out, ix.expression, n, loopVars);
  const t = out.types.get(ix);
  if (t?.k === "int" && !t.signed && (1n << BigInt(t.bits)) <= N) return true;
  if (ts.isBinaryExpression(ix) && t?.k === "int" && !t.signed) {
    const r = out.consts.get(ix.right);
    const l = out.consts.get(ix.left);
    const op = ix.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandToken && ((r !== undefined && r < N) || (l !== undefined && l < N))) return true;
    if (op === ts.SyntaxKind.PercentToken && r !== undefined && r > 0n && r <= N) return true;
    if (op === ts.SyntaxKind.GreaterThanGreaterThanToken || op === ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken) {
      if (r !== undefined && BigInt(t.bits) - r >= 0n && (1n << (BigInt(t.bits) - r)) <= N) return true;
    }
  }
  const ref = out.refs.get(ix);
  if (ts.isIdentifier(ix) && ref?.k === "local") {
    const bound = loopVars?.get(ref.local);
    if (bound !== undefined && bound <= n) return true;
  }
  return false;
}

/** `for (let i: T = 0; i < N; i++)` with i never assigned in the body: i < N inside it. */
export function boundedLoopVar(out: Checked, s: ts.ForStatement, resolveLocal: (id: ts.Identifier) => LocalInfo | undefined): { local: LocalInfo; bound: number } | null {
  const init = s.initializer;
  if (!init || !ts.isVariableDeclarationList(init) || init.declarations.length !== 1 || !s.condition || !s.incrementor) return null;
  const d = init.declarations[0];
  const local = out.locals.get(d);
  if (!local || !d.initializer || local.type.k !== "int") return null;
  // An unsigned counter is never below 0, whatever it starts at; a signed one must start at a constant >= 0.
  if (local.type.signed && (out.consts.get(d.initializer) ?? -1n) < 0n) return null;
  const c = s.condition;
  if (!ts.isBinaryExpression(c) || c.operatorToken.kind !== ts.SyntaxKind.LessThanToken) return null;
  if (!ts.isIdentifier(c.left) || resolveLocal(c.left) !== local) return null;
  const bound = out.consts.get(c.right);
  if (bound === undefined) return null;
  const inc = s.incrementor;
  const isInc = (ts.isPostfixUnaryExpression(inc) || ts.isPrefixUnaryExpression(inc)) && inc.operator === ts.SyntaxKind.PlusPlusToken
    && ts.isIdentifier(inc.operand) && resolveLocal(inc.operand) === local;
  if (!isInc || assignsLocal(s.statement, local, resolveLocal)) return null;
  return { local, bound: Number(bound) };
}

function assignsLocal(n: ts.Node, local: LocalInfo, resolveLocal: (id: ts.Identifier) => LocalInfo | undefined): boolean {
  let found = false;
  const visit = (x: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(x) && x.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && x.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      && ts.isIdentifier(x.left) && resolveLocal(x.left) === local) found = true;
    if ((ts.isPostfixUnaryExpression(x) || ts.isPrefixUnaryExpression(x)) && ts.isIdentifier(x.operand) && resolveLocal(x.operand) === local
      && (x.operator === ts.SyntaxKind.PlusPlusToken || x.operator === ts.SyntaxKind.MinusMinusToken)) found = true;
    ts.forEachChild(x, visit);
  };
  visit(n);
  return found;
}

/** The values an integer expression can take: its type's range, or its operand's for a widening conversion. */
function valueRange(out: Checked, e: ts.Expression): [bigint, bigint] | null {
  if (ts.isParenthesizedExpression(e)) return valueRange(out, e.expression);
  const t = out.types.get(e);
  if (!t || t.k !== "int") return null;
  const c = out.callees.get(e as ts.CallExpression);
  if (ts.isCallExpression(e) && c?.k === "convert" && e.arguments.length === 1) {
    const inner = valueRange(out, e.arguments[0]);
    const [lo, hi] = intRange(t);
    if (inner && inner[0] >= lo && inner[1] <= hi) return inner;
  }
  return intRange(t);
}

/**
 * A comparison of a value with a constant that its range decides (`x8 < 300`, `u >= 0`) is a
 * mistake in the program, and GCC's -Wtype-limits rejects the C: say so here, where it was written.
 */
export function tautology(out: Checked, report: Report, e: ts.BinaryExpression, op: ts.SyntaxKind): void {
  const lc = out.consts.get(e.left);
  const rc = out.consts.get(e.right);
  if ((lc === undefined) === (rc === undefined)) return;
  // A named constant (a board fact, say) may legitimately make a test moot on one board.
  const named = (n: ts.Node): boolean => out.refs.get(n)?.k === "global" || !!ts.forEachChild(n, named);
  if (named(lc === undefined ? e.right : e.left)) return;
  const range = valueRange(out, lc === undefined ? e.left : e.right);
  if (!range) return;
  const [lo, hi] = range;
  const k = (lc ?? rc)!;
  // Normalise to `value OP k`.
  const flip: Partial<Record<ts.SyntaxKind, ts.SyntaxKind>> = {
    [ts.SyntaxKind.LessThanToken]: ts.SyntaxKind.GreaterThanToken, [ts.SyntaxKind.GreaterThanToken]: ts.SyntaxKind.LessThanToken,
    [ts.SyntaxKind.LessThanEqualsToken]: ts.SyntaxKind.GreaterThanEqualsToken, [ts.SyntaxKind.GreaterThanEqualsToken]: ts.SyntaxKind.LessThanEqualsToken,
  };
  const o = lc === undefined ? op : flip[op] ?? op;
  let decided: boolean | null = null;
  if (o === ts.SyntaxKind.LessThanToken) decided = hi < k ? true : lo >= k ? false : null;
  else if (o === ts.SyntaxKind.LessThanEqualsToken) decided = hi <= k ? true : lo > k ? false : null;
  else if (o === ts.SyntaxKind.GreaterThanToken) decided = lo > k ? true : hi <= k ? false : null;
  else if (o === ts.SyntaxKind.GreaterThanEqualsToken) decided = lo >= k ? true : hi < k ? false : null;
  else if (k < lo || k > hi) decided = o === ts.SyntaxKind.ExclamationEqualsEqualsToken || o === ts.SyntaxKind.ExclamationEqualsToken;
  if (decided !== null) report(e, `this comparison is always ${decided}: the value is in ${lo}..${hi}; compare with a constant inside that range, or drop the test`);
}

/** A divisor that is a non-zero constant needs no run-time check (Checked.safeDivisor); the constant zero is an error. */
export function markDivisor(out: Checked, report: Report, e: ts.BinaryExpression, divisor: ts.Expression): void {
  const v = out.consts.get(divisor);
  if (v !== undefined) {
    if (v === 0n) report(divisor, "division by the constant zero; write the divisor you mean (a zero divisor panics at run time)");
    else out.safeDivisor.add(e);
  }
}
