// `bulkhead image --board rpi4`: the SD-card image, read back with the same ordinary tools a user
// has (sfdisk, mtools): an MBR with one bootable FAT32 partition at 1 MiB holding the stock
// firmware, the board's device tree, config.txt and the hypervisor, which must be byte for byte
// what `bulkhead build` made for the config, and which QEMU raspi4b boots, taken off the image.
// (The single config: built by no other test file, which run alongside.)
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { runQemu } from "../qemu/launch.ts";

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("rpi4 SD-card image", () => {
  it("holds the firmware, the device tree, config.txt and the hypervisor, which boots", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-image-"));
    const img = path.join(tmp, "bulkhead-rpi4.img");
    sh("node", [path.join(PROJECT_ROOT, "bin/bulkhead.mjs"), "image", "--board", "rpi4", "--config", path.join(PROJECT_ROOT, "board/rpi4/configs/single.ts"), "-o", img]);

    // The partition table: DOS, one bootable FAT32 (LBA) partition from sector 2048 to the end.
    const table = JSON.parse(sh("sfdisk", ["--json", img])).partitiontable;
    expect(table.label).toBe("dos");
    expect(table.partitions).toHaveLength(1);
    const p = table.partitions[0];
    expect(p).toMatchObject({ start: 2048, type: "c", bootable: true });
    expect((p.start + p.size) * 512).toBe(fs.statSync(img).size);

    // The files, as the firmware looks them up (FAT names are case-insensitive; mtools keeps long names).
    const fat = `${img}@@${p.start * 512}`;
    const names = sh("mdir", ["-i", fat, "-b", "::"]).split("\n").filter(Boolean).map((l) => l.replace(/^::\//, "")).sort();
    expect(names).toEqual(["bcm2711-rpi-4-b.dtb", "bulkhead.bin", "config.txt", "fixup4.dat", "start4.elf"]);
    const read = (name: string) => {
      const to = path.join(tmp, name);
      sh("mcopy", ["-n", "-i", fat, `::${name}`, to]);
      return fs.readFileSync(to);
    };
    const firmware = path.join(PROJECT_ROOT, "build/rpi4-firmware");
    for (const f of ["start4.elf", "fixup4.dat", "bcm2711-rpi-4-b.dtb"]) expect(read(f).equals(fs.readFileSync(path.join(firmware, f))), f).toBe(true);
    // The device tree is the BCM2711 board's, with the GIC-400 and the PL011 the hypervisor uses.
    const dts = execFileSync("dtc", ["-I", "dtb", "-O", "dts", "-q", "-"], { input: read("bcm2711-rpi-4-b.dtb"), encoding: "utf8" });
    expect(dts).toMatch(/^\tcompatible = "raspberrypi,4-model-b\\0brcm,bcm2711";$/m);
    expect(dts).toMatch(/interrupt-controller@40041000[\s\S]*?compatible = "arm,gic-400"/);
    expect(dts).toMatch(/serial@7e201000 \{\s*compatible = "arm,pl011/);
    // The kernel is the build's image, and it boots: QEMU raspi4b runs it from the card's copy.
    expect(read("bulkhead.bin").equals(fs.readFileSync(path.join(PROJECT_ROOT, "build/rpi4/single/hyp.bin")))).toBe(true);
    const q = await runQemu({ machine: "raspi4b", smp: 4, memory: "2G", kernel: path.join(tmp, "bulkhead.bin"), timeoutSec: 90, endOn: (l) => l.startsWith("[hyp] run ended") });
    expect(q.lines[0], q.output).toBe("[hyp] Bulkhead on rpi4: 4 CPUs, 1 VMs");
    expect(q.lines.some((l) => /^\[guest\] \d+ passed, 0 failed$/.test(l)), q.output).toBe(true);
    expect(q.lines.at(-1)).toBe("[hyp] run ended: status 0");
    const config = read("config.txt").toString("utf8").split("\n");
    for (const line of ["arm_64bit=1", "kernel=bulkhead.bin", "kernel_address=0x80000", "enable_gic=1", "gpio=14,15=a0", "init_uart_clock=48000000"]) {
      expect(config).toContain(line);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 240_000);

  it("is refused, with a clear error, for a board that boots no SD card", () => {
    let err = "";
    try {
      sh("node", [path.join(PROJECT_ROOT, "bin/bulkhead.mjs"), "image", "--board", "qemu-virt-gicv3", "--config", path.join(PROJECT_ROOT, "board/qemu-virt-gicv3/configs/single.ts"), "-o", path.join(os.tmpdir(), "never.img")]);
    } catch (e) {
      err = String((e as { stderr?: string }).stderr);
    }
    expect(err).toContain("--board: error: board qemu-virt-gicv3 boots no SD-card image (no board/qemu-virt-gicv3/sdcard.ts)");
    expect(fs.existsSync(path.join(os.tmpdir(), "never.img"))).toBe(false);
  }, 60_000);
});
