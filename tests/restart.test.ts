// A VM's own restart and power-off: SYSTEM_RESET restarts that VM alone, as a clean boot (its other
// vCPUs stopped, its registers, virtual GIC, UART, console line and RAM back to reset, its images
// reloaded) while the VM beside it runs on untouched; SYSTEM_OFF counts each VM off once, so the run
// ends only when every VM is off.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run } from "../host/run.ts";

const configOf = (board: string, name: string) => path.join(PROJECT_ROOT, "board", board, "configs", `${name}.ts`);

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"])("%s", (board) => {
  it("restarts the VM that asks, and only it, as a clean boot", async () => {
    const { qemu } = await run({ board, config: configOf(board, "restart"), timeoutSec: 45 });
    const lines = qemu.lines;
    const at = (s: string) => lines.indexOf(s);
    expect(qemu.timedOut, qemu.output).toBe(false);
    // Boot 1: vCPUs 0 and 1 reset the VM at once; boot 2: vCPU 1 does, while vCPU 2 calls CPU_ON on vCPU 0; boot 3 checks.
    const first = at("[flaky] # reset-guest: boot 1, vCPUs 0 and 1 ask for SYSTEM_RESET at once (SGI 5 left active)");
    const second = at("[flaky] # reset-guest: boot 2, vCPU 1 asks for SYSTEM_RESET while vCPU 2 calls CPU_ON on vCPU 0");
    const restarts = lines.map((l, i) => (/^\[hyp\] vm flaky: SYSTEM_RESET, restarting the VM \(restart \d+\)$/.test(l) ? i : -1)).filter((i) => i >= 0);
    const third = lines.findIndex((l) => l.startsWith("[flaky] ok - SYSTEM_RESET restarts the VM, from any vCPU, also from two at once (boot 3"));
    expect(first, qemu.output).toBeGreaterThanOrEqual(0);
    expect(restarts, qemu.output).toHaveLength(2);
    // Each logged once, with its count.
    expect(restarts.map((i) => lines[i].slice(-11))).toEqual(["(restart 1)", "(restart 2)"]);
    expect(restarts[0]).toBeGreaterThan(first);
    expect(second).toBeGreaterThan(restarts[0]);
    expect(restarts[1]).toBeGreaterThan(second);
    expect(third, qemu.output).toBeGreaterThan(restarts[1]);
    // The partial line boot 1 left is dropped, not glued to the next boot's first line.
    expect(qemu.output).not.toContain("never ended");
    // Each clean-boot check of boot 3 (guests/baremetal/main.c, RESET_TEST), by name.
    for (const what of [
      "a restart resets the vCPU's registers",
      "the restart stopped the other vCPUs",
      "no vCPU runs on from the last run (CPU_ON refused while restarting)",
      "a restart resets the UART's registers",
      "a restart scrubs the VM's RAM",
      "vCPU 1 starts, clean, in the run after a restart",
      "CPU_ON after CPU_OFF resets the vCPU's registers",
      // Fired in boot 1 with the distributor disabled: still active at the GIC unless the restart deactivated
      // them; and masked by the priority of boot 1's unfinished SGI unless the restart dropped it.
      "virtual timer interrupt (PPI 27) arrives",
      "passed-through SPI delivered",
      "SGI to itself arrives",
    ]) {
      expect(lines.some((l) => l.startsWith(`[flaky] ok - ${what}`)), `${what}\n${qemu.output}`).toBe(true);
    }
    // The restarted VM passes every check on its third boot; the other VM never noticed.
    expect(lines.find((l) => /^\[flaky\] \d+ passed, 0 failed$/.test(l)), qemu.output).toBeDefined();
    expect(lines.find((l) => /^\[steady\] \d+ passed, 0 failed$/.test(l)), qemu.output).toBeDefined();
    expect(lines.filter((l) => l.startsWith("[steady] # bulkhead bare-metal test guest"))).toHaveLength(1);
    expect(qemu.output).not.toContain("PANIC");
    expect(qemu.output).not.toContain("did not stop");
    expect(qemu.exitCode).toBe(0);
  });

  it("ends the run only when every VM is off, each counted once", async () => {
    const { qemu } = await run({ board, config: configOf(board, "offcount"), timeoutSec: 45 });
    const lines = qemu.lines;
    expect(qemu.timedOut, qemu.output).toBe(false);
    // "both" calls SYSTEM_OFF from two vCPUs at once, "early" with its first instruction: one power-off each.
    expect(lines.filter((l) => l === "[hyp] vm both: powered off"), qemu.output).toHaveLength(1);
    expect(lines.filter((l) => l === "[hyp] vm early: powered off"), qemu.output).toHaveLength(1);
    // The victim still ran all its checks, and was the last VM off.
    const summary = lines.findIndex((l) => /^\[victim\] \d+ passed, 0 failed$/.test(l));
    expect(summary, qemu.output).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf("[hyp] vm victim: powered off"), qemu.output).toBeGreaterThan(summary);
    expect(qemu.output).not.toContain("PANIC");
    expect(qemu.exitCode).toBe(0);
  });
});
