// The console's input, typed into the board UART through QEMU's serial line (the launcher's
// onSpawn): each byte goes to the VM that has the focus (src/el2/consolein.ts), through its
// emulated PL011 and that UART's interrupt in its virtual GIC (src/stage2/vuart.ts, src/gic/vspi.ts).
// - Debian's Linux with a busybox shell on ttyAMA0 (its amba-pl011 driver, interrupt-driven) runs
//   what is typed, and says so in /proc/interrupts.
// - Three bare-metal VMs (board/<board>/configs/console.ts): Ctrl-\ three times moves the focus,
//   and each line reaches the focused VM alone; a VM that reads nothing fills its own bounded FIFO
//   (the rest dropped and counted) and holds up no one, nor does its disabling, clearing and
//   rerouting of its UART's interrupt (the board UART's INTID) silence anyone else's input.
// Both on each QEMU virt board and on the RPi4 (QEMU raspi4b).
// Every step types only after the line it waits for: no sleeps; the run's time limit bounds it.
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run, type RunOptions } from "../host/run.ts";
import { loadBoard } from "../host/board.ts";
import type { SerialInput } from "../qemu/launch.ts";

const LINUX = path.join(PROJECT_ROOT, "build/linux");
const FOCUS = "\x1c\x1c\x1c";

/**
 * A run that types `step.text` once the console's text since the last step matches `step.after`
 * (unfinished lines too: a prompt), each step in turn; the steps it reached.
 */
async function typing(opts: RunOptions, steps: { after: RegExp; text: string }[]) {
  let input: SerialInput | undefined;
  let reached = 0;
  let seen = "";
  const r = await run({
    ...opts,
    onSpawn: (i) => { input = i; },
    onText: (text) => {
      seen += text;
      if (reached < steps.length && steps[reached].after.test(seen)) {
        seen = "";
        input?.write(steps[reached++].text);
      }
    },
  });
  return { ...r, reached };
}

beforeAll(() => {
  execFileSync("bash", [path.join(PROJECT_ROOT, "guests/linux/build.sh"), LINUX], { stdio: "inherit" });
}, 300_000);

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"])("%s", (board) => {
  it("gives Linux's shell on ttyAMA0 what is typed, through the UART's interrupt", async () => {
    const uart = (await loadBoard(board)).facts.UART_BASE.toString(16);
    const { qemu, reached } = await typing({
      board, guest: path.join(LINUX, "Image"), initrd: path.join(LINUX, "initramfs.cpio"), timeoutSec: 180,
      bootargs: `console=ttyAMA0 earlycon=pl011,0x${uart} rdinit=/init bulkhead.test=shell`,
    }, [
      // Once typed at (an empty line), the focused VM's unfinished line shows as it comes: the
      // prompt, then the shell's echo of the keys, before any newline.
      { after: /^\[guest\] Enter 'help' for a list of built-in commands\.$/m, text: "\r" },
      { after: /\n\[guest\] \/ # (\^\[\[6n)?$/, text: "echo typed-$((6*7))" },
      { after: /echo typed-\$\(\(6\*7\)\)$/, text: "\r" },
      { after: /^\[guest\] typed-42$/m, text: "grep uart-pl011 /proc/interrupts; exit\r" },
    ]);
    expect(qemu.timedOut, qemu.output.slice(-3000)).toBe(false);
    expect(reached, qemu.output.slice(-3000)).toBe(4);
    // The shell's own output, after what it echoed: the command ran.
    expect(qemu.lines, qemu.output.slice(-3000)).toContain("[guest] typed-42");
    // The UART's interrupt, at the INTID its device tree names, came to Linux more than once.
    const irq = /^\[guest\] +\d+: +(\d+) .*\b(\d+) Level +uart-pl011$/m.exec(qemu.output);
    expect(irq, qemu.output.slice(-2000)).not.toBeNull();
    expect(Number(irq![1])).toBeGreaterThan(1);
    expect(Number(irq![2])).toBe((await loadBoard(board)).facts.UART_INTID);
    expect(qemu.lines.slice(-2)).toEqual(["[hyp] vm guest: powered off", "[hyp] run ended: status 0"]);
    expect(qemu.exitCode).toBe(0);
  }, 240_000);

  it("gives each line to the VM with the focus alone, and moves the focus on Ctrl-\\ three times", async () => {
    const { qemu, reached } = await typing({ board, config: path.join(PROJECT_ROOT, "board", board, "configs/console.ts"), timeoutSec: 60 }, [
      // A line of another VM cuts the focused VM's line being shown as it comes (once typed at):
      // each step waits for the others to be quiet.
      { after: /(?=[^]*^\[left\] echo: ready)(?=[^]*^\[right\] echo: ready)(?=[^]*^\[deaf\] deaf: ready)/m, text: "hello-left\r" },
      { after: /^\[left\] echo: got hello-left$/m, text: FOCUS },
      { after: /^\[hyp\] console input: right /m, text: "hello-right\r" },
      { after: /^\[right\] echo: got hello-right$/m, text: FOCUS },
      // 300 bytes to a VM that reads nothing: 256 wait in its FIFO, the rest are dropped and counted.
      { after: /^\[hyp\] console input: deaf /m, text: "x".repeat(300) },
      { after: /^\[hyp\] vm deaf: powered off$/m, text: FOCUS },
      // Ctrl-\ once, then another byte: both are input after all.
      { after: /^\[hyp\] console input: left /m, text: "\x1cz\roff\r" },
      { after: /^\[hyp\] vm left: powered off$/m, text: FOCUS },
      // The deaf VM is off: the focus skips nothing (it is on "right" after "left" anyway).
      { after: /^\[hyp\] console input: right /m, text: "off\r" },
    ]);
    const lines = qemu.lines;
    expect(qemu.timedOut, qemu.output).toBe(false);
    expect(reached, qemu.output).toBe(9);
    expect(lines[0]).toBe("[hyp] Bulkhead on " + board + ": 4 CPUs, 3 VMs");
    expect(lines).toContain("[hyp] console input: left (Ctrl-\\ three times: next VM)");
    // Each VM got exactly its own lines, in order.
    const got = (vm: string) => lines.filter((l) => l.startsWith(`[${vm}] echo: got `)).map((l) => l.slice(`[${vm}] echo: got `.length));
    expect(got("left")).toEqual(["hello-left", "^\\z", "off"]);
    expect(got("right")).toEqual(["hello-right", "off"]);
    expect(lines).toContain("[deaf] deaf: read 256 bytes");
    expect(lines.some((l) => /^\[deaf\] deaf: disabled, cleared, reconfigured and rerouted its UART's interrupt \(INTID \d+\)$/.test(l))).toBe(true);
    const drops = lines.map((l) => /^\[hyp\] vm deaf: (\d+) console input bytes dropped so far/.exec(l)).filter((m) => m).map((m) => Number(m![1]));
    expect(drops.length, qemu.output).toBeGreaterThan(0);
    expect(Math.max(...drops)).toBeLessThanOrEqual(300 - 256);
    expect(lines.filter((l) => /^\[(left|right)\] echo: \d+ receive interrupts, powering off$/.test(l))).toHaveLength(2);
    expect(qemu.output).not.toContain("PANIC");
    expect(lines[lines.length - 1]).toBe("[hyp] run ended: status 0");
  }, 90_000);
});
