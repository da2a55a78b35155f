// The shape of a config: what tsc would catch, for configs loaded without type checking (and so
// that checkConfig's checks are total). Each error names the field, e.g. `vm "linux".ram[0].ipa`.
import { DMA_MODES } from "./dma.ts";
import { hex } from "./model.ts";

/** The test guests guests/baremetal/build.sh builds (BuiltinImage in types.ts). */
const BUILTIN_GUESTS = ["baremetal", "bench", "attack", "reset", "flood", "flood-victim", "harden", "fuzz", "fuzz-victim", "channel", "health", "echo", "echo-deaf"];

/** Largest watchdog timeout (ms): an hour, well inside what the SP805's 32-bit counter holds at its 1 MHz clock (host/config/dts.ts). */
export const MAX_WATCHDOG_MS = 3_600_000;
/** Largest restart limit and window: what the hypervisor's tables hold (u32 milliseconds: 49 days). */
export const MAX_RESTARTS = 65_535;
export const MAX_WINDOW_MS = 0xffff_ffff;

/** The shape of a `health` policy (types.ts HealthPolicy): each wrong field named, with the values it may take. */
function healthShape(h: unknown, at: string, err: (m: string) => void): void {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  const int = (v: unknown, lo: number, hi: number) => typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;
  if (!isObj(h)) { err(`${at} must be an object { watchdog?, onFailure?, view? }`); return; }
  for (const k of Object.keys(h)) if (!["watchdog", "onFailure", "view"].includes(k)) err(`${at}.${k} is not a field of a health policy (watchdog, onFailure, view)`);
  const w = h.watchdog;
  if (w !== undefined) {
    if (!isObj(w)) err(`${at}.watchdog must be an object { timeoutMs, start? }`);
    else {
      if (!int(w.timeoutMs, 1, MAX_WATCHDOG_MS)) err(`${at}.watchdog.timeoutMs must be an integer from 1 to ${MAX_WATCHDOG_MS} (milliseconds)`);
      if (w.start !== undefined && w.start !== "boot" && w.start !== "guest") err(`${at}.watchdog.start must be "boot" or "guest"`);
    }
  }
  const f = h.onFailure;
  if (f !== undefined && f !== "restart" && f !== "off") {
    if (!isObj(f)) err(`${at}.onFailure must be "restart", "off" or { restart: N, withinMs: T, then: "off" }`);
    else {
      if (!int(f.restart, 0, MAX_RESTARTS)) err(`${at}.onFailure.restart must be an integer from 0 to ${MAX_RESTARTS}`);
      if (!int(f.withinMs, 1, MAX_WINDOW_MS)) err(`${at}.onFailure.withinMs must be an integer from 1 to ${MAX_WINDOW_MS} (milliseconds)`);
      if (f.then !== "off") err(`${at}.onFailure.then must be "off"`);
    }
  }
  if (h.view !== undefined && typeof h.view !== "boolean") err(`${at}.view must be true or false`);
}

