// The C spelling of the subset's types, integer constants and strings, and the parenthesis
// trimming that keeps the generated C readable. Shared by the C backend's parts.
import { type Type, type IntType, typeName } from "./types.ts";

/** The C type of each integer type. */
export const CTYPE: Record<string, string> = {
  u8: "uint8_t", u16: "uint16_t", u32: "uint32_t", u64: "uint64_t",
  i8: "int8_t", i16: "int16_t", i32: "int32_t", i64: "int64_t",
};

export function cType(t: Type): string {
  switch (t.k) {
    case "int": return CTYPE[t.name];
    case "bool": return "bool";
    case "void": case "never": return "void";
    case "string": return "const char *";
    case "class": return `${t.cls.cName} *`;
    case "array": return `${t.elem.k === "int" ? CTYPE[t.elem.name] : t.elem.cls.cName} *`;
    default: throw new Error(`no C type for ${typeName(t)}`);
  }
}

/** A C integer constant of type t (decimal unless the source spelled it in hex). */
export function cLiteral(v: bigint, t: IntType, hex = false): string {
  const suffix = t.bits === 64 ? (t.signed ? "ll" : "ull") : t.signed ? "" : "u";
  const [min] = t.signed ? [-(1n << BigInt(t.bits - 1))] : [0n];
  // The most negative 32/64-bit value has no literal of its own (the positive part would overflow).
  if (t.signed && v === min && t.bits >= 32) return t.bits === 64 ? "(-9223372036854775807ll - 1)" : `(-2147483647 - 1)`;
  const body = v < 0n ? `-${fmt(-v, hex)}` : fmt(v, hex || v > 0xffffn);
  const lit = `${body}${suffix}`;
  return v < 0n ? `(${lit})` : lit;
}
const fmt = (v: bigint, hex: boolean) => (hex && v > 9n ? `0x${v.toString(16)}` : v.toString());

/** Drops one pair of outer parentheses where the context is itself delimited. */
export function strip(s: string): string {
  if (!s.startsWith("(") || !s.endsWith(")")) return s;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")") depth--;
    else if (s[i] === '"') { i++; while (i < s.length && s[i] !== '"') { if (s[i] === "\\") i++; i++; } }
    if (depth === 0 && i < s.length - 1) return s;
  }
  return s.slice(1, -1);
}

/** A C string literal of the text (which the checker keeps to printable ASCII, \n, \t and \r). */
export function cString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r")}"`;
}
