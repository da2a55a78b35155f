// The Raspberry Pi 4's configs and the frames it keeps from every VM (board/rpi4/board.ts,
// host/config/reserved.ts): each shipped config passes `check`; a VM given the GIC-400's frames,
// the hypervisor's UART, ARM_LOCAL (every core's timer rate and local interrupts) or the
// hypervisor's memory is refused, naming the region; a bus master cannot say dma: "none".
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadBoard, type Board } from "../host/board.ts";
import { checkConfig, hypRange } from "../host/config/check.ts";
import { loadConfig } from "../host/config/load.ts";
import { reservedRegions } from "../host/config/reserved.ts";
import type { Config, DeviceRegion } from "../host/config/types.ts";

const MiB = 1n << 20n;
let rpi4: Board;
beforeAll(async () => {
  rpi4 = await loadBoard("rpi4");
});

const check = (cfg: Config) => checkConfig(rpi4, cfg, { hypRange: hypRange(rpi4) });
/** One VM on CPU 2 with 64 MiB above the reserve, given `device`. */
const withDevice = (device: DeviceRegion): Config => ({
  vms: [{ name: "alpha", cpus: [2], ram: [{ ipa: 0x40000000n, pa: 0x20000000n, size: 64n * MiB }], image: { builtin: "baremetal" }, devices: [device] }],
});

describe("rpi4 configs", () => {
  it("passes every shipped config", async () => {
    const names = fs.readdirSync(path.join(rpi4.dir, "configs")).filter((n) => n.endsWith(".ts")).sort();
    expect(names).toEqual(["bench.ts", "console.ts", "default.ts", "fuzz.ts", "health.ts", "isolation.ts", "linux-health.ts", "offcount.ts", "restart.ts", "single.ts"]);
    for (const name of names) {
      const cfg = await loadConfig(path.join(rpi4.dir, "configs", name), { typecheck: false });
      expect(check(cfg), name).toEqual([]);
    }
  });

  it("reserves the hypervisor's memory (with the spin table), the GIC-400, its console UART and ARM_LOCAL", () => {
    const keys = reservedRegions(rpi4, hypRange(rpi4)).map((r) => `${r.key} 0x${r.base.toString(16)}+0x${r.size.toString(16)}`);
    expect(keys).toEqual([
      "HYP 0x0+0x2000000", "GICD 0xff841000+0x1000", "GICC 0xff842000+0x2000", "GICH 0xff844000+0x2000",
      "GICV 0xff846000+0x2000", "LOCAL 0xff800000+0x1000", "UART 0xfe201000+0x1000",
    ]);
  });

  it("refuses a VM the frames no VM may have, naming each", () => {
    const refused = (ipa: bigint, size = 0x1000n) => check(withDevice({ name: "dev", ipa, size, dma: "none" }));
    expect(refused(0xff800000n)[0]).toMatch(/0xff800000-0xff800fff overlaps the ARM local peripherals \(ARM_LOCAL\) 0xff800000-0xff800fff \(reaches beyond one VM: its core timer prescaler/);
    expect(refused(0xff845000n)[0]).toMatch(/overlaps the GIC virtual interface control \(GICH\) 0xff844000-0xff845fff/);
    expect(refused(0xfe201000n)[0]).toMatch(/overlaps the hypervisor's UART 0xfe201000-0xfe201fff/);
    expect(refused(0xff841000n)[0]).toMatch(/overlaps the GIC distributor \(GICD\)/);
    // The next frames are a VM's to have: the GPIO block, SPI0.
    expect(refused(0xfe200000n)).toEqual([]);
    expect(refused(0xfe204000n)).toEqual([]);
  });

  it("refuses dma: \"none\" for a BCM2711 bus master, and warns about dma: \"unisolated\"", () => {
    const emmc2 = { name: "emmc2", ipa: 0xfe340000n, size: 0x1000n, interrupts: [158] };
    expect(check(withDevice({ ...emmc2, dma: "none" }))[0]).toMatch(/is part of the EMMC2 controller, the SD card \(SDHCI ADMA\) 0xfe340000-0xfe3400ff, which masters the bus: write dma: "unisolated"/);
    expect(check(withDevice({ ...emmc2, dma: "unisolated" }))).toEqual([]);
  });

  it("takes VM RAM from both RAM ranges, never from the GPU carve-out between them", () => {
    const ram = (pa: bigint, size: bigint): Config => ({ vms: [{ name: "alpha", cpus: [2], ram: [{ ipa: 0x40000000n, pa, size }], image: { builtin: "baremetal" } }] });
    expect(check(ram(0x40000000n, 0x40000000n))).toEqual([]);
    expect(check(ram(0x3b000000n, 0x800000n))[0]).toMatch(/0x3b000000-0x3b7fffff is outside board RAM 0x0-0x3b3fffff and 0x40000000-0x7fffffff$/);
    expect(check(ram(0x3c000000n, 0x1000000n))[0]).toMatch(/is outside board RAM/);
    expect(check(ram(0x7ff00000n, 0x200000n))[0]).toMatch(/is outside board RAM/);
    expect(check(withDevice({ name: "dev", ipa: 0x50000000n, size: 0x1000n, dma: "none" }))[0]).toMatch(/0x50000000-0x50000fff overlaps board RAM 0x0-0x3b3fffff and 0x40000000-0x7fffffff \(a device is MMIO, not RAM\)/);
  });
});
