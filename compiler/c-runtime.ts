// The C of the board's own operations: each intrinsic as an instruction (inline assembly or a GCC
// atomic builtin), and the helpers that the generated C calls, emitted only when used (bounds and
// divisor checks that panic, single-copy-atomic MMIO accesses, system registers by encoding,
// SMCCC calls, compare-and-swap). What the C calls is collected in one set of helper names.
import { sysregEncoding } from "./sysregs.ts";
import { strip } from "./c-syntax.ts";

/**
 * The C for a call of an intrinsic other than addressOf (the emitter places objects), its
 * arguments already C (a register's or an operation's name as it is spelled); records the helpers
 * that the C calls.
 */
export function intrinsicC(name: string, args: string[], helpers: Set<string>): string {
  const m = /^(mmioRead|mmioWrite|load|store)(8|16|32|64)$/.exec(name);
  if (m) {
    const T = `uint${m[2]}_t`;
    if (m[1] === "load") return `(*(${T} *)(uintptr_t)${paren(args[0])})`;
    if (m[1] === "store") return `(*(${T} *)(uintptr_t)${paren(args[0])} = ${args[1]})`;
    helpers.add(name);
    return `bh_${name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())}(${args.join(", ")})`;
  }
  switch (name) {
    case "panic": return `bh_panic(${args[0]})`;
    case "ctz32": helpers.add("ctz32"); return `bh_ctz32(${args[0]})`;
    case "atomicFetchAdd32": return `__atomic_fetch_add((uint32_t *)(uintptr_t)${paren(args[0])}, ${args[1]}, __ATOMIC_ACQ_REL)`;
    case "atomicCompareSwap32": helpers.add("cas32"); return `bh_cas32(${args.join(", ")})`;
    case "loadAcquire32": return `__atomic_load_n((uint32_t *)(uintptr_t)${paren(args[0])}, __ATOMIC_ACQUIRE)`;
    case "storeRelease32": return `__atomic_store_n((uint32_t *)(uintptr_t)${paren(args[0])}, ${args[1]}, __ATOMIC_RELEASE)`;
    case "mrs": helpers.add(`mrs:${args[0]}`); return `bh_mrs_${args[0]}()`;
    case "msr": helpers.add(`msr:${args[0]}`); return `bh_msr_${args[0]}(${args[1]})`;
    case "dsb": case "dmb": return `__asm__ volatile("${name} ${args[0]}" ::: "memory")`;
    case "isb": case "wfi": case "wfe": case "sev": return `__asm__ volatile("${name}" ::: "memory")`;
    case "tlbi": return `__asm__ volatile("tlbi ${args[0]}" ::: "memory")`;
    case "tlbiAddr": return `__asm__ volatile("tlbi ${args[0]}, %0" :: "r"((uint64_t)${paren(args[1])}) : "memory")`;
    case "dc": return `__asm__ volatile("dc ${args[0]}, %0" :: "r"((uint64_t)${paren(args[1])}) : "memory")`;
    case "ic": return `__asm__ volatile("ic ${args[0]}" ::: "memory")`;
    case "smc": case "hvc":
      helpers.add(name);
      return `bh_${name}(${args.join(", ")})`;
  }
  throw new Error(`unknown intrinsic ${name}`);
}

