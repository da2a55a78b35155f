// Channels between VMs (docs/config.md, Channels): three bare-metal VMs of guests/channel on two
// channels. Through "link" (read-write both ways) the producer sends 64 timestamped samples and the
// echo answers each, a doorbell each way every time — a virtual interrupt the hypervisor raises in
// the peer's virtual GIC. Through "watch" the reader, read-only there, gets a word with its doorbell,
// tries to overwrite it (stage 2 refuses: a data abort), and rings back.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run } from "../host/run.ts";

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2"])("%s", (board) => {
  it("carries samples and doorbells between bare-metal VMs; a read-only member cannot write", async () => {
    const { qemu } = await run({ board, config: path.join(PROJECT_ROOT, "board", board, "configs", "channel.ts"), timeoutSec: 60 });
    const lines = qemu.lines;
    expect(qemu.timedOut, qemu.output).toBe(false);
    for (const [vm, what] of [
      ["producer", "the peer says hello"],
      ["producer", "every sample answered through the channel (64 of 64)"],
      ["echo", "the producer's samples answered, to the last (64 samples"],
      ["reader", "the channel is read-only here"],
      ["reader", "the producer's word arrives with its doorbell"],
      ["reader", "a write to the read-only channel is refused (data abort), the word unchanged"],
      ["producer", "a reader rings back on the second channel"],
    ]) {
      expect(lines.some((l) => l.startsWith(`[${vm}] ok - ${what}`)), `${vm}: ${what}\n${qemu.output}`).toBe(true);
    }
    for (const vm of ["producer", "echo", "reader"]) expect(lines, qemu.output).toContainEqual(expect.stringMatching(new RegExp(`^\\[${vm}\\] \\d+ passed, 0 failed$`)));
    // The refused write is the hypervisor's stage-2 fault at the reader's BAR2, nothing else.
    expect(lines.filter((l) => l.startsWith("[hyp] vm reader: stage-2 data abort at IPA 0x10100000"))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith("[producer] channel round trip: 64 samples")), qemu.output).toBeDefined();
    expect(lines.at(-1)).toBe("[hyp] run ended: status 0");
  }, 120_000);
});
