// The device tree a VM boots with: exactly what it owns (its vCPUs, RAM, devices, interrupts,
// shared regions), the emulated PL011 and the virtual GIC at the board's IPAs, PSCI over HVC.
import { execFileSync } from "node:child_process";
import type { Board, BoardFacts } from "../board.ts";
import type { Config, VmConfig } from "./types.ts";
import { VPCI_ECAM, VPCI_ECAM_SIZE, VPCI_MMIO, VPCI_MMIO_SIZE, vmChannels, type ChannelPort } from "./channels.ts";
import {
  GICR_FRAME, GICV2_FRAME, GICV2_GICD_SIZE, UART_SIZE, WATCHDOG_SIZE, devicesOf, factsOf, findVm, hex, uartEmulated, vmInterrupts, vmMappings, watchdogIpa,
} from "./model.ts";

/** The emulated SP805's WDOGCLK (src/devices/sp805.ts SP805_HZ): 1 MHz, a 32-bit LOAD reaches over an hour. */
export const SP805_HZ = 1_000_000;

/** `<hi lo>` cells of a 64-bit value (#address-cells = #size-cells = 2). */
function cells64(x: bigint): string {
  return `${hex(x >> 32n)} ${hex(x & 0xffffffffn)}`;
}

function reg(...pairs: [bigint, bigint][]): string {
  return pairs.map(([a, s]) => `<${cells64(a)} ${cells64(s)}>`).join(", ");
}

function strings(xs: string[]): string {
  return xs.map((x) => JSON.stringify(x)).join(", ");
}

/** The DTS source of `vm`'s device tree. */
/** Where the VM's initial RAM disk lies in its memory (IPA, bytes), when it has one. */
export interface InitrdPlace { ipa: bigint; size: bigint }

