// Channels in the config (docs/config.md, Channels): what the checker refuses, naming the channel
// or the VM and both ranges; where each member finds its channel (device tree, tables, memory map).
import { beforeAll, describe, expect, it } from "vitest";
import { loadBoard, type Board } from "../host/board.ts";
import { checkConfig, hypRange } from "../host/config/check.ts";
import { shapeErrors } from "../host/config/shape.ts";
import { guestDts } from "../host/config/dts.ts";
import { memoryMap } from "../host/config/commands.ts";
import { targetConfigTs } from "../host/config/tables.ts";
import type { Config } from "../host/config/types.ts";

const MiB = 1n << 20n;
const KiB = 1n << 10n;
let v3: Board;
beforeAll(async () => {
  v3 = await loadBoard("qemu-virt-gicv3");
});

/** A control VM and a Linux-sized VM, a 64 KiB channel between them (the consumer read-only), and a second one (both rw). */
function base(): Config {
  return {
    vms: [
      { name: "control", cpus: [0], image: { builtin: "channel" }, ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }] },
      { name: "linux", cpus: [1, 2], image: { builtin: "channel" }, ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 128n * MiB }], interrupts: [40] },
    ],
    channels: [
      { name: "samples", pa: 0x4f000000n, size: 64n * KiB, vms: { control: "rw", linux: "ro" } },
      { name: "answers", pa: 0x4f010000n, size: 4n * KiB, vms: { linux: "rw", control: "rw" } },
    ],
  };
}
const check = (cfg: Config) => checkConfig(v3, cfg, { hypRange: hypRange(v3) });

describe("channels in the config", () => {
  it("accepts a good config", () => {
    expect(check(base())).toEqual([]);
  });

  it("refuses a channel's bad name, members, size, alignment and memory", () => {
    const cfg = base();
    cfg.channels!.push(
      { name: "Bad", pa: 0x4f020000n, size: 4n * KiB, vms: { control: "rw" } },
      { name: "ghost", pa: 0x4f022000n, size: 0x3000n, vms: { control: "rw", nobody: "rw" } },
      { name: "odd", pa: 0x4f026000n, size: 16n * KiB, vms: { control: "rw", linux: "rw" } },
      { name: "theirs", pa: 0x46000000n, size: 4n * KiB, vms: { control: "rw", linux: "rw" } },
      { name: "samples", pa: 0x3f000000n, size: 4n * KiB, vms: { control: "rw", linux: "rw" } },
    );
    expect(check(cfg)).toEqual([
      `channel "Bad": the name must match /^[a-z][a-z0-9-]{0,15}$/`,
      `channel "Bad" has 1 member VM (a channel joins at least two)`,
      `channel "ghost" names vm "nobody", which is not a vm of the config`,
      `channel "ghost" size 0x3000 is not a power of two of at least 4 KiB (it is a PCI BAR)`,
      `channel "odd" pa 0x4f026000 is not aligned to its size 0x4000`,
      `channel "theirs" 0x46000000-0x46000fff overlaps vm "linux" RAM 0x46000000-0x4dffffff`,
      `channel "samples" (channels[6]) has the same name as an earlier channel`,
      `channel "samples" 0x3f000000-0x3f000fff is outside board RAM 0x40000000-0x7fffffff`,
    ]);
  });

  it("refuses two channels over the same memory, and a VM's own region over its PCI windows or a doorbell INTID", () => {
    const cfg = base();
    cfg.channels![1].pa = 0x4f008000n;
    cfg.vms[1].devices = [{ name: "late", ipa: 0x30000000n, pa: 0x0a000000n, size: 0x1000n, dma: "unisolated" }];
    cfg.vms[1].interrupts = [961];
    expect(check(cfg)).toEqual([
      `channel "answers" 0x4f008000-0x4f008fff overlaps channel "samples" 0x4f000000-0x4f00ffff`,
      `vm "linux" device "late" IPA 0x30000000-0x30000fff overlaps its PCI ECAM IPA 0x30000000-0x300fffff (it is in a channel)`,
      `vm "linux" interrupt 961 is the doorbell of its channel "answers" (INTIDs 960 and up are its channels')`,
    ]);
  });

  it("names a wrong shape by field", () => {
    expect(shapeErrors({ vms: [], channels: [{ name: "x", pa: 1, size: 0x1000n, vms: { a: "rw", b: "write" } }] })).toEqual([
      "channel \"x\".pa must be a bigint (write 0x1n)",
      "channel \"x\".vms must map vm names to \"rw\" or \"ro\"",
    ]);
  });

  it("gives each member a PCI host bridge with one ivshmem device per channel, its INTA a doorbell SPI", () => {
    const dts = guestDts(v3, base(), "linux");
    expect(dts).toContain("linux,pci-probe-only = <1>;");
    expect(dts).toContain(`compatible = "pci-host-ecam-generic";`);
    expect(dts).toContain("reg = <0x0 0x30000000 0x0 0x100000>;");
    expect(dts).toContain("ranges = <0x02000000 0x0 0x10000000 0x0 0x10000000 0x0 0x20000000>;");
    // Slot 0 ("samples") INTA -> SPI 960 - 32, slot 1 ("answers") -> 961 - 32, edge.
    expect(dts).toContain("interrupt-map = <0x0 0 0 1 &gic 0 0 0 928 1>, <0x800 0 0 1 &gic 0 0 0 929 1>;");
    expect(dts).toContain(`// slot 0: channel "samples", peer 1, ro, BAR0 0x10000000, BAR2 0x10100000`);
    expect(dts).toContain(`// slot 1: channel "answers", peer 0, rw, BAR0 0x10001000, BAR2 0x10110000`);
    const none = guestDts(v3, { vms: base().vms }, "linux");
    expect(none).not.toContain("pci");
  });

  it("tables: region kinds by access, device rows by VM, member rows by peer ID", () => {
    const placement = base().vms.map((v) => ({ vm: v.name, imagePa: 0n, imageSize: 0n, loadIpa: 0x40080000n, entryIpa: 0x40080000n, dtbPa: 0n, dtbSize: 0n, dtbIpa: 0x43e00000n }));
    const ts = targetConfigTs(v3, base(), placement);
    expect(ts).toContain("export const REGION_KIND = new Uint8Array([0, 3, 3, 0, 4, 3]);");
    expect(ts).toContain("export const CHAN_FIRST = new Uint8Array([0, 2, 4]);");
    expect(ts).toContain("export const CHAN_PEER = new Uint8Array([0, 1, 1, 0]);");
    expect(ts).toContain("export const CHAN_RO = new Uint8Array([0, 0, 1, 0]);");
    expect(ts).toContain("export const CHAN_INTID = new Uint16Array([960, 961, 960, 961]);");
    // "samples": control (row 0) is peer 0, linux (row 2) peer 1; "answers": linux (row 3), control (row 1).
    expect(ts).toContain("export const MEMBER_ROW = new Uint8Array([0, 2, 3, 1]);");
  });

  it("bulkhead map shows a channel once, with each member's IPA and access", () => {
    const map = memoryMap(v3, base()).join("\n");
    expect(map).toMatch(/0x4f000000-0x4f00ffff +control \+ linux +channel "samples" +\(ipa control 0x10100000, linux 0x10100000 read-only\)/);
  });
});
