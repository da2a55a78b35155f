// The CLI's own behaviour (issue 13, "The CLI"): help on every command with status 0, unknown
// commands, flags and boards refused with the valid ones listed, `run` without a time limit unless
// asked, a build directory per config, refusals on single located lines without a stack trace.
// Each test that says what the CLI did before failed on it.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { cli } from "./cli.ts";
import { loadBoard } from "../host/board.ts";
import { buildName } from "../host/build.ts";

const COMMANDS = ["init", "check", "map", "build", "run", "image", "compile", "bench"];

describe("bulkhead help", () => {
  it("`bulkhead --help` and `bulkhead help` list every command, status 0 (it was a usage error, 2)", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const r = await cli(...argv);
      expect(r.status, argv.join(" ")).toBe(0);
      for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    }
    // Through the real command too: the status is the process's.
    const r = spawnSync("node", [path.join(PROJECT_ROOT, "bin/bulkhead.mjs"), "--help"], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain("usage: bulkhead <command> [options]");
  });

  it("`--help` on each command and `bulkhead help <command>` show its options, status 0, and do nothing else (run --help booted the default config)", async () => {
    for (const c of COMMANDS) {
      const a = await cli(c, "--help");
      expect(a.status, c).toBe(0);
      expect(a.stdout).toMatch(new RegExp(`^usage: bulkhead ${c}\\b`));
      expect(await cli("help", c)).toEqual(a);
    }
    const run = await cli("run", "--help");
    expect(run.stdout).toContain("--timeout SECONDS");
    expect(run.stdout).toContain("--verbose");
    expect(run.stdout).not.toMatch(/^\[hyp\]/m);
  });

  it("an unknown command is refused listing the commands, status 2", async () => {
    const r = await cli("frob");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`bulkhead: unknown command "frob" (commands: ${COMMANDS.join(", ")}, help)`);
    expect((await cli("help", "frob")).status).toBe(2);
    expect((await cli()).status).toBe(2);
  });
});

describe("flags", () => {
  it("an unknown flag is refused listing the command's options, status 2 (it was ignored)", async () => {
    const r = await cli("build", "--config", "board/qemu-virt-gicv3/configs/single.ts", "--bogus");
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("bulkhead build: unknown option --bogus (its options: --board NAME, --config FILE, --guest IMAGE, --initrd FILE, --bootargs TEXT, --cpus N, --memory SIZE)");
    expect(r.stderr.split("\n")[1]).toMatch(/^usage: bulkhead build /);
    const c = await cli("check", "board/qemu-virt-gicv3/configs/single.ts", "--timeout", "3");
    expect(c.status).toBe(2);
    expect(c.stderr).toContain("bulkhead check: unknown option --timeout (its options: --board NAME)");
  });

  it("a flag without its value, a flag twice, a stray argument, and flags that exclude each other are refused", async () => {
    expect((await cli("run", "--board")).stderr).toMatch(/^bulkhead run: --board needs a value: --board NAME$/m);
    expect((await cli("check", "a.ts", "--board", "rpi4", "--board", "rpi4")).stderr).toMatch(/^bulkhead check: --board is given twice$/m);
    expect((await cli("check", "a.ts", "b.ts")).stderr).toMatch(/^bulkhead check: unexpected argument "b.ts" \(it takes <config.ts>\)$/m);
    expect((await cli("run", "--config", "a.ts", "--guest", "b.bin")).stderr).toMatch(/^bulkhead run: --config and --guest exclude each other$/m);
    expect((await cli("run", "--config", "a.ts", "--initrd", "b.cpio")).stderr).toMatch(/^bulkhead run: --initrd goes with --guest/m);
    // --flag=value is --flag value.
    const r = await cli("check", "--board=qemu-virt-gicv3", "board/qemu-virt-gicv3/configs/single.ts");
    expect([r.status, r.stdout]).toEqual([0, "ok: 1 VM on qemu-virt-gicv3"]);
  });

  it("an unknown board is refused listing the boards", async () => {
    const r = await cli("run", "--board", "virt", "--guest", "build/guests/baremetal.elf");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`--board: error: unknown board "virt" (boards: qemu-virt-gicv2, qemu-virt-gicv3, rpi4)`);
    const img = await cli("image", "--board", "virt", "-o", path.join(os.tmpdir(), "never.img"));
    expect([img.status, img.stderr]).toEqual([1, `--board: error: unknown board "virt" (boards: qemu-virt-gicv2, qemu-virt-gicv3, rpi4)`]);
    const c = await cli("check", "board/qemu-virt-gicv3/configs/single.ts", "--board", "virt");
    expect(c.stderr).toBe(`board/qemu-virt-gicv3/configs/single.ts: error: unknown board "virt" given by --board (boards: qemu-virt-gicv2, qemu-virt-gicv3, rpi4)`);
  });

  it("`run --timeout`: 0 means no limit (it was refused), a negative or non-number is refused; no limit by default (it was 60 s)", async () => {
    const neg = await cli("run", "--timeout", "-1");
    expect([neg.status, neg.stderr.split("\n")[0]]).toEqual([2, `bulkhead run: --timeout takes a number of seconds (0: no limit), not "-1"`]);
    expect((await cli("run", "--timeout", "soon")).status).toBe(2);
    expect((await cli("help", "run")).stdout).toContain("--timeout SECONDS  end the run (status 124) after this long; default and 0: no limit");
  });
});