export function guestDts(board: Board | BoardFacts, cfg: Config, vmOrName: VmConfig | string, initrd?: InitrdPlace): string {
  const f = factsOf(board);
  const vm = findVm(cfg, vmOrName);
  const ports = vmChannels(cfg, vm);
  const n = vm.cpus.length;
  const v3 = f.GIC_VERSION >= 3;
  const uart = uartEmulated(vm);
  const spi = (intid: number) => `<0 ${intid - 32} 4>`;
  // Timer PPIs: GICv2 flags carry the CPU mask, as QEMU writes them (0xf04 for 4 CPUs); GICv3 only the trigger.
  const timerFlags = v3 ? "4" : hex(BigInt(((1 << Math.min(n, 8)) - 1) << 8 | 4));
  const L: string[] = [];
  const out = (s = "") => L.push(s);

  out(`// Bulkhead guest device tree for vm "${vm.name}" on ${f.BOARD_NAME}.`);
  out("/dts-v1/;");
  out();
  out("/ {");
  out(`\tcompatible = "linux,dummy-virt";`);
  out(`\tmodel = "Bulkhead VM ${vm.name}";`);
  out("\t#address-cells = <2>;");
  out("\t#size-cells = <2>;");
  out("\tinterrupt-parent = <&gic>;");
  out();
  out("\tchosen {");
  if (uart) out(`\t\tstdout-path = "/pl011@${f.UART_BASE.toString(16)}";`);
  const bootargs = vm.bootargs ?? (uart ? `console=ttyAMA0 earlycon=pl011,${hex(f.UART_BASE)}` : undefined);
  // An empty command line the config asked for stays empty (no default console in its place).
  if (bootargs !== undefined) out(`\t\tbootargs = "${bootargs.replace(/["\\]/g, "")}";`);
  if (initrd) {
    const cells = (x: bigint) => `<${hex(x >> 32n)} ${hex(x & 0xffffffffn)}>`;
    out(`\t\tlinux,initrd-start = ${cells(initrd.ipa)};`);
    out(`\t\tlinux,initrd-end = ${cells(initrd.ipa + initrd.size)};`);
  }
  // The channels' BARs are where the hypervisor put them (stage 2 maps BAR2 there, for good):
  // Linux must claim them as they are, not reassign them (drivers/pci/of.c of_pci_check_probe_only).
  if (ports.length) out("\t\tlinux,pci-probe-only = <1>;");
  out("\t};");
  out();
  out("\tcpus {");
  out("\t\t#address-cells = <1>;");
  out("\t\t#size-cells = <0>;");
  for (let i = 0; i < n; i++) {
    out();
    out(`\t\tcpu@${i.toString(16)} {`);
    out(`\t\t\tdevice_type = "cpu";`);
    out(`\t\t\tcompatible = "arm,cortex-a53";`);
    out(`\t\t\treg = <${hex(BigInt(i))}>;`);
    out(`\t\t\tenable-method = "psci";`);
    out("\t\t};");
  }
  out("\t};");
  out();
  out("\tpsci {");
  out(`\t\tcompatible = "arm,psci-1.0", "arm,psci-0.2";`);
  out(`\t\tmethod = "hvc";`);
  out("\t};");
  for (const m of vmMappings(cfg, vm)) {
    out();
    if (m.kind === "RAM") {
      out(`\tmemory@${m.ipa.toString(16)} {`);
      out(`\t\tdevice_type = "memory";`);
      out(`\t\treg = ${reg([m.ipa, m.size])};`);
      out("\t};");
    } else if (m.kind === "device") {
      const d = devicesOf(vm).find((x) => x.name === m.name)!;
      out(`\t${d.name}@${m.ipa.toString(16)} {`);
      if (d.compatible !== undefined) out(`\t\tcompatible = ${strings(typeof d.compatible === "string" ? [d.compatible] : d.compatible)};`);
      out(`\t\treg = ${reg([m.ipa, m.size])};`);
      if (d.interrupts?.length) out(`\t\tinterrupts = ${d.interrupts.map(spi).join(", ")};`);
      out("\t};");
    } else if (m.kind === "shared") {
      const peers = cfg.vms.filter((x) => x !== vm
        && vmMappings(cfg, x).some((o) => o.kind === "shared" && o.name === m.name && o.pa === m.pa)).map((x) => x.name);
      out(`\tshm-${m.name}@${m.ipa.toString(16)} {`);
      out(`\t\tcompatible = "bulkhead,shared-memory";`);
      out(`\t\treg = ${reg([m.ipa, m.size])};`);
      out(`\t\tlabel = "${m.name}";`);
      if (peers.length) out(`\t\tpeers = ${strings(peers)};`);
      out("\t};");
    }
  }
  const watchdog = vm.health?.watchdog;
  if (uart || watchdog) {
    out();
    out("\tapb_pclk: apb-pclk {");
    out(`\t\tcompatible = "fixed-clock";`);
    out("\t\t#clock-cells = <0>;");
    out("\t\tclock-frequency = <24000000>;");
    out(`\t\tclock-output-names = "clk24mhz";`);
    out("\t};");
  }
  if (watchdog) {
    // Linux's sp805_wdt takes its rate from the first clock and its timeout from timeout-sec (whole
    // seconds: the hypervisor still holds the guest to timeoutMs). No interrupt: the guest needs none.
    out();
    out("\twdog_clk: wdog-clk {");
    out(`\t\tcompatible = "fixed-clock";`);
    out("\t\t#clock-cells = <0>;");
    out(`\t\tclock-frequency = <${SP805_HZ}>;`);
    out(`\t\tclock-output-names = "wdogclk";`);
    out("\t};");
    out();
    const at = watchdogIpa(f);
    out(`\twatchdog@${at.toString(16)} {`);
    out(`\t\tcompatible = "arm,sp805", "arm,primecell";`);
    out(`\t\treg = ${reg([at, WATCHDOG_SIZE])};`);
    out("\t\tclocks = <&wdog_clk>, <&apb_pclk>;");
    out(`\t\tclock-names = "wdog_clk", "apb_pclk";`);
    out(`\t\ttimeout-sec = <${Math.max(1, Math.ceil(watchdog.timeoutMs / 1000))}>;`);
    out("\t};");
  }
  if (uart) {
    out();
    out(`\tpl011@${f.UART_BASE.toString(16)} {`);
    out(`\t\tcompatible = "arm,pl011", "arm,primecell";`);
    out(`\t\treg = ${reg([f.UART_BASE, UART_SIZE])};`);
    out(`\t\tinterrupts = ${spi(f.UART_INTID)};`);
    out("\t\tclocks = <&apb_pclk>, <&apb_pclk>;");
    out(`\t\tclock-names = "uartclk", "apb_pclk";`);
    out("\t};");
  }
  out();
  out(`\tgic: interrupt-controller@${f.GICD_BASE.toString(16)} {`);
  if (v3) {
    out(`\t\tcompatible = "arm,gic-v3";`);
    out(`\t\treg = ${reg([f.GICD_BASE, f.GICD_SIZE], [f.GICR_BASE, GICR_FRAME * BigInt(Math.max(n, 1))])};`);
    out("\t\t#redistributor-regions = <1>;");
  } else {
    out(`\t\tcompatible = "arm,cortex-a15-gic";`);
    out(`\t\treg = ${reg([f.GICD_BASE, GICV2_GICD_SIZE], [f.GICC_BASE, GICV2_FRAME])};`);
  }
  out("\t\t#interrupt-cells = <3>;");
  out("\t\t#address-cells = <2>;");
  out("\t\t#size-cells = <2>;");
  out("\t\tinterrupt-controller;");
  out("\t};");
  if (ports.length) pciHostDts(ports).forEach((l) => out(l));
  out();
  out("\ttimer {");
  out(`\t\tcompatible = "arm,armv8-timer";`);
  out(`\t\tinterrupts = ${[13, 14, 11, 10].map((p) => `<1 ${p} ${timerFlags}>`).join(", ")};`);
  out("\t\talways-on;");
  out("\t};");
  const irqs = vmInterrupts(vm);
  const inNodes = new Set(devicesOf(vm).flatMap((d) => d.interrupts ?? []));
  const loose = irqs.filter((i) => !inNodes.has(i));
  if (loose.length) {
    // Interrupts given to the VM without a device node: listed for the guest to find.
    out();
    out("\tbulkhead {");
    out(`\t\tcompatible = "bulkhead,passthrough-interrupts";`);
    out(`\t\tinterrupts = ${loose.map(spi).join(", ")};`);
    out("\t};");
  }
  out("};");
  return L.join("\n") + "\n";
}

