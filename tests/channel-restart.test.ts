// A channel member that restarts (PSCI SYSTEM_RESET) mid-stream, on both QEMU boards
// (board/*/configs/channel-restart.ts, guests/channel chan=restarter and chan=steady): its channel
// device comes back as at boot (src/stage2/channel.ts chanResetVm, called by the restart) — config
// space, no doorbell latched from before, no interrupt — while its peer, which never restarts, keeps
// running with its own device untouched, takes no interrupt without a doorbell, and has every
// sample answered once the restarter says hello again.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run } from "../host/run.ts";

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2"])("%s", (board) => {
  it("a member restarts mid-stream: its channel device is reset, the peer undisturbed, the channel works again", async () => {
    const { qemu } = await run({ board, config: path.join(PROJECT_ROOT, "board", board, "configs", "channel-restart.ts"), timeoutSec: 60 });
    const lines = qemu.lines;
    expect(qemu.timedOut, qemu.output).toBe(false);
    // The first boot dirties the device and leaves a doorbell latched in it, then restarts.
    const restart = lines.findIndex((l) => l.startsWith("[hyp] vm restarter: SYSTEM_RESET, restarting the VM"));
    expect(restart, qemu.output).toBeGreaterThan(0);
    for (const what of ["the channel device out of reset at the first boot", "samples answered before the restart (8 of 8)", "a doorbell latched while INTx is disabled"]) {
      expect(lines.slice(0, restart).some((l) => l.startsWith(`[restarter] ok - ${what}`)), `${what}\n${qemu.output}`).toBe(true);
    }
    const after = lines.slice(restart);
    for (const [vm, what] of [
      ["restarter", "a second boot, after SYSTEM_RESET"],
      ["restarter", "after its restart the channel device's config is as at boot"],
      ["restarter", "no doorbell left over from before the restart (IntrMask 1, IntrStatus 0, 0 doorbell interrupts)"],
      ["restarter", "the producer's samples taken, to the last (16 samples (16 answered)"],
      ["steady", "the restarter's answers before its restart (8 of 8)"],
      ["steady", "the restarter's hello after its restart"],
      ["steady", "every sample answered through the channel after the restart (16 of 16)"],
      ["steady", "this VM's channel device untouched by the peer's restart"],
      ["steady", "no spurious doorbell interrupt"],
    ]) {
      expect(after.some((l) => l.startsWith(`[${vm}] ok - ${what}`)), `${vm}: ${what}\n${qemu.output}`).toBe(true);
    }
    expect(lines.filter((l) => / failed$/.test(l)).sort(), qemu.output).toEqual(["[restarter] 5 passed, 0 failed", "[steady] 7 passed, 0 failed"]);
    // The peer ran on: one boot, no restart, no fault.
    expect(lines.filter((l) => l.startsWith("[hyp] vm steady:"))).toEqual(["[hyp] vm steady: starting at 0x40080000", "[hyp] vm steady: powered off"]);
    expect(lines.filter((l) => l.startsWith("[hyp] vm restarter: SYSTEM_RESET"))).toHaveLength(1);
    expect(lines.at(-1)).toBe("[hyp] run ended: status 0");
  }, 120_000);
});
