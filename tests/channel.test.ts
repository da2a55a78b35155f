// Channels between VMs (docs/config.md, Channels): three bare-metal VMs of guests/channel on two
// channels. Through "link" (read-write both ways) the producer sends 64 timestamped samples and the
// echo answers each, a doorbell each way every time — a virtual interrupt the hypervisor raises in
// the peer's virtual GIC. Through "watch" the reader, read-only there, gets a word with its doorbell,
// tries to overwrite it (stage 2 refuses: a data abort), and rings back. Then the QEMU boards'
// default configs (the demo `npm start` boots): the same producer with Debian's Linux at the other
// end, whose userspace (guests/channel/linux-peer.c) answers through the stock uio_pci_generic,
// woken by the doorbell interrupt in read(), never polling; a bare-metal VM beside them.
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
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
      ["echo", "the producer's samples taken, to the last (4160 samples (64 answered)"],
      ["producer", "a stream of samples through the ring"],
      ["reader", "the channel is read-only here"],
      ["reader", "the channel's BAR2 stays where stage 2 maps it"],
      ["reader", "PCI_COMMAND.INTX_DISABLE is writable (uio_pci_generic needs INTx masking)"],
      ["reader", "no device at another slot or function"],
      ["reader", "the registers take 32-bit accesses only"],
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

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2"])("%s, the default config (the demo of npm start)", (board) => {
  beforeAll(() => {
    execFileSync("bash", [path.join(PROJECT_ROOT, "guests/linux/build.sh"), path.join(PROJECT_ROOT, "build/linux")], { stdio: "inherit" });
  }, 300_000);

  it("Linux on two CPUs, the control VM on a channel with it and a bare-metal VM, each labelled; Linux's userspace waits for the doorbell in read(); both ends print round trips; the run ends", async () => {
    const { qemu } = await run({ board, timeoutSec: 240 });
    const lines = qemu.lines;
    const out = qemu.output;
    expect(qemu.timedOut, out.slice(-3000)).toBe(false);
    expect(lines[0]).toBe(`[hyp] Bulkhead on ${board}: 4 CPUs, 3 VMs`);
    for (const l of lines) expect(l).toMatch(/^\[(hyp|linux|alpha|control)\] /);
    expect(lines.some((l) => /^\[linux\] linux-guest: Linux 6\.1\.0-.*, 2 CPUs online, MemTotal: \d+ kB$/.test(l)), out.slice(-3000)).toBe(true);
    expect(lines).toContain("[linux] linux-guest: test channel: 0x1af4 0x1110 bound to uio_pci_generic");
    expect(lines).toContain("[linux] linux-peer: /sys/class/uio/uio0: peer 1 of 2, 64 KiB shared");
    // Every wake-up came from a doorbell (read() blocks on the interrupt): one per sample at most, and
    // the stream's batches fewer than its samples.
    const answered = lines.map((l) => /^\[linux\] linux-peer: 64 samples answered, 4096 streamed, (\d+) interrupts; producer to here min \d+ avg \d+ max \d+ ns$/.exec(l)).find((m) => m);
    expect(answered, out.slice(-3000)).toBeTruthy();
    expect(Number(answered![1])).toBeGreaterThan(0);
    expect(Number(answered![1])).toBeLessThanOrEqual(64 + 4096 / 2);
    // Both ends' round-trip figures.
    expect(lines.find((l) => /^\[linux\] linux-peer: round trip \(producer -> here -> producer\) min \d+ avg \d+ max \d+ ns over 63 samples$/.test(l)), out.slice(-3000)).toBeDefined();
    expect(lines).toContain("[control] ok - every sample answered through the channel (64 of 64)");
    expect(lines.find((l) => /^\[control\] channel round trip: 64 samples/.test(l)), out).toBeDefined();
    expect(lines).toContain("[control] 4 passed, 0 failed");
    // The bare-metal VM beside them: every check passes, its own SPI delivered.
    expect(lines.find((l) => /^\[alpha\] \d+ passed, 0 failed$/.test(l)), out).toBeDefined();
    expect(lines).toContain("[alpha] ok - passed-through SPI delivered (INTID 48 round 1: enabled 1, arrived 1 time(s))");
    // The run is bounded: each VM powers off once (Linux after the channel's last sample), then the run ends.
    for (const vm of ["linux", "alpha", "control"]) expect(lines.filter((l) => l === `[hyp] vm ${vm}: powered off`)).toHaveLength(1);
    expect(out).not.toContain("PANIC");
    expect(lines.at(-1)).toBe("[hyp] run ended: status 0");
    expect(qemu.exitCode).toBe(0);
  }, 300_000);
});
