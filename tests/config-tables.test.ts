// The generated "@config" module: the documented shape, consistent with the config, and accepted
// by the subset checker (so the hypervisor can import it).
import fs from "node:fs";
import path from "node:path";
import { flattenElf } from "../host/config/elf.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { checkProgram } from "../compiler/index.ts";
import { loadBoard, type Board } from "../host/board.ts";
import { quickConfig } from "../host/config/check.ts";
import { loadConfig } from "../host/config/load.ts";
import { dtbIpa, guestLoad, imageHeader, targetConfigTs, type Placement } from "../host/config/tables.ts";
import type { Config } from "../host/config/types.ts";

const root = path.resolve(import.meta.dirname, "..");
const out = path.join(root, "build/tmp/config-tables");

let v3: Board, v2: Board;
beforeAll(async () => {
  v3 = await loadBoard("qemu-virt-gicv3");
  v2 = await loadBoard("qemu-virt-gicv2");
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
});

/** A Linux arm64 Image header: text_offset, image_size, magic "ARM\x64" at 0x38. */
function linuxImage(textOffset: bigint, imageSize: bigint, length = 0x1000): Buffer {
  const b = Buffer.alloc(length);
  b.writeBigUInt64LE(textOffset, 0x08);
  b.writeBigUInt64LE(imageSize, 0x10);
  b.write("ARM\x64", 0x38, "latin1");
  return b;
}

/** What the build would compute: images and DTBs laid out one after another from `at`. */
function placeAll(cfg: Config, image: Buffer, at = 0x40400000n): Placement[] {
  return cfg.vms.map((vm) => {
    const l = guestLoad(cfg, vm, image);
    const p: Placement = {
      vm: vm.name, imagePa: at, imageSize: BigInt(image.length), loadIpa: l.loadIpa, entryIpa: l.entryIpa,
      dtbPa: at + 0x100000n, dtbSize: 0x2000n, dtbIpa: dtbIpa(cfg, vm),
    };
    at += 0x200000n;
    return p;
  });
}

/** Writes the module under build/ and runs the subset checker on it. */
function subsetCheck(name: string, text: string): void {
  const file = path.join(out, `${name}.ts`);
  fs.writeFileSync(file, text);
  expect(() => checkProgram(file)).not.toThrow();
}

/** The elements of `export const NAME = new XArray([...])`. */
function table(text: string, name: string): string[] {
  const m = new RegExp(`^export const ${name} = new \\w+\\(\\[([^\\]]*)\\]\\);`, "m").exec(text);
  expect(m, name).not.toBeNull();
  return m![1].split(", ");
}

