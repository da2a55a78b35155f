// The checker's first layer: module-level declarations (pass 0 and 1). Every function, class,
// field, const enum and module variable is registered with its subset type before any body is
// checked, so that a use may precede its declaration, as in TypeScript. Whatever is outside the
// subset at module level is rejected here, with what to write instead.
import ts from "typescript";
import {
  type Type, type IntType, type ArrayType, type ClassInfo, type FuncInfo, type ModuleInfo,
  BOOL, VOID, NEVER, STRING, int, isIntName, intRange, wrap,
} from "../types.ts";
import { type EnumInfo, type GlobalInfo } from "../checked.ts";
import { TYPED_ARRAYS } from "../builtins.ts";
import { ARITH, evalBinary, isFloatLiteral, isLiteral, litValue } from "../integers.ts";
import { CheckerBase } from "./base.ts";

export abstract class DeclarationChecker extends CheckerBase {
  private isExported(node: ts.Node): boolean {
    return !!(ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Export);
  }

  protected declare(m: ModuleInfo, st: ts.Statement): void {
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

  protected registerClass(decl: ts.ClassDeclaration): ClassInfo {
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

  /** The subset type that a type annotation names. */
  protected typeFromNode(t: ts.TypeNode | undefined, at: ts.Node, what: string): Type {
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
}
