// `bulkhead run --gdb` (issue 13, "Debugging"; docs/debugging.md): gdb-multiarch, in batch mode,
// attaches to QEMU's gdbstub on a run stopped before its first instruction, stops in the
// hypervisor's trap_sync with hyp.elf's debug information, then in a VM's code on that VM's CPU
// with the guest ELF's symbols. QEMU and gdb are each bounded in time and killed at the end.
import { afterAll, describe, expect, it } from "vitest";
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { CROSS } from "../host/build.ts";
import { cli } from "./cli.ts";

/** A TCP port nobody listens on now (the kernel's pick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** The address of `symbol` in `elf`. */
function symbolAddress(elf: string, symbol: string): bigint {
  const line = execFileSync(`${CROSS}nm`, [elf], { encoding: "utf8" }).split("\n").find((l) => l.endsWith(` ${symbol}`));
  if (!line) throw new Error(`${elf}: no symbol ${symbol}`);
  return BigInt(`0x${line.split(" ")[0]}`);
}

let run: ChildProcess | undefined;
afterAll(() => {
  // Its own process group (detached): QEMU goes with it whatever state the run is in.
  if (run?.pid && run.exitCode === null && run.signalCode === null) process.kill(-run.pid, "SIGKILL");
});

describe("bulkhead run --gdb", () => {
  it("stops in trap_sync with hyp.elf's symbols, and in a VM's code on its own CPU", async () => {
    const port = await freePort();
    run = spawn("node", [path.join(PROJECT_ROOT, "bin/bulkhead.mjs"), "run", "--board", "qemu-virt-gicv3", "--config", path.join(PROJECT_ROOT, "board/qemu-virt-gicv3/configs/threevm.ts"), `--gdb=${port}`, "--gdb-wait", "--timeout", "90"], {
      cwd: PROJECT_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const ended = new Promise<number | null>((resolve) => run!.on("close", (code) => resolve(code)));
    // The line that says where to attach, once the build is done and QEMU starts.
    const hint = await new Promise<string>((resolve, reject) => {
      run!.stderr!.on("data", (b: Buffer) => {
        stderr += b.toString();
        const m = /^bulkhead run: gdbstub on localhost:\d+, stopped until the debugger continues: .*$/m.exec(stderr);
        if (m) resolve(m[0]);
      });
      void ended.then(() => reject(new Error(`bulkhead run ended first: ${stderr}`)));
    });
    const elf = path.resolve(PROJECT_ROOT, /gdb-multiarch (\S+) /.exec(hint)![1]);
    expect(hint).toContain(`localhost:${port}`);
    const guestElf = path.join(PROJECT_ROOT, "build/guests/baremetal.elf");

    const commands = [
      "set pagination off", "set confirm off", "set tcp connect-timeout 30",
      `target remote 127.0.0.1:${port}`,
      "break trap_sync", "continue", "bt", "info registers pc", "info threads", "delete 1",
      // beta, the threevm config's second VM, runs its only vCPU on CPU 1: thread 2 (docs/debugging.md).
      `add-symbol-file ${guestElf}`, "break check thread 2 if ($cpsr & 0xc) == 4", "continue", "bt", "info registers pc cpsr",
      "kill",
    ];
    const gdb = await new Promise<string>((resolve, reject) => {
      execFile("gdb-multiarch", ["-q", "-batch", "-nx", elf, ...commands.flatMap((c) => ["-ex", c])], { timeout: 60_000, encoding: "utf8" }, (err, stdout, errout) => {
        if (err && (err as { killed?: boolean }).killed) reject(new Error(`gdb-multiarch timed out:\n${stdout}\n${errout}`));
        else resolve(stdout + errout);
      });
    });

    // Stopped before the first instruction (-S): at the hypervisor's reset entry, with its source line.
    expect(gdb).toMatch(/_start \(\) at \S*src\/el2\/entry\.S:\d+/);
    // The hypervisor: trap_sync, called from the exception vectors (vectors.S), with its C source.
    expect(gdb).toMatch(/hit Breakpoint 1, trap_sync \(regs=0x[0-9a-f]+ <percpu\+\d+>\) at \S*hyp\.c:\d+/);
    expect(gdb).toMatch(/^#0 {2}trap_sync \(regs=/m);
    expect(gdb).toMatch(/^#1 {2}0x[0-9a-f]+ in \w+ \(\) at \S*src\/el2\/vectors\.S:\d+/m);
    const pcs = [...gdb.matchAll(/^pc +0x([0-9a-f]+) /gm)].map((m) => BigInt(`0x${m[1]}`));
    expect(pcs[0]).toBe(symbolAddress(elf, "trap_sync"));
    for (let cpu = 0; cpu < 4; cpu++) expect(gdb).toContain(`Thread 1.${cpu + 1} (CPU#${cpu} `);
    // A VM's vCPU: beta's, at EL1, in the guest's own function.
    expect(gdb).toMatch(/Thread 2 hit Breakpoint 2, 0x[0-9a-f]+ in check \(\)/);
    expect(pcs[1]).toBe(symbolAddress(guestElf, "check"));
    const cpsr = BigInt(/^cpsr +(0x[0-9a-f]+)/m.exec(gdb)![1]);
    expect((cpsr >> 2n) & 3n).toBe(1n);
    expect(gdb).toMatch(/^#1 {2}0x[0-9a-f]+ in main \(\)/m);

    // gdb's kill ended QEMU, and the run with it (no status line from the hypervisor: 125).
    expect(await ended).toBe(125);
  }, 120_000);

  it("refuses a port that is not one, naming the flag (status 2)", async () => {
    for (const bad of ["x", "0", "65536", "12ab"]) {
      const r = await cli("run", `--gdb=${bad}`);
      expect([r.status, r.stderr]).toEqual([2, expect.stringContaining(`bulkhead run: --gdb=PORT takes a TCP port (1-65535), not "${bad}"`)]);
    }
  });
});
