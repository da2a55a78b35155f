// The subset's integer literals and operators: which tokens compare, compute or assign, how a
// literal reads, and the exact result of each operator. The checker folds constants with these;
// both backends spell the same operators; the differential tests compare them against evalBinary.
import ts from "typescript";
import { type IntType, wrap } from "./types.ts";

export const COMPARE = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken,
]);
export const ARITH = new Set([
  ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken, ts.SyntaxKind.AmpersandToken, ts.SyntaxKind.BarToken, ts.SyntaxKind.CaretToken,
]);
export const COMPOUND: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.PlusEqualsToken]: "+", [ts.SyntaxKind.MinusEqualsToken]: "-", [ts.SyntaxKind.AsteriskEqualsToken]: "*",
  [ts.SyntaxKind.SlashEqualsToken]: "/", [ts.SyntaxKind.PercentEqualsToken]: "%", [ts.SyntaxKind.AmpersandEqualsToken]: "&",
  [ts.SyntaxKind.BarEqualsToken]: "|", [ts.SyntaxKind.CaretEqualsToken]: "^", [ts.SyntaxKind.LessThanLessThanEqualsToken]: "<<",
  [ts.SyntaxKind.GreaterThanGreaterThanEqualsToken]: ">>", [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken]: ">>>",
};

export function isLiteral(e: ts.Node): e is ts.NumericLiteral | ts.BigIntLiteral {
  return ts.isNumericLiteral(e) || ts.isBigIntLiteral(e);
}

/** A numeric literal with a fraction or an exponent (`1.5`, `1e3`): not an integer literal of the subset. */
export function isFloatLiteral(e: ts.Node): boolean {
  return ts.isNumericLiteral(e) && /[.eE]/.test(e.getText()) && !/^0[xXbBoO]/.test(e.getText());
}

export function litValue(e: ts.LiteralExpression): bigint {
  const text = e.text.replace(/n$/, "").replace(/_/g, "");
  if (ts.isNumericLiteral(e) && /[.eE]/.test(text) && !/^0[xX]/.test(text)) return BigInt(Math.trunc(Number(text)));
  return BigInt(text);
}

/**
 * The subset's integer semantics on exact values: the reference that both backends implement and
 * that the differential tests compare against. `exact` folds untyped constants without wrapping.
 */
export function evalBinary(op: ts.SyntaxKind, t: IntType, a: bigint, b: bigint, exact = false): bigint {
  const w = (v: bigint) => (exact ? v : wrap(t, v));
  const width = BigInt(t.bits === 64 ? 64 : 32);
  const asBits = (v: bigint) => BigInt.asUintN(t.bits, v);
  switch (op) {
    case ts.SyntaxKind.PlusToken: return w(a + b);
    case ts.SyntaxKind.MinusToken: return w(a - b);
    case ts.SyntaxKind.AsteriskToken: return w(a * b);
    case ts.SyntaxKind.SlashToken: if (b === 0n) throw new Error("division by zero"); return w(a / b);
    case ts.SyntaxKind.PercentToken: if (b === 0n) throw new Error("division by zero"); return w(a % b);
    case ts.SyntaxKind.AmpersandToken: return w(a & b);
    case ts.SyntaxKind.BarToken: return w(a | b);
    case ts.SyntaxKind.CaretToken: return w(a ^ b);
    case ts.SyntaxKind.LessThanLessThanToken: return w(a << (BigInt.asUintN(64, b) % width));
    case ts.SyntaxKind.GreaterThanGreaterThanToken: return w(a >> (BigInt.asUintN(64, b) % width));
    case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken: return w(asBits(a) >> (BigInt.asUintN(64, b) % width));
    default: throw new Error(`not a binary integer operator: ${ts.SyntaxKind[op]}`);
  }
}