/**
 * The virtual PCI host bridge of a VM in channels (channels.ts): ECAM for bus 0, one 32-bit memory
 * window, and each slot's INTA mapped to its doorbell SPI (edge: the hypervisor raises it once per
 * rising edge of the device's interrupt, src/stage2/channel.ts).
 */
function pciHostDts(ports: ChannelPort[]): string[] {
  const intMap = ports.map((p) => `<${hex(BigInt(p.slot) << 11n)} 0 0 1 &gic 0 0 0 ${p.intid - 32} 1>`);
  return [
    "",
    `\tpci@${VPCI_ECAM.toString(16)} {`,
    `\t\tcompatible = "pci-host-ecam-generic";`,
    `\t\tdevice_type = "pci";`,
    `\t\treg = ${reg([VPCI_ECAM, VPCI_ECAM_SIZE])};`,
    "\t\tbus-range = <0 0>;",
    "\t\t#address-cells = <3>;",
    "\t\t#size-cells = <2>;",
    "\t\t#interrupt-cells = <1>;",
    `\t\tranges = <0x02000000 ${cells64(VPCI_MMIO)} ${cells64(VPCI_MMIO)} ${cells64(VPCI_MMIO_SIZE)}>;`,
    "\t\tinterrupt-map-mask = <0xf800 0 0 7>;",
    `\t\tinterrupt-map = ${intMap.join(", ")};`,
    ...ports.map((p) => `\t\t// slot ${p.slot}: channel "${p.channel.name}", peer ${p.peer}, ${p.access}, BAR0 ${hex(p.bar0)}, BAR2 ${hex(p.bar2)}`),
    "\t};",
  ];
}

/** Compiles DTS source with dtc; an error names the VM (from the header guestDts writes, or `vm`). */
export function compileDtb(dts: string, vm?: string): Buffer {
  const name = vm ?? /for vm "([^"]*)"/.exec(dts)?.[1];
  try {
    return execFileSync("dtc", ["-q", "-I", "dts", "-O", "dtb", "-o", "-", "-"], { input: dts, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: Buffer; code?: string; message: string };
    const detail = err.code === "ENOENT" ? "dtc is not installed (apt-get install device-tree-compiler)" : (err.stderr?.toString().trim() || err.message);
    throw new Error(`device tree for vm "${name ?? "?"}" does not compile: ${detail}`);
  }
}
