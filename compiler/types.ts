// The subset's type model, shared by the checker and both backends.
import type ts from "typescript";

export type IntName = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64";
export const INT_NAMES: readonly IntName[] = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];

export interface IntType { k: "int"; name: IntName; bits: 8 | 16 | 32 | 64; signed: boolean }
/** An integer constant that has not yet met a type (a literal, a const enum member). */
export interface LitType { k: "lit"; value: bigint; big: boolean }
export interface ClassType { k: "class"; cls: ClassInfo }
/** A fixed array: of integers (typed arrays) or of class instances (pools). */
export interface ArrayType { k: "array"; elem: IntType | ClassType; length: number }
export type Type =
  | IntType | LitType | ClassType | ArrayType
  | { k: "bool" } | { k: "void" } | { k: "never" } | { k: "string" };

export const BOOL: Type = { k: "bool" };
export const VOID: Type = { k: "void" };
export const NEVER: Type = { k: "never" };
export const STRING: Type = { k: "string" };

const INTS = new Map<IntName, IntType>(INT_NAMES.map((n) => [n, {
  k: "int", name: n, bits: Number(n.slice(1)) as IntType["bits"], signed: n[0] === "i",
}]));
export function int(name: IntName): IntType { return INTS.get(name)!; }
export function isIntName(s: string): s is IntName { return INTS.has(s as IntName); }

export function typeName(t: Type): string {
  switch (t.k) {
    case "int": return t.name;
    case "lit": return "integer constant";
    case "class": return t.cls.name;
    case "array": return `${t.elem.k === "int" ? t.elem.name : t.elem.cls.name}[${t.length}]`;
    default: return t.k;
  }
}

export function sameType(a: Type, b: Type): boolean {
  if (a.k !== b.k) return false;
  if (a.k === "int") return a.name === (b as IntType).name;
  if (a.k === "class") return a.cls === (b as ClassType).cls;
  if (a.k === "array") return sameType(a.elem, (b as ArrayType).elem) && a.length === (b as ArrayType).length;
  return true;
}

export function intRange(t: IntType): [bigint, bigint] {
  const w = BigInt(t.bits);
  return t.signed ? [-(1n << (w - 1n)), (1n << (w - 1n)) - 1n] : [0n, (1n << w) - 1n];
}

/** Wraps an exact value into the type, as a store into a register of that width does. */
export function wrap(t: IntType, v: bigint): bigint {
  return t.signed ? BigInt.asIntN(t.bits, v) : BigInt.asUintN(t.bits, v);
}

export interface FieldInfo {
  name: string;
  type: Type;            // int, bool, class (embedded when `embedded`, else a reference), array
  embedded: boolean;     // initialised with `new` in the declaration: storage inside the object
  decl: ts.PropertyDeclaration;
  offset: number;        // byte offset in the C struct (natural alignment, declaration order)
}

export interface ClassInfo {
  name: string;
  cName: string;
  decl: ts.ClassDeclaration;
  fields: FieldInfo[];
  methods: Map<string, FuncInfo>;
  ctor: FuncInfo | null;
  size: number;
  align: number;
  /** True when creating an instance needs code: a constructor body or a non-constant initialiser. */
  needsInit: boolean;
}

export interface FuncInfo {
  name: string;
  cName: string;
  decl: ts.FunctionDeclaration | ts.MethodDeclaration | ts.ConstructorDeclaration;
  params: { name: string; type: Type }[];
  ret: Type;
  cls: ClassInfo | null;
  exported: boolean;
  /** `declare function`: implemented outside the subset (assembly); C sees an extern prototype. */
  external?: boolean;
  /** Tagged `@cold` in its JSDoc: rarely run, compiled for size out of the hot paths' way (compiler/check/shape-tags.ts). */
  cold?: boolean;
  /** Tagged `@noinline`: kept out of line (compiler/check/shape-tags.ts). */
  noinline?: boolean;
  module: ModuleInfo;
}

export interface ModuleInfo {
  file: string;
  sf: ts.SourceFile;
  tag: string;           // short name used to keep C names of private symbols apart
}

/** Size and alignment of a value of this type inside a struct or array. */
export function layoutOf(t: Type, embedded: boolean): { size: number; align: number } {
  switch (t.k) {
    case "int": return { size: t.bits / 8, align: t.bits / 8 };
    case "bool": return { size: 1, align: 1 };
    case "class": return embedded ? { size: t.cls.size, align: t.cls.align } : { size: 8, align: 8 };
    case "array": {
      const e = layoutOf(t.elem, true);
      return { size: e.size * t.length, align: e.align };
    }
    default: throw new Error(`no layout for ${typeName(t)}`);
  }
}
