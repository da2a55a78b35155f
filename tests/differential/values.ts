// Deterministic randomness and integer values for the differential tests: a xorshift PRNG, the
// subset's integer types, and the interesting values of each (edges, powers of two ± 1).
import type { IntName } from "../../compiler/types.ts";

export const TYPES: readonly IntName[] = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];

export interface TypeInfo { name: IntName; bits: 8 | 16 | 32 | 64; signed: boolean; big: boolean; min: bigint; max: bigint }

export function info(name: IntName): TypeInfo {
  const bits = Number(name.slice(1)) as TypeInfo["bits"];
  const signed = name[0] === "i";
  const w = BigInt(bits);
  return {
    name, bits, signed, big: bits === 64,
    min: signed ? -(1n << (w - 1n)) : 0n,
    max: signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n,
  };
}

export function wrapTo(name: IntName, v: bigint): bigint {
  const t = info(name);
  return t.signed ? BigInt.asIntN(t.bits, v) : BigInt.asUintN(t.bits, v);
}

/** A value as the host backend represents it: number for 8..32 bits, bigint for 64. */
export function hostValue(name: IntName, v: bigint): number | bigint {
  return info(name).big ? v : Number(v);
}

/** xorshift32 (Marsaglia); seed 0 is mapped to a fixed non-zero state. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) || 0x9e3779b9;
    for (let i = 0; i < 8; i++) this.next();
  }
  next(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  /** 0 <= r < n */
  int(n: number): number { return this.next() % n; }
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  chance(p: number): boolean { return this.next() / 0x100000000 < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  bits64(): bigint { return (BigInt(this.next()) << 32n) | BigInt(this.next()); }
}

/** Edge values of a type: 0, ±1, ±2, min, max, min+1, max-1, powers of two and their neighbours. */
export function edgeValues(name: IntName): bigint[] {
  const t = info(name);
  const raw = [0n, 1n, 2n, 3n, 5n, 7n, -1n, -2n, -3n, t.min, t.max, t.min + 1n, t.max - 1n];
  for (let k = 1n; k < BigInt(t.bits); k++) raw.push(1n << k, (1n << k) - 1n, (1n << k) + 1n, -(1n << k));
  return [...new Set(raw.map((v) => wrapTo(name, v)))];
}

/** A random value of the type: mostly edge values and small numbers, otherwise uniform bits. */
export function randomValue(rng: Rng, name: IntName): bigint {
  const r = rng.int(10);
  if (r < 4) return rng.pick(edgeValues(name));
  if (r < 6) return wrapTo(name, BigInt(rng.range(-40, 40)));
  return wrapTo(name, rng.bits64());
}

/** A literal spelled for the subset: bigint suffix for 64-bit types, parenthesised when negative. */
export function literal(name: IntName, v: bigint): string {
  const s = `${v < 0n ? -v : v}${info(name).big ? "n" : ""}`;
  return v < 0n ? `(-${s})` : s;
}
