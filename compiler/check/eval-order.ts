// Evaluation order (MISRA C:2012 Rule 13.2). C leaves the order of evaluating operands and
// arguments unspecified, where JavaScript fixes it left to right; the two backends agree only on
// expressions whose result cannot depend on that order. The checker calls these once the parts of
// an expression are typed (they read Checked's callees, refs and types).
import ts from "typescript";
import { type Report } from "../diag.ts";
import { type Checked } from "../checked.ts";
import { INTRINSIC_SIGS } from "../builtins.ts";

/** How an expression may interact with another evaluated in an unspecified order in C. */
interface Effects { writes: boolean; reads: boolean }
const NONE: Effects = { writes: false, reads: false };
const join = (a: Effects, b: Effects): Effects => ({ writes: a.writes || b.writes, reads: a.reads || b.reads });

/**
 * Where one operand has a side effect (a call) and another also has one, or reads memory the
 * call could change (a global, a field, an array element), the two backends could disagree. Such
 * expressions are rejected; the fix is to make the call a statement of its own first. With
 * `isAssign`, parts[0] is the place assigned, whose own value is not read.
 */
export function orderCheck(out: Checked, report: Report, at: ts.Node, parts: ts.Expression[], isAssign: boolean): void {
  const eff = parts.map((p) => effects(out, p, isAssign && p === parts[0]));
  for (let i = 0; i < eff.length; i++) {
    if (!eff[i].writes) continue;
    for (let j = 0; j < eff.length; j++) {
      if (i === j || !(eff[j].writes || eff[j].reads)) continue;
      report(at, `C evaluates these operands in an unspecified order, and \`${parts[i].getText()}\` may change what \`${parts[j].getText()}\` ${eff[j].writes ? "does" : "reads"}; call it first into a const`);
      return;
    }
  }
}

function effects(out: Checked, e: ts.Node, asLvalue: boolean): Effects {
  let eff = NONE;
  const visit = (n: ts.Node, top: boolean): void => {
    if (ts.isCallExpression(n)) {
      const c = out.callees.get(n);
      if (c?.k === "func" || c?.k === "method") eff = join(eff, { writes: true, reads: true });
      else if (c?.k === "intrinsic") {
        const ef = INTRINSIC_SIGS[c.name].effect;
        if (ef === "write") eff = join(eff, { writes: true, reads: true });
        else if (ef === "read") eff = join(eff, { writes: false, reads: true });
      }
    } else if (!(top && asLvalue)) {
      // Reading a scalar or a reference from memory; reaching an embedded array or object
      // (a pool element, an array field) is address arithmetic and reads nothing.
      const r = out.refs.get(n);
      const t = out.types.get(n);
      const scalar = !!t && t.k !== "array" && !(t.k === "class" && (ts.isElementAccessExpression(n) || (r?.k === "field" && r.field.embedded) || (r?.k === "global" && r.g.kind === "object")));
      if (scalar && r && ((r.k === "global" && r.g.kind === "var") || r.k === "field")) eff = join(eff, { writes: false, reads: true });
      if (scalar && ts.isElementAccessExpression(n)) eff = join(eff, { writes: false, reads: true });
    }
    ts.forEachChild(n, (ch) => visit(ch, false));
  };
  visit(e, true);
  return eff;
}

/**
 * `a[f()] += 1` and `a[f()]++` read and write the place, and the backends spell the place twice
 * (`a[f()] = a[f()] + 1`): a call inside it would run twice. Such targets are rejected.
 */
export function singleEvalTarget(report: Report, target: ts.Expression): void {
  let call: ts.Node | null = null;
  const visit = (n: ts.Node): void => {
    if (call) return;
    if (ts.isCallExpression(n)) { call = n; return; }
    ts.forEachChild(n, visit);
  };
  visit(target);
  if (call) report(call, `the target of a compound assignment, ++ or -- is evaluated twice, so it may not contain a call; call \`${(call as ts.Node).getText()}\` first into a const`);
}
