// `bulkhead run` as a user calls it: a flat binary given with --guest, the time limit, the QEMU
// command line it prints, and what a signal to it does to QEMU.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
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

  it("SIGTERM ends QEMU too, not only bulkhead (QEMU ran on as an orphan); --verbose prints the QEMU command line first", async () => {
    const dir = path.join(PROJECT_ROOT, "build/tmp/cli-run");
    fs.mkdirSync(dir, { recursive: true });
    const image = path.join(dir, "spin.bin");
    fs.writeFileSync(image, Buffer.from([0x00, 0x00, 0x00, 0x14]));
    // No --timeout: the guest spins for ever, and nothing but the signal ends the run.
    const p = spawn("node", ["bin/bulkhead.mjs", "run", "--guest", image, "--verbose"], { cwd: PROJECT_ROOT });
    let stdout = "", stderr = "";
    p.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    const started = new Promise<void>((resolve) => p.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes("[hyp] vm guest: starting at")) resolve();
    }));
    const exited = new Promise<number | null>((resolve) => p.on("exit", (code) => resolve(code)));
    await started;
    const qemu = childrenOf(p.pid!).find((c) => c.comm.startsWith("qemu-system"));
    expect(qemu, "QEMU is bulkhead's child").toBeDefined();
    try {
      p.kill("SIGTERM");
      const status = await exited;
      expect(alive(qemu!.pid), `QEMU ${qemu!.pid} outlived bulkhead`).toBe(false);
      expect(status).toBe(128 + 15);
    } finally {
      if (alive(qemu!.pid)) process.kill(qemu!.pid, "SIGKILL");
    }
    expect(stderr).toMatch(/^bulkhead run: \S*qemu-system-aarch64 -machine virt,gic-version=3,virtualization=on -cpu cortex-a53 .* -kernel \S+hyp\.elf$/m);
    expect(stderr).toContain("bulkhead run: ended by a signal (QEMU ended with it)");
  }, 120_000);
});

/** The processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const d of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    let stat: string;
    try { stat = fs.readFileSync(`/proc/${d}/stat`, "utf8"); } catch { continue; }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
    const close = stat.lastIndexOf(")");
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    if (ppid === pid) out.push({ pid: Number(d), comm: stat.slice(stat.indexOf("(") + 1, close) });
  }
  return out;
}

/** Whether `pid` is a running process (a zombie is not: it has ended, its parent has yet to reap it). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
