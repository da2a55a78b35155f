// The partition-config schema: a deployment is a TypeScript module,
//   import { definePartitions } from "bulkhead";
//   export default definePartitions({ board: "qemu-virt-gicv3", vms: [ ... ] });
// checked by `bulkhead check` (host/config/check.ts) and turned into the hypervisor's
// "@config" tables (host/config/tables.ts). Addresses are bigints (write 0x40000000n).
// This module has no imports, so that type-checking a config file stays cheap.

/** Guest RAM: `size` bytes at guest-physical `ipa`, backed by host-physical `pa` (default: `ipa`, identity). */
export interface RamRegion {
  ipa: bigint;
  pa?: bigint;
  size: bigint;
}

/** A passthrough MMIO device: the VM sees the physical frames `pa` (default: `ipa`) at `ipa`. */
export interface DeviceRegion {
  /** Device-tree node name (e.g. "ethernet"); unique within the VM. */
  name: string;
  ipa: bigint;
  pa?: bigint;
  size: bigint;
  /** `compatible` of the device-tree node the guest sees. */
  compatible?: string | string[];
  /** SPI INTIDs (≥ 32) of this device: passed through to the VM and listed in its node. */
  interrupts?: number[];
  /**
   * Whether the device can master the bus (DMA). Required (the type leaves it optional so that
   * `bulkhead check` can say what to write): "none", it cannot; "unisolated", it can, and nothing
   * confines its DMA (no board has an IOMMU the hypervisor programs), so the device reaches all
   * physical memory, the hypervisor's and every VM's. `check` and `map` warn about such a device.
   */
  dma?: "none" | "unisolated";
  /** The board device-tree node it was taken from (a BoardDevice, filled in by the check). */
  node?: string;
}

/**
 * A passthrough device named by its node in the board's own device tree (host/config/board-nodes.ts):
 * a path (`/soc/gpio@7e200000`), an alias (`serial1`), a node name with its unit address
 * (`gpio@7e200000`) or a base name that only one node has (`gpio`). Its registers (pa, size), its
 * GIC interrupts and its compatible come from the node; name (default: the node's base name), ipa
 * (default: its pa), compatible, interrupts and dma may be given.
 */
export interface BoardDevice {
  node: string;
  name?: string;
  ipa?: bigint;
  compatible?: string | string[];
  interrupts?: number[];
  dma?: "none" | "unisolated";
}

/**
 * Memory shared with other VMs (`peers`). Mapped in the declaring VM at `ipa` and in each peer:
 * at the peer's own `ipa` if the peer declares a shared region of the same name (same `pa` and
 * `size`), otherwise at the same `ipa`.
 */
export interface SharedRegion {
  name: string;
  ipa: bigint;
  pa: bigint;
  size: bigint;
  peers: string[];
}

/** How a member VM may access a channel's memory: "rw" read and write, "ro" read only (stage 2 maps it read-only). */
export type ChannelAccess = "rw" | "ro";

/**
 * A channel: memory shared by the VMs in `vms`, with a doorbell each way. Each member sees it as
 * an ivshmem-style PCI device (vendor 0x1af4, device 0x1110) on a virtual PCI host bridge: its
 * doorbell registers in BAR0, the memory in BAR2, its interrupt (INTA) a virtual SPI that only the
 * hypervisor raises, when a peer rings. Stock Linux drives it with `uio_pci_generic`; bare-metal
 * guests with guests/channel (docs/config.md, Channels).
 */
export interface Channel {
  /** /^[a-z][a-z0-9-]{0,15}$/, unique among the channels. */
  name: string;
  /** Host-physical address of the memory: board RAM no VM has, aligned to `size`. */
  pa: bigint;
  /** A power of two, at least 4 KiB. */
  size: bigint;
  /**
   * The member VMs (at least two) and the access each has, in peer-ID order: the first is peer 0
   * (a doorbell names its target by peer ID), e.g. `{ control: "rw", linux: "ro" }`.
   */
  vms: Record<string, ChannelAccess>;
}

/** The special image form: a guest built by guests/baremetal/build.sh into build/guests/<builtin>.bin (attack: guests/attack). */
export interface BuiltinImage {
  builtin: "baremetal" | "bench" | "attack" | "reset" | "flood" | "flood-victim" | "harden" | "fuzz" | "fuzz-victim" | "channel" | "health" | "echo" | "echo-deaf";
}

