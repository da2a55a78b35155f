// `bulkhead check` and `bulkhead map` as a user runs them, and what the config fuzzer found: each
// refusal one line naming the file (file:line:col where known), nothing built or written.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../host/fuzz/config-oracle.ts";
import type { Config } from "../host/config/types.ts";
import { MiB, base, check, root, scratchDir, vm } from "./config-fixture.ts";

const tmp = scratchDir("config-check-cli");

describe("bulkhead check / map", () => {
  const cli = (...args: string[]) => spawnSync("node", [path.join(root, "bin/bulkhead.mjs"), ...args], { cwd: root, encoding: "utf8" });
  const write = (name: string, text: string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const header = `import { definePartitions } from "../../../host/config/types.ts";\n`;

  it("exits 0 on the shipped configs", () => {
    const r = cli("check", "board/qemu-virt-gicv3/configs/threevm.ts");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("ok: 3 VMs on qemu-virt-gicv3\n");
    const r2 = cli("check", "board/qemu-virt-gicv2/configs/single.ts");
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stdout).toBe("ok: 1 VM on qemu-virt-gicv2\n");
  });

  it("exits 1 with every error line on a bad config", () => {
    const file = write("overlap.ts", `${header}export default definePartitions({ vms: [
  { name: "a", cpus: [0], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 0x4000000n }] },
  { name: "b", cpus: [0], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x44000000n, size: 0x4000000n }] },
] });\n`);
    const r = cli("check", file, "--board", "qemu-virt-gicv2");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: vm "b" claims CPU 0, already owned by vm "a"`);
    expect(r.stderr).toContain(`error: vm "b" RAM 0x44000000-0x47ffffff overlaps vm "a" RAM 0x42000000-0x45ffffff`);
    expect(r.stdout).toBe("");
  });

  it("exits 1 naming the file when the config does not load", () => {
    const syntax = write("syntax.ts", `${header}export default definePartitions({ vms: [ });\n`);
    let r = cli("check", syntax);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\S*syntax\.ts:2:\d+: error: /);
    const typed = write("typed.ts", `${header}export default definePartitions({ vms: [{ name: "a", cpus: [0], image: "x.bin", ram: [{ ipa: 0x40000000, size: 0x1000n }] }] });\n`);
    r = cli("check", typed);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\S*typed\.ts:2:\d+: error: .*bigint/);
    const nodefault = write("nodefault.ts", `export const vms = [];\n`);
    r = cli("check", nodefault);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\S*nodefault\.ts: error: it has no default export/);
    r = cli("check", path.join(tmp, "absent.ts"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\S*absent\.ts: error: no such file\n$/);
    r = cli("check");
    expect(r.status).toBe(2);
  });

  it("check and map warn about a device whose DMA is unisolated; check refuses one that does not say", () => {
    const dev = (dma: string) => write(`dma-${dma || "missing"}.ts`, `${header}export default definePartitions({ board: "qemu-virt-gicv3", vms: [
  { name: "a", cpus: [0], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 0x4000000n }],
    devices: [{ name: "nic", ipa: 0x09030000n, size: 0x1000n${dma} }] },
] });\n`);
    const unisolated = dev(`, dma: "unisolated"`);
    for (const cmd of ["check", "map"]) {
      const r = cli(cmd, unisolated);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`warning: vm "a" device "nic" can master the bus and this board has no IOMMU`);
    }
    const r = cli("check", dev(""));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: vm "a" device "nic" does not say whether it can master the bus: write dma: "none" if it cannot`);
    const none = cli("check", dev(`, dma: "none"`));
    expect(none.status, none.stderr).toBe(0);
    expect(none.stderr).toBe("");
  });

  it("map prints the layout", () => {
    const r = cli("map", "board/qemu-virt-gicv2/configs/threevm.ts");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/GIC virtual CPU interface \(GICV\)/);
    expect(r.stdout).toMatch(/0x8020000-0x8020fff\s+withheld\s+GICv2m MSI frame: a write pends any SPI it serves, whichever VM owns it/);
    expect(r.stdout).toMatch(/0x4a000000-0x4dffffff\s+gamma\s+RAM/);
    expect(r.stdout).toMatch(/interrupts:\n {2}33 {2}hypervisor/);
  });
});

