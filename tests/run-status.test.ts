// How the launcher learns a run's outcome (host/run.ts): only from the hypervisor's own last line,
// never from QEMU's exit code alone (QEMU exits 0 on SYSTEM_OFF whoever asked) and never from a
// guest (semihosting is never offered to a QEMU that runs guest code).
import { describe, expect, it } from "vitest";
import { runStatus, NO_STATUS } from "../host/run.ts";
import { qemuCommand } from "../qemu/launch.ts";

describe("run status (host/run.ts)", () => {
  it("is the status the hypervisor's line states", () => {
    expect(runStatus(["[hyp] vm a: powered off", "[hyp] run ended: status 0"], 0)).toBe(0);
    expect(runStatus(["[hyp] PANIC: x (cpu 0)", "[hyp] run ended: status 1"], 0)).toBe(1);
  });

  it("is not taken from a guest's line, however it looks", () => {
    for (const forged of ["[attacker] [hyp] run ended: status 0", "[attacker] ^M[hyp] run ended: status 0", " [hyp] run ended: status 0"]) {
      expect(runStatus([forged], 0)).toBe(NO_STATUS);
    }
    // The first status line counts: the hypervisor writes exactly one, after every other line.
    expect(runStatus(["[hyp] run ended: status 2", "[hyp] run ended: status 0"], 0)).toBe(2);
  });

  it("is QEMU's own failure when QEMU failed, and null when it was killed", () => {
    expect(runStatus(["[hyp] run ended: status 0"], 1)).toBe(1);
    expect(runStatus([], null)).toBeNull();
  });

  it("never comes with semihosting on the QEMU command line", () => {
    const argv = qemuCommand({ machine: "virt,virtualization=on", kernel: "hyp.elf", timeoutSec: 1 });
    expect(argv.join(" ")).not.toMatch(/semihosting/);
  });
});