export interface VmConfig {
  /** Lower-case name: /^[a-z][a-z0-9-]{0,15}$/. */
  name: string;
  /** Physical CPU indices this VM runs on, exclusively; vCPU i runs on cpus[i]. */
  cpus: number[];
  /** RAM regions; the image and the DTB go into the first one. */
  ram: RamRegion[];
  /** Passthrough MMIO devices: written out, or named by their board device-tree node (filled in by the check). */
  devices?: (DeviceRegion | BoardDevice)[];
  /** An emulated PL011 at the board's UART_BASE (IPA). Default "emulated". */
  uart?: "emulated" | "none";
  /** SPI INTIDs (≥ 32) passed through to this VM. */
  interrupts?: number[];
  /** Guest image: a path (relative to the config file, or absolute) or a built-in test guest. */
  image: string | BuiltinImage;
  /**
   * Entry point (IPA). Default: a Linux arm64 Image is loaded at the first RAM region's ipa
   * (2 MiB aligned) + text_offset and entered there; an ELF file's segments are loaded at their
   * physical addresses (IPAs) and it is entered at its entry point; any other file is a flat
   * binary loaded and entered 0x80000 into ram[0], as QEMU's loader does.
   */
  entry?: bigint;
  /** The device tree handed to the guest in x0: "generate" (default) or a path to a .dtb. */
  dtb?: "generate" | string;
  /** An initial RAM disk, loaded below the DTB and named in the generated DTB's /chosen. */
  initrd?: string;
  /** The kernel command line in the generated DTB's /chosen (default: console on the emulated PL011). */
  bootargs?: string;
  /** Memory shared with other VMs. */
  shared?: SharedRegion[];
  /**
   * When the VM restarts itself (PSCI SYSTEM_RESET), zero its RAM before its images are reloaded,
   * so that nothing of the last run is visible to the next (shared regions are left alone: their
   * peers still use them). Default true.
   */
  scrubOnRestart?: boolean;
  /** What the hypervisor watches for and does when the VM fails (docs/config.md, "Health"). Default: no watchdog, restart. */
  health?: HealthPolicy;
}

/**
 * A VM's health policy. A failure is the watchdog's expiry or a wedged vCPU (an exception loop the
 * guest cannot leave); a restart the guest asks for (PSCI SYSTEM_RESET, e.g. Linux's reboot after
 * `panic=N`) is no failure, but counts against the restart limit like one.
 */
export interface HealthPolicy {
  /**
   * An emulated Arm SP805 watchdog in the VM (`arm,sp805` in its generated device tree): unless
   * petted within `timeoutMs` (1 to 3,600,000) it expires and the VM has failed. `start`: "boot"
   * (default), it runs from each start of the VM, so a boot that hangs is caught too; "guest", it
   * runs once the guest enables it (Linux's sp805_wdt when a watchdog daemon opens it). Once
   * running, the guest may shorten its period but not lengthen it past `timeoutMs`, nor stop it.
   */
  watchdog?: { timeoutMs: number; start?: "boot" | "guest" };
  /**
   * On a failure: "restart" (default) the VM alone, as a clean boot; "off", power it off for the
   * rest of the run; or restart it at most `restart` times within `withinMs` of the first of them,
   * and then power it off: the failure (or guest reset) after those is the last.
   */
  onFailure?: "restart" | "off" | { restart: number; withinMs: number; then: "off" };
  /** This VM may read every VM's health (state, restart count, last cause) with HVC_HEALTH (docs/hypercalls.md). Default false. */
  view?: boolean;
}

/** The boards there are (board/<name>/; tests/cli-config.test.ts keeps this list equal to them). */
export type BoardName = "qemu-virt-gicv2" | "qemu-virt-gicv3" | "rpi4";

export interface Config {
  /**
   * The board the config is for. Required unless the command line names it (`--board`), and then
   * the two must agree: a config's addresses mean something on one board only.
   */
  board?: BoardName;
  vms: VmConfig[];
  /** Memory and doorbells between VMs. */
  channels?: Channel[];
}

/** Identity, with types: gives a config file completion and checking in the editor. */
export function definePartitions(cfg: Config): Config {
  return cfg;
}
