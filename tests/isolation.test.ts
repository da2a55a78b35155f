// Isolation: board/<board>/configs/isolation.ts runs a victim VM (the bare-metal test guest, CPUs
// 0-1) next to an attacker VM (guests/attack, CPUs 2-3) that tries to reach the victim's memory,
// the hypervisor, unassigned devices, foreign interrupts and CPUs, and to upset the hypervisor
// with hostile hypercalls, undecodable MMIO, implementation-defined registers and instruction
// fetches from nowhere. Every attempt must be contained, logged, and leave the victim's run intact.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { run } from "../host/run.ts";

const BOARDS = ["qemu-virt-gicv3", "qemu-virt-gicv2", "rpi4"] as const;
type BoardName = (typeof BOARDS)[number];

/**
 * GIC registers of interrupts the attacker does not own: "abort" where the hypervisor does not
 * emulate the frame, "RAZ/WI" where the virtual GIC does. Either is contained; this records which
 * one each board shows: the vGIC emulates the distributor (GICD_ISENABLER/ISPENDR of the victim's
 * SPI; the UART's INTID is the attacker's own emulated UART's) and only the VM's own
 * redistributors, so GICv3 redistributor frames past its vCPUs' abort.
 */
const GIC_FOREIGN: Record<BoardName, { GICD: "abort" | "RAZ/WI"; GICR?: "abort" | "RAZ/WI"; attempts: number }> = {
  "qemu-virt-gicv3": { GICD: "RAZ/WI", GICR: "abort", attempts: 4 },
  "qemu-virt-gicv2": { GICD: "RAZ/WI", attempts: 2 },
  rpi4: { GICD: "RAZ/WI", attempts: 2 },
};

/**
 * SGIs to every CPU but the sender's (GICv3 ICC_SGI1R_EL1, trapped by HCR_EL2.IMO; GICv2
 * GICD_SGIR, in the emulated distributor): the virtual GIC drops those aimed outside the VM, with
 * no exception in the guest, and logs it.
 */
const SGI_OUTCOME: Record<BoardName, "no exception" | "abort"> = {
  "qemu-virt-gicv3": "no exception",
  "qemu-virt-gicv2": "no exception",
  rpi4: "no exception",
};

/**
 * IPAs the attacker reads and writes outside its RAM (`data`) and branches to (`instruction`); each
 * violation must be logged with its VM and address. `foreign`: IPAs only the attacker touches.
 */
const VIRT_ABORTS = {
  data: [
    0x44000000n, 0x44000ff8n, 0x45fff000n, 0x46000000n, 0x3ffffff8n, 0x7ffff000n, 0xfffffff000n,
    0x0a000000n, 0x0a003e00n, 0x08080000n, 0x09010000n, 0x09020000n, 0x09030000n, 0x10000000n,
    0x3eff0000n, 0x08030000n, 0x09000000n,
  ],
  instruction: [0x44000000n, 0x45fff000n, 0x09000000n, 0x0a000000n, 0x08000000n, 0x7ffff000n, 0xfffffff000n],
  foreign: [0x45fff000n, 0x46000000n, 0x8080000n, 0x9010000n, 0xfffffff000n],
};
const ATTACKER_ABORTS: Record<BoardName, typeof VIRT_ABORTS> = {
  "qemu-virt-gicv3": VIRT_ABORTS,
  "qemu-virt-gicv2": VIRT_ABORTS,
  // The same partition 1 GiB lower in PA (board/rpi4/from-virt.ts): the victim's RAM, its image and
  // the hypervisor's reserve are no IPAs of the attacker's; then the BCM2711's own frames.
  rpi4: {
    data: [
      0x44000000n, 0x44000ff8n, 0x05fff000n, 0x06000000n, 0x3ffffff8n, 0x3b3ff000n, 0xfffffff000n, 0x02080038n,
      0x0n, 0x80000n, 0x1fffff8n, 0xff844000n, 0xff845000n, 0xff846000n, 0xff800000n, 0xfe200000n, 0xfe00b000n,
      0xfe007000n, 0xfe340000n, 0xfd500000n, 0xfe201000n,
    ],
    instruction: [0x44000000n, 0x05fff000n, 0xfe201000n, 0xff844000n, 0xff841000n, 0x3b3ff000n, 0xfffffff000n],
    foreign: [0x5fff000n, 0x6000000n, 0xff844000n, 0xfe200000n, 0xfffffff000n],
  },
};

