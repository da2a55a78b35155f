// Host test of src/el2/step.ts: the IT state a trapped T32 instruction moves on (Arm ARM, AArch32
// ITAdvance()); the guest side (a 16-bit load at AArch32 EL0, in and out of an IT block) is
// guests/baremetal/conform.c under tests/hyp-qemu.test.ts.
import { describe, expect, it } from "vitest";
import { itAdvance } from "../src/el2/step.ts";

/** SPSR with IT[7:0] = `it` (IT[1:0] at [26:25], IT[7:2] at [15:10]) over the other bits `rest`. */
const spsr = (it: number, rest = 0x30n): bigint => rest | (BigInt(it & 3) << 25n) | (BigInt(it >> 2) << 10n);

describe("itAdvance", () => {
  it("shifts IT[4:0] left while an IT block lasts, and ends it after its last instruction", () => {
    // ITE EQ: firstcond 0000, mask 1100 — IT = 0x0c; the next condition is NE (IT[4] set), one left.
    expect(itAdvance(spsr(0x0c))).toBe(spsr(0x18));
    // Its last instruction (IT[2:0] = 000): the block ends.
    expect(itAdvance(spsr(0x18))).toBe(spsr(0));
    // ITTT GT (firstcond 1100, mask 0010): base condition IT[7:5] kept.
    expect(itAdvance(spsr(0xc2))).toBe(spsr(0xc4));
  });

  it("leaves an SPSR outside any IT block and every other bit as it was", () => {
    expect(itAdvance(0x600001f0n)).toBe(0x600001f0n);
    expect(itAdvance(spsr(0x0c, 0x600001f0n))).toBe(spsr(0x18, 0x600001f0n));
  });
});
