// Partition-config validation: every conflict is caught, with a message naming both parties and ranges.
// The board's reserved regions and DMA: tests/config-devices.test.ts; `bulkhead check` and the
// config fuzzer's findings: tests/config-check-cli.test.ts.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HYP_RESERVE, checkConfig, hypRange, quickConfig } from "../host/config/check.ts";
import { loadConfig } from "../host/config/load.ts";
import { memoryMap } from "../host/config/commands.ts";
import type { Config, VmConfig } from "../host/config/types.ts";
import { MiB, base, check, root, scratchDir, v2, v3, vm } from "./config-fixture.ts";

const tmp = scratchDir("config-check");

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
