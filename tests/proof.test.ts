// The build-time isolation proof: it passes on the shipped configs and catches wrong tables.
import { beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { build } from "../host/build.ts";
import { loadBoard, type Board } from "../host/board.ts";
import { buildStage2OnHost, prove, leaves, type Stage2Program } from "../host/proof.ts";
import type { Config } from "../host/config/types.ts";

const BOARD = "qemu-virt-gicv3";
let board: Board;
let config: Config;
let configTs: string;
let outDir: string;

beforeAll(async () => {
  const b = await build({ board: BOARD });
  board = await loadBoard(BOARD);
  config = b.config;
  configTs = path.join(b.dir, "config.ts");
  outDir = path.join(b.dir, "proof-test");
});

async function fresh(): Promise<Stage2Program> {
  return buildStage2OnHost(board.boardFile, configTs, outDir);
}

/** The descriptor slot holding `vm`'s leaf for `ipa`, to corrupt it. */
function slotOf(p: Stage2Program, vm: number, ipa: bigint): { e: BigUint64Array; i: number } {
  const root = p.vms[vm].root;
  let table = root.table + Number((ipa >> 30n) >> 9n);
  for (let level = root.startLevel; level <= 3; level++) {
    const shift = BigInt(39 - 9 * level);
    const i = Number((ipa >> shift) & 511n);
    const d = p.tables[table].e[i];
    if (level === 3 || (d & 3n) === 1n) return { e: p.tables[table].e, i };
    table = Number(((d & 0x0000fffffffff000n) - p.tableBase) >> 12n);
  }
  throw new Error("no leaf");
}

describe("stage-2 isolation proof", () => {
  it("proves the default config, built by the hypervisor's own code on the host", async () => {
    const p = await fresh();
    expect(prove(board, config, p)).toEqual([]);
    // 64 MiB per VM in 2 MiB blocks: the host run used the blocks the board uses.
    for (let vm = 0; vm < 3; vm++) expect(leaves(p, vm)).toHaveLength(32);
  });

  it("catches a page mapped into another VM's RAM", async () => {
    const p = await fresh();
    const s = slotOf(p, 1, 0x40000000n);            // beta's first block
    s.e[s.i] = (s.e[s.i] & ~0x0000fffffffff000n) | 0x42000000n; // -> alpha's RAM
    const errors = prove(board, config, p);
    expect(errors.join("\n")).toMatch(/vm "beta" maps IPA 0x40000000-0x401fffff to PA 0x42000000-0x421fffff: its RAM region maps that IPA to PA 0x46000000/);
  });

  it("catches a page of the hypervisor reachable from a VM", async () => {
    const p = await fresh();
    const s = slotOf(p, 0, 0x40000000n);
    s.e[s.i] = (s.e[s.i] & ~0x0000fffffffff000n) | 0x40200000n;
    expect(prove(board, config, p).join("\n")).toMatch(/vm "alpha" maps IPA 0x40000000-0x401fffff to PA 0x40200000-0x403fffff: reaches the hypervisor \(0x40000000-0x41ffffff\)/);
  });

  it("catches a mapping outside the VM's regions, a missing one, and wrong attributes", async () => {
    const p = await fresh();
    const s = slotOf(p, 2, 0x40000000n);
    const valid = s.e[s.i];
    s.e[s.i] = 0n; // unmapped: the region is no longer complete
    expect(prove(board, config, p)).toContain('vm "gamma" RAM IPA 0x40000000-0x43ffffff is not completely mapped');
    s.e[s.i] = (valid & ~(0xfn << 2n)) | (0x1n << 2n); // RAM as device memory
    expect(prove(board, config, p).join("\n")).toMatch(/vm "gamma" .* memory must be normal write-back/);
    s.e[s.i] = valid;
    expect(prove(board, config, p)).toEqual([]);
    // An extra block past the end of gamma's RAM, pointing at gamma's own memory.
    const last = slotOf(p, 2, 0x43e00000n);
    last.e[last.i + 1] = last.e[last.i];
    expect(prove(board, config, p).join("\n")).toMatch(/vm "gamma" maps IPA 0x44000000-0x441fffff to PA 0x4de00000-0x4dffffff: not one of its regions/);
  });

  it("runs in every build and records what it proved", async () => {
    const b = await build({ board: BOARD });
    const proof = fs.readFileSync(path.join(b.dir, "proof.txt"), "utf8");
    expect(proof).toContain("stage-2 isolation proved:");
    for (const vm of ["alpha", "beta", "gamma"]) expect(proof).toContain(`vm "${vm}": 32 leaf mappings`);
  });
});
