// VM restart: a VM's PSCI SYSTEM_RESET restarts that VM alone (its other vCPU stopped, its images
// reloaded, its virtual GIC reset) while the VM beside it runs on untouched.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run } from "../host/run.ts";

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2"])("%s", (board) => {
  it("restarts the VM that asks, and only it", async () => {
    const config = path.join(PROJECT_ROOT, "board", board, "configs/restart.ts");
    const { qemu } = await run({ board, config, timeoutSec: 120 });
    const lines = qemu.lines;
    const at = (s: string) => lines.indexOf(s);
    expect(qemu.timedOut, qemu.output).toBe(false);
    const asked = at("[flaky] # reset-guest: first boot, asking for SYSTEM_RESET");
    const restarted = at("[hyp] vm flaky: SYSTEM_RESET, restarting the VM");
    const second = lines.findIndex((l) => l.startsWith("[flaky] ok - SYSTEM_RESET restarts the VM (second boot"));
    expect(asked, qemu.output).toBeGreaterThanOrEqual(0);
    expect(restarted).toBeGreaterThan(asked);
    expect(second).toBeGreaterThan(restarted);
    expect(lines).toContain("[flaky] ok - the restart stopped the other vCPU (AFFINITY_INFO of MPIDR 0x1)");
    // The restarted VM passes every check on its second boot; the other VM never noticed.
    expect(lines.find((l) => /^\[flaky\] \d+ passed, 0 failed$/.test(l)), qemu.output).toBeDefined();
    expect(lines.find((l) => /^\[steady\] \d+ passed, 0 failed$/.test(l)), qemu.output).toBeDefined();
    expect(lines.filter((l) => l.startsWith("[steady] # bulkhead bare-metal test guest"))).toHaveLength(1);
    expect(qemu.output).not.toContain("PANIC");
    expect(qemu.output).not.toContain("did not stop");
    expect(qemu.exitCode).toBe(0);
  });
});
