// Subset modules imported into a test run with the board's integer semantics.
import { describe, expect, it } from "vitest";
import { classify, mix, mapped, highestBit, setBits, PAGE_SIZE } from "./programs/basic.ts";
import { ctz32 } from "../compiler/runtime/index.ts";

describe("host backend semantics", () => {
  it("decodes an exception class", () => {
    expect(classify(0x16n << 26n)).toBe(1);
    expect(classify(0x24n << 26n | 0x1234n)).toBe(2);
    expect(classify(0n)).toBe(0);
  });
  it("wraps u32, i32 and u8 arithmetic as C does", () => {
    // r = a * 2654435761 mod 2^32 + u32(b); r ^= r >>> 15; s = b/3 - b%7 (truncating); d = u8(c + 200)
    const ref = (a: number, b: number, c: number, counter: number) => {
      let r = BigInt.asUintN(32, BigInt(a) * 2654435761n + BigInt.asUintN(32, BigInt(b)));
      r ^= r >> 15n;
      const s = BigInt.asIntN(32, BigInt(Math.trunc(b / 3)) - BigInt(b % 7));
      const d = BigInt.asUintN(8, BigInt(c + 200));
      return Number(BigInt.asUintN(32, r + BigInt.asUintN(32, s) + d + BigInt(counter)));
    };
    expect(mix(0xffffffff, -2147483648, 255)).toBe(ref(0xffffffff, -2147483648, 255, 1));
    expect(mix(12345, -7, 56)).toBe(ref(12345, -7, 56, 2));
  });
  it("runs methods on static objects and arrays", () => {
    expect(mapped(513)).toBe((513n << 12n | 3n) + 4n);
    expect(PAGE_SIZE).toBe(4096n);
  });
  it("handles signed loop counters and 64-bit shifts", () => {
    expect(highestBit(0n)).toBe(-1);
    expect(highestBit(1n << 63n)).toBe(63);
    expect(highestBit(0x10n)).toBe(4);
  });
  it("counts trailing zeros (ctz32) as RBIT + CLZ do, 32 for 0", () => {
    expect([0, 1, 2, 0x80000000, 0xffffffff, 0x00f00000].map(ctz32)).toEqual([32, 0, 1, 31, 0, 20]);
    expect(setBits(0)).toBe(0);
    expect(setBits((1 << 31) | (1 << 4) | 1)).toBe(0 | (4 << 5) | (31 << 10));
  });
});
