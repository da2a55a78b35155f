// The bench's code-size figures (host/codesize.ts): the parts it reads from the link map add up to
// the linked .text, on a real build; the cold part is there (`@cold` code is in .text.unlikely) and
// there is no fill: the vector table, 2 KiB-aligned, starts the image (board/common/hyp.ld).
import { describe, expect, it } from "vitest";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { build } from "../host/build.ts";
import { sectionBytes, textParts } from "../host/codesize.ts";

describe("code size", () => {
  it("splits a build's .text into C on trap paths, @cold C, assembly and fill, which add up to it", async () => {
    const b = await build({ board: "qemu-virt-gicv3", config: path.join(PROJECT_ROOT, "board/qemu-virt-gicv3/configs/threevm.ts") });
    const p = textParts(b.map);
    expect(p.hot + p.cold + p.asm + p.fill).toBe(sectionBytes(b.elf, [".text"]));
    for (const part of [p.hot, p.cold, p.asm]) expect(part).toBeGreaterThan(0);
    expect(p.fill).toBe(0);
  }, 120_000);
});