/** Wrong field types and missing fields (what tsc reports for a typed config); empty: well-formed. */
export function shapeErrors(cfg: unknown): string[] {
  const errors: string[] = [];
  const err = (m: string) => errors.push(m);
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  const big = (o: Record<string, unknown>, k: string, where: string, optional = false) => {
    const v = o[k];
    if (v === undefined && optional) return;
    // A finite number gets the bigint to write instead (NaN and Infinity have none).
    if (typeof v !== "bigint") err(`${where}.${k} must be a bigint${typeof v === "number" && Number.isFinite(v) ? ` (write ${hex(BigInt(Math.trunc(v)))}n)` : ""}`);
  };
  const ints = (v: unknown, where: string) => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isInteger(x))) err(`${where} must be an array of integers`);
  };
  if (!isObj(cfg) || !Array.isArray(cfg.vms)) return ["the config must be an object with a `vms` array (export default definePartitions({ vms: [...] }))"];
  cfg.vms.forEach((vm: unknown, i: number) => {
    if (!isObj(vm)) { err(`vms[${i}] must be an object`); return; }
    const where = typeof vm.name === "string" ? `vm "${vm.name}"` : `vms[${i}]`;
    if (typeof vm.name !== "string") err(`vms[${i}].name must be a string`);
    ints(vm.cpus, `${where}.cpus`);
    if (!Array.isArray(vm.ram) || vm.ram.length === 0) err(`${where}.ram must be a non-empty array of { ipa, pa?, size }`);
    else vm.ram.forEach((r: unknown, k: number) => {
      if (!isObj(r)) { err(`${where}.ram[${k}] must be an object`); return; }
      big(r, "ipa", `${where}.ram[${k}]`); big(r, "pa", `${where}.ram[${k}]`, true); big(r, "size", `${where}.ram[${k}]`);
    });
    if (vm.devices !== undefined) {
      if (!Array.isArray(vm.devices)) err(`${where}.devices must be an array`);
      else vm.devices.forEach((d: unknown, k: number) => {
        const at = `${where}.devices[${k}]`;
        if (!isObj(d)) { err(`${at} must be an object`); return; }
        // A device named by its board device-tree node (BoardDevice) takes name, ipa and size from it.
        const fromNode = d.node !== undefined;
        if (fromNode && typeof d.node !== "string") err(`${at}.node must be a string (a node of the board's device tree)`);
        if (typeof d.name !== "string" && !(fromNode && d.name === undefined)) err(`${at}.name must be a string`);
        big(d, "ipa", at, fromNode); big(d, "pa", at, true); big(d, "size", at, fromNode);
        if (d.interrupts !== undefined) ints(d.interrupts, `${at}.interrupts`);
        if (d.dma !== undefined && !(DMA_MODES as readonly unknown[]).includes(d.dma)) err(`${at}.dma must be ${DMA_MODES.map((m) => `"${m}"`).join(" or ")}`);
        if (d.compatible !== undefined && typeof d.compatible !== "string"
          && !(Array.isArray(d.compatible) && d.compatible.every((c) => typeof c === "string"))) err(`${at}.compatible must be a string or an array of strings`);
      });
    }
    if (vm.uart !== undefined && vm.uart !== "emulated" && vm.uart !== "none") err(`${where}.uart must be "emulated" or "none"`);
    if (vm.interrupts !== undefined) ints(vm.interrupts, `${where}.interrupts`);
    const img = vm.image;
    if (!(typeof img === "string" && img !== "") && !(isObj(img) && BUILTIN_GUESTS.includes(String(img.builtin)))) {
      err(`${where}.image must be a path or { builtin: ${BUILTIN_GUESTS.map((b) => `"${b}"`).join(" | ")} }`);
    }
    big(vm, "entry", where, true);
    if (vm.dtb !== undefined && (typeof vm.dtb !== "string" || vm.dtb === "")) err(`${where}.dtb must be "generate" or a path`);
    if (vm.initrd !== undefined && (typeof vm.initrd !== "string" || vm.initrd === "")) err(`${where}.initrd must be a path`);
    if (vm.bootargs !== undefined && typeof vm.bootargs !== "string") err(`${where}.bootargs must be a string`);
    if (vm.scrubOnRestart !== undefined && typeof vm.scrubOnRestart !== "boolean") err(`${where}.scrubOnRestart must be true or false`);
    if (vm.health !== undefined) healthShape(vm.health, `${where}.health`, err);
    if (vm.shared !== undefined) {
      if (!Array.isArray(vm.shared)) err(`${where}.shared must be an array`);
      else vm.shared.forEach((s: unknown, k: number) => {
        const at = `${where}.shared[${k}]`;
        if (!isObj(s)) { err(`${at} must be an object`); return; }
        if (typeof s.name !== "string") err(`${at}.name must be a string`);
        big(s, "ipa", at); big(s, "pa", at); big(s, "size", at);
        if (!Array.isArray(s.peers) || s.peers.some((p) => typeof p !== "string")) err(`${at}.peers must be an array of vm names`);
      });
    }
  });
  if (cfg.channels !== undefined) {
    if (!Array.isArray(cfg.channels)) err("channels must be an array of { name, pa, size, vms }");
    else cfg.channels.forEach((c: unknown, k: number) => {
      if (!isObj(c)) { err(`channels[${k}] must be an object`); return; }
      const at = typeof c.name === "string" ? `channel "${c.name}"` : `channels[${k}]`;
      if (typeof c.name !== "string") err(`channels[${k}].name must be a string`);
      big(c, "pa", at); big(c, "size", at);
      if (!isObj(c.vms) || Object.values(c.vms).some((a) => a !== "rw" && a !== "ro")) err(`${at}.vms must map vm names to "rw" or "ro"`);
    });
  }
  return errors;
}
