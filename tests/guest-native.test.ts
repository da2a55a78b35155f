// Boots the bare-metal test guest directly on QEMU virt (no hypervisor): the
// guest then runs at EL1 with QEMU's built-in PSCI on the HVC conduit, which
// is what the guest must also see under Bulkhead.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { runQemu, type QemuResult } from "../qemu/launch.ts";

const root = resolve(import.meta.dirname, "..");
const outDir = resolve(root, "build/guests");
const guest = resolve(outDir, "baremetal.bin");
const bench = resolve(outDir, "bench.bin");

function explain(r: QemuResult): string {
  return `${r.command.join(" ")}\n${r.output}${r.stderr}`;
}

describe("bare-metal guest, native on QEMU virt", () => {
  beforeAll(() => {
    execFileSync("bash", [resolve(root, "guests/baremetal/build.sh"), outDir], { stdio: "pipe" });
  }, 60_000);

  for (const gic of [3, 2]) {
    test(`all checks pass with gic-version=${gic}, 2 CPUs`, async () => {
      const r = await runQemu({
        machine: `virt,gic-version=${gic}`, cpu: "cortex-a53", smp: 2, memory: "256M",
        kernel: guest, timeoutSec: 20,
      });
      expect(r.timedOut, explain(r)).toBe(false);
      expect(r.exitCode, explain(r)).toBe(0);   // PSCI SYSTEM_OFF makes QEMU exit 0
      expect(r.lines.filter((l) => l.startsWith("FAIL")), explain(r)).toEqual([]);
      const summary = r.lines.map((l) => /^(\d+) passed, (\d+) failed$/.exec(l)).filter((m) => m);
      expect(summary.length, explain(r)).toBe(1);
      expect(Number(summary[0]![1])).toBeGreaterThanOrEqual(6);
      expect(Number(summary[0]![2])).toBe(0);
    }, 30_000);
  }

  test("bench reports the hypercall costs under -icount", async () => {
    const r = await runQemu({
      machine: "virt,gic-version=3", cpu: "cortex-a53", memory: "256M",
      kernel: bench, timeoutSec: 20, icount: true,
    });
    expect(r.exitCode, explain(r)).toBe(0);
    expect(r.lines.some((l) => /^bench: hvc-null \d+$/.test(l)), explain(r)).toBe(true);
    expect(r.lines.some((l) => /^bench: psci-hvc \d+$/.test(l)), explain(r)).toBe(true);
    expect(r.lines).toContain("bench: done");
  }, 30_000);

  // The restart benchmark's figure includes the copy of the bench image on each restart (the
  // hypervisor's loadImages): the checks linked into it unrun cost ~16k instructions there.
  test("the bench image holds none of the test guest's checks", () => {
    const symbols = execFileSync("aarch64-linux-gnu-nm", [resolve(outDir, "bench.elf")], { encoding: "utf8" })
      .split("\n").map((l) => l.trim().split(/\s+/)[2]).filter((name) => name !== undefined);
    expect(symbols).toContain("bench_main");
    expect(symbols.filter((name) => /^(check_|frame_)/.test(name))).toEqual([]);
  });
});
