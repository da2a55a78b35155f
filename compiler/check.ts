// The subset checker: walks the TypeScript AST of a loaded program, rejects everything outside
// the subset with a located message that says what to write instead, and gives every
// expression its subset type. Both backends read the result (class Checked); neither re-decides.
import ts from "typescript";
import path from "node:path";
import {
  type Type, type IntType, type LitType, type ClassType, type ArrayType, type IntName,
  type ClassInfo, type FieldInfo, type FuncInfo, type ModuleInfo,
  BOOL, VOID, NEVER, STRING, int, isIntName, sameType, typeName, intRange, wrap, layoutOf,
} from "./types.ts";
import { CompileError, formatAt } from "./diag.ts";
import { type Loaded } from "./program.ts";
import { SYSREGS } from "./sysregs.ts";

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

const INTRINSIC_SIGS: Record<string, { params: (IntName | "string" | "object" | "sysreg" | "word")[]; ret: Type; effect: "pure" | "read" | "write" }> = {
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

const TYPED_ARRAYS: Record<string, IntName> = {
  Uint8Array: "u8", Uint16Array: "u16", Uint32Array: "u32", BigUint64Array: "u64",
  Int8Array: "i8", Int16Array: "i16", Int32Array: "i32", BigInt64Array: "i64",
};
export const TYPED_ARRAY_OF: Record<IntName, string> = Object.fromEntries(
  Object.entries(TYPED_ARRAYS).map(([k, v]) => [v, k])) as Record<IntName, string>;

/** Names the C output reserves: keywords, its own types, and the receiver of methods. */
const C_RESERVED = new Set(("auto char double extern float goto inline int long register restrict short signed sizeof " +
  "static struct typedef union unsigned volatile bool true false self main NULL uint8_t uint16_t uint32_t uint64_t " +
  "int8_t int16_t int32_t int64_t uintptr_t size_t _Bool offsetof").split(" "));

/** How an expression may interact with another evaluated in an unspecified order in C. */
interface Effects { writes: boolean; reads: boolean }
const NONE: Effects = { writes: false, reads: false };
const join = (a: Effects, b: Effects): Effects => ({ writes: a.writes || b.writes, reads: a.reads || b.reads });

interface FnCtx { fn: FuncInfo; locals: Map<ts.Node, LocalInfo>; loopVars: Map<LocalInfo, number> }

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

export function check(loaded: Loaded): Checked {
  const c = new Checker(loaded);
  c.run();
  if (c.errors.length) throw new CompileError(c.errors);
  return c.out;
}

class Checker {
  readonly out: Checked;
  readonly errors: string[] = [];
  private readonly tc: ts.TypeChecker;
  private fn: FnCtx | null = null;
  private globalNames = new Set<string>();

  constructor(loaded: Loaded) {
    this.out = new Checked(loaded);
    this.tc = loaded.checker;
  }

  private err(node: ts.Node, msg: string): void {
    this.errors.push(formatAt(node, msg));
    this.erred.push(node);
  }

  /** Nodes already reported: an expression that contains one has no type worth a second message. */
  private readonly erred: ts.Node[] = [];
  private reportedWithin(e: ts.Node): boolean {
    const sf = e.getSourceFile();
    return this.erred.some((n) => n.getSourceFile() === sf && n.pos >= e.pos && n.end <= e.end);
  }

  run(): void {
    const { files } = this.out.loaded;
    const tags = new Set<string>();
    for (const sf of files) {
      let tag = path.basename(sf.fileName).replace(/\.ts$/, "").replace(/[^A-Za-z0-9_]/g, "_");
      while (tags.has(tag)) tag += "_";
      tags.add(tag);
      this.out.modules.push({ file: sf.fileName, sf, tag });
    }
    // Pass 0: class names, so that a field, parameter or result may name a class declared further down.
    for (const m of this.out.modules) for (const st of m.sf.statements) if (ts.isClassDeclaration(st) && st.name) this.registerClass(st);
    // Pass 1: declarations (so that uses may precede them, as in TypeScript).
    for (const m of this.out.modules) for (const st of m.sf.statements) this.declare(m, st);
    this.assignCNames();
    for (const cls of this.out.classes) this.layoutClass(cls, new Set());
    // Pass 2: bodies.
    for (const g of this.out.globals) this.checkGlobalInit(g);
    for (const cls of this.out.classes) this.checkClassBodies(cls);
    this.settleInit();
    for (const f of this.out.funcs) if (!f.cls && !f.external) this.checkFunction(f);
    this.checkRecursion();
  }

  // ---------------------------------------------------------------- declarations

  private isExported(node: ts.Node): boolean {
    return !!(ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Export);
  }

  private declare(m: ModuleInfo, st: ts.Statement): void {
    if (ts.isImportDeclaration(st)) {
      const cl = st.importClause;
      if (cl && (cl.name || (cl.namedBindings && ts.isNamespaceImport(cl.namedBindings))))
        this.err(st, "default and namespace imports are not in the subset; import names: `import { a, b } from \"./m.ts\"`");
      return;
    }
    if (ts.isExportDeclaration(st)) {
      // export { a, b } of local names, or named re-exports from another module (the names keep
      // their one declaration; importers resolve through them to it). Not `export *`.
      if (st.exportClause && ts.isNamedExports(st.exportClause)) return;
      this.err(st, "`export *` is not in the subset; re-export names: `export { a, b } from \"./m.ts\"`");
      return;
    }
    if (ts.isFunctionDeclaration(st)) {
      const isDeclare = st.modifiers?.some((mo) => mo.kind === ts.SyntaxKind.DeclareKeyword);
      if (!st.body && !isDeclare) { this.err(st, "a function needs a body (or `declare function` for one written in assembly)"); return; }
      const f = this.declareFunction(m, st, null);
      if (isDeclare) {
        f.external = true;
        f.exported = true;
      }
      return;
    }
    if (ts.isClassDeclaration(st)) { this.declareClass(m, st); return; }
    if (ts.isEnumDeclaration(st)) { this.declareEnum(st); return; }
    if (ts.isVariableStatement(st)) {
      const flags = st.declarationList.flags;
      if (!(flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) {
        this.err(st, "`var` is not in the subset; write `let` or `const`");
        return;
      }
      for (const d of st.declarationList.declarations) this.declareGlobal(m, d, !!(flags & ts.NodeFlags.Const), this.isExported(st));
      return;
    }
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
      this.err(st, "interfaces and type aliases are not in the subset; use a class, or the integer types directly");
      return;
    }
    if (ts.isEmptyStatement(st)) return;
    this.err(st, "only declarations may appear at module level; put statements in a function");
  }

  private declareFunction(m: ModuleInfo, decl: FuncInfo["decl"], cls: ClassInfo | null): FuncInfo {
    const name = ts.isConstructorDeclaration(decl) ? "init" : (decl.name as ts.Identifier).text;
    if (decl.asteriskToken) this.err(decl, "generators are not in the subset; write a loop");
    if (decl.modifiers?.some((mo) => mo.kind === ts.SyntaxKind.AsyncKeyword)) this.err(decl, "async functions are not in the subset; there is no event loop: write a synchronous function");
    if (decl.typeParameters) this.err(decl, "generic functions are not in the subset; write one function per type");
    const params = decl.parameters.map((p) => {
      if (!ts.isIdentifier(p.name)) this.err(p, "destructuring parameters are not in the subset; take the values one by one");
      if (p.initializer || p.questionToken || p.dotDotDotToken) this.err(p, "optional, default and rest parameters are not in the subset; pass every argument");
      return { name: (p.name as ts.Identifier).text, type: this.typeFromNode(p.type, p, "parameter") };
    });
    let ret: Type = VOID;
    if (ts.isConstructorDeclaration(decl)) ret = VOID;
    else if (!decl.type) this.err(decl, "give the function its result type: `function f(...): u32` or `: void`");
    else ret = this.typeFromNode(decl.type, decl, "result");
    const f: FuncInfo = { name, cName: name, decl, params, ret, cls, exported: !cls && this.isExported(decl), module: m };
    this.out.funcs.push(f);
    this.out.funcOf.set(decl, f);
    return f;
  }

  private registerClass(decl: ts.ClassDeclaration): ClassInfo {
    const cls: ClassInfo = {
      name: decl.name!.text, cName: decl.name!.text, decl, fields: [], methods: new Map(), ctor: null,
      size: 0, align: 1, needsInit: false,
    };
    this.out.classes.push(cls);
    this.out.classOf.set(decl, cls);
    return cls;
  }

  private declareClass(m: ModuleInfo, decl: ts.ClassDeclaration): void {
    if (!decl.name) { this.err(decl, "a class needs a name"); return; }
    if (decl.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword))
      this.err(decl, "inheritance is not in the subset; embed the other class as a field (`base = new Base()`)");
    if (decl.typeParameters) this.err(decl, "generic classes are not in the subset");
    const cls = this.out.classOf.get(decl) ?? this.registerClass(decl);
    for (const mem of decl.members) {
      const isStatic = ts.getCombinedModifierFlags(mem) & ts.ModifierFlags.Static;
      if (isStatic) { this.err(mem, "static members are not in the subset; use a module-level const or function"); continue; }
      if (mem.name && ts.isPrivateIdentifier(mem.name)) { this.err(mem, "#private names are not in the subset; use the `private` keyword"); continue; }
      if (ts.isPropertyDeclaration(mem)) this.declareField(cls, mem);
      else if (ts.isMethodDeclaration(mem)) {
        if (!mem.body) { this.err(mem, "a method needs a body"); continue; }
        cls.methods.set((mem.name as ts.Identifier).text, this.declareFunction(m, mem, cls));
      } else if (ts.isConstructorDeclaration(mem)) {
        if (mem.parameters.some((p) => ts.getCombinedModifierFlags(p) & ts.ModifierFlags.ParameterPropertyModifier))
          this.err(mem, "parameter properties are not in the subset; declare the field and assign it in the constructor");
        cls.ctor = this.declareFunction(m, mem, cls);
      } else if (ts.isSemicolonClassElement(mem)) continue;
      else this.err(mem, "accessors and index signatures are not in the subset; write a method");
    }
  }

  private declareField(cls: ClassInfo, p: ts.PropertyDeclaration): void {
    const name = (p.name as ts.Identifier).text;
    if (!ts.isIdentifier(p.name)) { this.err(p, "computed field names are not in the subset"); return; }
    if (p.exclamationToken || p.questionToken) this.err(p, "optional and `!` fields are not in the subset; initialise the field or assign it in the constructor");
    let type: Type;
    let embedded = false;
    const init = p.initializer;
    const arr = init && this.typedArrayNew(init);
    if (arr && this.out.tables.has(init as ts.NewExpression)) this.err(init!, "a field's array starts zeroed; put constant tables at module level");
    if (arr) { type = arr; embedded = true; }
    else if (init && ts.isNewExpression(init) && ts.isIdentifier(init.expression)) {
      const target = this.classByName(init.expression);
      if (!target) { this.err(init, "only subset classes and typed arrays can be created here"); return; }
      type = { k: "class", cls: target };
      embedded = true;
    } else if (p.type) type = this.typeFromNode(p.type, p, "field");
    else { this.err(p, "give the field a type: `x: u32 = 0`"); return; }
    cls.fields.push({ name, type, embedded, decl: p, offset: 0 });
  }

  private declareEnum(decl: ts.EnumDeclaration): void {
    if (!(ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Const)) {
      this.err(decl, "only `const enum` is in the subset; write `const enum " + decl.name.text + " { ... }`");
      return;
    }
    const info: EnumInfo = { name: decl.name.text, cName: decl.name.text, members: [] };
    for (const mem of decl.members) {
      const v = this.tc.getConstantValue(mem);
      if (typeof v !== "number" || !Number.isInteger(v)) { this.err(mem, "const enum members must be integers"); continue; }
      if (v < 0 || v > 0xffffffff) { this.err(mem, `enum member value ${v} is outside u32; use a module-level const of type u64 or i32`); continue; }
      const mname = (mem.name as ts.Identifier).text;
      info.members.push({ name: mname, cName: `${info.name}_${mname}`, value: BigInt(v) });
    }
    this.out.enums.push(info);
    this.out.enumOf.set(decl, info);
  }

  private declareGlobal(m: ModuleInfo, d: ts.VariableDeclaration, isConst: boolean, exported: boolean): void {
    if (!ts.isIdentifier(d.name)) { this.err(d, "destructuring is not in the subset; declare each name"); return; }
    const name = d.name.text;
    const g: GlobalInfo = {
      name, cName: name, module: m, decl: d, exported, kind: "var", type: VOID, init: d.initializer ?? null,
      value: null, align: 0, runtimeInit: false,
    };
    let init = d.initializer;
    if (!init) { this.err(d, "a module-level variable needs an initial value"); return; }
    // aligned(new Uint64Array(n), bytes) / aligned(pool(n, C), bytes)
    if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === "aligned") {
      const [a, b] = init.arguments;
      const bytes = b ? this.constValueOf(b, int("u32")) : null;
      if (bytes === null || bytes <= 0n || (bytes & (bytes - 1n)) !== 0n || bytes > 65536n)
        this.err(init, "aligned() takes a power-of-two byte count up to 65536 as its second argument");
      else g.align = Number(bytes);
      init = a;
    }
    const arr = init && this.typedArrayNew(init);
    if (arr) { g.kind = "array"; g.type = arr; }
    else if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === "pool") {
      const [n, c] = init.arguments;
      const count = n ? this.constValueOf(n, int("u32")) : null;
      const cls = c && ts.isIdentifier(c) ? this.classByName(c) : null;
      if (count === null || count <= 0n || !cls) { this.err(init, "write `pool(N, ClassName)` with a constant N > 0"); return; }
      g.kind = "array";
      g.type = { k: "array", elem: { k: "class", cls }, length: Number(count) };
    } else if (init && ts.isNewExpression(init) && ts.isIdentifier(init.expression)) {
      const cls = this.classByName(init.expression);
      if (!cls) { this.err(init, "only subset classes and typed arrays can be created with `new`"); return; }
      if (!isConst) this.err(d, "a static instance is bound once: declare it with `const`");
      g.kind = "object";
      g.type = { k: "class", cls };
    } else if (g.align) {
      this.err(init!, "aligned() applies to `new <TypedArray>(n)` or `pool(n, Class)`");
      return;
    } else {
      g.kind = isConst ? "const" : "var";
      g.type = d.type ? this.typeFromNode(d.type, d, "variable") : VOID;
      if (!d.type) {
        // const X = <expression of a known type>: the type comes from the initialiser, checked later.
        g.type = { k: "never" };
      }
    }
    this.out.globals.push(g);
    this.out.globalOf.set(d, g);
  }

  /**
   * Evaluates a constant needed while declaring (array lengths, pool sizes, alignments): literals,
   * const enum members, module-level consts and operators over them. Independent of declaration order.
   */
  private constValueOf(e: ts.Expression, t: IntType, depth = 0): bigint | null {
    if (depth > 32) return null;
    if (isLiteral(e)) {
      if (isFloatLiteral(e)) { this.err(e, "floating-point numbers are not in the subset; write an integer"); return null; }
      return litValue(e);
    }
    if (ts.isParenthesizedExpression(e)) return this.constValueOf(e.expression, t, depth + 1);
    if (ts.isPrefixUnaryExpression(e)) {
      const v = this.constValueOf(e.operand, t, depth + 1);
      if (v === null) return null;
      return e.operator === ts.SyntaxKind.MinusToken ? -v : e.operator === ts.SyntaxKind.TildeToken ? ~v : null;
    }
    if (ts.isBinaryExpression(e) && (ARITH.has(e.operatorToken.kind) || e.operatorToken.kind === ts.SyntaxKind.LessThanLessThanToken
      || e.operatorToken.kind === ts.SyntaxKind.GreaterThanGreaterThanToken)) {
      const a = this.constValueOf(e.left, t, depth + 1);
      const b = this.constValueOf(e.right, t, depth + 1);
      if (a === null || b === null || ((e.operatorToken.kind === ts.SyntaxKind.SlashToken || e.operatorToken.kind === ts.SyntaxKind.PercentToken) && b === 0n)) return null;
      return evalBinary(e.operatorToken.kind, t, a, b, true);
    }
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && isIntName(e.expression.text) && e.arguments.length === 1) {
      const v = this.constValueOf(e.arguments[0], t, depth + 1);
      return v === null ? null : wrap(int(e.expression.text), v);
    }
    if (ts.isPropertyAccessExpression(e)) {
      const sym = this.resolve(e);
      const decl = sym?.valueDeclaration;
      if (decl && ts.isEnumMember(decl)) {
        const v = this.tc.getConstantValue(decl);
        return typeof v === "number" ? BigInt(v) : null;
      }
      return null;
    }
    if (ts.isIdentifier(e)) {
      const decl = this.resolve(e)?.valueDeclaration;
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer && decl.parent.flags & ts.NodeFlags.Const
        && ts.isSourceFile(decl.parent.parent.parent)) return this.constValueOf(decl.initializer, t, depth + 1);
    }
    return null;
  }

  private typedArrayNew(e: ts.Expression): ArrayType | null {
    if (!ts.isNewExpression(e) || !ts.isIdentifier(e.expression)) return null;
    const elem = TYPED_ARRAYS[e.expression.text];
    if (!elem) return null;
    const arg = e.arguments?.[0];
    if (arg && ts.isArrayLiteralExpression(arg) && e.arguments!.length === 1) return this.arrayTable(e, arg, int(elem));
    const n = arg && (e.arguments!.length === 1) ? this.constValueOf(arg, int("u32")) : null;
    if (n === null || n <= 0n || n > 0x1000000n) {
      this.err(e, `write \`new ${e.expression.text}(N)\` with a constant length N (1 to 16M)`);
      return { k: "array", elem: int(elem), length: 1 };
    }
    return { k: "array", elem: int(elem), length: Number(n) };
  }

  /** `new Uint32Array([1, 2, 3])`: a constant table, initialised statically. */
  private arrayTable(e: ts.NewExpression, list: ts.ArrayLiteralExpression, elem: IntType): ArrayType {
    const values: bigint[] = [];
    const [lo, hi] = intRange(elem);
    for (const x of list.elements) {
      const v = this.constValueOf(x as ts.Expression, elem);
      if (v === null) this.err(x, "table elements must be constants");
      else if (v < lo || v > hi) this.err(x, `${x.getText()} does not fit in ${elem.name} (${lo}..${hi}); write a value in range`);
      values.push(v ?? 0n);
    }
    if (!values.length) this.err(e, "a table needs at least one element");
    this.out.tables.set(e, values);
    return { k: "array", elem, length: Math.max(values.length, 1) };
  }

  private classByName(id: ts.Identifier): ClassInfo | null {
    const sym = this.resolve(id);
    const decl = sym?.valueDeclaration;
    return decl && ts.isClassDeclaration(decl) ? this.out.classOf.get(decl) ?? null : null;
  }

  private resolve(id: ts.Node): ts.Symbol | undefined {
    let sym = this.tc.getSymbolAtLocation(id);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.tc.getAliasedSymbol(sym);
    return sym;
  }

  /** The subset type that a type annotation names. */
  private typeFromNode(t: ts.TypeNode | undefined, at: ts.Node, what: string): Type {
    if (!t) { this.err(at, `give the ${what} a type, such as u32, u64, bool or a class name`); return VOID; }
    if (t.kind === ts.SyntaxKind.VoidKeyword) return VOID;
    if (t.kind === ts.SyntaxKind.BooleanKeyword) return BOOL;
    if (t.kind === ts.SyntaxKind.StringKeyword) return STRING;
    if (t.kind === ts.SyntaxKind.NeverKeyword) return NEVER;
    if (t.kind === ts.SyntaxKind.NumberKeyword || t.kind === ts.SyntaxKind.BigIntKeyword) {
      this.err(t, `\`${t.getText()}\` has no width; write u8, u16, u32, i32 (number) or u64, i64 (bigint)`);
      return int("u32");
    }
    if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && !t.typeArguments) {
      const n = t.typeName.text;
      if (isIntName(n)) return int(n);
      if (n === "bool") return BOOL;
      const sym = this.resolve(t.typeName);
      const decl = sym?.declarations?.[0];
      if (decl && ts.isClassDeclaration(decl) && this.out.classOf.has(decl)) return { k: "class", cls: this.out.classOf.get(decl)! };
      if (decl && ts.isEnumDeclaration(decl)) return int("u32");
      if (TYPED_ARRAYS[n]) {
        this.err(t, "an array's length is part of its type; use a module-level array or a class field holding it");
        return VOID;
      }
    }
    const text = t.getText();
    if (text === "any" || text === "unknown") this.err(t, `\`${text}\` is not in the subset; name the type (u32, u64, bool, a class)`);
    else if (ts.isUnionTypeNode(t)) this.err(t, "union types are not in the subset; use a const enum, or a bool beside the value");
    else this.err(t, `type \`${text}\` is not in the subset; use u8…u64, i8…i64, bool, a const enum or a class`);
    return VOID;
  }

  // ---------------------------------------------------------------- C names and layout

  private assignCNames(): void {
    const taken = new Map<string, string>(); // C name -> owner description
    const claim = (want: string, tag: string, exported: boolean, at: ts.Node, what: string): string => {
      let name = C_RESERVED.has(want) || (want.startsWith("bh_") && !(exported && want === "bh_panic")) ? `${want}_` : want;
      if (taken.has(name)) {
        if (exported) {
          this.err(at, `exported ${what} \`${want}\` is also declared elsewhere (${taken.get(name)}); exported names are C symbols and must be unique in the program`);
          return name;
        }
        name = `${tag}_${want}`;
        while (taken.has(name)) name += "_";
      }
      taken.set(name, `${path.basename(at.getSourceFile().fileName)}`);
      return name;
    };
    // Exported symbols first: they keep their names.
    for (const f of this.out.funcs) if (f.exported) f.cName = claim(f.name, f.module.tag, true, f.decl, "function");
    for (const g of this.out.globals) if (g.exported) g.cName = claim(g.name, g.module.tag, true, g.decl, "variable");
    for (const cls of this.out.classes) {
      const m = this.out.modules.find((mm) => mm.sf === cls.decl.getSourceFile())!;
      cls.cName = claim(cls.name, m.tag, false, cls.decl, "class");
    }
    for (const f of this.out.funcs) {
      if (f.exported) continue;
      f.cName = f.cls ? claim(`${f.cls.cName}_${f.name}`, f.module.tag, false, f.decl, "method") : claim(f.name, f.module.tag, false, f.decl, "function");
    }
    for (const g of this.out.globals) if (!g.exported) g.cName = claim(g.name, g.module.tag, false, g.decl, "variable");
    for (const e of this.out.enums) for (const mem of e.members) mem.cName = claim(mem.cName, "", false, this.enumDecl(e), "enum member");
    this.globalNames = new Set(taken.keys());
  }

  private enumDecl(e: EnumInfo): ts.Node {
    for (const [n, info] of this.out.enumOf) if (info === e) return n;
    throw new Error("enum without declaration");
  }

  private layoutClass(cls: ClassInfo, visiting: Set<ClassInfo>): void {
    if (cls.size || visiting.has(cls)) {
      if (visiting.has(cls)) this.err(cls.decl, `class ${cls.name} contains itself; hold a reference (a field assigned in the constructor) instead`);
      return;
    }
    visiting.add(cls);
    let off = 0;
    let align = 1;
    for (const f of cls.fields) {
      if (f.type.k === "void" || f.type.k === "string" || f.type.k === "never") {
        if (f.type.k === "string") this.err(f.decl, "string fields are not in the subset; strings are only for messages");
        continue;
      }
      if (f.embedded && f.type.k === "class") this.layoutClass(f.type.cls, visiting);
      if (f.type.k === "array" && f.type.elem.k === "class") this.layoutClass(f.type.elem.cls, visiting);
      const l = layoutOf(f.type, f.embedded);
      off = Math.ceil(off / l.align) * l.align;
      f.offset = off;
      off += l.size;
      align = Math.max(align, l.align);
    }
    cls.align = align;
    cls.size = Math.max(Math.ceil(off / align) * align, align);
    visiting.delete(cls);
  }

  // ---------------------------------------------------------------- module-level initialisers

  private checkGlobalInit(g: GlobalInfo): void {
    const init = g.init!;
    if (g.kind === "array") {
      const cls = g.type.k === "array" && g.type.elem.k === "class" ? g.type.elem.cls : null;
      if (cls?.ctor && cls.ctor.params.length) this.err(init, `pool() creates instances with \`new ${cls.name}()\`; give ${cls.name} a constructor without parameters`);
      g.runtimeInit = !!cls && this.classNeedsInit(cls);
      return;
    }
    if (g.kind === "object") {
      const ne = init as ts.NewExpression;
      const cls = (g.type as ClassType).cls;
      this.checkNewArgs(ne, cls);
      g.runtimeInit = this.classNeedsInit(cls) || (ne.arguments?.length ?? 0) > 0;
      return;
    }
    if (g.type.k === "never") {
      // Untyped: take the initialiser's type, which must be definite.
      const t = this.expr(init, undefined);
      if (t.k === "lit") {
        this.err(g.decl, `give the constant a type: \`const ${g.name}: u32 = ...\` (or u64, i32, ...)`);
        g.type = int("u32");
      } else g.type = t;
    } else {
      this.exprAs(init, g.type);
    }
    if (g.type.k === "class" && g.kind === "const") g.kind = "var"; // a constant reference is a pointer fixed at init
    const v = this.out.consts.get(init);
    if (v !== undefined && (g.type.k === "int")) g.value = v;
    else if (g.type.k === "bool" && (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword)) g.value = init.kind === ts.SyntaxKind.TrueKeyword ? 1n : 0n;
    if (g.type.k === "string" && !ts.isStringLiteral(init)) this.err(init, "a module-level string must be a literal");
    if (g.kind === "const" && g.value === null && g.type.k !== "string") g.kind = "var";
    g.runtimeInit = g.value === null && g.type.k !== "string";
  }

  /**
   * Whether a class needs init code is known only once every class body is checked: an embedded
   * object of a class declared later, and static instances and pools checked before the class bodies,
   * are settled here (to a fixed point, since embedding nests).
   */
  private settleInit(): void {
    for (let changed = true; changed;) {
      changed = false;
      for (const cls of this.out.classes) {
        if (cls.needsInit) continue;
        if (cls.fields.some((f) => f.embedded && f.type.k === "class" && f.type.cls.needsInit)) { cls.needsInit = true; changed = true; }
      }
    }
    for (const g of this.out.globals) {
      if (g.type.k === "array" && g.type.elem.k === "class") g.runtimeInit = g.type.elem.cls.needsInit;
      else if (g.kind === "object" && g.type.k === "class") g.runtimeInit = g.type.cls.needsInit || ((g.init as ts.NewExpression).arguments?.length ?? 0) > 0;
    }
  }

  private classNeedsInit(cls: ClassInfo): boolean {
    return cls.needsInit;
  }

  private checkNewArgs(ne: ts.NewExpression, cls: ClassInfo): void {
    const args = ne.arguments ?? ts.factory.createNodeArray();
    const params = cls.ctor?.params ?? [];
    if (args.length !== params.length) { this.err(ne, `${cls.name}'s constructor takes ${params.length} argument(s)`); return; }
    const saved = this.fn;
    this.fn = null;
    args.forEach((a, i) => this.exprAs(a, params[i].type));
    this.fn = saved;
  }

  // ---------------------------------------------------------------- classes and functions

  private checkClassBodies(cls: ClassInfo): void {
    // Field initialisers run at the start of the constructor, in declaration order.
    const ctx = this.newFnCtx(cls.ctor ?? ({ name: "init", cName: `${cls.cName}_init`, decl: cls.decl as never, params: [], ret: VOID, cls, exported: false, module: null as never }));
    this.fn = ctx;
    for (const f of cls.fields) {
      const init = f.decl.initializer;
      if (!init) continue;
      if (f.embedded) {
        if (f.type.k === "class") {
          this.checkNewArgs(init as ts.NewExpression, f.type.cls);
          if (f.type.cls.needsInit || ((init as ts.NewExpression).arguments?.length ?? 0) > 0) cls.needsInit = true;
        }
        continue;
      }
      this.exprAs(init, f.type);
      if (!this.out.consts.has(init) && !(f.type.k === "bool" && (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword)))
        cls.needsInit = true;
      else if ((this.out.consts.get(init) ?? 0n) !== 0n || init.kind === ts.SyntaxKind.TrueKeyword) cls.needsInit = true;
    }
    this.fn = null;
    if (cls.ctor) { cls.needsInit = true; this.checkFunction(cls.ctor); }
    for (const m of cls.methods.values()) this.checkFunction(m);
  }

  private newFnCtx(fn: FuncInfo): FnCtx {
    return { fn, locals: new Map(), loopVars: new Map() };
  }

  private checkFunction(f: FuncInfo): void {
    this.fn = this.newFnCtx(f);
    const list: LocalInfo[] = [];
    this.out.localsOf.set(f, list);
    this.out.calls.set(f, new Set());
    f.decl.parameters.forEach((p, i) => this.addLocal(p, f.params[i].name, f.params[i].type, true));
    if (f.decl.body) this.block(f.decl.body);
    this.fn = null;
  }

  private addLocal(decl: ts.Node, name: string, type: Type, isParam: boolean): LocalInfo {
    const list = this.out.localsOf.get(this.fn!.fn)!;
    let cName = C_RESERVED.has(name) || this.globalNames.has(name) || name.startsWith("bh_") ? `${name}_` : name;
    // A nested block may redeclare a name; C allows the shadowing too, but keep names distinct for readability.
    while (list.some((l) => l.cName === cName) && !isParam) cName += "_";
    const info: LocalInfo = { name, cName, type, isParam, used: false };
    list.push(info);
    this.fn!.locals.set(decl, info);
    this.out.locals.set(decl, info);
    return info;
  }

  private checkRecursion(): void {
    const state = new Map<FuncInfo, 1 | 2>();
    const visit = (f: FuncInfo, stack: FuncInfo[]): void => {
      if (state.get(f) === 2) return;
      if (state.get(f) === 1) {
        const cycle = stack.slice(stack.indexOf(f)).map((x) => x.name).concat(f.name).join(" -> ");
        this.err(f.decl, `recursion (${cycle}) is not in the subset: the stack must be bounded; rewrite it as a loop`);
        return;
      }
      state.set(f, 1);
      for (const g of this.out.calls.get(f) ?? []) visit(g, [...stack, f]);
      state.set(f, 2);
    };
    for (const f of this.out.funcs) visit(f, []);
  }

  // ---------------------------------------------------------------- statements

  private block(b: ts.Block): void {
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
    const loopVar = this.boundedLoopVar(s);
    if (loopVar) this.fn!.loopVars.set(loopVar.local, loopVar.bound);
    this.stmt(s.statement);
    if (loopVar) this.fn!.loopVars.delete(loopVar.local);
  }

  /** `for (let i: T = 0; i < N; i++)` with i never assigned in the body: i < N inside it. */
  private boundedLoopVar(s: ts.ForStatement): { local: LocalInfo; bound: number } | null {
    const init = s.initializer;
    if (!init || !ts.isVariableDeclarationList(init) || init.declarations.length !== 1 || !s.condition || !s.incrementor) return null;
    const d = init.declarations[0];
    const local = this.out.locals.get(d);
    if (!local || !d.initializer || local.type.k !== "int") return null;
    // An unsigned counter is never below 0, whatever it starts at; a signed one must start at a constant >= 0.
    if (local.type.signed && (this.out.consts.get(d.initializer) ?? -1n) < 0n) return null;
    const c = s.condition;
    if (!ts.isBinaryExpression(c) || c.operatorToken.kind !== ts.SyntaxKind.LessThanToken) return null;
    if (!ts.isIdentifier(c.left) || this.resolveLocal(c.left) !== local) return null;
    const bound = this.out.consts.get(c.right);
    if (bound === undefined) return null;
    const inc = s.incrementor;
    const isInc = (ts.isPostfixUnaryExpression(inc) || ts.isPrefixUnaryExpression(inc)) && inc.operator === ts.SyntaxKind.PlusPlusToken
      && ts.isIdentifier(inc.operand) && this.resolveLocal(inc.operand) === local;
    if (!isInc || this.assignsLocal(s.statement, local)) return null;
    return { local, bound: Number(bound) };
  }

  private assignsLocal(n: ts.Node, local: LocalInfo): boolean {
    let found = false;
    const visit = (x: ts.Node): void => {
      if (found) return;
      if (ts.isBinaryExpression(x) && x.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && x.operatorToken.kind <= ts.SyntaxKind.LastAssignment
        && ts.isIdentifier(x.left) && this.resolveLocal(x.left) === local) found = true;
      if ((ts.isPostfixUnaryExpression(x) || ts.isPrefixUnaryExpression(x)) && ts.isIdentifier(x.operand) && this.resolveLocal(x.operand) === local
        && (x.operator === ts.SyntaxKind.PlusPlusToken || x.operator === ts.SyntaxKind.MinusMinusToken)) found = true;
      ts.forEachChild(x, visit);
    };
    visit(n);
    return found;
  }

  private resolveLocal(id: ts.Identifier): LocalInfo | undefined {
    const decl = this.resolve(id)?.valueDeclaration;
    return decl ? this.fn?.locals.get(decl) : undefined;
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

  private cond(e: ts.Expression): void {
    const t = this.expr(e, BOOL);
    if (t.k !== "bool") this.err(e, `a condition must be a bool; compare explicitly, e.g. \`${e.getText()} != 0\``);
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
      if (t) this.singleEvalTarget(e.operand);
      this.out.types.set(e, t ?? VOID);
      return;
    }
    this.err(e, "this expression does nothing; a statement is a call, an assignment, ++ or --");
  }

  private assignment(e: ts.BinaryExpression): void {
    const t = this.lvalue(e.left);
    if (!t) return;
    const op = e.operatorToken.kind;
    if (op !== ts.SyntaxKind.EqualsToken) this.singleEvalTarget(e.left);
    if (op === ts.SyntaxKind.EqualsToken) {
      if (t.k === "array") { this.err(e, "arrays are not assigned as a whole; copy the elements in a loop"); return; }
      this.exprAs(e.right, t);
    } else {
      const bin = COMPOUND[op];
      if (!bin) { this.err(e.operatorToken, `${ts.tokenToString(op)} is not in the subset`); return; }
      if (t.k !== "int") { this.err(e, `${ts.tokenToString(op)} applies to integers`); return; }
      if (bin === "<<" || bin === ">>" || bin === ">>>") this.shiftCount(e.right, t);
      else this.exprAs(e.right, t);
      if ((bin === "/" || bin === "%")) this.markDivisor(e, e.right);
    }
    this.out.types.set(e, t);
    this.orderCheck(e, [e.left, e.right], true);
  }

  /**
   * `a[f()] += 1` and `a[f()]++` read and write the place, and the backends spell the place twice
   * (`a[f()] = a[f()] + 1`): a call inside it would run twice. Such targets are rejected.
   */
  private singleEvalTarget(target: ts.Expression): void {
    let call: ts.Node | null = null;
    const visit = (n: ts.Node): void => {
      if (call) return;
      if (ts.isCallExpression(n)) { call = n; return; }
      ts.forEachChild(n, visit);
    };
    visit(target);
    if (call) this.err(call, `the target of a compound assignment, ++ or -- is evaluated twice, so it may not contain a call; call \`${(call as ts.Node).getText()}\` first into a const`);
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

  // ---------------------------------------------------------------- expressions

  /** Checks e in a context that requires type t (constants take it). */
  private exprAs(e: ts.Expression, t: Type): void {
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
  private coerce(e: ts.Expression, t: IntType): void {
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
      if (op === ts.SyntaxKind.SlashToken || op === ts.SyntaxKind.PercentToken) this.markDivisor(e, e.right);
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
  private fold(e: ts.Expression, t: IntType): bigint | null {
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

  private shiftCount(e: ts.Expression, left: IntType): void {
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

  private markDivisor(e: ts.BinaryExpression, divisor: ts.Expression): void {
    const v = this.out.consts.get(divisor);
    if (v !== undefined) {
      if (v === 0n) this.err(divisor, "division by the constant zero; write the divisor you mean (a zero divisor panics at run time)");
      else this.out.safeDivisor.add(e);
    }
  }

  /** Checks an expression; returns its type. Constants return kind "lit" until a context types them. */
  private expr(e: ts.Expression, expected: Type | undefined): Type {
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
    if (this.provedInRange(e.argumentExpression, at.length)) this.out.inRange.add(e);
    else {
      const v = this.out.consts.get(e.argumentExpression);
      if (v !== undefined) this.err(e.argumentExpression, `index ${v} is out of range for an array of length ${at.length}; the valid indices are 0 to ${at.length - 1}`);
    }
    this.orderCheck(e, [e.expression, e.argumentExpression], false);
    return at.elem;
  }

  /** Simple range facts that elide the bounds check: constants, masks, remainders, small types, loop counters. */
  private provedInRange(ix: ts.Expression, n: number): boolean {
    const N = BigInt(n);
    const v = this.out.consts.get(ix);
    if (v !== undefined) return v >= 0n && v < N;
    if (ts.isParenthesizedExpression(ix)) return this.provedInRange(ix.expression, n);
    const t = this.out.types.get(ix);
    if (t?.k === "int" && !t.signed && (1n << BigInt(t.bits)) <= N) return true;
    if (ts.isBinaryExpression(ix) && t?.k === "int" && !t.signed) {
      const r = this.out.consts.get(ix.right);
      const l = this.out.consts.get(ix.left);
      const op = ix.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandToken && ((r !== undefined && r < N) || (l !== undefined && l < N))) return true;
      if (op === ts.SyntaxKind.PercentToken && r !== undefined && r > 0n && r <= N) return true;
      if (op === ts.SyntaxKind.GreaterThanGreaterThanToken || op === ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken) {
        if (r !== undefined && BigInt(t.bits) - r >= 0n && (1n << (BigInt(t.bits) - r)) <= N) return true;
      }
    }
    if (ts.isIdentifier(ix)) {
      const local = this.resolveLocal(ix);
      const bound = local && this.fn!.loopVars.get(local);
      if (bound !== undefined && bound <= n) return true;
    }
    return false;
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
    this.orderCheck(e, [e.whenTrue, e.whenFalse], false, true);
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
      this.orderCheck(e, [e.left, e.right], false);
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
    this.orderCheck(e, [e.left, e.right], false);
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
      else this.tautology(e, op);
      return BOOL;
    }
    if (t.k !== "int") {
      this.err(e, op === ts.SyntaxKind.PlusToken && (lt.k === "string" || rt.k === "string")
        ? "string concatenation is not in the subset; print the parts one by one"
        : `${ts.tokenToString(op)} applies to integers; for bools use && || !`);
      return VOID;
    }
    if (op === ts.SyntaxKind.SlashToken || op === ts.SyntaxKind.PercentToken) this.markDivisor(e, e.right);
    this.foldInto(e, t);
    return t;
  }

  /** The values an integer expression can take: its type's range, or its operand's for a widening conversion. */
  private valueRange(e: ts.Expression): [bigint, bigint] | null {
    if (ts.isParenthesizedExpression(e)) return this.valueRange(e.expression);
    const t = this.out.types.get(e);
    if (!t || t.k !== "int") return null;
    const c = this.out.callees.get(e as ts.CallExpression);
    if (ts.isCallExpression(e) && c?.k === "convert" && e.arguments.length === 1) {
      const inner = this.valueRange(e.arguments[0]);
      const [lo, hi] = intRange(t);
      if (inner && inner[0] >= lo && inner[1] <= hi) return inner;
    }
    return intRange(t);
  }

  /**
   * A comparison of a value with a constant that its range decides (`x8 < 300`, `u >= 0`) is a
   * mistake in the program, and GCC's -Wtype-limits rejects the C: say so here, where it was written.
   */
  private tautology(e: ts.BinaryExpression, op: ts.SyntaxKind): void {
    const lc = this.out.consts.get(e.left);
    const rc = this.out.consts.get(e.right);
    if ((lc === undefined) === (rc === undefined)) return;
    // A named constant (a board fact, say) may legitimately make a test moot on one board.
    const named = (n: ts.Node): boolean => this.out.refs.get(n)?.k === "global" || !!ts.forEachChild(n, named);
    if (named(lc === undefined ? e.right : e.left)) return;
    const range = this.valueRange(lc === undefined ? e.left : e.right);
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
    if (decided !== null) this.err(e, `this comparison is always ${decided}: the value is in ${lo}..${hi}; compare with a constant inside that range, or drop the test`);
  }

  /** Records the folded value when both operands are constants of a definite type. */
  private foldInto(e: ts.BinaryExpression, t: IntType): void {
    if (this.out.consts.has(e.left) && this.out.consts.has(e.right)) {
      const v = this.fold(e, t);
      if (v !== null) this.out.consts.set(e, v);
    }
  }

  private call(e: ts.CallExpression, expected: Type | undefined): Type {
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
    this.orderCheck(e, [...(ts.isPropertyAccessExpression(e.expression) ? [e.expression.expression] : []), ...e.arguments], false);
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
    this.orderCheck(e, [...e.arguments], false);
    return sig.ret;
  }

  // ---------------------------------------------------------------- evaluation order (MISRA C:2012 Rule 13.2)

  /**
   * C leaves the order of evaluating operands and arguments unspecified (JavaScript fixes it left to
   * right). Where one operand has a side effect (a call) and another also has one, or reads memory the
   * call could change (a global, a field, an array element), the two backends could disagree. Such
   * expressions are rejected; the fix is to make the call a statement of its own first.
   */
  private orderCheck(at: ts.Node, parts: ts.Expression[], isAssign: boolean, exclusive = false): void {
    if (exclusive) return; // branches of ?: are never both evaluated
    const eff = parts.map((p) => this.effects(p, isAssign && p === parts[0]));
    for (let i = 0; i < eff.length; i++) {
      if (!eff[i].writes) continue;
      for (let j = 0; j < eff.length; j++) {
        if (i === j || !(eff[j].writes || eff[j].reads)) continue;
        this.err(at, `C evaluates these operands in an unspecified order, and \`${parts[i].getText()}\` may change what \`${parts[j].getText()}\` ${eff[j].writes ? "does" : "reads"}; call it first into a const`);
        return;
      }
    }
  }

  private effects(e: ts.Node, asLvalue: boolean): Effects {
    let eff = NONE;
    const visit = (n: ts.Node, top: boolean): void => {
      if (ts.isCallExpression(n)) {
        const c = this.out.callees.get(n);
        if (c?.k === "func" || c?.k === "method") eff = join(eff, { writes: true, reads: true });
        else if (c?.k === "intrinsic") {
          const ef = INTRINSIC_SIGS[c.name].effect;
          if (ef === "write") eff = join(eff, { writes: true, reads: true });
          else if (ef === "read") eff = join(eff, { writes: false, reads: true });
        }
      } else if (!(top && asLvalue)) {
        // Reading a scalar or a reference from memory; reaching an embedded array or object
        // (a pool element, an array field) is address arithmetic and reads nothing.
        const r = this.out.refs.get(n);
        const t = this.out.types.get(n);
        const scalar = !!t && t.k !== "array" && !(t.k === "class" && (ts.isElementAccessExpression(n) || (r?.k === "field" && r.field.embedded) || (r?.k === "global" && r.g.kind === "object")));
        if (scalar && r && ((r.k === "global" && r.g.kind === "var") || r.k === "field")) eff = join(eff, { writes: false, reads: true });
        if (scalar && ts.isElementAccessExpression(n)) eff = join(eff, { writes: false, reads: true });
      }
      if (ts.isConditionalExpression(n) || (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken))) {
        ts.forEachChild(n, (ch) => visit(ch, false));
        return;
      }
      ts.forEachChild(n, (ch) => visit(ch, false));
    };
    visit(e, true);
    return eff;
  }
}

// ---------------------------------------------------------------- helpers shared with the backends

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
