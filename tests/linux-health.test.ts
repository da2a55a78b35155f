// A Linux crash contained (issue 10): board/<board>/configs/linux-health.ts runs Debian's Linux with
// a watchdog it drives itself — sp805_wdt on the emulated SP805, busybox's watchdog daemon — and a
// kernel that crashes after each boot (`echo c > /proc/sysrq-trigger`, guests/linux/tests/panic).
// On qemu-virt-gicv3 and rpi4 the kernel hangs in its panic and the watchdog expires; on
// qemu-virt-gicv2 it boots with `panic=1` and asks for its own restart (PSCI SYSTEM_RESET). Either way the hypervisor
// restarts it once, it boots to its init again, and its policy then leaves it off; beside it the
// fuzzer's victim (a 1 ms heartbeat, SGI pings, canaries) never notices, and reads Linux's health.
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run } from "../host/run.ts";
import { watchingVictim } from "./victim.ts";

beforeAll(() => {
  execFileSync("bash", [path.join(PROJECT_ROOT, "guests/linux/build.sh"), path.join(PROJECT_ROOT, "build/linux")], { stdio: "inherit" });
}, 300_000);

describe.each([
  { board: "qemu-virt-gicv3", panic: 0, cause: "watchdog expired", code: 2 },
  { board: "qemu-virt-gicv2", panic: 1, cause: "SYSTEM_RESET", code: 1 },
  { board: "rpi4", panic: 0, cause: "watchdog expired", code: 2 },
])("$board", ({ board, panic, cause, code }) => {
  it(`restarts a crashed Linux (${cause}), which boots to its init again; the neighbour never notices`, async () => {
    const { qemu } = await run({ board, config: `board/${board}/configs/linux-health.ts`, timeoutSec: 240 });
    const lines = qemu.lines;
    const tail = lines.slice(-40).join("\n");
    expect(qemu.timedOut, tail).toBe(false);
    expect(qemu.output).not.toContain("PANIC");

    // Each boot reaches its init, finds the SP805 driver, outlives the watchdog's timeout only because the daemon pets it, and crashes.
    const inits = lines.flatMap((l, i) => (l === `[linux] linux-guest: test panic: watchdog sp805-wdt, kernel.panic ${panic}` ? [i] : []));
    const petted = lines.flatMap((l, i) => (l === "[linux] linux-guest: watchdog active, timeout 3 s; crashing the kernel" ? [i] : []));
    expect(inits, tail).toHaveLength(2);
    expect(petted, tail).toHaveLength(2);
    // The hypervisor's word on it: one restart, then off by the policy, each logged once with its cause and count.
    const events = lines.flatMap((l, i) => (/^\[hyp\] vm linux: .*(restarting the VM|powered off)/.test(l) ? [i] : []));
    expect(events.map((i) => lines[i]), tail).toEqual([
      `[hyp] vm linux: ${cause}, restarting the VM (restart 1)`,
      `[hyp] vm linux: ${cause}, powered off by its health policy (limit: 1 restart within 600000 ms) after 1 restart`,
    ]);
    expect(petted[0]).toBeGreaterThan(inits[0]);
    expect(events[0]).toBeGreaterThan(petted[0]);
    expect(inits[1]).toBeGreaterThan(events[0]);
    expect(events[1]).toBeGreaterThan(petted[1]);

    // The neighbour: its heartbeat on time, its pings answered, its canaries intact; it saw Linux off through HVC_HEALTH.
    const v = watchingVictim(lines, 0, 1, code);
    console.log(`${board}: the victim's heartbeat was at most ${v.worstLateUs} us late over ${v.beats} beats`);
    expect(v.problems, tail).toEqual([]);
    expect(qemu.exitCode).toBe(0);
  }, 300_000);
});
