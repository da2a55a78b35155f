// The build-time isolation proof: it passes on the shipped configs and catches wrong tables.
import { beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { build, proveConfig } from "../host/build.ts";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { loadBoard, type Board } from "../host/board.ts";
import { buildStage2OnHost, prove, leaves, type Stage2Program } from "../host/proof.ts";
import type { Config } from "../host/config/types.ts";

const BOARD = "qemu-virt-gicv3";
let board: Board;
let config: Config;
let configTs: string;
let outDir: string;
/** The GICv2 variant's threevm config, built the same way: its VMs reach the GICV frame at their GICC IPA. */
let v2: { board: Board; config: Config; configTs: string; outDir: string };

beforeAll(async () => {
  const b = await build({ board: BOARD, config: path.join(PROJECT_ROOT, "board", BOARD, "configs/threevm.ts") });
  board = await loadBoard(BOARD);
  config = b.config;
  configTs = path.join(b.dir, "config.ts");
  outDir = path.join(b.dir, "proof-test");
  const b2 = await build({ board: "qemu-virt-gicv2", config: path.join(PROJECT_ROOT, "board/qemu-virt-gicv2/configs/threevm.ts") });
  v2 = { board: await loadBoard("qemu-virt-gicv2"), config: b2.config, configTs: path.join(b2.dir, "config.ts"), outDir: path.join(b2.dir, "proof-test") };
});

async function fresh(): Promise<Stage2Program> {
  return buildStage2OnHost(board.boardFile, configTs, outDir);
}

async function freshV2(): Promise<Stage2Program> {
  return buildStage2OnHost(v2.board.boardFile, v2.configTs, v2.outDir);
}

const ADDR = 0x0000fffffffff000n;
/** A stage-2 page descriptor as src/stage2/vm.ts writes one for a device (Device-nGnRE, RW, AF, XN). */
const DEVICE_PAGE = 3n | (1n << 2n) | (3n << 6n) | (1n << 10n) | (2n << 53n);

/** The lowest table of the pool's unused end that a test has taken, per program. */
const spareTables = new WeakMap<Stage2Program, number>();

/**
 * Maps one 4 KiB page of `vm` (IPA -> PA) as a device and records it as one of the VM's device
 * regions, as if the config had given the VM that frame and the checker had let it through:
 * the proof must refuse it on its own. Missing tables are taken from the end of the pool (unused: the pool is handed out from its start).
 */
function mapDeviceBehindTheChecker(p: Stage2Program, vm: number, ipa: bigint, pa: bigint): void {
  const root = p.vms[vm].root;
  let table = root.table + Number((ipa >> 30n) >> 9n);
  for (let level = root.startLevel; level < 3; level++) {
    const e = p.tables[table].e;
    const i = Number((ipa >> BigInt(39 - 9 * level)) & 511n);
    if ((e[i] & 3n) !== 3n) {
      if (e[i] & 1n) throw new Error(`a block maps IPA ${ipa.toString(16)} already`);
      const free = (spareTables.get(p) ?? p.tables.length) - 1;
      spareTables.set(p, free);
      if (p.tables[free].e.some((d) => d !== 0n)) throw new Error("the table pool has no spare table left");
      e[i] = (p.tableBase + (BigInt(free) << 12n)) | 3n;
    }
    table = Number(((e[i] & ADDR) - p.tableBase) >> 12n);
  }
  p.tables[table].e[Number((ipa >> 12n) & 511n)] = pa | DEVICE_PAGE;
  p.regions.push({ vm, kind: 1, ipa, pa, size: 0x1000n });
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
  it("proves the threevm config, built by the hypervisor's own code on the host", async () => {
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
    expect(prove(board, config, p).join("\n")).toMatch(/vm "alpha" maps IPA 0x40000000-0x401fffff to PA 0x40200000-0x403fffff: reaches the hypervisor's RAM reserve 0x40000000-0x41ffffff \(owned by the hypervisor/);
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

  it("catches a page of the ITS or of another CPU's redistributor, even as the VM's own device region", async () => {
    const p = await fresh();
    mapDeviceBehindTheChecker(p, 0, 0x0a000000n, 0x08090000n); // alpha: the ITS translation frame (GITS_TRANSLATER)
    mapDeviceBehindTheChecker(p, 0, 0x0a001000n, 0x080e0000n); // alpha (CPU 0): CPU 2's redistributor
    expect(prove(board, config, p)).toEqual([
      `vm "alpha" maps IPA 0xa000000-0xa000fff to PA 0x8090000-0x8090fff: reaches the GIC ITS (GITS) 0x8080000-0x809ffff (reaches beyond one VM: its commands route any device's MSIs to any LPI, whichever VM owns it)`,
      `vm "alpha" maps IPA 0xa001000-0xa001fff to PA 0x80e0000-0x80e0fff: reaches the GIC redistributor of CPU 2 (GICR) 0x80e0000-0x80fffff (owned by the hypervisor: emulated for every VM)`,
    ]);
  });

  it("catches the hypervisor's UART and its whole RAM reserve, as the build sized it", async () => {
    const p = await fresh();
    mapDeviceBehindTheChecker(p, 1, 0x0a000000n, 0x09000000n);
    const s = slotOf(p, 1, 0x40000000n);
    s.e[s.i] = (s.e[s.i] & ~ADDR) | 0x42000000n; // beta -> 0x42000000: alpha's RAM, or the reserve if it is 64 MiB
    expect(prove(board, config, p)).toContain(
      `vm "beta" maps IPA 0xa000000-0xa000fff to PA 0x9000000-0x9000fff: reaches the hypervisor's UART 0x9000000-0x9000fff (owned by the hypervisor: its console; every VM's PL011 is emulated)`);
    expect(prove(board, config, p, [0x40000000n, 0x44000000n]).join("\n")).toMatch(
      /vm "beta" maps IPA 0x40000000-0x401fffff to PA 0x42000000-0x421fffff: reaches the hypervisor's RAM reserve 0x40000000-0x43ffffff/);
  });

  it("GICv2: allows the GICV frame at each VM's GICC IPA, and nothing else of the GIC", async () => {
    const ok = await freshV2();
    expect(prove(v2.board, v2.config, ok)).toEqual([]);
    const gicc = v2.board.facts.GICC_BASE;
    expect(leaves(ok, 0).filter((l) => l.ipa >= gicc && l.ipa < gicc + 0x2000n).map((l) => l.pa)).toEqual([0x08040000n, 0x08041000n]);

    const p = await freshV2();
    mapDeviceBehindTheChecker(p, 2, 0x0a000000n, 0x08020000n); // gamma: the GICv2m MSI frame
    mapDeviceBehindTheChecker(p, 2, 0x0a001000n, 0x08040000n); // gamma: GICV, but not at its GICC IPA
    const page = slotOf(p, 1, gicc + 0x1000n);                 // beta's second GICC page -> GICH
    page.e[page.i] = (page.e[page.i] & ~ADDR) | 0x08030000n;
    expect(prove(v2.board, v2.config, p)).toEqual([
      `vm "beta" maps IPA 0x8011000-0x8011fff to PA 0x8030000-0x8030fff: reaches the GIC virtual interface control (GICH) 0x8030000-0x803ffff (owned by the hypervisor: the list registers of whichever VM runs on the CPU)`,
      `vm "beta" maps IPA 0x8011000-0x8011fff to PA 0x8030000-0x8030fff: not one of its regions`,
      `vm "gamma" maps IPA 0xa000000-0xa000fff to PA 0x8020000-0x8020fff: reaches the GICv2m MSI frame 0x8020000-0x8020fff (reaches beyond one VM: a write pends any SPI it serves, whichever VM owns it)`,
      `vm "gamma" maps IPA 0xa001000-0xa001fff to PA 0x8040000-0x8040fff: reaches the GIC virtual CPU interface (GICV) 0x8040000-0x804ffff (owned by the hypervisor: mapped only at each VM's GICC address, by the hypervisor)`,
    ]);
  });

  it("channels: normal non-cacheable, never executable, read-only where the config says so, whatever the tables' own kinds say", async () => {
    const file = path.join(board.dir, "configs", "channel.ts");
    const c = await proveConfig({ board: BOARD, config: file });
    const ch = { config: c.config, configTs: c.configTs, outDir: path.join(c.dir, "proof-test") };
    const p = await buildStage2OnHost(board.boardFile, ch.configTs, ch.outDir);
    expect(prove(board, ch.config, p)).toEqual([]);
    // The reader (vm 2) has "watch" at its BAR2, read-only: S2AP 0b01, MemAttr 0b0101, XN.
    const reader = slotOf(p, 2, 0x10100000n);
    const ro = reader.e[reader.i];
    expect([(ro >> 6n) & 3n, (ro >> 2n) & 0xfn, (ro >> 53n) & 3n]).toEqual([1n, 5n, 2n]);
    // Made writable, with the tables' region kind changed to match: the proof reads the config.
    reader.e[reader.i] = ro | (3n << 6n);
    for (const r of p.regions) if (r.vm === 2 && r.kind === 4) r.kind = 3;
    expect(prove(board, ch.config, p)).toEqual([
      `vm "reader" maps IPA 0x10100000-0x10100fff to PA 0x4f010000-0x4f010fff: writable, but the config gives it channel "watch" 0x4f010000-0x4f010fff read-only`,
    ]);
    // The producer's "link", cacheable and executable.
    const link = slotOf(p, 0, 0x10100000n);
    link.e[link.i] = (link.e[link.i] & ~(0xfn << 2n) & ~(3n << 53n)) | (0xfn << 2n);
    expect(prove(board, ch.config, p).join("\n")).toMatch(/vm "producer" maps IPA 0x10100000-0x10100fff .*: a channel must be normal non-cacheable and never executable/);
  });

  it("runs in every build and records what it proved", async () => {
    const b = await build({ board: BOARD, config: path.join(PROJECT_ROOT, "board", BOARD, "configs/threevm.ts") });
    const proof = fs.readFileSync(path.join(b.dir, "proof.txt"), "utf8");
    expect(proof).toContain("stage-2 isolation proved:");
    for (const vm of ["alpha", "beta", "gamma"]) expect(proof).toContain(`vm "${vm}": 32 leaf mappings`);
  });
});