describe("guestLoad and dtbIpa", () => {
  const cfg: Config = { vms: [{ name: "a", cpus: [0], image: "x", ram: [{ ipa: 0x40000000n, size: 0x4000000n }] }] };
  it("honours a Linux Image header", () => {
    expect(imageHeader(linuxImage(0x80000n, 0x5000n))).toEqual({ textOffset: 0x80000n, imageSize: 0x5000n });
    expect(guestLoad(cfg, "a", linuxImage(0x80000n, 0x5000n))).toEqual({ loadIpa: 0x40080000n, entryIpa: 0x40080000n, memSize: 0x5000n });
    expect(guestLoad(cfg, "a", linuxImage(0x0n, 0x2000n)).loadIpa).toBe(0x40000000n);
    expect(guestLoad(cfg, "a", linuxImage(0x1234000n, 0n)).loadIpa).toBe(0x40080000n); // image_size 0: text_offset 0x80000
  });
  it("loads a flat binary 0x80000 into ram[0], as QEMU does; entry overrides", () => {
    expect(imageHeader(Buffer.alloc(0x1000))).toBeNull();
    expect(guestLoad(cfg, "a", Buffer.alloc(0x1000))).toEqual({ loadIpa: 0x40080000n, entryIpa: 0x40080000n, memSize: 0x1000n });
    const withEntry: Config = { vms: [{ ...cfg.vms[0], entry: 0x40001000n }] };
    expect(guestLoad(withEntry, "a", Buffer.alloc(0x2000)).entryIpa).toBe(0x40001000n);
  });
  it("lays out an ELF guest's segments flat, at their addresses, entered at its entry point", () => {
    const elfFile = path.join(root, "build/guests/baremetal.elf");
    const binFile = path.join(root, "build/guests/baremetal.bin");
    if (!fs.existsSync(elfFile)) return;
    const elf = flattenElf(fs.readFileSync(elfFile));
    expect(elf.load).toBe(0x40080000n);
    expect(elf.entry).toBe(0x40080000n);
    // The file's bytes as objcopy lays them out, then the zeroed bss.
    const bin = fs.readFileSync(binFile);
    expect(elf.image.subarray(0, bin.length).equals(bin)).toBe(true);
    expect(elf.image.length).toBeGreaterThanOrEqual(bin.length);
    expect(guestLoad(cfg, "a", fs.readFileSync(elfFile))).toEqual({ loadIpa: 0x40080000n, entryIpa: 0x40080000n, memSize: BigInt(elf.image.length) });
  });
  it("refuses an ELF file for another machine, saying which", () => {
    expect(() => flattenElf(fs.readFileSync(process.execPath))).toThrow(/machine 62, not AArch64/);
  });
  it("reads the built bare-metal guest's header", () => {
    const bin = path.join(root, "build/guests/baremetal.bin");
    if (!fs.existsSync(bin)) return;
    expect(guestLoad(cfg, "a", fs.readFileSync(bin)).loadIpa).toBe(0x40080000n);
  });
  it("puts the DTB 2 MiB below the top of the first RAM region, 2 MiB aligned", () => {
    expect(dtbIpa(cfg, "a")).toBe(0x43e00000n);
    const odd: Config = { vms: [{ name: "a", cpus: [0], image: "x", ram: [{ ipa: 0x40000000n, size: 0x3f01000n }] }] };
    expect(dtbIpa(odd, "a")).toBe(0x43c00000n);
    // The quick config's first region is IPA 0x40000000-0x7dffffff (RAM_SIZE minus the reserve).
    expect(dtbIpa(quickConfig(v3, "x"), "guest")).toBe(0x7de00000n);
  });
});

