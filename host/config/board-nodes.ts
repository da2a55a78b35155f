// Passthrough by name: a VM's device given as `node: "gpio"` takes its physical registers, its
// interrupts and its `compatible` from the board's own device tree (the RPi4's Debian
// bcm2711-rpi-4-b.dtb, QEMU virt's own tree), so that a user need not copy addresses out of the
// BCM2711 manual. Everything the node gives is then checked like a device written out by hand.
//
// Invariant: the frames a node's device maps hold that node's registers and no other node's — the
// page-rounded span of its `reg` entries is refused if it reaches into any other device's registers,
// so a name never hands a VM more of the machine than that one device.
import fs from "node:fs";
import type { Board } from "../board.ts";
import type { Config, DeviceRegion } from "./types.ts";
import { type FdtNode, gicSpis, parseFdt, physicalRegs, stringsOf, walk } from "./fdt.ts";
import { alignDown, alignUp, hex, overlaps } from "./model.ts";

const PAGE = 0x1000n;

/** The node `query` names: a path, an alias, a device node's name with its unit address, or a base name only one device node has. */
export function findNode(root: FdtNode, query: string): FdtNode | string {
  const all = [...walk(root)];
  const aliases = all.find((n) => n.path === "/aliases");
  const path = query.startsWith("/") ? query : aliases?.props.get(query)?.toString("latin1").replace(/\0$/, "");
  if (path !== undefined) return all.find((n) => n.path === path) ?? `no node ${path} in the board's device tree`;
  // By name, only devices count: nodes with registers (the RPi4's /soc/firmware/gpio has none).
  const devices = all.filter((n) => n.props.has("reg"));
  const exact = devices.filter((n) => n.name === query);
  const base = exact.length ? exact : devices.filter((n) => n.name.split("@")[0] === query);
  if (base.length === 1) return base[0];
  if (base.length > 1) return `"${query}" names ${base.length} nodes of the board's device tree (${base.map((n) => n.path).join(", ")}): give a path`;
  const near = devices.filter((n) => n.name.includes(query.split("@")[0])).map((n) => n.path).slice(0, 6);
  return `no node "${query}" in the board's device tree${near.length ? ` (nodes with similar names: ${near.join(", ")})` : ""}`;
}

/** The frames `node`'s registers occupy, or why it cannot be passed through. */
function nodeWindow(root: FdtNode, node: FdtNode): { pa: bigint; size: bigint } | string {
  let regs;
  try {
    regs = physicalRegs(node);
  } catch (e) {
    return (e as Error).message;
  }
  if (regs.length === 0) return `${node.path} has no registers ("reg") to map`;
  const pa = alignDown(regs.reduce((m, r) => (r.base < m ? r.base : m), regs[0].base), PAGE);
  const end = alignUp(regs.reduce((m, r) => (r.base + r.size > m ? r.base + r.size : m), 0n), PAGE);
  for (const other of walk(root)) {
    if (other === node || other.path.startsWith(`${node.path}/`) || node.path.startsWith(`${other.path}/`)) continue;
    let theirs;
    try {
      theirs = physicalRegs(other);
    } catch {
      continue; // a node outside the CPU's address space (an I2C device, say) shares no frames
    }
    const hit = theirs.find((r) => r.size > 0n && overlaps(pa, end - pa, r.base, r.size));
    if (hit) return `the frames of ${node.path} (${hex(pa)}-${hex(end - 1n)}) also hold ${other.path}'s registers at ${hex(hit.base)}: passing it through would hand the VM both`;
  }
  return { pa, size: end - pa };
}

/**
 * Fills in every `node` device of `cfg` from the board's device tree, in place; returns one error
 * per device that cannot be (each names the VM and the device), and leaves those untouched.
 */
export function resolveDeviceNodes(board: Board, cfg: Config): string[] {
  const wanted = cfg.vms.flatMap((vm) => (vm.devices ?? []).map((d, k) => ({ vm, d: d as Partial<DeviceRegion>, k }))).filter((x) => x.d.node !== undefined);
  if (wanted.length === 0) return [];
  const at = (x: (typeof wanted)[0]) => `vm "${x.vm.name}".devices[${x.k}].node "${x.d.node}"`;
  if (!board.host.deviceTree) return wanted.map((x) => `${at(x)}: board ${board.host.name} has no device tree to take nodes from`);
  let root: FdtNode;
  try {
    root = parseFdt(fs.readFileSync(board.host.deviceTree()));
  } catch (e) {
    return [`board ${board.host.name}: its device tree cannot be read: ${(e as Error).message}`];
  }
  const errors: string[] = [];
  for (const x of wanted) {
    const d = x.d;
    if (d.pa !== undefined || d.size !== undefined) { errors.push(`${at(x)}: pa and size come from the node; give only ipa (default: its pa)`); continue; }
    const node = findNode(root, d.node!);
    if (typeof node === "string") { errors.push(`${at(x)}: ${node}`); continue; }
    const win = nodeWindow(root, node);
    if (typeof win === "string") { errors.push(`${at(x)}: ${win}`); continue; }
    let spis: number[];
    try {
      spis = gicSpis(root, node);
    } catch (e) {
      errors.push(`${at(x)}: ${(e as Error).message}`);
      continue;
    }
    d.name ??= node.name.split("@")[0];
    d.pa = win.pa;
    d.ipa ??= win.pa;
    d.size = win.size;
    d.compatible ??= stringsOf(node, "compatible");
    d.interrupts ??= [...new Set(spis)]; // (the DMA channels share some)
  }
  return errors;
}