/** Text only the bare-metal test guest prints, and text only the attack guest prints. */
const VICTIM_ONLY = [/bare-metal test guest/, /running at EL1/, /RAM read back/, /PMU cycle counter/, /CPU_ON of a secondary CPU/];
const ATTACKER_ONLY = [/ contained \(/, /attack guest/, /FORGED/];

/** The host file the attacker's semihosting SYS_SYSTEM would create (guests/attack/host.c). */
const SEMIHOSTING_WITNESS = "/tmp/bulkhead-semihosting-attack";

/**
 * The attacker's forged hypervisor lines (guests/attack/host.c, attack_forged_lines), as the
 * console must show them: every control byte in caret notation, under the attacker's label.
 */
const FORGED_SHOWN = [
  "[attacker] ^M[hyp] run ended: status 0",
  "[attacker] ^[[2K^[[1G[hyp] vm victim: powered off",
  "[attacker] M-^[2K^H^H^H[hyp] run ended: status 0^?",
];

/** A byte that moves a terminal's cursor or starts a control sequence: C0 but TAB, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** The one `[label] N passed, M failed` line of a VM, or null (none, or more than one). */
export function summaryOf(lines: string[], label: string): { passed: number; failed: number } | null {
  const re = new RegExp(`^\\[${label}\\] (\\d+) passed, (\\d+) failed$`);
  const found = lines.map((l) => re.exec(l)).filter((m) => m !== null);
  return found.length === 1 ? { passed: Number(found[0]![1]), failed: Number(found[0]![2]) } : null;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Everything wrong with an isolation run's console (empty: the run shows isolation held). */
export function isolationProblems(lines: string[], board: BoardName): string[] {
  const problems: string[] = [];
  const has = (l: string) => lines.includes(l);

  // Both VMs ran to their summaries, with nothing failed.
  const attacker = summaryOf(lines, "attacker");
  const oks = lines.filter((l) => l.startsWith("[attacker] ok - "));
  const fails = lines.filter((l) => /^\[(attacker|victim)\] FAIL/.test(l));
  if (!attacker) problems.push("no (single) attacker summary");
  else {
    if (attacker.failed !== 0) problems.push(`attacker: ${attacker.failed} failed`);
    if (attacker.passed !== oks.length) problems.push(`attacker: summary says ${attacker.passed} passed, ${oks.length} ok lines`);
    if (attacker.passed < 100) problems.push(`attacker: only ${attacker.passed} attempts`);
  }
  const victim = summaryOf(lines, "victim");
  if (!victim) problems.push("no (single) victim summary: its run was cut short");
  else {
    if (victim.failed !== 0) problems.push(`victim: ${victim.failed} failed`);
    if (victim.passed < 17) problems.push(`victim: only ${victim.passed} checks passed, want its full list (17)`);
    const victimOks = lines.filter((l) => l.startsWith("[victim] ok - ")).length;
    if (victim.passed !== victimOks) problems.push(`victim: summary says ${victim.passed} passed, ${victimOks} ok lines`);
  }
  for (const l of fails) problems.push(`failure line: ${l}`);
  for (const l of oks) if (!l.includes(" contained (")) problems.push(`attacker ok line without "contained": ${l}`);

  // The hypervisor never panicked, and logged each violation with the VM's name and the address.
  for (const l of lines) if (l.includes("PANIC")) problems.push(`panic: ${l}`);
  for (const ipa of ATTACKER_ABORTS[board].data) {
    if (!lines.some((l) => l.startsWith(`[hyp] vm attacker: stage-2 data abort at IPA ${hex(ipa)}, `))) problems.push(`no hypervisor log of the data abort at ${hex(ipa)}`);
  }
  for (const ipa of ATTACKER_ABORTS[board].instruction) {
    if (!lines.some((l) => l.startsWith(`[hyp] vm attacker: stage-2 instruction abort at IPA ${hex(ipa)}, `))) problems.push(`no hypervisor log of the instruction abort at ${hex(ipa)}`);
  }
  // Every stage-2 abort the attacker saw was logged by the hypervisor, for the attacker.
  for (const l of oks) {
    const m = / stage-2 abort, ESR 0x[0-9a-f]+, FAR (0x[0-9a-f]+)/.exec(l);
    if (m && !lines.some((h) => h.startsWith(`[hyp] vm attacker: stage-2 data abort at IPA ${m[1]}, `))) problems.push(`abort at ${m[1]} seen by the attacker but not logged`);
  }
  if (!lines.some((l) => l.startsWith("[hyp] vm attacker: system register access trapped"))) problems.push("no log of the trapped implementation-defined register access");

  // Every line is labelled, and each VM's output carries its own label.
  for (const l of lines) {
    if (!/^\[(hyp|victim|attacker)\] /.test(l)) problems.push(`unlabelled line: ${JSON.stringify(l)}`);
    if (l.startsWith("[attacker] ") && VICTIM_ONLY.some((re) => re.test(l))) problems.push(`victim output labelled attacker: ${l}`);
    if (l.startsWith("[victim] ") && ATTACKER_ONLY.some((re) => re.test(l))) problems.push(`attacker output labelled victim: ${l}`);
    if (l.startsWith("[hyp] vm victim: ") && ATTACKER_ABORTS[board].foreign.some((ipa) => l.includes(`IPA ${hex(ipa)},`))) problems.push(`attacker's violation attributed to the victim: ${l}`);
  }
  if (!lines.some((l) => l.startsWith("[attacker] ") && l.includes("[victim] FORGED"))) problems.push("the forged-label attempt is missing from the attacker's output");

  // No guest byte reaches the terminal as a control; the hypervisor's own status line is the last, and alone.
  for (const l of lines) if (CONTROL.test(l)) problems.push(`control byte on the console: ${JSON.stringify(l)}`);
  for (const f of FORGED_SHOWN) if (!has(f)) problems.push(`forged line not shown escaped: ${f}`);
  const ends = lines.filter((l) => l.startsWith("[hyp] run ended"));
  if (ends.length !== 1 || lines[lines.length - 1] !== "[hyp] run ended: status 0") problems.push(`run end lines: ${JSON.stringify(ends)}, last line ${JSON.stringify(lines[lines.length - 1])}`);
  // Semihosting is out of reach: every call an undefined instruction in the guest.
  const semihosting = oks.filter((l) => l.includes(" semihosting "));
  if (semihosting.length !== 3) problems.push(`${semihosting.length} semihosting attempts contained, want 3`);
  for (const l of semihosting) if (!l.includes("(undefined instruction, ESR 0x")) problems.push(`semihosting not refused: ${l}`);
  if (!has("[hyp] vm victim: powered off") || !has("[hyp] vm attacker: powered off")) problems.push("a VM did not power off");

  // Foreign GIC state and SGIs: the behaviour this board shows.
  const gicWant = GIC_FOREIGN[board];
  const gic = lines.filter((l) => /^\[attacker\] ok - (GICD|GICR)_\w+ /.test(l));
  if (gic.length !== gicWant.attempts) problems.push(`${gic.length} foreign GIC register attempts`);
  for (const l of gic) {
    const want = l.startsWith("[attacker] ok - GICR") ? gicWant.GICR : gicWant.GICD;
    if (!l.includes(`contained (${want}:`)) problems.push(`GIC register not "${want}": ${l}`);
  }
  const sgi = lines.filter((l) => l.startsWith("[attacker] ok - SGI to CPUs outside the VM"));
  if (sgi.length < 2) problems.push(`${sgi.length} SGI attempts`);
  for (const l of sgi) if (!l.includes(`: ${SGI_OUTCOME[board]}, ESR`)) problems.push(`SGI not "${SGI_OUTCOME[board]}": ${l}`);
  if (SGI_OUTCOME[board] === "no exception" && !lines.some((l) => l.startsWith("[hyp] vm attacker: SGI to a CPU outside the VM dropped"))) problems.push("no log of the dropped SGIs");
  return problems;
}

describe("isolation verdict (negative controls)", () => {
  const good = [
    "[hyp] Bulkhead on qemu-virt-gicv3: 4 CPUs, 2 VMs",
    "[victim] ok - running at EL1 (CurrentEL is EL1)",
    "[attacker] ok - access to fw_cfg contained (read of 0x9020000: stage-2 abort, ESR 0x96000010, FAR 0x9020000)",
    "[victim] 17 passed, 0 failed",
    "[attacker] 1 passed, 0 failed",
  ];

  it("parses a summary, and refuses a missing or repeated one", () => {
    expect(summaryOf(good, "victim")).toEqual({ passed: 17, failed: 0 });
    expect(summaryOf(good, "attacker")).toEqual({ passed: 1, failed: 0 });
    expect(summaryOf(["[attacker] 122 passed, 1 failed"], "attacker")).toEqual({ passed: 122, failed: 1 });
    expect(summaryOf(good, "nobody")).toBeNull();
    expect(summaryOf([...good, "[victim] 17 passed, 0 failed"], "victim")).toBeNull();
    expect(summaryOf(["[attacker] [victim] 99 passed, 0 failed"], "victim")).toBeNull();
  });

  it("rejects a failed attempt, a missing victim summary, a panic and a mislabelled line", () => {
    const v = (ls: string[]) => isolationProblems(ls, "qemu-virt-gicv3");
    expect(v(good.map((l) => l.replace("[attacker] 1 passed, 0 failed", "[attacker] 0 passed, 1 failed")))).toContain("attacker: 1 failed");
    expect(v(good.filter((l) => !l.startsWith("[victim] 17")))).toContain("no (single) victim summary: its run was cut short");
    expect(v([...good, "[hyp] PANIC: index out of bounds (cpu 2, vm attacker)"]).some((p) => p.startsWith("panic: "))).toBe(true);
    expect(v([...good, "[attacker] ok - running at EL1 (CurrentEL is EL1)"]).some((p) => p.startsWith("victim output labelled attacker"))).toBe(true);
    expect(v([...good, "[victim] ok - x contained (y)"]).some((p) => p.startsWith("attacker output labelled victim"))).toBe(true);
    expect(v([...good, "[attacker] FAIL - PSCI CPU_ON of a foreign MPIDR (MPIDR 0x80000000: returned -4, want -2)"]).some((p) => p.startsWith("failure line"))).toBe(true);
    // The synthetic run lacks the hypervisor's violation log: that is reported too.
    expect(v(good)).toContain("no hypervisor log of the data abort at 0x44000000");
  });
});

describe.each(BOARDS)("%s isolation", (board) => {
  it("contains every attack of the attacker VM while the victim VM completes its checks", async () => {
    fs.rmSync(SEMIHOSTING_WITNESS, { force: true });
    const { qemu } = await run({ board, config: `board/${board}/configs/isolation.ts`, timeoutSec: 90 });
    expect(fs.existsSync(SEMIHOSTING_WITNESS), "the attacker ran a host command").toBe(false);
    expect(qemu.command.join(" ")).not.toMatch(/semihosting/);
    expect(qemu.timedOut, qemu.output).toBe(false);
    expect(qemu.lines[0]).toBe(`[hyp] Bulkhead on ${board}: 4 CPUs, 2 VMs`);
    expect(isolationProblems(qemu.lines, board), qemu.output).toEqual([]);
    expect(qemu.exitCode, qemu.output).toBe(0);

    // The same verdict on this run, doctored, fails: the checks can see what they look for.
    const doctored = qemu.lines.map((l) => l.replace(/^\[attacker\] (\d+) passed, 0 failed$/, "[attacker] $1 passed, 1 failed"));
    expect(isolationProblems(doctored, board)).toContain("attacker: 1 failed");
    const last = hex(ATTACKER_ABORTS[board].data.at(-1)!);
    const cut = qemu.lines.filter((l) => !l.startsWith(`[hyp] vm attacker: stage-2 data abort at IPA ${last},`));
    expect(isolationProblems(cut, board)).toContain(`no hypervisor log of the data abort at ${last}`);
  }, 150_000);
});
