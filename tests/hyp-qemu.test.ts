// Integration: the hypervisor built for each QEMU board boots real guests under QEMU (-smp 4).
import { describe, expect, it } from "vitest";
import { run } from "../host/run.ts";
import { imagePath } from "../host/build.ts";

const BOARDS = ["qemu-virt-gicv3", "qemu-virt-gicv2"];

function summary(lines: string[], label: string): { passed: number; failed: number } | null {
  const m = lines.map((l) => new RegExp(`^\\[${label}\\] (\\d+) passed, (\\d+) failed$`).exec(l)).find((x) => x);
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : null;
}

describe.each(BOARDS)("%s", (board) => {
  it("runs the bare-metal test guest in quick mode (--guest) and ends with its SYSTEM_OFF", async () => {
    const guest = imagePath({ name: "guest", cpus: [0], ram: [], image: { builtin: "baremetal" } }, null);
    const { qemu } = await run({ board, guest, timeoutSec: 60 });
    const lines = qemu.lines;
    expect(qemu.timedOut).toBe(false);
    expect(lines[0]).toMatch(new RegExp(`^\\[hyp\\] Bulkhead on ${board}: 4 CPUs, 1 VMs$`));
    const s = summary(lines, "guest");
    expect(s, qemu.output).not.toBeNull();
    expect(s!.failed, qemu.output).toBe(0);
    expect(s!.passed).toBeGreaterThanOrEqual(17);
    // Every console line is labelled with its source.
    for (const l of lines) expect(l).toMatch(/^\[(hyp|guest)\] /);
    // Touching memory that is not the VM's is logged with the VM, the IPA and the syndrome.
    expect(lines).toContain("[hyp] vm guest: stage-2 data abort at IPA 0x7e000000, ESR 0x93c48006, PC 0x40082670: abort injected");
    expect(lines[lines.length - 1]).toBe("[hyp] vm guest powered off");
    expect(qemu.exitCode).toBe(0);
  });

  it("runs the default partition config: three VMs on their own CPUs, concurrently", async () => {
    const { qemu } = await run({ board, timeoutSec: 90 });
    expect(qemu.timedOut).toBe(false);
    for (const vm of ["alpha", "beta", "gamma"]) {
      const s = summary(qemu.lines, vm);
      expect(s, `${vm}:\n${qemu.output}`).not.toBeNull();
      expect(s!.failed, qemu.output).toBe(0);
      expect(qemu.lines).toContain(`[hyp] vm ${vm} powered off`);
    }
    expect(qemu.exitCode).toBe(0);
  });
});
