// Hostile-guest fuzzing (issue 8): on each QEMU board, board/<board>/configs/fuzz.ts runs the
// fuzzer (guests/fuzz: seeds 1..4, 25,000 random ops each, 100,000 in all on its vCPU 0, and as
// many as fit beside them on its vCPU 1) on two CPUs beside a victim on the other two
// (guests/fuzz/victim.c). The run fails on a hypervisor panic, a fuzzer
// that stops making progress, a check of the fuzzer's own that fails (an access outside its VM
// completed, a CPU_ON of a CPU not its own succeeded, a hypercall changed a register it does not
// return), a victim check that fails (SGIs lost, hypercall answers, unexpected interrupts, a
// canary changed) or a heartbeat later than MAX_LATE_US. A failure names the seed and the op, and
// `npm run fuzz -- --board <board> --seed S --stop I` replays it up to that op and prints it.
import { describe, expect, it } from "vitest";
import { run } from "../host/run.ts";
import { FUZZ_BOARDS, FUZZ_CPU, MAX_LATE_US, PROGRESS_BOUND_SEC, fuzzProblems, fuzzRun } from "../host/fuzz-guest.ts";

/**
 * What board/<board>/configs/fuzz.ts asks of the fuzzer (4 seeds × 25,000 ops) and what the verdict
 * requires (issue 8): the fuzzer's count of its own ops must come out exactly so. It keeps its place
 * in a page of its RAM that survives its restarts, updated before each op, so an op a restart
 * interrupts is counted once, and the run resumes after it.
 */
const CI_OPS = 100_000;

describe("fuzz verdict (negative controls)", () => {
  const good = [
    "[hyp] Bulkhead on qemu-virt-gicv3: 4 CPUs, 2 VMs",
    "[fuzz] fuzz-start seed 1 runs 1 ops 3 (2 vCPUs, GICv3, LSE, RAM 0x40000000+0x2000000)",
    "[fuzz] fuzz-progress seed 1 op 0",
    "[hyp] vm fuzz: stage-2 data abort at IPA 0x42000000, ESR 0x92000046, PC 0x40088100: abort injected",
    "[fuzz] fuzz-done total 3 ops",
    "[fuzz] ok - fuzz vCPU 1 stopped (within 2 s of being asked)",
    "[fuzz] ok - fuzz (3 ops, seeds 1..1, none reached what is not its VM's)",
    "[fuzz] 2 passed, 0 failed",
    "[hyp] vm fuzz: powered off",
    "[victim] victim: fuzzer done after beats 40 worst-late 900 us, pings 40 answered 40, hvc-bad 0, unexpected-irq 0, canary-bad 0 of 2091008 words",
    "[victim] 5 passed, 0 failed",
    "[hyp] vm victim: powered off",
    "[hyp] run ended: status 0",
  ];
  const at = (lines: string[]) => lines.map((_, i) => i * 0.1);
  const judge = (lines: string[], times = at(lines)) => fuzzProblems(lines, times, 3).problems;

  it("passes a clean run and fails each kind of problem", () => {
    expect(judge(good)).toEqual([]);
    expect(judge(good.map((l) => l.replace("worst-late 900 us", `worst-late ${MAX_LATE_US + 1} us`))))
      .toContain(`the victim's heartbeat was ${MAX_LATE_US + 1} us late (bound ${MAX_LATE_US} us)`);
    expect(judge([...good.slice(0, 3), "[hyp] PANIC: cpu 2: unexpected", ...good.slice(3)])[0]).toMatch(/^hypervisor panic/);
    const fail = ["[fuzz] ", "[fuzz] FAIL - fuzz seed 1 op 2: a read outside the VM's RAM and devices returned data", "[fuzz] replay: bootargs \"seed=1 ops=3 stop=2\""];
    expect(judge([...good.slice(0, 4), ...fail, ...good.slice(4)]).join("\n")).toContain("FAIL - fuzz seed 1 op 2");
    const slow = at(good).map((t, i) => (i >= 4 ? t + PROGRESS_BOUND_SEC + 1 : t));
    expect(judge(good, slow)[0]).toMatch(/^no fuzzer progress for \d+ s after "fuzz-progress seed 1 op 0"/);
    expect(judge(good.filter((l) => !l.includes("fuzz-done")))[0]).toMatch(/^the fuzzer did not finish/);
    expect(judge(good.map((l) => l.replace("total 3 ops", "total 2 ops")))).toContain("the fuzzer counted 2 ops, not the 3 it was asked to run");
    expect(judge(good.map((l) => l.replace("total 3 ops", "total 4 ops")))).toContain("the fuzzer counted 4 ops, not the 3 it was asked to run");
    expect(judge(good.map((l) => l.replace("2 passed, 0 failed", "1 passed, 1 failed")))).toContain("the fuzzer's checks did not all pass");
    expect(judge(good.map((l) => l.replace("fuzzer done after", "all beats after")))).toContain("the victim ended before the fuzzer: give it more beats");
    const canary = good.map((l) => l.replace("canary-bad 0", "canary-bad 1").replace("5 passed, 0 failed", "4 passed, 1 failed"));
    expect(judge([...canary.slice(0, 8), "[victim] FAIL - victim canaries (1 of 2091008 words changed, first at 0x40100000)", ...canary.slice(8)]))
      .toContain("[victim] FAIL - victim canaries (1 of 2091008 words changed, first at 0x40100000)");
  });
});

