// What the subset checker hands the backends (class Checked): every declaration with its C name
// and layout, the subset type of every expression, what each name and call refers to, and the
// facts that let the C leave out a run-time check. Both backends read it; neither re-decides.
import type ts from "typescript";
import {
  type Type, type IntType, type ClassInfo, type FieldInfo, type FuncInfo, type ModuleInfo,
} from "./types.ts";
import { type Loaded } from "./program.ts";

export interface GlobalInfo {
  name: string;
  cName: string;
  module: ModuleInfo;
  decl: ts.VariableDeclaration;
  exported: boolean;
  /** const: a compile-time constant; var: a module variable; object: a static instance; array: a static array or pool. */
  kind: "const" | "var" | "object" | "array";
  type: Type;
  init: ts.Expression | null;
  value: bigint | null;        // for consts (and vars with a constant initialiser)
  align: number;               // requested alignment for arrays (0: natural)
  runtimeInit: boolean;        // initialised by code in bh_init rather than statically
}

export interface EnumInfo { name: string; cName: string; members: { name: string; cName: string; value: bigint }[] }

export interface LocalInfo { name: string; cName: string; type: Type; isParam: boolean; used: boolean }

export type Ref =
  | { k: "local"; local: LocalInfo }
  | { k: "global"; g: GlobalInfo }
  | { k: "enum"; e: EnumInfo; value: bigint; member: string }
  | { k: "field"; field: FieldInfo; cls: ClassInfo }
  | { k: "length"; length: number }
  | { k: "strlen" }
  | { k: "this" };

export type Callee =
  | { k: "func"; f: FuncInfo }
  | { k: "method"; f: FuncInfo; receiver: ts.Expression }
  | { k: "convert"; to: IntType }
  | { k: "intrinsic"; name: string }
  | { k: "charCodeAt"; receiver: ts.Expression };

/**
 * Whether `new C(...)` of class cls needs code at run time (rather than static zeroed storage):
 * the class's own init (Checked settles ClassInfo.needsInit), or arguments for its constructor.
 */
export function newNeedsCode(cls: ClassInfo, ne: ts.NewExpression): boolean {
  return cls.needsInit || (ne.arguments?.length ?? 0) > 0;
}

export class Checked {
  readonly modules: ModuleInfo[] = [];
  readonly classes: ClassInfo[] = [];
  readonly funcs: FuncInfo[] = [];
  readonly globals: GlobalInfo[] = [];
  readonly enums: EnumInfo[] = [];
  /** The subset type of every expression (after contextual typing of constants). */
  readonly types = new Map<ts.Node, Type>();
  /** Folded values of constant expressions (literals, enum members, conversions of constants). */
  readonly consts = new Map<ts.Node, bigint>();
  readonly refs = new Map<ts.Node, Ref>();
  readonly callees = new Map<ts.CallExpression, Callee>();
  readonly locals = new Map<ts.Node, LocalInfo>();
  /** Element accesses whose index is proved in range (no run-time check). */
  readonly inRange = new Set<ts.ElementAccessExpression>();
  /** Divisions and remainders whose divisor is a non-zero constant (no run-time check). */
  readonly safeDivisor = new Set<ts.BinaryExpression>();
  readonly classOf = new Map<ts.ClassDeclaration, ClassInfo>();
  readonly funcOf = new Map<ts.Node, FuncInfo>();
  readonly globalOf = new Map<ts.Node, GlobalInfo>();
  readonly enumOf = new Map<ts.Node, EnumInfo>();
  readonly intrinsicsUsed = new Set<string>();
  /** Initial contents of constant tables (`new Uint32Array([...])`), by their `new` expression. */
  readonly tables = new Map<ts.NewExpression, bigint[]>();
  readonly sysregsUsed = new Map<string, Set<"r" | "w">>();
  readonly calls = new Map<FuncInfo, Set<FuncInfo>>();
  readonly localsOf = new Map<FuncInfo, LocalInfo[]>();
  constructor(readonly loaded: Loaded) {}
}
