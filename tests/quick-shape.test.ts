// Quick mode gives a guest the machine shape it asks for (issue 14): --cpus N, --memory SIZE, and an
// empty --bootargs that stays empty, in the config (host/config/check.ts quickConfig) and in the
// device tree the VM boots with (host/config/dts.ts).
import { describe, expect, it } from "vitest";
import { loadBoard } from "../host/board.ts";
import { quickConfig } from "../host/config/check.ts";
import { guestDts } from "../host/config/dts.ts";
import { parseSize } from "../host/commands.ts";

describe("quick mode", () => {
  it("takes the CPUs and RAM asked for, and an empty command line as it is", async () => {
    const board = await loadBoard("qemu-virt-gicv3");
    const cfg = quickConfig(board, "guest.bin", { cpus: 2, memory: 256n << 20n, bootargs: "" });
    expect(cfg.vms[0].cpus).toEqual([0, 1]);
    expect(cfg.vms[0].ram[0].size).toBe(256n << 20n);
    const dts = guestDts(board, cfg, "guest");
    expect(dts.match(/device_type = "cpu";/g)).toHaveLength(2);
    expect(dts).toContain("reg = <0x0 0x40000000 0x0 0x10000000>;");
    expect(dts).toMatch(/\tbootargs = "";/);
    expect(dts).not.toContain("earlycon");
    // Without them: every CPU, all RAM above the reserve, the default console arguments.
    const all = quickConfig(board, "guest.bin");
    expect(all.vms[0].cpus).toHaveLength(board.facts.CPU_COUNT);
    expect(guestDts(board, all, "guest")).toContain("earlycon=pl011,");
  });

  it("reads --memory sizes in bytes, K, M and G, and refuses anything else", () => {
    expect(parseSize("4096", "--memory")).toBe(4096n);
    expect(parseSize("256M", "--memory")).toBe(256n << 20n);
    expect(parseSize("1G", "--memory")).toBe(1n << 30n);
    expect(parseSize("64KiB", "--memory")).toBe(64n << 10n);
    expect(() => parseSize("1.5G", "--memory")).toThrow(/--memory takes a size/);
    expect(() => parseSize("", "--memory")).toThrow(/--memory takes a size/);
  });
});