describe.each(FUZZ_BOARDS)("%s hostile-guest fuzz", (board) => {
  it(`runs ${CI_OPS} random ops beside a victim that does not notice`, async () => {
    const t0 = Date.now();
    const times: number[] = [];
    const { qemu } = await run({ board, config: `board/${board}/configs/fuzz.ts`, cpu: FUZZ_CPU[board], timeoutSec: 150, onLine: () => times.push((Date.now() - t0) / 1000) });
    const r = fuzzProblems(qemu.lines, times.length === qemu.lines.length ? times : qemu.lines.map(() => 0), CI_OPS);
    if (qemu.timedOut) r.problems.unshift("timed out after 150 s");
    // QEMU itself can abort on what a guest does (seen: arm_gicv3_cpuif.c icv_gprio_mask `bpr > 0`).
    const crash = /^.*(Assertion|Aborted|Segmentation).*$/m.exec(qemu.stderr);
    if (crash) r.problems.unshift(`QEMU itself crashed: ${crash[0]}`);
    const shown = qemu.lines.filter((l) => !/^\[hyp\] vm fuzz: (stage-2|SYSTEM_RESET)|fuzz-(resume|progress)/.test(l) && /^\[hyp\]|fuzz-|FAIL|victim:/.test(l)).slice(-40);
    // The CPU it asked for: one with LSE atomics where FUZZ_CPU gives one.
    const start = qemu.lines.find((l) => l.startsWith("[fuzz] fuzz-start")) ?? "";
    expect(start).toContain(FUZZ_CPU[board] ? ", LSE," : ", no LSE,");
    expect(r.problems, [...shown, "", `replay a failing seed S up to op I: npm run fuzz -- --board ${board} --seed S --stop I`].join("\n")).toEqual([]);
    expect(qemu.exitCode).toBe(0);
  }, 200_000);
});

/**
 * The fuzzer powers its VM off mid-run (SYSTEM_OFF from vCPU 0 at op 3000, vCPU 1 still running
 * ops; bootargs "off=3000"); the victim beats on for 500 beats after and must report as always.
 * What is wrong with the fuzzer's own run (it did not finish) is not the point here.
 */
async function victimAfterPowerOff(board: string): Promise<string[]> {
  const r = await fuzzRun(board, { seed: 1, runs: 1, ops: 25_000, every: 1000, off: 3000, beats: 20_000 }, 15);
  return r.problems.filter((p) => !/^the fuzzer('s checks| did not finish| ran)/.test(p));
}

describe("the victim beside a VM that powers off", () => {
  it("qemu-virt-gicv3: keeps its heartbeat", async () => {
    expect(await victimAfterPowerOff("qemu-virt-gicv3")).toEqual([]);
  }, 90_000);
  // Found by this fuzzer on GICv2: the victim's timer stopped for good once the fuzzer was off. QEMU's
  // GICv2 model re-evaluates only the virtual interface after a virtual EOI deactivates a HW-linked
  // interrupt, so a timer re-armed in the past stayed pending and unsignalled until some other GIC
  // access — the fuzzer's traffic, while it ran. GICv2 now injects with EOI maintenance and
  // deactivates at EL2 (src/gic/vgic.ts); this failed before, every time.
  it("qemu-virt-gicv2: keeps its heartbeat", async () => {
    expect(await victimAfterPowerOff("qemu-virt-gicv2")).toEqual([]);
  }, 90_000);
  // The RPi4's GIC-400 is the same QEMU GICv2 model, on spin-table CPUs.
  it("rpi4: keeps its heartbeat", async () => {
    expect(await victimAfterPowerOff("rpi4")).toEqual([]);
  }, 90_000);
});

/** The lines a replay prints of its last op: the op, its registers, its outcome. */
const replayed = (lines: string[], op: number) => {
  const at = lines.findIndex((l) => l.startsWith(`[fuzz] op ${op} of seed `));
  const end = lines.findIndex((l, i) => i > at && l.startsWith("[fuzz]  after:"));
  return at >= 0 && end > at ? lines.slice(at, end + 1) : [];
};

/** What is wrong with a replay itself (the victim beside it is the fuzz runs' business). */
const replayProblems = (r: { problems: string[] }) => r.problems.filter((p) => !/victim/.test(p));

describe("a failure is replayed to its op", () => {
  it("qemu-virt-gicv3: vCPU 0's op I of a seed, the same every time, and vCPU 1's stream alone", async () => {
    const a = { seed: 3, runs: 1, ops: 301, stop: 300, beats: 20_000, after: 0 };
    const first = await fuzzRun("qemu-virt-gicv3", a, 60);
    const again = await fuzzRun("qemu-virt-gicv3", a, 60);
    expect(replayProblems(first)).toEqual([]);
    const op = replayed(first.lines, 300);
    expect(op.length, first.lines.slice(-30).join("\n")).toBeGreaterThan(8); // the op, x0..x30 in 8 lines, sp, outcome, after
    expect(op.join("\n")).toMatch(/ x30=0x[0-9a-f]+\n.* sp=0x[0-9a-f]+ elr=/);
    expect(replayed(again.lines, 300)).toEqual(op);
    const second = await fuzzRun("qemu-virt-gicv3", { seed: 3, runs: 1, ops: 301, stop1: 300, beats: 20_000, after: 0 }, 60);
    expect(replayProblems(second)).toEqual([]);
    expect(second.lines).toContain("[fuzz] fuzz-secondary 301 ops on vCPU 1 beside them");
    expect(replayed(second.lines, 300).length).toBeGreaterThan(8);
    expect(replayed(second.lines, 300)[0]).not.toEqual(op[0]); // its own stream, not vCPU 0's
  }, 120_000);
});

