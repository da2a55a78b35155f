// Fault containment (issue 10): a VM that fails without asking is noticed and restarted by its
// health policy, and its neighbour never notices. board/<board>/configs/health.ts runs two failing
// VMs (guests/health/main.c) beside the fuzzer's victim (guests/fuzz/victim.c: a 1 ms heartbeat,
// SGI pings between its vCPUs, canaries over its RAM):
// - "hang" pets its SP805 four times, then masks interrupts and spins: its watchdog (200 ms) must
//   fire no sooner than 200 ms after the last pet and within WATCHDOG_SLACK_MS more, the restart
//   included; its second boot checks the emulated SP805's registers.
// - "crash" fails right after each boot, by turns spinning (the watchdog) and wedged in an
//   exception loop (no vector): restarted 100 times, each logged once with its cause and count,
//   then powered off by its policy ({ restart: 100, withinMs: 600000, then: "off" }).
// The victim reads crash's health through HVC_HEALTH (its config gives it the view) and ends once
// crash is off; its heartbeat must never be late by more than the fuzz test's bound.
import { describe, expect, it } from "vitest";
import { run } from "../host/run.ts";
import { watchingVictim } from "./victim.ts";

/**
 * What the hang VM may take beyond its timeout, from its last pet to its restarted guest's first
 * instruction, under QEMU on a loaded host: the expiry is noticed at the deadline plus one EL2
 * timer interrupt (src/el2/watchdog.ts), then its 4 MiB are scrubbed and its images reloaded.
 */
const WATCHDOG_SLACK_MS = 1000;

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"])("%s", (board) => {
  it("restarts a VM whose watchdog expires or that wedges, 100 times, then powers it off by policy; the neighbour never notices", async () => {
    const { qemu } = await run({ board, config: `board/${board}/configs/health.ts`, timeoutSec: 150 });
    const lines = qemu.lines;
    const shown = lines.filter((l) => !l.includes("instruction abort")).slice(-30).join("\n");
    expect(qemu.timedOut, shown).toBe(false);
    expect(qemu.output).not.toContain("PANIC");

    // hang: one expiry, noticed in time, and a clean second boot.
    expect(lines.filter((l) => l.startsWith("[hyp] vm hang:") && !l.includes("instruction abort")), shown)
      .toEqual(["[hyp] vm hang: starting at 0x40080000", "[hyp] vm hang: watchdog expired, restarting the VM (restart 1)", "[hyp] vm hang: powered off"]);
    const again = /^\[hang\] health: boot 2, started (\d+) us after the last pet \(timeout 200 ms\)$/.exec(lines.find((l) => l.startsWith("[hang] health: boot 2")) ?? "");
    expect(again, shown).not.toBeNull();
    const us = Number(again![1]);
    console.log(`${board}: the hang VM started again ${us} us after its last pet (timeout 200 ms)`);
    expect(us).toBeGreaterThanOrEqual(200_000);
    expect(us).toBeLessThanOrEqual((200 + WATCHDOG_SLACK_MS) * 1000);
    expect(lines.find((l) => /^\[hang\] \d+ passed, 0 failed$/.test(l)), lines.filter((l) => l.startsWith("[hang]")).join("\n")).toBeDefined();

    // crash: restarts 1..100 in order, each logged once, both causes, then off by its policy.
    const events = lines.filter((l) => l.startsWith("[hyp] vm crash:") && !l.includes("instruction abort") && !l.includes("starting at"));
    const restarts = events.map((l) => /^\[hyp\] vm crash: (watchdog expired|wedged: an exception loop at PC 0x200), restarting the VM \(restart (\d+)\)$/.exec(l));
    expect(restarts.slice(0, 100).every((m) => m !== null), events.slice(0, 5).join("\n")).toBe(true);
    expect(restarts.slice(0, 100).map((m) => Number(m![2]))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // By turns (a boot the watchdog cut short before it failed on its own keeps its parity: a loaded host may skew the split).
    expect(restarts.filter((m) => m?.[1] === "watchdog expired").length).toBeGreaterThanOrEqual(25);
    expect(restarts.filter((m) => m?.[1].startsWith("wedged")).length).toBeGreaterThanOrEqual(25);
    expect(events.slice(100)).toHaveLength(1);
    expect(events[100]).toMatch(/^\[hyp\] vm crash: (watchdog expired|wedged: an exception loop at PC 0x200), powered off by its health policy \(limit: 100 restarts within 600000 ms\) after 100 restarts$/);
    // Off for good: no boot after that.
    const off = lines.indexOf(events[100]);
    expect(lines.slice(off + 1).filter((l) => l.startsWith("[crash]"))).toEqual([]);

    // The victim: ended by crash's power-off, as HVC_HEALTH showed it (cause 2 watchdog, 3 wedged); heartbeat, pings, canaries intact.
    const v = watchingVictim(lines, 2, 100, events[100].includes("watchdog") ? 2 : 3);
    console.log(`${board}: the victim's heartbeat was at most ${v.worstLateUs} us late over ${v.beats} beats`);
    expect(v.problems, shown).toEqual([]);
    expect(lines.indexOf("[hyp] vm victim: powered off")).toBeGreaterThan(off);
    expect(qemu.exitCode).toBe(0);
  }, 200_000);
});
