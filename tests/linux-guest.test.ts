// An arm64 guest nobody here wrote: Debian's cloud kernel with a busybox initramfs, given with
// --guest (quick mode). It must print through the emulated PL011, get PSCI over HVC (its four
// CPUs come up through CPU_ON), take timer interrupts, and end the run with its SYSTEM_OFF.
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run } from "../host/run.ts";
import { loadBoard } from "../host/board.ts";

const OUT = path.join(PROJECT_ROOT, "build/linux");
/** The kernel command line: the console on the emulated PL011, at the board's UART address. */
const bootargs = async (board: string) => `console=ttyAMA0 earlycon=pl011,0x${(await loadBoard(board)).facts.UART_BASE.toString(16)} rdinit=/init`;

beforeAll(() => {
  execFileSync("bash", [path.join(PROJECT_ROOT, "guests/linux/build.sh"), OUT], { stdio: "inherit" });
}, 300_000);

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"])("%s", (board) => {
  it("boots Debian's Linux to its init, which powers the VM off", async () => {
    const { qemu } = await run({
      board, guest: path.join(OUT, "Image"), initrd: path.join(OUT, "initramfs.cpio"), bootargs: await bootargs(board), timeoutSec: 240,
    });
    const out = qemu.output;
    expect(qemu.timedOut, out.slice(-3000)).toBe(false);
    expect(out).toMatch(/\[guest\] \[ *[\d.]+\] Booting Linux on physical CPU 0x0000000000/);
    expect(out).toContain("[guest] linux-guest: Linux 6.1.0-");
    expect(out).toMatch(/linux-guest: Linux .*, 4 CPUs online/);
    expect(out).toContain("linux-guest: psci hvc");
    // guests/linux/modules, with their dependencies, from the initramfs.
    expect(out).toMatch(/linux-guest: modules .*\bsp805_wdt\b/);
    expect(out).toMatch(/linux-guest: modules .*\buio_pci_generic\b/);
    expect(out).not.toContain("insmod");
    // Linux asks PSCI_FEATURES(SMCCC_VERSION) first and, told NOT_SUPPORTED, assumes SMCCC v1.0.
    expect(out).toMatch(/\[guest\] \[ *[\d.]+\] psci: SMC Calling Convention v1\.1$/m);
    // The virtual timer ticks on every CPU.
    const ticks = /timer ticks +11: +(\d+) +(\d+) +(\d+) +(\d+)/.exec(out);
    expect(ticks, out.slice(-2000)).not.toBeNull();
    for (const t of ticks!.slice(1)) expect(Number(t)).toBeGreaterThan(0);
    expect(out).toMatch(/\[guest\] \[ *[\d.]+\] reboot: Power down/);
    expect(qemu.lines.slice(-2)).toEqual(["[hyp] vm guest: powered off", "[hyp] run ended: status 0"]);
    expect(out).not.toContain("PANIC");
    expect(qemu.exitCode).toBe(0);
  }, 300_000);
});
