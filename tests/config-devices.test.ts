// A passthrough device in the config: the board's reserved regions (owned by the hypervisor, or
// reaching beyond one VM) are refused to it, checked against the device tree QEMU itself builds,
// and it says whether it can master the bus.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Board } from "../host/board.ts";
import { configWarnings, hypRange } from "../host/config/check.ts";
import { memoryMap } from "../host/config/commands.ts";
import { reservedRegions } from "../host/config/reserved.ts";
import type { Config } from "../host/config/types.ts";
import { base, check, v2, v3, vm } from "./config-fixture.ts";

/** A config whose "attacker" VM is given one device at physical `pa`, `size` bytes. */
function withDevice(pa: bigint, size = 0x1000n, dma: "none" | "unisolated" | "omitted" = "none"): Config {
  const cfg = base();
  vm(cfg, "rtos").name = "attacker";
  vm(cfg, "attacker").devices = [{ name: "msi", ipa: 0x0a000000n, pa, size, ...(dma === "omitted" ? {} : { dma }) }];
  return cfg;
}

describe("the board's reserved regions: owned by the hypervisor or reaching beyond one VM", () => {
  it("refuses the GICv2m MSI frame (a VM given it raised another VM's SPI 80)", () => {
    expect(check(withDevice(0x08020000n), v2)).toEqual([
      `vm "attacker" device "msi" 0x8020000-0x8020fff overlaps the GICv2m MSI frame 0x8020000-0x8020fff (reaches beyond one VM: a write pends any SPI it serves, whichever VM owns it)`,
    ]);
  });

  it("refuses the ITS, either of its frames", () => {
    for (const pa of [0x08080000n, 0x08090000n]) {
      expect(check(withDevice(pa), v3)).toEqual([
        `vm "attacker" device "msi" ${span(pa)} overlaps the GIC ITS (GITS) 0x8080000-0x809ffff (reaches beyond one VM: its commands route any device's MSIs to any LPI, whichever VM owns it)`,
      ]);
    }
  });

  it("refuses another CPU's redistributor, the GICv2 frames' whole windows, the hypervisor's UART", () => {
    expect(check(withDevice(0x080e0000n), v3)).toEqual([
      `vm "attacker" device "msi" 0x80e0000-0x80e0fff overlaps the GIC redistributor of CPU 2 (GICR) 0x80e0000-0x80fffff (owned by the hypervisor: emulated for every VM)`,
    ]);
    expect(check(withDevice(0x08200000n), v3)).toEqual([
      `vm "attacker" device "msi" 0x8200000-0x8200fff overlaps the GIC redistributor space past CPU 3 (GICR) 0x8120000-0x8ffffff (owned by the hypervisor: the GIC's)`,
    ]);
    expect(check(withDevice(0x08034000n), v2)).toEqual([
      `vm "attacker" device "msi" 0x8034000-0x8034fff overlaps the GIC virtual interface control (GICH) 0x8030000-0x803ffff (owned by the hypervisor: the list registers of whichever VM runs on the CPU)`,
    ]);
    expect(check(withDevice(0x08040000n), v2)).toEqual([
      `vm "attacker" device "msi" 0x8040000-0x8040fff overlaps the GIC virtual CPU interface (GICV) 0x8040000-0x804ffff (owned by the hypervisor: mapped only at each VM's GICC address, by the hypervisor)`,
    ]);
    const uart = base();
    vm(uart, "rtos").uart = "none";
    vm(uart, "rtos").devices = [{ name: "serial", ipa: 0x09000000n, size: 0x1000n, dma: "none" }];
    expect(check(uart)).toEqual([
      `vm "rtos" device "serial" 0x9000000-0x9000fff overlaps the hypervisor's UART 0x9000000-0x9000fff (owned by the hypervisor: its console; every VM's PL011 is emulated)`,
    ]);
  });

  it("refuses every reserved region of both boards to a device, RAM and a shared region alike", () => {
    for (const b of [v3, v2]) {
      const regions = reservedRegions(b, hypRange(b));
      for (const r of regions) {
        const dev = withDevice(r.base, 0x1000n);
        expect(check(dev, b).join("\n"), `${b.facts.BOARD_NAME} ${r.key}`).toContain(`overlaps ${r.what} ${span(r.base, r.size)}`);
        const ram = base();
        vm(ram, "rtos").ram.push({ ipa: 0x60000000n, pa: r.base, size: 0x1000n });
        expect(check(ram, b).join("\n"), `${b.facts.BOARD_NAME} ${r.key}`).toContain(`vm "rtos" RAM ${span(r.base)} overlaps ${r.what}`);
        const shm = base();
        vm(shm, "rtos").shared = [{ name: "chan", ipa: 0x60000000n, pa: r.base, size: 0x1000n, peers: ["linux"] }];
        expect(check(shm, b).join("\n"), `${b.facts.BOARD_NAME} ${r.key}`).toContain(`vm "rtos" shared "chan" ${span(r.base)} overlaps ${r.what}`);
      }
    }
  });

  it("declares, per board, every frame of QEMU's interrupt controller and its UART (from QEMU's own device tree)", () => {
    for (const b of [v3, v2]) {
      const regions = reservedRegions(b, hypRange(b));
      const has = (key: string) => regions.some((r) => r.key === key);
      if (b.facts.GIC_VERSION === 3) expect(["GICD", "GICR0", "GICR1", "GICR2", "GICR3", "GITS", "UART", "HYP"].every(has)).toBe(true);
      else expect(["GICD", "GICC", "GICH", "GICV", "GICV2M", "UART", "HYP"].every(has)).toBe(true);
      const frames = qemuGicAndUartFrames(b);
      expect(frames.length, b.facts.BOARD_NAME).toBeGreaterThanOrEqual(b.facts.GIC_VERSION === 3 ? 4 : 6);
      for (const [start, size] of frames) {
        // Every byte of the frame lies in some reserved region.
        let at = start;
        for (let moved = true; moved && at < start + size;) {
          moved = false;
          for (const r of regions) if (at >= r.base && at < r.base + r.size) { at = r.base + r.size; moved = true; }
        }
        expect(at >= start + size, `${b.facts.BOARD_NAME}: QEMU's frame ${span(start, size)} is reserved up to ${hex(at)} only`).toBe(true);
      }
    }
  });
});