/** The definitions of the helpers that the program's C calls, in a fixed order. */
export function helperCode(helpers: Set<string>): string[] {
  const h: string[] = [];
  const add = (s: string) => h.push(...s.split("\n"));
  const has = (n: string) => helpers.has(n);
  // RBIT + CLZ on AArch64; __builtin_ctz(0) is undefined, the subset's ctz32(0) is 32.
  if (has("ctz32")) add(`static inline uint32_t bh_ctz32(uint32_t x)\n{\n    return x == 0 ? 32u : (uint32_t)__builtin_ctz(x);\n}`);
  if (has("idx")) add(`static inline uint64_t bh_idx(uint64_t i, uint64_t n)\n{\n    if (__builtin_expect(i >= n, 0)) bh_panic("index out of bounds");\n    return i;\n}`);
  if (has("strlen")) add(`__attribute__((pure)) static inline uint32_t bh_strlen(const char *s)\n{\n    uint32_t n = 0;\n    while (s[n]) n++;\n    return n;\n}`);
  for (const bits of [32, 64]) {
    const U = `uint${bits}_t`, S = `int${bits}_t`;
    if (has(`udiv${bits}`)) add(`static inline ${U} bh_udiv${bits}(${U} a, ${U} b)\n{\n    if (__builtin_expect(b == 0, 0)) bh_panic("division by zero");\n    return a / b;\n}`);
    if (has(`umod${bits}`)) add(`static inline ${U} bh_umod${bits}(${U} a, ${U} b)\n{\n    if (__builtin_expect(b == 0, 0)) bh_panic("division by zero");\n    return a % b;\n}`);
    // INT_MIN / -1 overflows in C; the subset defines it as INT_MIN (wrap), remainder 0.
    if (has(`sdiv${bits}`)) add(`static inline ${S} bh_sdiv${bits}(${S} a, ${S} b)\n{\n    if (__builtin_expect(b == 0, 0)) bh_panic("division by zero");\n    if (b == -1) return (${S})(0u - (${U})a);\n    return a / b;\n}`);
    if (has(`smod${bits}`)) add(`static inline ${S} bh_smod${bits}(${S} a, ${S} b)\n{\n    if (__builtin_expect(b == 0, 0)) bh_panic("division by zero");\n    if (b == -1) return 0;\n    return a % b;\n}`);
  }
  const ld: Record<string, [string, string]> = { 8: ["ldrb", "strb"], 16: ["ldrh", "strh"], 32: ["ldr", "str"], 64: ["ldr", "str"] };
  for (const bits of [8, 16, 32, 64]) {
    const T = `uint${bits}_t`, r = bits === 64 ? "%0" : "%w0";
    // One single-copy-atomic access of the exact width, never split or merged (Arm ARM B2.2.1).
    if (has(`mmioRead${bits}`)) add(`static inline ${T} bh_mmio_read${bits}(uint64_t addr)\n{\n    ${T} v;\n    __asm__ volatile("${ld[bits][0]} ${r}, [%1]" : "=r"(v) : "r"(addr) : "memory");\n    return v;\n}`);
    if (has(`mmioWrite${bits}`)) add(`static inline void bh_mmio_write${bits}(uint64_t addr, ${T} v)\n{\n    __asm__ volatile("${ld[bits][1]} ${r}, [%1]" :: "r"(v), "r"(addr) : "memory");\n}`);
  }
  for (const k of [...helpers].filter((x) => x.startsWith("mrs:") || x.startsWith("msr:")).sort()) {
    const [kind, reg] = k.split(":");
    const enc = sysregEncoding(reg);
    if (kind === "mrs") add(`static inline uint64_t bh_mrs_${reg}(void)\n{\n    uint64_t v;\n    __asm__ volatile("mrs %0, ${enc}" : "=r"(v)); /* ${reg} */\n    return v;\n}`);
    else add(`static inline void bh_msr_${reg}(uint64_t v)\n{\n    __asm__ volatile("msr ${enc}, %0" :: "r"(v) : "memory"); /* ${reg} */\n}`);
  }
  for (const insn of ["smc", "hvc"]) {
    if (!has(insn)) continue;
    // SMCCC: function id and arguments in x0..x3, result in x0; x4..x17 may be clobbered (SMCCC v1.0).
    add(`static inline uint64_t bh_${insn}(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)\n{\n    register uint64_t x0 __asm__("x0") = fid;\n    register uint64_t x1 __asm__("x1") = a1;\n    register uint64_t x2 __asm__("x2") = a2;\n    register uint64_t x3 __asm__("x3") = a3;\n    __asm__ volatile("${insn} #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :\n                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");\n    return x0;\n}`);
  }
  // Compare-and-swap: the word at addr becomes `desired` if it held `expected`; returns what it held.
  if (has("cas32")) add(`static inline uint32_t bh_cas32(uint64_t addr, uint32_t expected, uint32_t desired)\n{\n    __atomic_compare_exchange_n((uint32_t *)(uintptr_t)addr, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);\n    return expected;\n}`);
  return h.length ? ["", ...h] : [];
}

/** An address operand: a name as it is, anything else in one pair of parentheses. */
function paren(s: string): string {
  return /^[\w.]+$/.test(s) ? s : `(${strip(s)})`;
}