describe("build directories", () => {
  it("two configs of the same file name in different folders get different build directories (they shared one)", async () => {
    const board = await loadBoard("qemu-virt-gicv3");
    const a = path.join(os.tmpdir(), "site-a", "partitions.ts"), b = path.join(os.tmpdir(), "site-b", "partitions.ts");
    expect(buildName(board, a)).toMatch(/^partitions-[0-9a-f]{12}$/);
    expect(buildName(board, a)).not.toBe(buildName(board, b));
    expect(buildName(board, a)).toBe(buildName(board, a));
    // A shipped config keeps its own name: build/<board>/default.
    expect(buildName(board, path.join(board.dir, "configs/default.ts"))).toBe("default");
  });
});

describe("refusals", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-cli-"));
  const good = `{ name: "a", cpus: [0], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x44000000n, size: 0x4000000n }] }`;
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(tmp, name), `import { definePartitions } from "bulkhead";\n${text}`);
    return path.join(tmp, name);
  };

  it("build and run print a config's type error as check does, one located line, no stack trace", () => {
    const file = write("typed.ts", `export default definePartitions({ board: "qemu-virt-gicv3", vms: [{ ...${good}, cpus: 0 }] });\n`);
    for (const argv of [["check", file], ["build", "--config", file], ["run", "--config", file, "--timeout", "5"]]) {
      const r = spawnSync("node", [path.join(PROJECT_ROOT, "bin/bulkhead.mjs"), ...argv], { cwd: tmp, encoding: "utf8", timeout: 60_000 });
      expect([r.status, r.stdout], argv[0]).toEqual([1, ""]);
      expect(r.stderr, argv[0]).toMatch(/^typed\.ts:2:\d+: error: Type 'number' is not assignable to type 'number\[\]'\.\n$/);
    }
  });

  it("a config that does not name its board is refused unless --board names it; both must agree (any config outside board/ got qemu-virt-gicv3)", async () => {
    const file = write("noboard.ts", `export default definePartitions({ vms: [${good}] });\n`);
    const r = await cli("check", file);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${path.relative(process.cwd(), file)}: error: the config does not name its board: write board: "NAME" in it (boards: qemu-virt-gicv2, qemu-virt-gicv3, rpi4), or give --board NAME`);
    expect(await cli("check", file, "--board", "qemu-virt-gicv2")).toEqual({ status: 0, stdout: "ok: 1 VM on qemu-virt-gicv2", stderr: "" });
    const named = write("named.ts", `export default definePartitions({ board: "qemu-virt-gicv2", vms: [${good}] });\n`);
    expect((await cli("check", named)).stdout).toBe("ok: 1 VM on qemu-virt-gicv2");
    const clash = await cli("build", "--config", named, "--board", "qemu-virt-gicv3");
    expect(clash.status).toBe(1);
    expect(clash.stderr).toBe(`${path.relative(process.cwd(), named)}: error: the config is for board "qemu-virt-gicv2", not --board "qemu-virt-gicv3"`);
  });

  it("the boards a config may name are the boards there are", () => {
    const types = fs.readFileSync(path.join(PROJECT_ROOT, "host/config/types.ts"), "utf8");
    const union = /export type BoardName = ([^;]+);/.exec(types)![1].split("|").map((s) => JSON.parse(s.trim()) as string);
    const dirs = fs.readdirSync(path.join(PROJECT_ROOT, "board")).filter((d) => fs.existsSync(path.join(PROJECT_ROOT, "board", d, "board.ts")));
    expect(union.sort()).toEqual(dirs.sort());
  });
});

describe("configs anywhere", () => {
  it("a config in a CommonJS folder, with no node_modules, imports \"bulkhead\" and awaits at top level (tsx made it CommonJS; \"bulkhead\" did not resolve)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-cjs-"));
    fs.writeFileSync(path.join(dir, "package.json"), `{ "name": "plant", "type": "commonjs" }\n`);
    fs.writeFileSync(path.join(dir, "sizes.ts"), "export const MiB = 1n << 20n;\n");
    fs.writeFileSync(path.join(dir, "plant.ts"), `import { definePartitions } from "bulkhead";
const { MiB } = await import("./sizes.ts");
export default definePartitions({ board: "qemu-virt-gicv2", vms: [
  { name: "a", cpus: [0], image: { builtin: "baremetal" }, ram: [{ ipa: 0x40000000n, pa: 0x44000000n, size: 64n * MiB }] },
] });
`);
    const r = spawnSync("node", [path.join(PROJECT_ROOT, "bin/bulkhead.mjs"), "check", "plant.ts"], { cwd: dir, encoding: "utf8" });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "ok: 1 VM on qemu-virt-gicv2\n", ""]);
    fs.rmSync(dir, { recursive: true });
  });
});

describe("bulkhead init", () => {
  it("writes a starter config for each board that check accepts as written, and refuses an unknown board", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-init-"));
    for (const board of ["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"]) {
      const dir = path.join(root, board);
      const r = await cli("init", dir, "--board", board);
      expect(r.status, r.stderr).toBe(0);
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      expect(pkg.type).toBe("module");
      expect(pkg.devDependencies.bulkhead).toBe(`file:${PROJECT_ROOT}`);
      expect(fs.realpathSync(path.join(dir, "node_modules/bulkhead"))).toBe(fs.realpathSync(PROJECT_ROOT));
      expect(await cli("check", path.join(dir, "partitions.ts"))).toEqual({ status: 0, stdout: `ok: 1 VM on ${board}`, stderr: "" });
    }
    const bad = await cli("init", path.join(root, "x"), "--board", "pi5");
    expect([bad.status, bad.stderr.split("\n")[0]]).toEqual([2, `bulkhead init: unknown board "pi5" (boards: qemu-virt-gicv2, qemu-virt-gicv3, rpi4)`]);
    expect(fs.existsSync(path.join(root, "x"))).toBe(false);
    fs.rmSync(root, { recursive: true });
  });
});
