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
    // Boot 1: vCPU 0 resets the VM; boot 2: vCPU 1 does; boot 3 runs the checks.
    const first = at("[flaky] # reset-guest: boot 1, vCPU 0 asks for SYSTEM_RESET");
    const second = at("[flaky] # reset-guest: boot 2, vCPU 1 asks for SYSTEM_RESET");
    const restarts = lines.map((l, i) => (l === "[hyp] vm flaky: SYSTEM_RESET, restarting the VM" ? i : -1)).filter((i) => i >= 0);
    const third = lines.findIndex((l) => l.startsWith("[flaky] ok - SYSTEM_RESET restarts the VM, from any vCPU (boot 3"));
    expect(first, qemu.output).toBeGreaterThanOrEqual(0);
    expect(restarts).toHaveLength(2);
    expect(restarts[0]).toBeGreaterThan(first);
    expect(second).toBeGreaterThan(restarts[0]);
    expect(restarts[1]).toBeGreaterThan(second);
    expect(third).toBeGreaterThan(restarts[1]);
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
