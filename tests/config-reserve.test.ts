// One truth (issue 13): `check`, `map` and `build` size the hypervisor's reserve and place the files
// it carries with the same code (host/config/images.ts), so that what `build` refuses, `check`
// refuses first with the same words; and those words say what is wrong as the config wrote it.
// Each test failed before: check and map took the reserve as 32 MiB whatever the images, a
// negative size printed as 0x-4000000, and an ELF file linked outside RAM "did not fit below its DTB".
import { afterAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { cli } from "./cli.ts";
import { loadBoard } from "../host/board.ts";
import { layout, reserveOf, HYP_CODE_MAX } from "../host/config/images.ts";
import { proveConfig } from "../host/build.ts";
import { hex } from "../host/config/model.ts";

const tmp = path.join(PROJECT_ROOT, "build/tmp/config-reserve");
fs.mkdirSync(tmp, { recursive: true });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const rel = (f: string) => path.relative(process.cwd(), f);

/** A config file in tmp: a Linux-sized VM (a 30 MiB flat image) at `linuxPa`, and a bare-metal one. */
function deployment(name: string, linuxPa: bigint, rtos = `{ name: "rtos", cpus: [0], ram: [{ ipa: 0x40000000n, pa: 0x60000000n, size: 0x4000000n }], image: { builtin: "baremetal" } }`): string {
  const image = path.join(tmp, "big.bin");
  if (!fs.existsSync(image)) fs.writeFileSync(image, Buffer.alloc(30 << 20));
  const file = path.join(tmp, `${name}.ts`);
  fs.writeFileSync(file, `import { definePartitions } from "bulkhead";
export default definePartitions({ board: "qemu-virt-gicv3", vms: [
  { name: "linux", cpus: [1, 2], ram: [{ ipa: 0x40000000n, pa: ${hex(linuxPa)}n, size: 0x10000000n }], image: "big.bin" },
  ${rtos},
] });
`);
  return rel(file);
}

describe("the reserve", () => {
  it("grows with the carried files in 32 MiB steps, the same for check, map and build", async () => {
    const v3 = await loadBoard("qemu-virt-gicv3");
    const f = v3.facts;
    const small = layout(v3, [{ vm: "a", image: { file: "a", bytes: Buffer.alloc(0x1000) } }]);
    expect(small.hyp).toEqual([f.RAM_BASE, f.RAM_BASE + (32n << 20n)]);
    expect(small.imagesBase).toBe(f.HYP_BASE + HYP_CODE_MAX);
    const big = layout(v3, [{ vm: "a", image: { file: "a", bytes: Buffer.alloc(30 << 20) }, initrd: { file: "i", size: 2n << 20n } }]);
    expect(big.hyp).toEqual([f.RAM_BASE, f.RAM_BASE + (64n << 20n)]);
    // Initrd, image and DTB follow each other, page aligned.
    expect(big.slots[0]).toEqual({ vm: "a", initrdPa: big.imagesBase, imagePa: big.imagesBase + (2n << 20n), dtbPa: big.imagesBase + (32n << 20n) });
  });

  it("check refuses a VM over the reserve a Linux-sized image needs, with build's words (check said ok, build refused)", async () => {
    const file = deployment("over", 0x42000000n);
    const check = await cli("check", file);
    const build = await cli("build", "--config", file);
    const line = `${file}: error: vm "linux" RAM 0x42000000-0x51ffffff overlaps the hypervisor's RAM reserve 0x40000000-0x43ffffff (owned by the hypervisor: the boot DTB, its code, data, page tables and the guest images)`;
    expect([check.status, check.stderr]).toEqual([1, line]);
    expect([build.status, build.stderr]).toEqual([1, line]);
  });

  it("map shows the reserve the build gives the config (it showed 32 MiB, and the rest as free)", async () => {
    const file = deployment("fits", 0x44000000n);
    expect((await cli("check", file)).stdout).toBe("ok: 2 VMs on qemu-virt-gicv3");
    const map = await cli("map", file);
    expect(map.status, map.stderr).toBe(0);
    expect(map.stdout).toMatch(/^ {2}0x40000000-0x43ffffff\s+hypervisor\s+hypervisor's RAM reserve/m);
    expect(map.stdout).not.toMatch(/^ {2}0x42000000-0x43ffffff\s+free/m);
    const cfg = (await import(path.join(PROJECT_ROOT, file))).default;
    expect(reserveOf(await loadBoard("qemu-virt-gicv3"), cfg, tmp)).toEqual([0x40000000n, 0x44000000n]);
  });
});

describe("placements", () => {
  it("map lists each carried file where the build's tables put it (the same layout)", async () => {
    const file = deployment("placed", 0x44000000n);
    const map = await cli("map", file);
    expect(map.status, map.stderr).toBe(0);
    const listed = map.stdout.split("\n").filter((l) => /^ {4}0x\S+\s+\S+\s+(image|initrd|device tree|dtb) /.test(l));
    const images = listed.filter((l) => / image /.test(l)).map((l) => BigInt(l.trim().split("-")[0]));
    expect(listed.map((l) => l.trim().split(/\s+/)[1])).toEqual(["linux", "linux", "rtos", "rtos"]);
    // The first half of the build writes the hypervisor's tables: LOAD_SRC holds each image's PA.
    const proved = await proveConfig({ config: path.join(PROJECT_ROOT, file) });
    const tables = fs.readFileSync(proved.configTs, "utf8");
    const loadSrc = /export const LOAD_SRC = new BigUint64Array\(\[([^\]]*)\]\)/.exec(tables)![1].split(",").map((x) => BigInt(x.trim().replace(/n$/, "")));
    expect(images.every((pa) => loadSrc.includes(pa)), `${images.map(hex)} in LOAD_SRC ${loadSrc.map(hex)}`).toBe(true);
    fs.rmSync(proved.dir, { recursive: true, force: true });
  }, 120_000);
});

describe("messages say what the config wrote", () => {
  it("a negative size prints as written, -0x4000000 (it printed 0x-4000000)", async () => {
    const file = deployment("negative", 0x44000000n, `{ name: "rtos", cpus: [0], ram: [{ ipa: 0x40000000n, pa: 0x60000000n, size: -0x4000000n }], image: { builtin: "baremetal" } }`);
    const r = await cli("check", file);
    expect([r.status, r.stderr]).toEqual([1, `${file}: error: vm "rtos" RAM has size -0x4000000 (must be positive)`]);
  });

  it("an ELF file linked outside the VM's RAM is said to be (it \"did not fit below its DTB\")", async () => {
    const elf = path.join(PROJECT_ROOT, "build/guests/baremetal.elf");
    const file = deployment("elsewhere", 0x44000000n, `{ name: "rtos", cpus: [0], ram: [{ ipa: 0x80000000n, pa: 0x60000000n, size: 0x4000000n }], image: ${JSON.stringify(elf)} }`);
    for (const argv of [["check", file], ["build", "--config", file]]) {
      const r = await cli(...argv);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.]/g, "\\.")}: error: vm "rtos" image baremetal\\.elf is linked at IPA 0x40080000-0x400[89a-f][0-9a-f]{4}, outside its first RAM region IPA 0x80000000-0x83ffffff$`));
    }
  });

  it("a missing image and initrd: check refuses them as build does", async () => {
    const file = deployment("missing", 0x44000000n, `{ name: "rtos", cpus: [0], ram: [{ ipa: 0x40000000n, pa: 0x60000000n, size: 0x4000000n }], image: "nothere.elf", initrd: "nothere.cpio" }`);
    const check = await cli("check", file);
    const build = await cli("build", "--config", file);
    expect(check.status).toBe(1);
    expect(check.stderr.split("\n")).toEqual([
      `${file}: error: vm "rtos" image ${path.join(tmp, "nothere.elf")} does not exist`,
      `${file}: error: vm "rtos" initrd ${path.join(tmp, "nothere.cpio")} does not exist`,
    ]);
    expect(build).toEqual(check);
  });
});

describe("the generated device tree", () => {
  it("check refuses one that outgrows its slot, with build's words (only build refused it before)", async () => {
    const file = path.join(tmp, "bigdt.ts");
    // A 70,000-character command line: the VM's device tree passes 64 KiB.
    fs.writeFileSync(file, `import { definePartitions } from "bulkhead";
export default definePartitions({ board: "qemu-virt-gicv3", vms: [
  { name: "rtos", cpus: [0], ram: [{ ipa: 0x40000000n, pa: 0x60000000n, size: 0x4000000n }], image: { builtin: "baremetal" }, bootargs: "${"x".repeat(70_000)}" },
] });
`);
    const check = await cli("check", rel(file));
    const build = await cli("build", "--config", rel(file));
    expect(check.stderr).toMatch(/^\S*bigdt\.ts: error: vm "rtos": its device tree is \d+ bytes; at most 65536 fit its slot$/);
    expect([check.status, check.stderr]).toEqual([1, build.stderr]);
    expect(build.status).toBe(1);
  });
});

