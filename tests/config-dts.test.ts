// Guest device trees: compiled with the real dtc, decompiled again, and read back node by node.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadBoard, type Board } from "../host/board.ts";
import { checkConfig, hypRange } from "../host/config/check.ts";
import { compileDtb, guestDts } from "../host/config/dts.ts";
import { loadConfig } from "../host/config/load.ts";
import type { Config } from "../host/config/types.ts";

let v3: Board, v2: Board;
beforeAll(async () => {
  v3 = await loadBoard("qemu-virt-gicv3");
  v2 = await loadBoard("qemu-virt-gicv2");
});

/** dts → dtb (compileDtb) → dts (dtc -I dtb -O dts). */
function roundTrip(board: Board, cfg: Config, vm: string): string {
  const dtb = compileDtb(guestDts(board, cfg, vm));
  expect(dtb.readUInt32BE(0)).toBe(0xd00dfeed);
  return execFileSync("dtc", ["-q", "-I", "dtb", "-O", "dts", "-"], { input: dtb, encoding: "utf8" });
}

/** The body of node `name` (a top-level or nested node, first match) in decompiled DTS. */
function node(dts: string, name: string): string | undefined {
  const lines = dts.split("\n");
  const start = lines.findIndex((l) => l.trim() === `${name} {`);
  if (start < 0) return undefined;
  const indent = lines[start].match(/^\t*/)![0];
  const end = lines.findIndex((l, i) => i > start && l === `${indent}};`);
  return lines.slice(start + 1, end).join("\n");
}

function nodeNames(dts: string, depth: number): string[] {
  const re = new RegExp(`^\\t{${depth}}([^\\s][^\\s]*) \\{$`, "gm");
  return [...dts.matchAll(re)].map((m) => m[1]);
}

const rich: Config = {
  vms: [
    {
      name: "linux", cpus: [1, 2, 3], image: { builtin: "baremetal" },
      ram: [
        { ipa: 0x40000000n, pa: 0x42000000n, size: 0x10000000n },
        { ipa: 0x100000000n, pa: 0x60000000n, size: 0x8000000n },
      ],
      devices: [{ name: "virtio", ipa: 0x0a000000n, size: 0x1000n, compatible: "virtio,mmio", interrupts: [48], dma: "unisolated" }],
      interrupts: [50],
      shared: [{ name: "chan", ipa: 0x50000000n, pa: 0x70000000n, size: 0x10000n, peers: ["rtos"] }],
    },
    {
      name: "rtos", cpus: [0], uart: "none", image: { builtin: "baremetal" },
      ram: [{ ipa: 0x40000000n, pa: 0x52000000n, size: 0x4000000n }],
    },
  ],
};

