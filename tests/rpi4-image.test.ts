// `bulkhead image --board rpi4`: the SD-card image, read back with the same ordinary tools a user
// has (sfdisk, mtools): an MBR with one bootable FAT32 partition at 1 MiB holding the stock
// firmware, the board's device tree, config.txt and the hypervisor, which must be byte for byte
// the image QEMU raspi4b boots in tests/rpi4-qemu.test.ts (build/rpi4/default/hyp.bin).
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

beforeAll(() => {
  execFileSync("bash", [path.join(PROJECT_ROOT, "guests/linux/build.sh"), path.join(PROJECT_ROOT, "build/linux")], { stdio: "inherit" });
}, 300_000);

describe("rpi4 SD-card image", () => {
  it("holds the firmware, the device tree, config.txt and the hypervisor QEMU boots", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-image-"));
    const img = path.join(tmp, "bulkhead-rpi4.img");
    sh("node", [path.join(PROJECT_ROOT, "bin/bulkhead.mjs"), "image", "--board", "rpi4", "-o", img]);

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
    // The kernel is the very image the QEMU tests boot.
    expect(read("bulkhead.bin").equals(fs.readFileSync(path.join(PROJECT_ROOT, "build/rpi4/default/hyp.bin")))).toBe(true);
    const config = read("config.txt").toString("utf8").split("\n");
    for (const line of ["arm_64bit=1", "kernel=bulkhead.bin", "kernel_address=0x80000", "enable_gic=1", "enable_uart=1", "gpio=14,15=a0"]) {
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
    expect(err).toContain("--board qemu-virt-gicv3: error: this board boots no SD-card image");
  }, 120_000);
});
