// Partition-config validation: every conflict is caught, with a message naming both parties and ranges.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadBoard, type Board } from "../host/board.ts";
import { HYP_RESERVE, checkConfig, configWarnings, hypRange, quickConfig } from "../host/config/check.ts";
import { loadConfig } from "../host/config/load.ts";
import { memoryMap } from "../host/config/commands.ts";
import { reservedRegions } from "../host/config/reserved.ts";
import { runInProcess } from "../host/fuzz/config-oracle.ts";
import type { Config, VmConfig } from "../host/config/types.ts";

const root = path.resolve(import.meta.dirname, "..");
const tmp = path.join(root, "build/tmp/config-check");
const MiB = 1n << 20n;

let v3: Board, v2: Board;
beforeAll(async () => {
  v3 = await loadBoard("qemu-virt-gicv3");
  v2 = await loadBoard("qemu-virt-gicv2");
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
});

/** Two good VMs: "linux" (CPUs 0-1, 160 MiB) and "rtos" (CPU 2, 64 MiB), apart everywhere. */
function base(): Config {
  return {
    vms: [
      {
        name: "linux", cpus: [0, 1], image: { builtin: "baremetal" },
        ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 0x0a000000n }],
        interrupts: [40],
      },
      {
        name: "rtos", cpus: [2], image: { builtin: "baremetal" },
        ram: [{ ipa: 0x40000000n, pa: 0x50000000n, size: 64n * MiB }],
        interrupts: [41],
      },
    ],
  };
}
const vm = (cfg: Config, name: string): VmConfig => cfg.vms.find((v) => v.name === name)!;
const check = (cfg: Config, board: Board = v3) => checkConfig(board, cfg, { hypRange: hypRange(board) });

