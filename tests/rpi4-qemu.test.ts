// The Raspberry Pi 4's flagship config on QEMU raspi4b (board/rpi4/configs/default.ts): Debian's
// Linux on CPUs 0 and 1 beside two bare-metal VMs, one on each of the other CPUs (one on a channel
// with Linux), all at once, each labelled; the run ends (status 0) when the last has powered off. raspi4b has no PSCI
// firmware: the hypervisor starts CPUs 1-3 from the spin table and halts at the end, and the
// launcher ends QEMU at its status line (host/run.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run } from "../host/run.ts";
import { build } from "../host/build.ts";
import { builtinImage } from "../host/config/images.ts";
import { runQemu } from "../qemu/launch.ts";

beforeAll(() => {
  execFileSync("bash", [path.join(PROJECT_ROOT, "guests/linux/build.sh"), path.join(PROJECT_ROOT, "build/linux")], { stdio: "inherit" });
}, 300_000);

describe("rpi4", () => {
  it("runs the default config: Linux on two CPUs beside two bare-metal VMs, one on a channel with Linux", async () => {
    const { qemu } = await run({ board: "rpi4", timeoutSec: 180 });
    const lines = qemu.lines;
    const out = qemu.output;
    expect(qemu.timedOut, out.slice(-3000)).toBe(false);
    expect(lines[0]).toBe("[hyp] Bulkhead on rpi4: 4 CPUs, 3 VMs");
    for (const l of lines) expect(l).toMatch(/^\[(hyp|linux|alpha|control)\] /);
    // Linux: its own two CPUs (PSCI CPU_ON over HVC), the virtual timer on both, the emulated PL011 at 0xfe201000.
    expect(out).toMatch(/\[linux\] \[ *[\d.]+\] Booting Linux on physical CPU 0x0000000000/);
    const mem = /\[linux\] linux-guest: Linux 6\.1\.0-.*, 2 CPUs online, MemTotal: (\d+) kB/.exec(out);
    expect(mem, out.slice(-3000)).not.toBeNull();
    // Its 512 MiB in the RAM above the GPU carve-out (board.ts RAM2), less what the kernel keeps.
    expect(Number(mem![1])).toBeGreaterThan(400_000);
    expect(out).toContain("[linux] linux-guest: psci hvc");
    const ticks = /\[linux\] linux-guest: psci hvc, timer ticks +11: +(\d+) +(\d+) +GIC-0 27/.exec(out);
    expect(ticks, out.slice(-3000)).not.toBeNull();
    for (const t of ticks!.slice(1)) expect(Number(t)).toBeGreaterThan(0);
    expect(out).toMatch(/\[linux\] \[ *[\d.]+\] reboot: Power down/);
    // The bare-metal VMs: every check passes, each gets its own SPI through the GIC-400.
    for (const [vm, intid] of [["alpha", 60]] as const) {
      expect(lines.find((l) => new RegExp(`^\\[${vm}\\] \\d+ passed, 0 failed$`).test(l)), out).toBeDefined();
      expect(lines).toContain(`[${vm}] ok - passed-through SPI delivered (INTID ${intid} round 1: enabled 1, arrived 1 time(s))`);
      expect(lines.some((l) => l.startsWith(`[${vm}] ok - virtual timer interrupt (PPI 27) arrives (5 of 5`)), out).toBe(true);
      expect(lines.some((l) => l.startsWith(`[${vm}] ok - GIC in the device tree (GICv2, GICD 0xff841000, GICC 0xff842000)`)), out).toBe(true);
    }
    // The channel: the control VM's samples answered by Linux's userspace, both printing their figures.
    expect(lines).toContain("[linux] linux-guest: test channel: 0x1af4 0x1110 bound to uio_pci_generic");
    expect(lines.some((l) => /^\[linux\] linux-peer: 64 samples answered, 4096 streamed, \d+ interrupts/.test(l)), out.slice(-3000)).toBe(true);
    expect(lines).toContain("[control] ok - every sample answered through the channel (64 of 64)");
    expect(lines.some((l) => l.startsWith("[control] channel round trip: 64 samples")), out).toBe(true);
    expect(lines.find((l) => /^\[control\] \d+ passed, 0 failed$/.test(l)), out).toBeDefined();
    for (const vm of ["linux", "alpha", "control"]) expect(lines.filter((l) => l === `[hyp] vm ${vm}: powered off`)).toHaveLength(1);
    expect(lines.at(-1)).toBe("[hyp] run ended: status 0");
    expect(out).not.toContain("PANIC");
    expect(qemu.exitCode).toBe(0);
  }, 240_000);

  it("programs the PL011 for 115200 8N1 before its first line (the stock firmware leaves it to Bluetooth)", async () => {
    // QEMU's own trace of the UART's register writes (its log backend), in order.
    const guest = builtinImage("baremetal");
    // Its own build directory: tests/hyp-qemu.test.ts builds the same quick config at the same time.
    const b = await build({ board: "rpi4", guest, outDir: path.join(PROJECT_ROOT, "build/rpi4/pl011-trace") });
    const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-pl011-")), "trace");
    const q = b.board.host.qemu;
    const r = await runQemu({
      machine: q.machine, smp: q.smp, memory: q.memory, kernel: b.bin, timeoutSec: 60,
      extraArgs: ["-trace", "pl011_write", "-D", trace], endOn: (l) => l.startsWith("[hyp] run ended"),
    });
    expect(r.lines[0], r.output).toBe("[hyp] Bulkhead on rpi4: 4 CPUs, 1 VMs");
    const writes = fs.readFileSync(trace, "utf8").split("\n").map((l) => /pl011_write addr (0x[0-9a-f]+) value (0x[0-9a-f]+)/.exec(l)).filter((m) => m).map((m) => `${m![1]}=${Number(m![2])}`);
    // CR off; IBRD 26 and FBRD 3 (48 MHz / (16 * 115200) = 26 + 3/64); LCR_H 8 bits, FIFOs; CR UARTEN, TXE, RXE; then the first character.
    expect(writes.slice(0, 6)).toEqual(["0x030=0", "0x024=26", "0x028=3", "0x02c=112", "0x030=769", `0x000=${"[".charCodeAt(0)}`]);
  }, 120_000);
});