describe("targetConfigTs", () => {
  it("generates the documented module for the quick config, and it passes the subset checker", () => {
    const q = quickConfig(v3, "build/guests/baremetal.bin");
    const text = targetConfigTs(v3, q, placeAll(q, linuxImage(0x80000n, 0x4000n)));
    expect(text.split("\n")[0]).toBe("// Generated by bulkhead from a built-in config for qemu-virt-gicv3 — do not edit.");
    expect(text).toContain("export const VM_COUNT: u32 = 1;\n");
    expect(text).toContain("export const NO_VM: u32 = 255;\n");
    expect(text).toContain("export const PMU_COUNTS_EL2: bool = false;"); // only a benchmark build lets guests count at EL2
    expect(table(text, "CPU_VM")).toEqual(["0", "0", "0", "0"]);
    expect(table(text, "CPU_VCPU")).toEqual(["0", "1", "2", "3"]);
    expect(table(text, "VM_VCPUS")).toEqual(["4"]);
    expect(table(text, "VM_ENTRY")).toEqual(["0x40080000n"]);
    expect(table(text, "VM_DTB")).toEqual(["0x7de00000n"]);
    expect(table(text, "VM_UART")).toEqual(["0x9000000n"]);
    expect(table(text, "REGION_FIRST")).toEqual(["0", "1"]);
    expect(table(text, "REGION_KIND")).toEqual(["0"]);
    expect(table(text, "REGION_IPA")).toEqual(["0x40000000n"]);
    expect(table(text, "REGION_PA")).toEqual(["0x42000000n"]);
    expect(table(text, "REGION_SIZE")).toEqual(["0x3e000000n"]);
    expect(table(text, "LOAD_VM")).toEqual(["0", "0"]);
    expect(table(text, "LOAD_SRC")).toEqual(["0x40400000n", "0x40500000n"]);
    expect(table(text, "LOAD_DST")).toEqual(["0x40080000n", "0x7de00000n"]);
    expect(table(text, "LOAD_SIZE")).toEqual(["0x1000n", "0x2000n"]);
    expect(table(text, "IRQ_FIRST")).toEqual(["0", "0"]);
    expect(table(text, "IRQ_INTID")).toEqual(["0"]);
    expect(text).toContain(`    case 0: return "guest";\n    default: return "?";`);
    subsetCheck("quick", text);
  });

  it("generates subset-clean tables for the shipped configs of both boards", async () => {
    for (const b of [v3, v2]) {
      for (const name of ["default", "threevm", "single"]) {
        const cfg = await loadConfig(path.join(b.dir, "configs", `${name}.ts`), { typecheck: false });
        const text = targetConfigTs(b, cfg, placeAll(cfg, linuxImage(0x80000n, 0x4000n)));
        expect(text.split("\n")[0]).toBe(`// Generated by bulkhead from board/${b.facts.BOARD_NAME}/configs/${name}.ts for ${b.facts.BOARD_NAME} — do not edit.`);
        subsetCheck(`${b.facts.BOARD_NAME}-${name}`, text);
        if (name === "threevm") {
          expect(text).toContain("export const VM_COUNT: u32 = 3;");
          expect(table(text, "CPU_VM")).toEqual(["0", "1", "2", "2"]);
          expect(table(text, "CPU_VCPU")).toEqual(["0", "0", "0", "1"]);
          expect(table(text, "VM_VCPUS")).toEqual(["1", "1", "2"]);
          expect(table(text, "REGION_FIRST")).toEqual(["0", "1", "2", "3"]);
          expect(table(text, "REGION_PA")).toEqual(["0x42000000n", "0x46000000n", "0x4a000000n"]);
          expect(table(text, "VM_DTB")).toEqual(["0x43e00000n", "0x43e00000n", "0x43e00000n"]);
          expect(table(text, "LOAD_VM")).toEqual(["0", "0", "1", "1", "2", "2"]);
          // alpha owns SPI 48, gamma SPI 49 (the virtual GIC's passthrough test, guests/baremetal check_spi).
          expect(table(text, "IRQ_FIRST")).toEqual(["0", "1", "1", "2"]);
          expect(table(text, "IRQ_INTID")).toEqual(["48", "49"]);
          expect(text).toMatch(/case 0: return "alpha";\n {4}case 1: return "beta";\n {4}case 2: return "gamma";/);
        }
      }
    }
  });

  it("lists devices (kind 1), shared regions (kind 2, in both peers), interrupts, idle CPUs, no-UART VMs", () => {
    const cfg: Config = {
      vms: [
        {
          name: "linux", cpus: [2, 1], image: "x",
          ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 0x8000000n }],
          devices: [{ name: "eth", ipa: 0x0a000000n, size: 0x1000n, interrupts: [48], dma: "unisolated" }],
          interrupts: [50, 47],
          shared: [{ name: "chan", ipa: 0x50000000n, pa: 0x70000000n, size: 0x10000n, peers: ["rtos"] }],
        },
        { name: "rtos", cpus: [0], uart: "none", image: "y", ram: [{ ipa: 0x40000000n, pa: 0x52000000n, size: 0x4000000n }] },
      ],
    };
    const text = targetConfigTs(v2, cfg, placeAll(cfg, Buffer.alloc(0x3000)), { source: "demo.ts" });
    expect(text.split("\n")[0]).toContain("from demo.ts for qemu-virt-gicv2");
    expect(table(text, "CPU_VM")).toEqual(["1", "0", "0", "255"]);
    expect(table(text, "CPU_VCPU")).toEqual(["0", "1", "0", "0"]);
    expect(table(text, "VM_UART")).toEqual(["0x9000000n", "0x0n"]);
    expect(table(text, "REGION_FIRST")).toEqual(["0", "3", "5"]);
    expect(table(text, "REGION_KIND")).toEqual(["0", "1", "2", "0", "2"]);
    expect(table(text, "REGION_IPA")).toEqual(["0x40000000n", "0xa000000n", "0x50000000n", "0x40000000n", "0x50000000n"]);
    expect(table(text, "REGION_PA")).toEqual(["0x42000000n", "0xa000000n", "0x70000000n", "0x52000000n", "0x70000000n"]);
    expect(table(text, "IRQ_FIRST")).toEqual(["0", "3", "3"]);
    expect(table(text, "IRQ_INTID")).toEqual(["47", "48", "50"]);
    subsetCheck("rich", text);
  });

  it("(control) the subset checker rejects what the generator must avoid: an empty table", () => {
    const file = path.join(out, "control.ts");
    fs.writeFileSync(file, "export const IRQ_INTID = new Uint16Array([]);\n");
    expect(() => checkProgram(file)).toThrow(/at least one element/);
  });

  it("insists on a placement for every VM", () => {
    const q = quickConfig(v3, "x");
    expect(() => targetConfigTs(v3, q, [])).toThrow(/no placement for vm "guest"/);
  });
});