describe("checkConfig", () => {
  it("accepts a good config", () => {
    expect(check(base())).toEqual([]);
    expect(check(base(), v2)).toEqual([]);
  });

  it("RAM overlapping another VM's RAM (by PA)", () => {
    const cfg = base();
    vm(cfg, "rtos").ram[0] = { ipa: 0x40000000n, pa: 0x48000000n, size: 0x8000000n };
    expect(check(cfg)).toEqual([`vm "rtos" RAM 0x48000000-0x4fffffff overlaps vm "linux" RAM 0x42000000-0x4bffffff`]);
  });

  it("identity RAM (pa omitted) overlapping another VM's RAM", () => {
    const cfg = base();
    vm(cfg, "linux").ram[0] = { ipa: 0x44000000n, size: 0x4000000n };
    vm(cfg, "rtos").ram[0] = { ipa: 0x46000000n, size: 0x4000000n };
    expect(check(cfg)).toEqual([`vm "rtos" RAM 0x46000000-0x49ffffff overlaps vm "linux" RAM 0x44000000-0x47ffffff`]);
  });

  it("device overlapping another VM's device (by PA)", () => {
    const cfg = base();
    vm(cfg, "linux").devices = [{ name: "eth", ipa: 0x09010000n, size: 0x1000n, dma: "none" }];
    vm(cfg, "rtos").devices = [{ name: "net", ipa: 0x20000000n, pa: 0x09010000n, size: 0x1000n, dma: "none" }];
    expect(check(cfg)).toEqual([`vm "rtos" device "net" 0x9010000-0x9010fff overlaps vm "linux" device "eth" 0x9010000-0x9010fff`]);
  });

  it("RAM overlapping the hypervisor", () => {
    const cfg = base();
    vm(cfg, "linux").ram[0] = { ipa: 0x40000000n, pa: 0x41000000n, size: 0x2000000n };
    expect(check(cfg)).toEqual([
      `vm "linux" RAM 0x41000000-0x42ffffff overlaps the hypervisor's RAM reserve 0x40000000-0x41ffffff (owned by the hypervisor: the boot DTB, its code, data, page tables and the guest images)`,
    ]);
  });

  it("RAM over the GIC (and outside board RAM)", () => {
    const cfg = base();
    vm(cfg, "rtos").ram.push({ ipa: 0x60000000n, pa: 0x08000000n, size: 0x10000n });
    const errors = check(cfg);
    expect(errors).toContain(`vm "rtos" RAM 0x8000000-0x800ffff overlaps the GIC distributor (GICD) 0x8000000-0x800ffff (owned by the hypervisor: emulated for every VM)`);
    expect(errors).toContain(`vm "rtos" RAM 0x8000000-0x800ffff is outside board RAM 0x40000000-0x7fffffff`);
  });

  it("RAM over the GIC on a board whose RAM covers it", () => {
    const facts = { ...v3.facts, RAM_BASE: 0n, RAM_SIZE: 0x80000000n };
    const cfg = base();
    vm(cfg, "rtos").ram.push({ ipa: 0x60000000n, pa: 0x08000000n, size: 0x100000n });
    expect(checkConfig({ ...v3, facts }, cfg, { hypRange: [0x7e000000n, 0x80000000n] })).toEqual([
      `vm "rtos" RAM 0x8000000-0x80fffff overlaps the GIC distributor (GICD) 0x8000000-0x800ffff (owned by the hypervisor: emulated for every VM)`,
      `vm "rtos" RAM 0x8000000-0x80fffff overlaps the GIC redistributor of CPU 0 (GICR) 0x80a0000-0x80bffff (owned by the hypervisor: emulated for every VM)`,
      `vm "rtos" RAM 0x8000000-0x80fffff overlaps the GIC redistributor of CPU 1 (GICR) 0x80c0000-0x80dffff (owned by the hypervisor: emulated for every VM)`,
      `vm "rtos" RAM 0x8000000-0x80fffff overlaps the GIC redistributor of CPU 2 (GICR) 0x80e0000-0x80fffff (owned by the hypervisor: emulated for every VM)`,
      `vm "rtos" RAM 0x8000000-0x80fffff overlaps the GIC ITS (GITS) 0x8080000-0x809ffff (reaches beyond one VM: its commands route any device's MSIs to any LPI, whichever VM owns it)`,
    ]);
  });

  it("a device may not be RAM nor any GIC frame (GICv2 too)", () => {
    const cfg = base();
    vm(cfg, "linux").devices = [
      { name: "mem", ipa: 0x10000000n, pa: 0x60000000n, size: 0x1000n, dma: "none" },
      { name: "gicc", ipa: 0x11000000n, pa: 0x08010000n, size: 0x1000n, dma: "none" },
    ];
    expect(check(cfg, v2)).toEqual([
      `vm "linux" device "mem" 0x60000000-0x60000fff overlaps board RAM 0x40000000-0x7fffffff (a device is MMIO, not RAM)`,
      `vm "linux" device "gicc" 0x8010000-0x8010fff overlaps the GIC CPU interface (GICC) 0x8010000-0x801ffff (owned by the hypervisor: the hypervisor's own interrupt interface)`,
    ]);
  });

  it("a CPU in two VMs", () => {
    const cfg = base();
    vm(cfg, "rtos").cpus = [1];
    expect(check(cfg)).toEqual([`vm "rtos" claims CPU 1, already owned by vm "linux"`]);
  });

  it("an interrupt in two VMs (directly or through a device)", () => {
    const cfg = base();
    vm(cfg, "rtos").interrupts = [];
    vm(cfg, "rtos").devices = [{ name: "net", ipa: 0x09010000n, size: 0x1000n, interrupts: [40], dma: "none" }];
    expect(check(cfg)).toEqual([`vm "rtos" claims interrupt 40, already owned by vm "linux"`]);
  });

  it("misaligned addresses and sizes", () => {
    const cfg = base();
    vm(cfg, "linux").ram[0].size = 0x0a000800n;
    vm(cfg, "rtos").ram[0].ipa = 0x40000100n;
    vm(cfg, "rtos").devices = [{ name: "net", ipa: 0x09010000n, pa: 0x09010010n, size: 0x1000n, dma: "none" }];
    expect(check(cfg)).toEqual([
      `vm "linux" RAM size 0xa000800 is not 4 KiB aligned`,
      `vm "rtos" RAM ipa 0x40000100 is not 4 KiB aligned`,
      `vm "rtos" device "net" pa 0x9010010 is not 4 KiB aligned`,
    ]);
  });

  it("RAM outside board RAM", () => {
    const cfg = base();
    vm(cfg, "rtos").ram[0] = { ipa: 0x40000000n, pa: 0x7e000000n, size: 0x4000000n };
    expect(check(cfg)).toEqual([`vm "rtos" RAM 0x7e000000-0x81ffffff is outside board RAM 0x40000000-0x7fffffff`]);
  });

  it("bad and duplicate names", () => {
    const cfg = base();
    vm(cfg, "linux").name = "Linux";
    expect(check(cfg)).toEqual([`vm "Linux": the name must match /^[a-z][a-z0-9-]{0,15}$/ (lower case, at most 16 characters)`]);
    const dup = base();
    dup.vms[1].name = "linux";
    expect(check(dup)).toEqual([`vm "linux" (vms[1]) has the same name as vm "linux" (vms[0])`]);
    const long = base();
    long.vms[1].name = "a-very-long-vm-name";
    expect(check(long)).toHaveLength(1);
    // Its console lines would start "[hyp] ", as the hypervisor's do.
    const hyp = base();
    vm(hyp, "rtos").name = "hyp";
    expect(check(hyp)).toEqual([`vm "hyp": the name is the hypervisor's console label; choose another`]);
  });

  it("overlapping IPA ranges inside one VM", () => {
    const cfg = base();
    vm(cfg, "linux").ram = [
      { ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB },
      { ipa: 0x42000000n, pa: 0x46000000n, size: 16n * MiB },
    ];
    expect(check(cfg)).toEqual([`vm "linux" RAM IPA 0x42000000-0x42ffffff overlaps its RAM IPA 0x40000000-0x43ffffff`]);
  });

  it("PA aliasing inside one VM", () => {
    const cfg = base();
    vm(cfg, "linux").ram.push({ ipa: 0x80000000n, pa: 0x42000000n, size: 0x1000n });
    expect(check(cfg)).toEqual([`vm "linux" RAM 0x42000000-0x42000fff overlaps its RAM 0x42000000-0x4bffffff`]);
  });

  it("a health policy: its fields checked, each wrong one named; its watchdog's IPA kept free", () => {
    const cfg = base();
    vm(cfg, "rtos").health = { watchdog: { timeoutMs: 500 }, onFailure: { restart: 3, withinMs: 60_000, then: "off" }, view: true };
    vm(cfg, "linux").health = { onFailure: "off" };
    expect(check(cfg)).toEqual([]);
    vm(cfg, "rtos").devices = [{ name: "rtc", ipa: 0x09010000n, pa: 0x09010000n, size: 0x1000n, dma: "none" }];
    expect(check(cfg)).toEqual([`vm "rtos" emulated watchdog (SP805) IPA 0x9010000-0x9010fff overlaps its device "rtc" IPA 0x9010000-0x9010fff`]);
    delete vm(cfg, "rtos").devices;
    const bad = (h: unknown) => { vm(cfg, "rtos").health = h as VmConfig["health"]; return check(cfg); };
    expect(bad({ watchdog: { timeoutMs: 0 } })).toEqual([`vm "rtos".health.watchdog.timeoutMs must be an integer from 1 to 3600000 (milliseconds)`]);
    expect(bad({ watchdog: { timeoutMs: 1.5, start: "now" } })).toEqual([
      `vm "rtos".health.watchdog.timeoutMs must be an integer from 1 to 3600000 (milliseconds)`,
      `vm "rtos".health.watchdog.start must be "boot" or "guest"`,
    ]);
    expect(bad({ onFailure: "reboot" })).toEqual([`vm "rtos".health.onFailure must be "restart", "off" or { restart: N, withinMs: T, then: "off" }`]);
    expect(bad({ onFailure: { restart: -1, withinMs: 0, then: "restart" } })).toEqual([
      `vm "rtos".health.onFailure.restart must be an integer from 0 to 65535`,
      `vm "rtos".health.onFailure.withinMs must be an integer from 1 to 4294967295 (milliseconds)`,
      `vm "rtos".health.onFailure.then must be "off"`,
    ]);
    expect(bad({ view: "yes", watchdgo: {} })).toEqual([
      `vm "rtos".health.watchdgo is not a field of a health policy (watchdog, onFailure, view)`,
      `vm "rtos".health.view must be true or false`,
    ]);
    expect(bad(7)).toEqual([`vm "rtos".health must be an object { watchdog?, onFailure?, view? }`]);
    // map shows each VM's policy.
    vm(cfg, "rtos").health = { watchdog: { timeoutMs: 500 }, onFailure: { restart: 3, withinMs: 60_000, then: "off" } };
    const map = memoryMap(v3, cfg).join("\n");
    expect(map).toMatch(/^ {2}linux {2}no watchdog; on failure off$/m);
    expect(map).toMatch(/^ {2}rtos {3}watchdog 500 ms from boot; on failure restart at most 3 times within 60000 ms, then off \(SP805 at ipa 0x9010000\)$/m);
  });

  it("a VM's emulated UART and virtual GIC IPAs must stay free", () => {
    const cfg = base();
    vm(cfg, "rtos").devices = [{ name: "rtc", ipa: 0x09000000n, pa: 0x09010000n, size: 0x1000n, dma: "none" }];
    expect(check(cfg)).toEqual([`vm "rtos" emulated UART IPA 0x9000000-0x9000fff overlaps its device "rtc" IPA 0x9000000-0x9000fff`]);
    vm(cfg, "rtos").uart = "none";
    expect(check(cfg)).toEqual([]);
    vm(cfg, "rtos").devices = [{ name: "rtc", ipa: 0x080a0000n, pa: 0x09010000n, size: 0x1000n, dma: "none" }];
    expect(check(cfg)).toEqual([`vm "rtos" virtual GIC redistributors IPA 0x80a0000-0x80bffff overlaps its device "rtc" IPA 0x80a0000-0x80a0fff`]);
  });

  it("shared regions: fine between declared peers, an error otherwise", () => {
    const chan = { name: "chan", ipa: 0x60000000n, pa: 0x60000000n, size: 0x10000n };
    const ok = base();
    vm(ok, "linux").shared = [{ ...chan, peers: ["rtos"] }];
    vm(ok, "rtos").shared = [{ ...chan, ipa: 0x70000000n, peers: ["linux"] }];
    expect(check(ok)).toEqual([]);

    const oneSided = base();   // declared once: mapped in the peer at the same IPA
    vm(oneSided, "linux").shared = [{ ...chan, peers: ["rtos"] }];
    expect(check(oneSided)).toEqual([]);

    const stranger = base();
    stranger.vms.push({ name: "gamma", cpus: [3], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x58000000n, size: 64n * MiB }] });
    vm(stranger, "linux").shared = [{ ...chan, peers: ["rtos"] }];
    vm(stranger, "gamma").shared = [{ ...chan, peers: ["rtos"] }];
    expect(check(stranger)).toEqual([
      `vm "gamma" shared "chan" 0x60000000-0x6000ffff overlaps vm "linux" shared "chan" 0x60000000-0x6000ffff`,
    ]);

    const overRam = base();
    vm(overRam, "linux").shared = [{ ...chan, pa: 0x50000000n, peers: ["rtos"] }];
    expect(check(overRam)).toEqual([
      `vm "rtos" RAM 0x50000000-0x53ffffff overlaps vm "linux" shared "chan" 0x50000000-0x5000ffff`,
    ]);

    const badPeer = base();
    vm(badPeer, "linux").shared = [{ ...chan, peers: ["zeta"] }];
    expect(check(badPeer)).toEqual([`vm "linux" shared "chan" names peer "zeta", which is not a vm of the config`]);

    const mismatch = base();
    vm(mismatch, "linux").shared = [{ ...chan, peers: ["rtos"] }];
    vm(mismatch, "rtos").shared = [{ ...chan, size: 0x20000n, peers: ["linux"] }];
    expect(check(mismatch)).toEqual([`vm "rtos" shared "chan" 0x60000000-0x6001ffff differs from vm "linux" shared "chan" 0x60000000-0x6000ffff`]);

    const ipaClash = base();   // the peer's mapping collides with its own RAM's IPA
    vm(ipaClash, "linux").shared = [{ ...chan, ipa: 0x40000000n, peers: ["rtos"] }];
    expect(check(ipaClash)).toEqual([
      `vm "linux" shared "chan" IPA 0x40000000-0x4000ffff overlaps its RAM IPA 0x40000000-0x49ffffff`,
      `vm "rtos" shared "chan" (from vm "linux") IPA 0x40000000-0x4000ffff overlaps its RAM IPA 0x40000000-0x43ffffff`,
    ]);
  });

  it("CPU indices, interrupt numbers, IPA width, VM and CPU counts", () => {
    const cfg = base();
    vm(cfg, "rtos").cpus = [2, 4];
    vm(cfg, "rtos").interrupts = [16, 1020, 33];
    vm(cfg, "linux").devices = [{ name: "far", ipa: 1n << 40n, pa: 0x09010000n, size: 0x1000n, dma: "none" }];
    expect(check(cfg)).toEqual([
      `vm "linux" device "far" IPA 0x10000000000-0x10000000fff is beyond the 40-bit IPA space`,
      `vm "rtos" CPU 4 does not exist (the board has CPUs 0-3)`,
      `vm "rtos" interrupt 16 is not an SPI (INTIDs 32-1019 can be passed through)`,
      `vm "rtos" interrupt 1020 is not an SPI (INTIDs 32-1019 can be passed through)`,
      `vm "rtos" interrupt 33 is the board UART's (UART_INTID 33), which the hypervisor owns`,
    ]);
    expect(check({ vms: [] })).toEqual(["the config has no VMs (at least one VM with at least one CPU is needed)"]);
    const noCpu = base();
    vm(noCpu, "rtos").cpus = [];
    expect(check(noCpu)).toEqual([`vm "rtos" has no CPUs (every VM needs at least one)`]);
  });

  it("images: a path must exist; the image must fit below the DTB; entry inside RAM", () => {
    const cfg = base();
    vm(cfg, "rtos").image = path.join(tmp, "missing.bin");
    expect(check(cfg)).toEqual([`vm "rtos" image ${path.join(tmp, "missing.bin")} does not exist`]);
    fs.writeFileSync(path.join(tmp, "rtos.bin"), Buffer.alloc(8192));
    vm(cfg, "rtos").image = "rtos.bin";
    expect(checkConfig(v3, cfg, { hypRange: hypRange(v3), baseDir: tmp })).toEqual([]);
    vm(cfg, "rtos").ram[0].size = 2n * MiB;
    expect(checkConfig(v3, cfg, { hypRange: hypRange(v3), baseDir: tmp })).toEqual([
      `vm "rtos" RAM IPA 0x40000000-0x401fffff is too small for an image and the DTB (the DTB goes 2 MiB below its top)`,
    ]);
    const e = base();
    vm(e, "rtos").entry = 0x80000000n;
    expect(check(e)).toEqual([`vm "rtos" entry 0x80000000 is not in its RAM (IPA 0x40000000-0x43ffffff)`]);
  });

  it("reports a malformed config (numbers for addresses) instead of crashing", () => {
    const cfg = base() as unknown as { vms: Record<string, unknown>[] };
    (cfg.vms[0].ram as Record<string, unknown>[])[0].ipa = 0x40000000;
    expect(check(cfg as unknown as Config)).toEqual([`vm "linux".ram[0].ipa must be a bigint (write 0x40000000n)`]);
    expect(check({} as Config)[0]).toMatch(/`vms` array/);
  });

  it("passes every shipped config of both boards", async () => {
    for (const b of [v3, v2]) {
      const names = fs.readdirSync(path.join(b.dir, "configs")).filter((n) => n.endsWith(".ts"));
      expect(names).toEqual(expect.arrayContaining(["default.ts", "threevm.ts", "isolation.ts", "restart.ts", "single.ts"]));
      for (const name of names) {
        const cfg = await loadConfig(path.join(b.dir, "configs", name), { typecheck: false });
        expect(check(cfg, b), `${b.facts.BOARD_NAME} ${name}`).toEqual([]);
      }
    }
    const def = await loadConfig(path.join(v3.dir, "configs/default.ts"));
    expect(def.vms.map((v) => [v.name, v.cpus])).toEqual([["linux", [0, 1]], ["alpha", [2]], ["control", [3]]]);
    expect(def.channels?.map((c) => [c.name, c.vms])).toEqual([["samples", { control: "rw", linux: "rw" }]]);
    const three = await loadConfig(path.join(v3.dir, "configs/threevm.ts"));
    expect(three.vms.map((v) => [v.name, v.cpus])).toEqual([["alpha", [0]], ["beta", [1]], ["gamma", [2, 3]]]);
  });

  it("quickConfig: one VM on every CPU above the hypervisor reserve", () => {
    const q = quickConfig(v3, "build/guests/baremetal.bin");
    expect(HYP_RESERVE).toBe(32n * MiB);
    expect(hypRange(v3)).toEqual([0x40000000n, 0x42000000n]);
    expect(q.vms).toHaveLength(1);
    expect(q.vms[0]).toMatchObject({
      name: "guest", cpus: [0, 1, 2, 3], uart: "emulated", image: path.resolve("build/guests/baremetal.bin"),
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 0x3e000000n }],
    });
    if (fs.existsSync(path.join(root, "build/guests/baremetal.bin"))) expect(check(q)).toEqual([]);
  });

  it("draws the memory map", async () => {
    const cfg = await loadConfig(path.join(v3.dir, "configs/threevm.ts"));
    const map = memoryMap(v3, cfg).join("\n");
    expect(map).toMatch(/0x40000000-0x41ffffff\s+hypervisor\s+hypervisor's RAM reserve/);
    expect(map).toMatch(/0x8080000-0x809ffff\s+withheld\s+GIC ITS \(GITS\): its commands route/);
    expect(map).toMatch(/0x80e0000-0x80fffff\s+hypervisor\s+GIC redistributor of CPU 2 \(GICR\)/);
    expect(map).toMatch(/0x9000000-0x9000fff\s+hypervisor\s+hypervisor's UART \(emulated for alpha, beta, gamma\)/);
    expect(map).toMatch(/0x46000000-0x49ffffff\s+beta\s+RAM\s+\(ipa 0x40000000-0x43ffffff\)/);
    expect(map).toMatch(/0x4e000000-0x7fffffff\s+free/);
    expect(map).toMatch(/^ {2}3 {2}gamma vcpu 1$/m);
    const bases = [...map.matchAll(/^ {2}(0x[0-9a-f]+)-/gm)].map((m) => BigInt(m[1]));
    expect(bases).toEqual([...bases].sort((a, b) => (a < b ? -1 : 1)));
  });
});

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
