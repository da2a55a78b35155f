// `bulkhead run` as a user calls it: a flat binary given with --guest, and the time limit.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";

describe("bulkhead run", () => {
  it("ends a run that outlives --timeout with status 124 and says so", () => {
    // A flat binary (no Image header) whose one instruction branches to itself: `b .`.
    const dir = path.join(PROJECT_ROOT, "build/tmp/cli-run");
    fs.mkdirSync(dir, { recursive: true });
    const image = path.join(dir, "spin.bin");
    fs.writeFileSync(image, Buffer.from([0x00, 0x00, 0x00, 0x14]));
    const r = spawnSync("node", ["bin/bulkhead.mjs", "run", "--guest", image, "--timeout", "4"], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(124);
    expect(r.stderr).toContain("bulkhead run: timed out after 4 s (QEMU killed)");
    // The flat binary was loaded 0x80000 into the VM's RAM, as QEMU's own loader does, and entered there.
    expect(r.stdout).toContain("[hyp] vm guest: starting at 0x40080000");
  });

  it("runs an ELF guest (the bare-metal test guest's .elf) at its own addresses", () => {
    const r = spawnSync("node", ["bin/bulkhead.mjs", "run", "--guest", "build/guests/baremetal.elf", "--timeout", "60"], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("[hyp] vm guest: starting at 0x40080000");
    expect(r.stdout).toMatch(/^\[guest\] \d+ passed, 0 failed$/m);
  });

  it("rejects a guest image that does not exist, naming it", () => {
    const r = spawnSync("node", ["bin/bulkhead.mjs", "run", "--guest", "build/tmp/no-such-image.bin"], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no-such-image\.bin: no such file/);
  });
});