/**
 * What the config fuzzer (tests/config-fuzz.test.ts, host/fuzz/) found, each with the mutant that
 * showed it, or found while it was written. Each failed on the code before its fix. A mutant depends
 * on the generator and on the shipped configs it mutates: `npm run fuzz:config -- --replay <id>`
 * shows it at the commit that added its test.
 */
describe("config fuzzer findings", () => {
  const header = `import { definePartitions } from "${path.join(root, "host/config/types.ts")}";\n`;
  const good = `{ name: "a", cpus: [0], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 0x4000000n }] }`;
  const write = (dir: string, name: string, text: string) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const run = async (...argv: string[]) => {
    const r = await runInProcess(argv);
    if ("crash" in r) throw new Error(`bulkhead ${argv.join(" ")} threw: ${r.crash}`);
    return r;
  };

  it("s1-m1 (every mutant outside a \"type\": \"module\" package): such a config loads (tsx made it CommonJS, which could not load it)", async () => {
    const file = write(fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-config-")), "plain.ts", `${header}export default definePartitions({ board: "qemu-virt-gicv3", vms: [${good}] });\n`);
    // The real CLI: it loads configs through tsx (under vitest, vite loads any .ts file as a module).
    const r = spawnSync("node", [path.join(root, "bin/bulkhead.mjs"), "check", file], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect([r.status, r.stdout]).toEqual([0, "ok: 1 VM on qemu-virt-gicv3\n"]);
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it("s2-m66: a config that throws while evaluated is refused at the throw, file:line:col, on one line", async () => {
    const file = write(tmp, "throws.ts", `${header}const MiB = (null as any).x;\nexport default definePartitions({ vms: [${good}] });\n`);
    // The real CLI: under vitest, stacks are not source-mapped, so the line is known only there.
    const r = spawnSync("node", [path.join(root, "bin/bulkhead.mjs"), "check", file], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\S*throws\.ts:2:\d+: error: evaluating the config threw TypeError: Cannot read properties of null \(reading 'x'\)\n$/);
  });

  it("a config that throws an object without a prototype, or a message with a terminal control: one line, escaped (it failed to print the first)", async () => {
    const file = write(tmp, "thrown.ts", `${header}throw Object.create(null);\nexport default definePartitions({ vms: [${good}] });\n`);
    let r = await run("check", file);
    expect([r.status, r.stderr]).toEqual([1, `${path.relative(root, file)}: error: evaluating the config threw a value of type object was thrown`]);
    write(tmp, "thrown.ts", `${header}throw new Error("\\u001b[2J");\nexport default definePartitions({ vms: [${good}] });\n`);
    r = await run("check", file);
    expect(r.stderr).toMatch(/^\S*thrown\.ts(:2:\d+)?: error: evaluating the config threw Error: \\u001b\[2J$/);
  });

  it("a config passed around as a variable: tsc's elaborations of one error stay on its line", async () => {
    const file = write(tmp, "chained.ts", `${header}const vm = { name: "a", cpus: [0], image: "x.bin", ram: [{ ipa: 0x40000000, size: 0x1000n }] };\nexport default definePartitions({ vms: [vm] });\n`);
    const r = await run("check", file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\S*chained\.ts:3:\d+: error: Type .* is not assignable to type 'VmConfig'\. .*Type 'number' is not assignable to type 'bigint'\.$/);
  });

  it("s1-m17, s1-m16: an unknown board is the config's error, one line naming the file; build refuses it too (it threw)", async () => {
    const file = write(tmp, "board.ts", `${header}export default definePartitions({ vms: [${good}] });\n`);
    for (const argv of [["check", file], ["build", "--config", file]]) {
      const r = await run(...argv, "--board", "QEMU-VIRT-GICV3");
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^\S*board\.ts: error: unknown board "QEMU-VIRT-GICV3" [^\n]*$/);
    }
  });

  it("s1-m22: build refuses a config that does not load as check does, one line per error (it threw ConfigLoadError)", async () => {
    const file = write(tmp, "s1-m22.ts", `${header}export const cfg = definePartitions({ vms: [${good}] });\n`);
    const r = await run("build", "--config", file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\S*s1-m22\.ts: error: it has no default export/);
  });

  it("s1-m147: build checks the config before it builds or writes anything (a missing image: it threw ENOENT)", async () => {
    const file = write(tmp, "s1-m147.ts", `${header}export default definePartitions({ board: "qemu-virt-gicv3", vms: [{ ...${good}, image: "nothere.bin" }] });\n`);
    const r = await run("build", "--config", file);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${path.relative(root, file)}: error: vm "a" image ${path.join(tmp, "nothere.bin")} does not exist`);
    expect(fs.readdirSync(path.join(root, "build/qemu-virt-gicv3")).filter((d) => d.startsWith("s1-m147"))).toEqual([]);
  });

  it("s3-m144: a name with a newline or a terminal control: every error stays one line, the controls escaped", async () => {
    const file = write(tmp, "s3-m144.ts", `${header}export default definePartitions({ board: "qemu-virt-gicv3", vms: [{ ...${good}, name: "a\\nb\\u001b[2J" }] });\n`);
    const r = await run("check", file);
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n")).toEqual([`${file}: error: vm "a\\nb\\u001b[2J": the name must match /^[a-z][a-z0-9-]{0,15}$/ (lower case, at most 16 characters)`]);
  });

  it("s1-m135, s3-m124: a dtb or initrd that is not a file is refused by check (the build threw EISDIR, or refused what check passed)", () => {
    const cfg = base();
    vm(cfg, "rtos").dtb = tmp;
    vm(cfg, "linux").initrd = path.join(tmp, "nothere.img");
    expect(check(cfg)).toEqual([
      `vm "linux" initrd ${path.join(tmp, "nothere.img")} does not exist`,
      `vm "rtos" dtb ${tmp} is not a file`,
    ]);
  });

  it("an initrd that does not fit between the image and the DTB is refused by check (only the build refused it, after writing its directory)", () => {
    const cfg = base();
    fs.writeFileSync(path.join(tmp, "big.img"), Buffer.alloc(3 << 20));
    vm(cfg, "rtos").initrd = path.join(tmp, "big.img");
    expect(check(cfg)).toEqual([]);
    vm(cfg, "rtos").ram[0].size = 4n * MiB;
    const errors = check(cfg);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^vm "rtos" initrd \S*big\.img \(0x300000 bytes\) does not fit between its image \(up to IPA 0x400[89][0-9a-f]{4}\) and its DTB at 0x40200000$/);
  });

  it("s3-m67: more interrupts or memory regions than the hypervisor's tables hold are refused by check (the build failed compiling its tables)", () => {
    const cfg = base();
    vm(cfg, "linux").interrupts = Array.from({ length: 255 }, (_, i) => 34 + i);
    vm(cfg, "rtos").interrupts = [];
    expect(check(cfg)).toEqual([]);
    vm(cfg, "rtos").interrupts = [300];
    expect(check(cfg)).toEqual([`the config passes 256 interrupts through in all; the hypervisor's tables hold at most 255`]);
    const many = base();
    vm(many, "rtos").ram.push(...Array.from({ length: 254 }, (_, i) => ({ ipa: 0x60000000n + BigInt(i) * 0x1000n, pa: 0x54000000n + BigInt(i) * 0x1000n, size: 0x1000n })));
    expect(check(many)).toEqual([`the config maps 256 memory regions in all (each VM's RAM, devices and shared regions); the hypervisor's tables hold at most 255`]);
  });

  it("s5-m80: an address or size that is NaN or Infinity is refused (check threw a RangeError suggesting the bigint to write)", () => {
    const cfg = base() as unknown as { vms: { ram: Record<string, unknown>[] }[] };
    cfg.vms[0].ram[0].size = NaN;
    cfg.vms[1].ram[0].ipa = -Infinity;
    expect(check(cfg as unknown as Config)).toEqual([`vm "linux".ram[0].size must be a bigint`, `vm "rtos".ram[0].ipa must be a bigint`]);
  });

  it("s6-m129, s2-m12: bootargs, initrd and scrubOnRestart of the wrong type are refused (the build threw in guestDts)", () => {
    const cfg = base() as unknown as { vms: Record<string, unknown>[] };
    Object.assign(cfg.vms[0], { bootargs: -1, initrd: 7, scrubOnRestart: {} });
    expect(check(cfg as unknown as Config)).toEqual([
      `vm "linux".initrd must be a path`,
      `vm "linux".bootargs must be a string`,
      `vm "linux".scrubOnRestart must be true or false`,
    ]);
  });
});
