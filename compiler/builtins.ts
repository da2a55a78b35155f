// The subset's ambient names that are not plain declarations: the intrinsics (src/intrinsics.d.ts),
// with the argument kinds the checker demands and the effect that evaluation-order checking needs,
// the typed arrays that hold integers of one width, and the array inside `aligned(...)`.
import ts from "typescript";
import { type Type, type IntName, VOID, NEVER, int } from "./types.ts";

/**
 * An intrinsic's parameters (an integer type, a string, an object, or a string literal naming a
 * system register or an operation), its result, and what it does to memory: pure (nothing), read
 * (reads it), write (may change it, or orders accesses to it).
 */
export const INTRINSIC_SIGS: Record<string, { params: (IntName | "string" | "object" | "sysreg" | "word")[]; ret: Type; effect: "pure" | "read" | "write" }> = {
  mmioRead8: { params: ["u64"], ret: int("u8"), effect: "write" },
  mmioRead16: { params: ["u64"], ret: int("u16"), effect: "write" },
  mmioRead32: { params: ["u64"], ret: int("u32"), effect: "write" },
  mmioRead64: { params: ["u64"], ret: int("u64"), effect: "write" },
  mmioWrite8: { params: ["u64", "u8"], ret: VOID, effect: "write" },
  mmioWrite16: { params: ["u64", "u16"], ret: VOID, effect: "write" },
  mmioWrite32: { params: ["u64", "u32"], ret: VOID, effect: "write" },
  mmioWrite64: { params: ["u64", "u64"], ret: VOID, effect: "write" },
  load8: { params: ["u64"], ret: int("u8"), effect: "read" },
  load16: { params: ["u64"], ret: int("u16"), effect: "read" },
  load32: { params: ["u64"], ret: int("u32"), effect: "read" },
  load64: { params: ["u64"], ret: int("u64"), effect: "read" },
  store8: { params: ["u64", "u8"], ret: VOID, effect: "write" },
  store16: { params: ["u64", "u16"], ret: VOID, effect: "write" },
  store32: { params: ["u64", "u32"], ret: VOID, effect: "write" },
  store64: { params: ["u64", "u64"], ret: VOID, effect: "write" },
  addressOf: { params: ["object"], ret: int("u64"), effect: "pure" },
  ctz32: { params: ["u32"], ret: int("u32"), effect: "pure" },
  atomicFetchAdd32: { params: ["u64", "u32"], ret: int("u32"), effect: "write" },
  atomicCompareSwap32: { params: ["u64", "u32", "u32"], ret: int("u32"), effect: "write" },
  loadAcquire32: { params: ["u64"], ret: int("u32"), effect: "write" },
  storeRelease32: { params: ["u64", "u32"], ret: VOID, effect: "write" },
  mrs: { params: ["sysreg"], ret: int("u64"), effect: "read" },
  msr: { params: ["sysreg", "u64"], ret: VOID, effect: "write" },
  dsb: { params: ["word"], ret: VOID, effect: "write" },
  dmb: { params: ["word"], ret: VOID, effect: "write" },
  isb: { params: [], ret: VOID, effect: "write" },
  tlbi: { params: ["word"], ret: VOID, effect: "write" },
  tlbiAddr: { params: ["word", "u64"], ret: VOID, effect: "write" },
  dc: { params: ["word", "u64"], ret: VOID, effect: "write" },
  ic: { params: ["word"], ret: VOID, effect: "write" },
  wfi: { params: [], ret: VOID, effect: "write" },
  wfe: { params: [], ret: VOID, effect: "write" },
  sev: { params: [], ret: VOID, effect: "write" },
  smc: { params: ["u64", "u64", "u64", "u64"], ret: int("u64"), effect: "write" },
  hvc: { params: ["u64", "u64", "u64", "u64"], ret: int("u64"), effect: "write" },
  panic: { params: ["string"], ret: NEVER, effect: "write" },
};
export const INTRINSICS = new Set(Object.keys(INTRINSIC_SIGS));

/** The typed arrays by name, and the integer type of their elements. */
export const TYPED_ARRAYS: Record<string, IntName> = {
  Uint8Array: "u8", Uint16Array: "u16", Uint32Array: "u32", BigUint64Array: "u64",
  Int8Array: "i8", Int16Array: "i16", Int32Array: "i32", BigInt64Array: "i64",
};
export const TYPED_ARRAY_OF: Record<IntName, string> = Object.fromEntries(
  Object.entries(TYPED_ARRAYS).map(([k, v]) => [v, k])) as Record<IntName, string>;

/** The array expression inside an `aligned(...)` initialiser. */
export function unaligned(e: ts.Expression | null): ts.Expression | null {
  return e && ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "aligned" ? e.arguments[0] : e;
}