const qemuDtsCache = new Map<string, string>();

/** The device tree QEMU itself builds for the machine `b` runs, as DTS source. */
function qemuDts(b: Board): string {
  const cached = qemuDtsCache.get(b.facts.BOARD_NAME);
  if (cached) return cached;
  const dts = execFileSync("dtc", ["-q", "-I", "dtb", "-O", "dts", b.host.deviceTree!()], { encoding: "utf8" });
  qemuDtsCache.set(b.facts.BOARD_NAME, dts);
  return dts;
}

/** The `reg` ranges of the interrupt controller (and its MSI frames) and the PL011 in the DTB QEMU builds for `b`. */
function qemuGicAndUartFrames(b: Board): [bigint, bigint][] {
  const dts = qemuDts(b);
  // The intc node and its children (v2m, its) and the pl011 node; #address-cells = #size-cells = 2 throughout.
  const intc = /\tintc@[0-9a-f]+ \{[\s\S]*?\n\t\};/.exec(dts)![0];
  const uart = /\tpl011@[0-9a-f]+ \{[\s\S]*?\n\t\};/.exec(dts)![0];
  const out: [bigint, bigint][] = [];
  for (const m of (intc + uart).matchAll(/\breg = <([^>]*)>/g)) {
    const c = m[1].trim().split(/\s+/).map((x) => BigInt(x));
    for (let i = 0; i + 3 < c.length; i += 4) out.push([(c[i] << 32n) | c[i + 1], (c[i + 2] << 32n) | c[i + 3]]);
  }
  return out;
}

const hex = (x: bigint) => `0x${x.toString(16)}`;
const span = (start: bigint, size = 0x1000n) => `${hex(start)}-${hex(start + size - 1n)}`;

