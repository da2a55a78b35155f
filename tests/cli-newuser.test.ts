// The new user's path (issue 13, "Done when"): a deployment in a folder of one's own, outside the
// checkout: `bulkhead init`, an edit that adds a Linux VM beside the bare-metal one, `tsc` as the
// editor would run it, then check, map, build and run, each through the real command.
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";

const LINUX = path.join(PROJECT_ROOT, "build/linux");
/** Outside the checkout; the same folder each time, so that its build directory (keyed by the path) is reused. */
const site = path.join(os.tmpdir(), "bulkhead-newuser-test");
const cli = (...argv: string[]) => spawnSync("node", [path.join(PROJECT_ROOT, "bin/bulkhead.mjs"), ...argv], { cwd: site, encoding: "utf8", timeout: 300_000 });

beforeAll(() => {
  fs.rmSync(site, { recursive: true, force: true });
  fs.mkdirSync(site);
  execFileSync("bash", [path.join(PROJECT_ROOT, "guests/linux/build.sh"), LINUX], { stdio: "inherit" });
}, 300_000);

describe("a deployment of one's own", () => {
  it("init → edit → tsc → check → map → build → run, a Linux VM beside a bare-metal one", () => {
    let r = cli("init", ".");
    expect(r.status, r.stderr).toBe(0);
    for (const f of ["partitions.ts", "package.json", "tsconfig.json"]) expect(fs.existsSync(path.join(site, f)), f).toBe(true);
    // A second init overwrites nothing.
    expect(cli("init", ".").status).toBe(1);

    // The starter runs as written: check says so.
    r = cli("check", "partitions.ts");
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "ok: 1 VM on qemu-virt-gicv3\n", ""]);

    // The edit: the Linux VM uncommented, on one CPU, with the kernel and initramfs the tests use.
    const file = path.join(site, "partitions.ts");
    const starter = fs.readFileSync(file, "utf8");
    const edited = starter
      .replace(/\n(\s*)\/\/ Linux: uncomment[^\n]*\n((?:\s*\/\/[^\n]*\n)+)/, (_, indent: string, block: string) => `\n${block.replace(/^(\s*)\/\/ ?/gm, "$1")}`)
      .replace(/cpus: \[1, 2, 3\]/, "cpus: [1]")
      .replace(`image: "Image"`, `image: ${JSON.stringify(path.join(LINUX, "Image"))}`)
      .replace(`initrd: "initramfs.cpio"`, `initrd: ${JSON.stringify(path.join(LINUX, "initramfs.cpio"))}`);
    expect(edited).toMatch(/^ {6}name: "linux",$/m);
    fs.writeFileSync(file, edited);

    // tsc, as the editor sees the file: `import ... from "bulkhead"` resolves through package.json.
    const tsc = spawnSync(path.join(site, "node_modules/.bin/tsc"), [], { cwd: site, encoding: "utf8" });
    expect([tsc.status, tsc.stdout]).toEqual([0, ""]);
    fs.writeFileSync(file, edited.replace(`cpus: [0],`, `cpus: [0], colour: "red",`));
    const typo = spawnSync(path.join(site, "node_modules/.bin/tsc"), [], { cwd: site, encoding: "utf8" });
    expect(typo.status).not.toBe(0);
    expect(typo.stdout).toContain("'colour' does not exist in type 'VmConfig'");
    fs.writeFileSync(file, edited);

    r = cli("check", "partitions.ts");
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "ok: 2 VMs on qemu-virt-gicv3\n", ""]);
    r = cli("map", "partitions.ts");
    expect(r.status, r.stderr).toBe(0);
    // The Linux Image makes the reserve 64 MiB: map shows it, and the VMs above it.
    expect(r.stdout).toMatch(/^ {2}0x40000000-0x43ffffff\s+hypervisor\s+hypervisor's RAM reserve/m);
    expect(r.stdout).toMatch(/^ {2}0x44000000-0x47ffffff\s+rtos\s+RAM/m);
    expect(r.stdout).toMatch(/^ {2}0x48000000-0x57ffffff\s+linux\s+RAM/m);

    r = cli("build", "--config", "partitions.ts");
    expect(r.status, r.stderr).toBe(0);
    const elf = /^(\S+hyp\.elf): text/m.exec(r.stdout)?.[1];
    expect(elf, r.stdout).toBeDefined();
    // The build directory is this config's: build/<board>/partitions-<hash of its path>.
    expect(path.basename(path.dirname(elf!))).toMatch(/^partitions-[0-9a-f]{12}$/);

    r = cli("run", "--config", "partitions.ts", "--timeout", "240");
    expect(r.status, r.stdout.slice(-3000) + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\[rtos\] \d+ passed, 0 failed$/m);
    expect(r.stdout).toMatch(/^\[linux\] \[ *[\d.]+\] Booting Linux on physical CPU/m);
    expect(r.stdout).toMatch(/^\[linux\] \[ *[\d.]+\] reboot: Power down$/m);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("[hyp] run ended: status 0");
  }, 400_000);
});
