// Integration: the hypervisor built for each QEMU board boots real guests under QEMU (-smp 4). (The
// boards' default configs, with Linux, are booted by tests/channel.test.ts.)
import { describe, expect, it } from "vitest";
import path from "node:path";
import { PROJECT_ROOT } from "../compiler/program.ts";
import { run } from "../host/run.ts";
import { builtinImage } from "../host/config/images.ts";

const BOARDS = ["qemu-virt-gicv3", "qemu-virt-gicv2"];
/** The quick VM's RAM ends here (IPA): 0x40000000 + the board's RAM above the hypervisor's 32 MiB reserve. */
const QUICK_RAM_END: Record<string, string> = { "qemu-virt-gicv3": "0x7e000000", "qemu-virt-gicv2": "0x7e000000", rpi4: "0x79400000" };

function summary(lines: string[], label: string): { passed: number; failed: number } | null {
  const m = lines.map((l) => new RegExp(`^\\[${label}\\] (\\d+) passed, (\\d+) failed$`).exec(l)).find((x) => x);
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : null;
}

describe.each([...BOARDS, "rpi4"])("%s", (board) => {
  it("runs the bare-metal test guest in quick mode (--guest) and ends with its SYSTEM_OFF", async () => {
    const guest = builtinImage("baremetal");
    const { qemu } = await run({ board, guest, timeoutSec: 60 });
    const lines = qemu.lines;
    expect(qemu.timedOut).toBe(false);
    expect(lines[0]).toMatch(new RegExp(`^\\[hyp\\] Bulkhead on ${board}: 4 CPUs, 1 VMs$`));
    const s = summary(lines, "guest");
    expect(s, qemu.output).not.toBeNull();
    expect(s!.failed, qemu.output).toBe(0);
    expect(s!.passed).toBeGreaterThanOrEqual(17);
    // Every console line is labelled with its source.
    for (const l of lines) expect(l).toMatch(/^\[(hyp|guest)\] /);
    // Touching memory that is not the VM's is logged with the VM, the IPA and the syndrome.
    // (The PC is the guest's probe instruction: it moves whenever the guest's code does.)
    expect(lines.some((l) => new RegExp(`^\\[hyp\\] vm guest: stage-2 data abort at IPA ${QUICK_RAM_END[board]}, ESR 0x93c48006, PC 0x[0-9a-f]+: abort injected$`).test(l)), qemu.output).toBe(true);
    // The virtual GIC: the timer PPI, SGIs between the VM's vCPUs, a distributor that shows only the VM's interrupts.
    for (const check of [
      /^\[guest\] ok - GIC in the device tree \(GICv[23],/,
      /^\[guest\] ok - virtual timer interrupt \(PPI 27\) arrives \(5 of 5/,
      /^\[guest\] ok - SGI from vCPU 0 to vCPU 1 and back/,
      /^\[guest\] ok - GICD_ISENABLER of SPIs it does not own read as zero/,
      // What an Arm machine shows (guests/baremetal/conform.c): the timers' and an SGI's interrupt state.
      /^\[guest\] ok - timer interrupt state reads back from ISPENDR\/ISACTIVER \(virtual timer/,
      /^\[guest\] ok - timer interrupt state reads back from ISPENDR\/ISACTIVER \(EL1 physical timer/,
      /^\[guest\] ok - a disabled timer interrupt is pending in ISPENDR while it fires \(virtual timer/,
      /^\[guest\] ok - a disabled timer interrupt is pending in ISPENDR while it fires \(EL1 physical timer/,
      /^\[guest\] ok - SGI pending and active state reads back from ISPENDR0\/ISACTIVER0/,
      // Writes of the state: ISACTIVER/ICACTIVER of an SGI, the virtual timer (a hardware interrupt) and the UART's SPI; ICPENDR of a timer held for the guest.
      /^\[guest\] ok - ISACTIVER and ICACTIVER take effect and read back \(SGI 5:/,
      /^\[guest\] ok - ISACTIVER and ICACTIVER take effect and read back \(virtual timer, PPI 27:/,
      /^\[guest\] ok - ISACTIVER and ICACTIVER take effect and read back \(UART's SPI \d+:/,
      /^\[guest\] ok - a timer interrupt whose pending state was cleared \(ICPENDR0\) fires again/,
      // Interrupt groups and FIQs.
      /^\[guest\] ok - no FIQ while the guest has not enabled FIQs: an SGI is an IRQ/,
      /^\[guest\] ok - interrupt groups read back as written/,
      /^\[guest\] ok - a Group 0 SGI is a FIQ, and only once the guest enables it/,
      /^\[guest\] ok - a Group 1 SGI is an IRQ/,
      ...(board === "qemu-virt-gicv3" ? [/^\[guest\] ok - ICC_SGI0R_EL1 generates no SGI its target has in Group 1/] : []),
      // A trapped instruction is stepped over by its length (ESR_EL2.IL); racing CPU_ONs get what KVM answers.
      /^\[guest\] ok - a 16-bit T32 load at EL0 from an emulated device resumes at the next instruction/,
      /^\[guest\] ok - \.\.\. and inside an IT block, with the IT state moved on/,
      /^\[guest\] ok - CPU_ON of one vCPU by several at once: one SUCCESS, the others ALREADY_ON \(3 callers/,
    ]) expect(lines.some((l) => check.test(l)), `${check}\n${qemu.output}`).toBe(true);
    // An SGI aimed at CPUs the VM does not have is dropped, and said so once.
    expect(lines.filter((l) => l === "[hyp] vm guest: SGI to a CPU outside the VM dropped (logged once)")).toHaveLength(1);
    expect(lines.slice(-2)).toEqual(["[hyp] vm guest: powered off", "[hyp] run ended: status 0"]);
    expect(qemu.exitCode).toBe(0);
  });
});

describe.each(BOARDS)("%s", (board) => {
  it("runs the threevm config: three bare-metal VMs on their own CPUs, concurrently", async () => {
    const { qemu } = await run({ board, config: path.join(PROJECT_ROOT, "board", board, "configs", "threevm.ts"), timeoutSec: 90 });
    expect(qemu.timedOut).toBe(false);
    for (const vm of ["alpha", "beta", "gamma"]) {
      const s = summary(qemu.lines, vm);
      expect(s, `${vm}:\n${qemu.output}`).not.toBeNull();
      expect(s!.failed, qemu.output).toBe(0);
      expect(qemu.lines).toContain(`[hyp] vm ${vm}: powered off`);
      expect(qemu.lines.some((l) => l.startsWith(`[${vm}] ok - virtual timer interrupt (PPI 27) arrives (5 of 5`)), qemu.output).toBe(true);
    }
    // SPIs passed through (alpha 48, gamma 49): pended through the virtual GICD, injected linked to the physical one.
    for (const [vm, intid] of [["alpha", 48], ["gamma", 49]] as const) {
      expect(qemu.lines, qemu.output).toContain(`[${vm}] ok - passed-through SPI delivered (INTID ${intid} round 1: enabled 1, arrived 1 time(s))`);
      // Its active state written (ISACTIVER/ICACTIVER) is the physical interrupt's, held by a list register.
      expect(qemu.lines.some((l) => l.startsWith(`[${vm}] ok - ISACTIVER and ICACTIVER take effect and read back (passed-through SPI ${intid}:`)), qemu.output).toBe(true);
    }
    expect(qemu.lines, qemu.output).toContain("[gamma] ok - SGI from vCPU 0 to vCPU 1 and back (CPU_ON 0, ready 1, pong 1)");
    expect(qemu.exitCode).toBe(0);
  });
});