describe("guestDts", () => {
  it("describes a GICv3 VM: its vCPUs, memory, devices, interrupts, UART, GIC, timer, PSCI", () => {
    expect(checkConfig(v3, rich, { hypRange: hypRange(v3) })).toEqual([]);
    const dts = roundTrip(v3, rich, "linux");
    expect(nodeNames(dts, 1).sort()).toEqual([
      "apb-pclk", "bulkhead", "chosen", "cpus", "interrupt-controller@8000000", "memory@100000000", "memory@40000000",
      "pl011@9000000", "psci", "shm-chan@50000000", "timer", "virtio@a000000",
    ]);
    expect(dts).toMatch(/^\t#address-cells = <0x02>;$/m);
    expect(dts).toMatch(/^\t#size-cells = <0x02>;$/m);
    expect(dts).toMatch(/^\tinterrupt-parent = <0x\d+>;$/m);
    // One cpu node per vCPU, reg = vCPU index (not the physical CPU).
    expect(nodeNames(dts, 2)).toEqual(["cpu@0", "cpu@1", "cpu@2"]);
    for (let i = 0; i < 3; i++) {
      const cpu = node(dts, `cpu@${i}`)!;
      expect(cpu).toContain(`reg = <0x0${i}>;`);
      expect(cpu).toContain(`enable-method = "psci";`);
      expect(cpu).toContain(`compatible = "arm,cortex-a53";`);
    }
    expect(node(dts, "psci")).toContain(`compatible = "arm,psci-1.0\\0arm,psci-0.2";`);
    expect(node(dts, "psci")).toContain(`method = "hvc";`);
    expect(node(dts, "memory@40000000")).toContain("reg = <0x00 0x40000000 0x00 0x10000000>;");
    expect(node(dts, "memory@100000000")).toContain("reg = <0x01 0x00 0x00 0x8000000>;");
    expect(node(dts, "chosen")).toContain(`stdout-path = "/pl011@9000000";`);
    expect(node(dts, "chosen")).toContain(`bootargs = "console=ttyAMA0 earlycon=pl011,0x9000000";`);
    const uart = node(dts, "pl011@9000000")!;
    expect(uart).toContain(`compatible = "arm,pl011\\0arm,primecell";`);
    expect(uart).toContain("reg = <0x00 0x9000000 0x00 0x1000>;");
    expect(uart).toContain("interrupts = <0x00 0x01 0x04>;");
    expect(uart).toContain(`clock-names = "uartclk\\0apb_pclk";`);
    expect(node(dts, "apb-pclk")).toContain("clock-frequency = <0x16e3600>;");
    const gic = node(dts, "interrupt-controller@8000000")!;
    expect(gic).toContain(`compatible = "arm,gic-v3";`);
    expect(gic).toContain("reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x60000>;"); // 3 vCPUs × 128 KiB
    expect(gic).toContain("#interrupt-cells = <0x03>;");
    expect(gic).toContain("interrupt-controller;");
    expect(node(dts, "timer")).toContain("interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;");
    const dev = node(dts, "virtio@a000000")!;
    expect(dev).toContain(`compatible = "virtio,mmio";`);
    expect(dev).toContain("reg = <0x00 0xa000000 0x00 0x1000>;");
    expect(dev).toContain("interrupts = <0x00 0x10 0x04>;");   // INTID 48 = SPI 16
    expect(node(dts, "bulkhead")).toContain("interrupts = <0x00 0x12 0x04>;"); // INTID 50, no device node
    expect(node(dts, "shm-chan@50000000")).toContain(`peers = "rtos";`);
  });

  it("gives a peer the shared region, and omits the UART when it is not emulated", () => {
    const dts = roundTrip(v3, rich, "rtos");
    expect(nodeNames(dts, 1).sort()).toEqual([
      "chosen", "cpus", "interrupt-controller@8000000", "memory@40000000", "psci", "shm-chan@50000000", "timer",
    ]);
    expect(nodeNames(dts, 2)).toEqual(["cpu@0"]);
    expect(node(dts, "chosen")).not.toContain("stdout-path");
    expect(node(dts, "shm-chan@50000000")).toContain(`peers = "linux";`);
    expect(node(dts, "interrupt-controller@8000000")).toContain("0x80a0000 0x00 0x20000>;");
  });

  it("gives a VM with a watchdog an arm,sp805 node, its 1 MHz WDOGCLK and the APB clock (no UART needed), timeout-sec from its timeout", () => {
    const cfg: Config = { vms: rich.vms.map((v) => (v.name === "rtos" ? { ...v, health: { watchdog: { timeoutMs: 2500 } } } : v)) };
    const dts = roundTrip(v3, cfg, "rtos");
    expect(nodeNames(dts, 1)).toContain("watchdog@9010000");
    const wd = node(dts, "watchdog@9010000")!;
    expect(wd).toContain(`compatible = "arm,sp805\\0arm,primecell";`);
    expect(wd).toContain("reg = <0x00 0x9010000 0x00 0x1000>;");
    expect(wd).toContain(`clock-names = "wdog_clk\\0apb_pclk";`);
    expect(wd).toContain("timeout-sec = <0x03>;");
    expect(node(dts, "wdog-clk")).toContain("clock-frequency = <0xf4240>;");
    expect(node(dts, "apb-pclk")).toBeDefined();
    expect(nodeNames(roundTrip(v3, rich, "linux"), 1)).not.toContain("watchdog@9010000");
  });

  it("describes a GICv2 VM with the GICD and the GICC frame (backed by GICV)", () => {
    const dts = roundTrip(v2, rich, "linux");
    const gic = node(dts, "interrupt-controller@8000000")!;
    expect(gic).toContain(`compatible = "arm,cortex-a15-gic";`);
    expect(gic).toContain("reg = <0x00 0x8000000 0x00 0x1000 0x00 0x8010000 0x00 0x2000>;");
    expect(node(dts, "timer")).toContain("interrupts = <0x01 0x0d 0x704 0x01 0x0e 0x704 0x01 0x0b 0x704 0x01 0x0a 0x704>;");
  });

  it("compiles every VM of the shipped configs; the 4-vCPU GICv2 timer uses 0xf04 as QEMU does", async () => {
    for (const b of [v3, v2]) {
      for (const name of ["default", "threevm", "single"]) {
        const cfg = await loadConfig(path.join(b.dir, "configs", `${name}.ts`), { typecheck: false });
        for (const vm of cfg.vms) {
          const dts = roundTrip(b, cfg, vm.name);
          expect(nodeNames(dts, 2)).toHaveLength(vm.cpus.length);
          expect(node(dts, `memory@${vm.ram[0].ipa.toString(16)}`)).toBeDefined();
        }
      }
    }
    const single = await loadConfig(path.join(v2.dir, "configs/single.ts"), { typecheck: false });
    expect(node(roundTrip(v2, single, "guest"), "timer")).toContain("<0x01 0x0d 0xf04");
  });

  it("a dtc error names the VM", () => {
    expect(() => compileDtb(guestDts(v3, rich, "linux").replace("psci {", "psci {{"))).toThrow(/device tree for vm "linux" does not compile: .*syntax error/s);
    expect(() => compileDtb("/dts-v1/; / { x = <; };", "beta")).toThrow(/vm "beta"/);
  });
});
