// Passthrough by name (host/config/board-nodes.ts, host/config/fdt.ts): a device given as a node of
// the board's own device tree gets that node's physical registers, GIC interrupts and compatible,
// and nothing of any other device; on a small tree built here, and on the two boards' real trees
// (Debian's bcm2711-rpi-4-b.dtb, QEMU virt's own).
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { loadBoard } from "../host/board.ts";
import { checkConfig } from "../host/config/check.ts";
import { guestDts } from "../host/config/dts.ts";
import { findNode, resolveDeviceNodes } from "../host/config/board-nodes.ts";
import { gicSpis, parseFdt, physicalRegs } from "../host/config/fdt.ts";
import { hypRange } from "../host/config/model.ts";
import type { Config, VmConfig } from "../host/config/types.ts";

/** A board-like tree: a bus at 0x7e000000 seen by the CPU at 0xfe000000, a GIC, and a second controller. */
const TREE = `/dts-v1/;
/ {
  #address-cells = <2>; #size-cells = <1>;
  interrupt-parent = <&gic>;
  aliases { uart = "/soc/serial@7e201000"; };
  gic: interrupt-controller@ff841000 { compatible = "arm,gic-400"; reg = <0 0xff841000 0x1000>; interrupt-controller; #interrupt-cells = <3>; };
  soc {
    compatible = "simple-bus"; #address-cells = <1>; #size-cells = <1>;
    ranges = <0x7e000000 0 0xfe000000 0x1800000>;
    gpio@7e200000 { compatible = "brcm,bcm2711-gpio", "brcm,bcm2835-gpio"; reg = <0x7e200000 0xb4>; interrupts = <0 113 4>, <0 114 4>; };
    serial@7e201000 { compatible = "arm,pl011"; reg = <0x7e201000 0x200>; interrupts = <0 121 4>; };
    aux@7e215000 { reg = <0x7e215000 0x8>; };
    serial@7e215040 { reg = <0x7e215040 0x40>; interrupt-parent = <&local>; interrupts = <5>; };
    local: local-intc@7e300000 { reg = <0x7e300000 0x100>; interrupt-controller; #interrupt-cells = <1>; };
    timer@7e003000 { reg = <0x7e003000 0x1000>; interrupts = <1 9 4>; };
  };
  nobus { #address-cells = <1>; #size-cells = <0>; i2c@50 { reg = <0x50>; }; };
  firmware { gpio { compatible = "raspberrypi,firmware-gpio"; }; };
};`;

const tree = () => parseFdt(execFileSync("dtc", ["-q", "-I", "dts", "-O", "dtb"], { input: TREE }));

