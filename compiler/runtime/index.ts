// The host runtime of compiled subset code: integer helpers with the target's semantics, and
// the intrinsics, bound to a simulated machine that a test can drive and inspect.
import { Machine } from "./machine.ts";

export { Machine } from "./machine.ts";
export type { Device } from "./machine.ts";

/** Thrown by panic() and by the run-time checks (index, division) on the host. */
export class BhPanic extends Error {
  constructor(readonly reason: string) {
    super(`bh_panic: ${reason}`);
    this.name = "BhPanic";
  }
}

let machine = new Machine();
/** The machine the intrinsics act on; tests install a fresh one per case. */
export function setMachine(m: Machine): Machine { machine = m; return m; }
export function getMachine(): Machine { return machine; }

export function panic(reason: string): never { throw new BhPanic(reason); }

/** Calls a function the program declares but implements in assembly: the machine's model of it. */
export function external(name: string, args: unknown[]): unknown {
  const f = machine.externs.get(name);
  if (!f) throw new Error(`${name}: an assembly function with no host model (set Machine.externs)`);
  return f(...args);
}

export function idx(i: number | bigint, n: number): number {
  const k = typeof i === "bigint" ? (i < 0n || i >= BigInt(n) ? -1 : Number(i)) : i;
  if (k < 0 || k >= n) panic("index out of bounds");
  return k;
}

function wrapS(v: number | bigint, bits: number): number | bigint {
  if (typeof v === "bigint") return BigInt.asIntN(bits, v);
  return bits === 32 ? v | 0 : bits === 16 ? (v << 16) >> 16 : (v << 24) >> 24;
}
function isZero(b: number | bigint): boolean { return typeof b === "bigint" ? b === 0n : b === 0; }

export function udiv<T extends number | bigint>(a: T, b: T, _bits: number): T {
  if (isZero(b)) panic("division by zero");
  return (typeof a === "bigint" ? (a as bigint) / (b as bigint) : Math.trunc((a as number) / (b as number))) as T;
}
export function umod<T extends number | bigint>(a: T, b: T, _bits: number): T {
  if (isZero(b)) panic("division by zero");
  return (typeof a === "bigint" ? (a as bigint) % (b as bigint) : (a as number) % (b as number)) as T;
}
/** Truncating signed division; MIN / -1 wraps to MIN. */
export function sdiv<T extends number | bigint>(a: T, b: T, bits: number): T {
  if (isZero(b)) panic("division by zero");
  const q = typeof a === "bigint" ? (a as bigint) / (b as bigint) : Math.trunc((a as number) / (b as number));
  return wrapS(q, bits) as T;
}
/** Remainder with the sign of the dividend; MIN % -1 is 0. */
export function smod<T extends number | bigint>(a: T, b: T, bits: number): T {
  if (isZero(b)) panic("division by zero");
  const r = typeof a === "bigint" ? (a as bigint) % (b as bigint) : (a as number) % (b as number);
  return wrapS(r, bits) as T;
}

export function charCodeAt(s: string, i: number): number {
  return s.charCodeAt(idx(i, s.length)) & 0xff;
}

export function pool<T>(n: number, cls: new () => T): T[] {
  return Array.from({ length: n }, () => new cls());
}
export function aligned<T extends object>(a: T, bytes: number): T {
  machine.requestAlignment(a, bytes);
  return a;
}

// ---- intrinsics
export const addressOf = (o: object): bigint => machine.addressOf(o);
export const mmioRead8 = (a: bigint): number => Number(machine.mmioRead(a, 1));
export const mmioRead16 = (a: bigint): number => Number(machine.mmioRead(a, 2));
export const mmioRead32 = (a: bigint): number => Number(machine.mmioRead(a, 4));
export const mmioRead64 = (a: bigint): bigint => machine.mmioRead(a, 8);
export const mmioWrite8 = (a: bigint, v: number): void => machine.mmioWrite(a, 1, BigInt(v));
export const mmioWrite16 = (a: bigint, v: number): void => machine.mmioWrite(a, 2, BigInt(v));
export const mmioWrite32 = (a: bigint, v: number): void => machine.mmioWrite(a, 4, BigInt(v));
export const mmioWrite64 = (a: bigint, v: bigint): void => machine.mmioWrite(a, 8, v);
export const load8 = (a: bigint): number => Number(machine.load(a, 1));
export const load16 = (a: bigint): number => Number(machine.load(a, 2));
export const load32 = (a: bigint): number => Number(machine.load(a, 4));
export const load64 = (a: bigint): bigint => machine.load(a, 8);
export const store8 = (a: bigint, v: number): void => machine.store(a, 1, BigInt(v));
export const store16 = (a: bigint, v: number): void => machine.store(a, 2, BigInt(v));
export const store32 = (a: bigint, v: number): void => machine.store(a, 4, BigInt(v));
export const store64 = (a: bigint, v: bigint): void => machine.store(a, 8, v);
export const atomicFetchAdd32 = (a: bigint, v: number): number => {
  const old = Number(machine.load(a, 4));
  machine.store(a, 4, BigInt((old + v) >>> 0));
  return old;
};
export const atomicCompareSwap32 = (a: bigint, expected: number, desired: number): number => {
  const old = Number(machine.load(a, 4));
  if (old === expected >>> 0) machine.store(a, 4, BigInt(desired >>> 0));
  return old;
};
export const loadAcquire32 = (a: bigint): number => Number(machine.load(a, 4));
export const storeRelease32 = (a: bigint, v: number): void => machine.store(a, 4, BigInt(v));
export const mrs = (r: string): bigint => machine.mrs(r);
export const msr = (r: string, v: bigint): void => machine.msr(r, v);
export const dsb = (d: string): void => machine.event(`dsb ${d}`);
export const dmb = (d: string): void => machine.event(`dmb ${d}`);
export const isb = (): void => machine.event("isb");
export const tlbi = (op: string): void => machine.event(`tlbi ${op}`);
export const tlbiAddr = (op: string, x: bigint): void => machine.event(`tlbi ${op}, 0x${x.toString(16)}`);
export const dc = (op: string, x: bigint): void => {
  machine.event(`dc ${op}, 0x${x.toString(16)}`);
  // DC ZVA zeroes the naturally aligned block of 4 << DCZID_EL0.BS bytes that holds x (Arm ARM C6.2.82).
  if (op !== "zva") return;
  const size = 4n << (machine.mrs("DCZID_EL0") & 0xfn);
  for (let a = x & ~(size - 1n); a < (x & ~(size - 1n)) + size; a += 4n) machine.store(a, 4, 0n);
};
export const ic = (op: string): void => machine.event(`ic ${op}`);
/** Trailing zero bits of a u32 (its lowest set bit's index); 32 for 0. */
export const ctz32 = (x: number): number => (x >>> 0) === 0 ? 32 : 31 - Math.clz32((x >>> 0) & -(x >>> 0));
export const wfi = (): void => machine.event("wfi");
export const wfe = (): void => machine.event("wfe");
export const sev = (): void => machine.event("sev");
export const smc = (f: bigint, a: bigint, b: bigint, c: bigint): bigint => machine.call("smc", f, a, b, c);
export const hvc = (f: bigint, a: bigint, b: bigint, c: bigint): bigint => machine.call("hvc", f, a, b, c);