describe("DMA: a passthrough device says whether it can master the bus", () => {
  it("refuses a device that does not say, telling what to write", () => {
    expect(check(withDevice(0x0a000000n, 0x1000n, "omitted"))).toEqual([
      `vm "attacker" device "msi" does not say whether it can master the bus: write dma: "none" if it cannot, or dma: "unisolated" if it can (this board has no IOMMU: its DMA would reach all physical memory)`,
    ]);
  });

  it("accepts dma: \"none\" quietly, dma: \"unisolated\" with a warning naming the VM and the device", () => {
    const quiet = withDevice(0x09030000n, 0x1000n, "none"); // the PL061 GPIO block
    expect(check(quiet)).toEqual([]);
    expect(configWarnings(v3, quiet)).toEqual([]);
    const loud = withDevice(0x0a000000n, 0x1000n, "unisolated");
    expect(check(loud, v2)).toEqual([]);
    expect(configWarnings(v2, loud)).toEqual([
      `vm "attacker" device "msi" can master the bus and this board has no IOMMU: its DMA reaches all physical memory, the hypervisor's and every other VM's (dma: "unisolated")`,
    ]);
    expect(memoryMap(v2, loud).join("\n")).toMatch(/0xa000000-0xa000fff\s+attacker\s+device "msi"\s+\(ipa 0xa000000-0xa000fff, DMA unisolated: reaches all memory\)/);
  });

  it("refuses dma: \"none\" on what the board knows masters the bus (from QEMU's device tree: dma-coherent)", () => {
    expect(check(withDevice(0x0a001000n), v2)).toEqual([
      `vm "attacker" device "msi" 0xa001000-0xa001fff is part of the virtio-mmio transports (32 of 512 bytes) 0xa000000-0xa003fff, which masters the bus: write dma: "unisolated", not "none" (this board has no IOMMU: its DMA would reach all physical memory)`,
    ]);
    expect(check(withDevice(0x09020000n)).join("\n")).toContain(`is part of QEMU's fw_cfg (its DMA interface writes guest memory) 0x9020000-0x9020017, which masters the bus`);
    expect(check(withDevice(0x09020000n, 0x1000n, "unisolated"))).toEqual([]);
    for (const b of [v3, v2]) {
      const masters = b.host.busMasters;
      const dts = qemuDts(b);
      // Every dma-coherent node: its reg, and for a PCI host its windows (ranges: 3 child cells, 2 parent, 2 size).
      const nodes = [...dts.matchAll(/\n\t([\w,-]+@[0-9a-f]+) \{\n((?:\t\t[^\n]*\n)*?)\t\};/g)].filter((m) => /\tdma-coherent;/.test(m[2]));
      expect(nodes.length, b.facts.BOARD_NAME).toBeGreaterThanOrEqual(34); // fw-cfg, 32 virtio-mmio, pcie
      for (const [, name, body] of nodes) {
        const ranges: [bigint, bigint][] = [];
        const cells = (prop: string) => (new RegExp(`\\t${prop} = <([^>]*)>`).exec(body)?.[1].trim().split(/\s+/) ?? []).map((x) => BigInt(x));
        const reg = cells("reg");
        for (let i = 0; i + 3 < reg.length; i += 4) ranges.push([(reg[i] << 32n) | reg[i + 1], (reg[i + 2] << 32n) | reg[i + 3]]);
        if (/device_type = "pci"/.test(body)) {
          const r = cells("ranges");
          for (let i = 0; i + 6 < r.length; i += 7) ranges.push([(r[i + 3] << 32n) | r[i + 4], (r[i + 5] << 32n) | r[i + 6]]);
        }
        for (const [start, size] of ranges) {
          expect(masters.some((m) => start >= m.base && start + size <= m.base + m.size), `${b.facts.BOARD_NAME} ${name} ${span(start, size)}`).toBe(true);
        }
      }
    }
  });

  it("refuses any other value (configs loaded without type checking)", () => {
    const cfg = withDevice(0x0a000000n) as unknown as { vms: { devices?: Record<string, unknown>[] }[] };
    cfg.vms[1].devices![0].dma = "isolated";
    expect(check(cfg as unknown as Config)).toEqual([`vm "attacker".devices[0].dma must be "none" or "unisolated"`]);
  });

  it("every board declares whether it has an IOMMU (none has)", () => {
    for (const b of [v3, v2]) expect(b.facts.HAS_IOMMU).toBe(false);
  });
});
