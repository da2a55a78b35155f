// Idle CPUs sleep (issue 12): a vCPU that waits for PSCI CPU_ON, a vCPU parked by its VM's
// power-off and the CPU that powered the VM off all wait in WFI in the hypervisor
// (src/el2/idle.ts), not in a WFE loop. Under -icount QEMU runs the CPUs in turn and its clock
// (the guest's PMCCNTR) advances with every CPU's instructions; QEMU only yields on WFE, so a CPU
// "waiting" in a WFE loop runs a round of it at every turn. The bench guest counts what the other
// CPUs ran while it ran a loop of YIELDs (`bench: idle-others`, guests/baremetal/bench.c): with
// the three other CPUs parked in WFE loops that was 1,200,000 instructions; asleep, nothing.
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { builtinImage } from "../host/config/images.ts";
import { run } from "../host/run.ts";
import { parseBench } from "../host/bench.ts";

/** What the other CPUs ran during the bench guest's 300,000-instruction YIELD loop. */
async function idleOthers(opts: { board: string; guest?: string; config?: string }): Promise<number> {
  const { qemu } = await run({ ...opts, pmuCountsEl2: true, icount: true, timeoutSec: 120 });
  expect(qemu.exitCode, qemu.output).toBe(0);
  const n = parseBench(qemu.lines)["idle-others"];
  expect(n, qemu.output).toBeDefined();
  return n;
}

/**
 * The bench guest on CPU 0 beside a VM on CPUs 1-3 whose vCPU 0 starts vCPU 1 and both power
 * off at once (the reset guest's off_both entry, as in the offcount config): CPU 3's vCPU waits
 * for a CPU_ON that never comes, then its VM is off; of CPUs 1 and 2, one halts and one parks.
 * Written for QEMU virt's RAM; the RPi4's is that one moved (board/rpi4/from-virt.ts).
 */
function offConfig(board: string): string {
  const dir = path.join(PROJECT_ROOT, "build", "idle-test");
  fs.mkdirSync(dir, { recursive: true });
  const virt = board === "rpi4" ? "qemu-virt-gicv3" : board;
  fs.writeFileSync(path.join(dir, `${virt}.ts`), `import { definePartitions } from "../../host/config/types.ts";
const MiB = 1n << 20n;
export default definePartitions({
  board: "${virt}",
  vms: [
    { name: "bench", cpus: [0], ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }], image: { builtin: "bench" } },
    { name: "off", cpus: [1, 2, 3], ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 32n * MiB }],
      image: { builtin: "reset" }, entry: 0x40080000n + 0x50n },
  ],
});
`);
  if (board !== "rpi4") return path.join(dir, `${board}.ts`);
  fs.writeFileSync(path.join(dir, "rpi4.ts"), `import virt from "./qemu-virt-gicv3.ts";
import { fromVirt } from "../../board/rpi4/from-virt.ts";
export default fromVirt(virt);
`);
  return path.join(dir, "rpi4.ts");
}

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"])("%s", (board) => {
  it("vCPUs waiting for CPU_ON sleep", async () => {
    // --guest: one VM owning every CPU; the bench guest never starts vCPUs 1-3.
    const guest = builtinImage("bench");
    expect(await idleOthers({ board, guest })).toBeLessThan(100);
  }, 150_000);

  it("the CPUs of a powered-off VM sleep", async () => {
    expect(await idleOthers({ board, config: offConfig(board) })).toBeLessThan(100);
  }, 150_000);
});