describe("the board's device tree", () => {
  it("finds nodes by path, alias, unit name and unique base name, and says why not", () => {
    const root = tree();
    const path = (q: string) => { const n = findNode(root, q); return typeof n === "string" ? n : n.path; };
    expect(path("/soc/gpio@7e200000")).toBe("/soc/gpio@7e200000");
    expect(path("uart")).toBe("/soc/serial@7e201000");
    expect(path("serial@7e215040")).toBe("/soc/serial@7e215040");
    expect(path("gpio")).toBe("/soc/gpio@7e200000");
    expect(path("serial")).toMatch(/^"serial" names 2 nodes of the board's device tree \(\/soc\/serial@7e201000, \/soc\/serial@7e215040\): give a path$/);
    expect(path("gpi0")).toBe('no node "gpi0" in the board\'s device tree');
    expect(path("/soc/nothing")).toBe("no node /soc/nothing in the board's device tree");
  });

  it("translates registers through the buses' ranges and reads GIC SPIs", () => {
    const root = tree();
    const gpio = findNode(root, "gpio");
    if (typeof gpio === "string") throw new Error(gpio);
    expect(physicalRegs(gpio)).toEqual([{ base: 0xfe200000n, size: 0xb4n }]);
    expect(gicSpis(root, gpio)).toEqual([145, 146]);
    const mini = findNode(root, "serial@7e215040");
    if (typeof mini === "string") throw new Error(mini);
    expect(() => gicSpis(root, mini)).toThrow("/soc/serial@7e215040's interrupts go to /soc/local-intc@7e300000, not the GIC");
    const timer = findNode(root, "timer");
    if (typeof timer === "string") throw new Error(timer);
    expect(() => gicSpis(root, timer)).toThrow("a private interrupt (PPI 9), not an SPI");
    const i2c = findNode(root, "i2c");
    if (typeof i2c === "string") throw new Error(i2c);
    expect(() => physicalRegs(i2c)).toThrow('/nobus has no "ranges"');
  });
});

const rpi4Vm = (devices: VmConfig["devices"]): Config => ({
  vms: [{ name: "ctl", cpus: [2, 3], ram: [{ ipa: 0x40000000n, pa: 0x10000000n, size: 0x1000000n }], image: { builtin: "baremetal" }, devices }],
});

describe("devices named by node", () => {
  it("rpi4: the GPIO block by its name, its registers page and its four SPIs, and in the VM's device tree", async () => {
    const b = await loadBoard("rpi4");
    const cfg = rpi4Vm([{ node: "gpio", dma: "none" }]);
    expect(checkConfig(b, cfg, { hypRange: hypRange(b) })).toEqual([]);
    expect(cfg.vms[0].devices).toEqual([{
      node: "gpio", name: "gpio", dma: "none", pa: 0xfe200000n, ipa: 0xfe200000n, size: 0x1000n,
      compatible: ["brcm,bcm2711-gpio"], interrupts: [145, 146, 147, 148],
    }]);
    const dts = guestDts(b, cfg, "ctl");
    expect(dts).toMatch(/gpio@fe200000 \{[^}]*compatible = "brcm,bcm2711-gpio";[^}]*reg = <0x0 0xfe200000 0x0 0x1000>;/);
  });

  it("rpi4: a node whose frames hold another device's registers is refused, naming both", async () => {
    const b = await loadBoard("rpi4");
    // The mini-UART (serial@7e215040) shares its page with the AUX block's enable registers.
    const errors = checkConfig(b, rpi4Vm([{ node: "serial1", dma: "none" }]), { hypRange: hypRange(b) });
    expect(errors).toEqual([expect.stringMatching(/^vm "ctl"\.devices\[0\]\.node "serial1": the frames of \/soc\/serial@7e215040 \(0xfe215000-0xfe215fff\) also hold \/soc\/aux@7e215000's registers at 0xfe215000/)]);
  });

  it("rpi4: the hypervisor's own UART, named by its alias, is refused (its page holds UART2 too)", async () => {
    const b = await loadBoard("rpi4");
    const errors = checkConfig(b, rpi4Vm([{ node: "serial0", dma: "none" }]), { hypRange: hypRange(b) });
    expect(errors).toEqual([expect.stringMatching(/^vm "ctl"\.devices\[0\]\.node "serial0": the frames of \/soc\/serial@7e201000 \(0xfe201000-0xfe201fff\) also hold \/soc\/serial@7e201400's registers/)]);
  });

  it("rpi4: a DMA master by its path keeps the DMA rule, and shared interrupt lines are listed once", async () => {
    const b = await loadBoard("rpi4");
    const none = checkConfig(b, rpi4Vm([{ node: "/soc/dma@7e007000", dma: "none" }]), { hypRange: hypRange(b) });
    expect(none.join("\n")).toMatch(/vm "ctl".*dma.*0xfe007000.*DMA controller/i);
    const cfg = rpi4Vm([{ node: "/soc/dma@7e007000", dma: "unisolated" }]);
    expect(checkConfig(b, cfg, { hypRange: hypRange(b) })).toEqual([]);
    const irqs = cfg.vms[0].devices![0].interrupts!;
    expect(irqs.length).toBe(new Set(irqs).size);
  });

  it("qemu virt: the PL061 GPIO from QEMU's own tree; an unknown name lists near ones", async () => {
    const b = await loadBoard("qemu-virt-gicv3");
    const cfg: Config = { vms: [{ name: "ctl", cpus: [0], ram: [{ ipa: 0x40000000n, pa: 0x48000000n, size: 0x1000000n }], image: { builtin: "baremetal" },
      devices: [{ node: "pl061", dma: "none", ipa: 0x0a100000n }] }] };
    expect(checkConfig(b, cfg, { hypRange: hypRange(b) })).toEqual([]);
    expect(cfg.vms[0].devices![0]).toMatchObject({ name: "pl061", pa: 0x09030000n, ipa: 0x0a100000n, size: 0x1000n, interrupts: [39] });
    const bad: Config = { vms: [{ ...cfg.vms[0], devices: [{ node: "pl06", dma: "none" }] }] };
    expect(resolveDeviceNodes(b, bad)).toEqual(['vm "ctl".devices[0].node "pl06": no node "pl06" in the board\'s device tree (nodes with similar names: /pl061@9030000)']);
  });
});
