// Hardening (issue 7, item 7): each defence against a guest that disturbs shared hardware or
// observes the hypervisor, tested where a test can see it.
// - Host tests of src/ on the simulated machine (the default config's tables, board qemu-virt-gicv3:
//   alpha is VM 0 on CPU 0 and owns SPI 48; gamma is VM 2 on CPUs 2-3 and owns SPI 49): the GICD_IROUTER
//   affinity fields, one INTID per list register, FIQ acknowledgement, the set/way emulation, the PMU filter.
// - One QEMU run per board of the `harden` config: guests/harden attacks from EL1.
import { beforeEach, describe, expect, it } from "vitest";
import { setMachine } from "../compiler/runtime/index.ts";
import { GicMachine } from "./gic-machine.ts";
import { vgicCpus, vgicVms } from "../src/gic/vgic-state.ts";
import { lrIntid, lrState, lrHw, LR_ACTIVE } from "../src/gic/lr.ts";
import { vgicInit, vgicSetCtlr, vgicSgi1r } from "../src/gic/vgic.ts";
import { VgicdAccess, vgicdAccess, vgicWrite, vgicdInit } from "../src/gic/vgicd.ts";
import { GuestRegs } from "../src/el2/cpu.ts";
import { trap_fiq, trap_irq, trap_sync } from "../src/el2/trap.ts";
import { HCR_GUEST } from "../src/el2/setup.ts";
import { pmuMdcr } from "../src/el2/pmu.ts";
import { run } from "../host/run.ts";

const GICD = 0x08000000n;
const GICR = 0x080a0000n;
const LRS = 4;

let machine: GicMachine;
let gicdWrites: [bigint, number, bigint][];
let gicrWrites: [bigint, number, bigint][];
let log: string;

beforeEach(() => {
  machine = setMachine(new GicMachine({ sysregs: { TPIDR_EL2: 0n, ICH_VTR_EL2: BigInt(LRS - 1) } })) as GicMachine;
  gicdWrites = [];
  gicrWrites = [];
  log = "";
  machine.addDevice({ name: "gicd", base: GICD, size: 0x10000n, read: () => 0n, write: (o, b, v) => { gicdWrites.push([o, b, v]); } });
  machine.addDevice({ name: "gicr", base: GICR, size: 0x80000n, read: () => 0n, write: (o, b, v) => { gicrWrites.push([o, b, v]); } });
  machine.addDevice({
    name: "pl011", base: 0x09000000n, size: 0x1000n, read: () => 0n,
    write: (off, _b, v) => { if (off === 0n) log += String.fromCharCode(Number(v)); },
  });
  for (const c of vgicCpus) { c.pending.fill(0); c.hw.fill(0); c.pendingCount = 0; c.pendingWords = 0; c.privEnabled = 0; c.lr.fill(0n); c.lrCount = LRS; c.lrMask = (1 << LRS) - 1; c.maintenance = 0; c.maintenanceGroups = 0; c.ctlr = 0; }
  for (const d of vgicVms) { d.owned.fill(0); d.ctlr = 0; d.target.fill(0); }
  vgicdInit();
  vgicInit();
  gicdWrites = [];
});

function distributor(vm: number, offset: number, bytes: number, value: bigint): void {
  const a = new VgicdAccess();
  a.vm = vm; a.cpu = 0; a.frame = 1; a.privCpu = 4; a.offset = offset; a.bytes = bytes; a.value = value; a.version = 3;
  vgicdAccess(a, true);
}

/** The valid list registers of the current CPU: [vINTID, HW] each. */
function listRegisters(): [number, boolean][] {
  const out: [number, boolean][] = [];
  for (let i = 0; i < LRS; i++) {
    const v = machine.sysregs.get(`ICH_LR${i}_EL2`) ?? 0n;
    if (lrState(3, v) !== 0) out.push([lrIntid(3, v), lrHw(3, v)]);
  }
  return out;
}

/** A physical IRQ `intid` taken on CPU 0. */
function physicalIrq(intid: number): void {
  machine.sysregs.set("ICC_IAR1_EL1", BigInt(intid));
  trap_irq();
  machine.sysregs.set("ICC_IAR1_EL1", 1023n);
}

describe("GICD_IROUTER (src/gic/vgicd.ts)", () => {
  it("an affinity in Aff2 or Aff3 names no vCPU of the VM: the SPI goes to vCPU 0, not to the vCPU of its Aff0", () => {
    for (const upper of [1n << 16n, 1n << 32n, 0x80n << 16n]) {
      gicdWrites = [];
      distributor(2, 0x6000 + 8 * 49, 8, upper | 1n);            // gamma: SPI 49, Aff0 1 (its vCPU 1 = CPU 3)
      expect(gicdWrites).toEqual([[0x6000n + 8n * 49n, 8, 2n]]);  // vCPU 0 = CPU 2
    }
    gicdWrites = [];
    distributor(2, 0x6000 + 8 * 49, 8, 1n);                       // Aff0 alone still names vCPU 1
    expect(gicdWrites).toEqual([[0x6000n + 8n * 49n, 8, 3n]]);
  });
});

describe("list registers (src/gic/vgic.ts, vgicd.ts)", () => {
  beforeEach(() => {
    vgicSetCtlr(0, 2);                                             // alpha's distributor: Group 1 on
    machine.sysregs.set("ICH_VMCR_EL2", 3n);                      // its CPU interface: both groups on (ICC_IGRPEN<n>_EL1)
    vgicWrite(0, 0, GICR + 0x10100n, 4, 1n << 27n);               // its virtual timer PPI enabled
  });

  it("a timer PPI the guest made pending, then fired by the timer, sits in one list register", () => {
    vgicWrite(0, 0, GICR + 0x10200n, 4, 1n << 27n);               // GICR_ISPENDR0: PPI 27
    physicalIrq(27);
    expect(listRegisters()).toEqual([[27, true]]);
    expect(gicrWrites).toContainEqual([0x10200n, 4, 1n << 27n]);  // pended at the physical redistributor
  });

  it("an SGI to itself goes straight into a free list register, and into the one that holds it while it is active", () => {
    vgicWrite(0, 0, GICR + 0x10100n, 4, 1n << 3n);                // GICR_ISENABLER0: SGI 3
    vgicSgi1r(0, 0, (3n << 24n) | 1n, false);                            // ICC_SGI1R_EL1: SGI 3 to vCPU 0, itself
    expect(listRegisters()).toEqual([[3, false]]);
    // The guest takes it (active), and sends it again: the same register, now active and pending.
    machine.sysregs.set("ICH_LR0_EL2", (machine.sysregs.get("ICH_LR0_EL2")! & ~(3n << 62n)) | (BigInt(LR_ACTIVE) << 62n));
    vgicSgi1r(0, 0, (3n << 24n) | 1n, false);
    expect(listRegisters()).toEqual([[3, false]]);
    expect(lrState(3, machine.sysregs.get("ICH_LR0_EL2")!)).toBe(3);
  });

  it("an SPI the guest took and deactivated through GICD_ICACTIVER leaves its list register, is deactivated, and fires again into one", () => {
    physicalIrq(48);
    machine.sysregs.set("ICH_LR0_EL2", (machine.sysregs.get("ICH_LR0_EL2")! & ~(3n << 62n)) | (BigInt(LR_ACTIVE) << 62n));
    gicdWrites = [];
    distributor(0, 0x380 + 4, 4, 1n << 16n);                      // GICD_ICACTIVER1: SPI 48
    expect(listRegisters()).toEqual([]);
    expect(gicdWrites).toContainEqual([0x384n, 4, 1n << 16n]);    // deactivated at the physical distributor
    physicalIrq(48);
    expect(listRegisters()).toEqual([[48, true]]);
  });

  it("a pending SGI of a group the guest has disabled waits outside the list registers, and goes in when it enables the group", () => {
    vgicWrite(0, 0, GICR + 0x10100n, 4, 1n << 3n);                // GICR_ISENABLER0: SGI 3 (Group 1)
    machine.sysregs.set("ICH_VMCR_EL2", 1n);                      // ICC_IGRPEN1_EL1 clear
    vgicSgi1r(0, 0, (3n << 24n) | 1n, false);
    expect(listRegisters()).toEqual([]);
    expect(machine.sysregs.get("ICH_HCR_EL2")! & 0xf0n).toBe(0x60n);  // VGrp1EIE, VGrp0DIE: either change is seen
    machine.sysregs.set("ICH_VMCR_EL2", 3n);                      // the guest enables Group 1: the maintenance interrupt
    physicalIrq(25);
    expect(listRegisters()).toEqual([[3, false]]);
  });

  it("ICC_SGI0R_EL1 sends nothing to a target that has the SGI in Group 1", () => {
    vgicWrite(0, 0, GICR + 0x10100n, 4, 1n << 3n);
    vgicSgi1r(0, 0, (3n << 24n) | 1n, true);
    expect(listRegisters()).toEqual([]);
    vgicSgi1r(0, 0, (3n << 24n) | 1n, false);
    expect(listRegisters()).toEqual([[3, false]]);
  });
});

describe("physical FIQs (src/el2/trap.ts, src/gic/gic.ts)", () => {
  it("are acknowledged, their priority dropped and deactivated, and logged at powers of two", () => {
    machine.sysregs.set("ICC_IAR0_EL1", 40n);
    for (let i = 0; i < 5; i++) {
      machine.sysregs.delete("ICC_EOIR0_EL1");
      machine.sysregs.delete("ICC_DIR_EL1");
      trap_fiq();
      expect([machine.sysregs.get("ICC_EOIR0_EL1"), machine.sysregs.get("ICC_DIR_EL1")]).toEqual([40n, 40n]);
    }
    expect(log.split("\r\n").filter((l) => l.includes("FIQ")).length).toBe(3);    // the 1st, 2nd and 4th
  });
});

/** ESR_EL2 of a trapped MSR/MRS or SYS instruction (EC 0x18): Rt, and `read` (MRS) or not. */
function sysregEsr(op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, read: boolean): bigint {
  const iss = (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0);
  return (0x18n << 26n) | (1n << 25n) | BigInt(iss);
}

/** Takes the trap `esr` on CPU 0 (alpha) with x[rt] = `value`; returns the registers after. */
function trap(esr: bigint, rt = 0, value = 0n): GuestRegs {
  machine.sysregs.set("ESR_EL2", esr);
  machine.sysregs.set("ELR_EL2", 0x40080000n);
  const regs = new GuestRegs();
  regs.x[rt] = value;
  trap_sync(regs);
  expect(machine.sysregs.get("ELR_EL2")).toBe(0x40080004n);   // stepped over, no exception injected
  return regs;
}

const HCR_TSW = 1n << 22n;
const HCR_TVM = 1n << 26n;
const DC_CISW = sysregEsr(1, 0, 7, 14, 2, 0, false);
const SCTLR_EL1_WRITE = sysregEsr(3, 0, 1, 0, 0, 3, false);   // MSR SCTLR_EL1, x3
/** The lines of the DC CIVACs the hypervisor ran, as [first, last] addresses, and their count. */
function flushed(): { first: bigint; last: bigint; count: number } | null {
  const addrs = machine.events.filter((e) => e.startsWith("dc civac, ")).map((e) => BigInt(e.slice(10)));
  if (!addrs.length) return null;
  return { first: addrs[0], last: addrs[addrs.length - 1], count: addrs.length };
}

describe("cache maintenance by set/way (src/el2/setway.ts)", () => {
  // alpha's RAM: 64 MiB at PA 0x42000000. A 2 KiB "line" (CTR_EL0.DminLine 9) keeps the simulation short.
  const LINE = 2048n;
  const ALPHA = { first: 0x42000000n, last: 0x42000000n + 64n * 0x100000n - LINE, count: Number(64n * 0x100000n / LINE) };
  beforeEach(() => {
    machine.sysregs.set("CTR_EL0", 9n << 16n);
    machine.sysregs.set("HCR_EL2", HCR_GUEST);
    machine.sysregs.set("SCTLR_EL1", 0x30d00800n);                // MMU and caches off
  });

  it("is trapped (HCR_EL2.TSW)", () => {
    expect(HCR_GUEST & HCR_TSW).toBe(HCR_TSW);
  });

  it("cleans and invalidates the VM's own memory by address once per loop, then watches SCTLR_EL1 (TVM)", () => {
    trap(DC_CISW);
    expect(flushed()).toEqual(ALPHA);                              // all of alpha's RAM, nothing else
    expect(machine.sysregs.get("HCR_EL2")! & HCR_TVM).toBe(HCR_TVM);
    machine.events.length = 0;
    for (let set = 1; set < 64; set++) trap(sysregEsr(1, 0, 7, set % 2 ? 10 : 6, 2, 0, false), 0, BigInt(set) << 6n);
    expect(flushed()).toBeNull();                                  // the rest of the loop: no flush
  });

  it("flushes again when the caches are switched, and stops watching once they are on", () => {
    trap(DC_CISW);
    machine.events.length = 0;
    trap(SCTLR_EL1_WRITE, 3, 0x30d00800n | 1n);                     // MMU on, caches still off: no switch
    expect(flushed()).toBeNull();
    expect(machine.sysregs.get("SCTLR_EL1")).toBe(0x30d00801n);
    trap(SCTLR_EL1_WRITE, 3, 0x30d00800n | 1n | 4n);                // MMU and caches on: a switch
    expect(flushed()).toEqual(ALPHA);
    expect(machine.sysregs.get("SCTLR_EL1")).toBe(0x30d00805n);
    expect(machine.sysregs.get("HCR_EL2")! & HCR_TVM).toBe(0n);
  });
});

describe("the PMU at EL2 (src/el2/pmu.ts)", () => {
  beforeEach(() => {
    machine.sysregs.set("PMCR_EL0", 6n << 11n);                   // six event counters
    machine.sysregs.set("ID_AA64DFR0_EL1", 0x10305106n);          // Cortex-A53: PMUVer 1, no MDCR_EL2.HPMD
  });

  it("traps the PMU where it cannot stop counting at EL2 itself, giving the guest every counter", () => {
    expect(pmuMdcr()).toBe((1n << 6n) | 6n);                       // TPM, HPMN = 6
    machine.sysregs.set("ID_AA64DFR0_EL1", 0x10305606n);          // PMUv3p5: HPMD and HCCD instead
    expect(pmuMdcr()).toBe((1n << 17n) | (1n << 23n) | 6n);
  });

  it("writes every filter without NSH, and performs the other accesses on the real registers", () => {
    const NSH = 1n << 27n;
    trap(sysregEsr(3, 3, 14, 15, 7, 2, false), 2, NSH | (1n << 31n));            // PMCCFILTR_EL0
    expect(machine.sysregs.get("PMCCFILTR_EL0")).toBeUndefined();                // through PMSELR_EL0 = 31
    expect(machine.sysregs.get("PMXEVTYPER_EL0")).toBe(1n << 31n);
    machine.sysregs.set("PMSELR_EL0", 4n);
    trap(sysregEsr(3, 3, 14, 12, 2, 5, false), 5, NSH | 0x11n);                  // PMEVTYPER2_EL0
    expect(machine.sysregs.get("PMXEVTYPER_EL0")).toBe(0x11n);
    expect(machine.sysregs.get("PMSELR_EL0")).toBe(4n);                          // the guest's selection kept
    trap(sysregEsr(3, 3, 9, 13, 1, 1, false), 1, NSH | 0x8n);                    // PMXEVTYPER_EL0 (PMSELR 4)
    expect(machine.sysregs.get("PMXEVTYPER_EL0")).toBe(0x8n);
    machine.sysregs.set("PMCCNTR_EL0", 1234n);
    expect(trap(sysregEsr(3, 3, 9, 13, 0, 7, true)).x[7]).toBe(1234n);          // PMCCNTR_EL0 read
  });
});

/** The `[harden] N passed, M failed` lines. */
function summaries(lines: string[]): string[] {
  return lines.filter((l) => /^\[harden\] \d+ passed, \d+ failed$/.test(l));
}

describe.each(["qemu-virt-gicv3", "qemu-virt-gicv2"])("%s hardening guest", (board) => {
  it("counts nothing at EL2, finds its PMU reset, and reaches the caches by set/way only through the hypervisor", async () => {
    // -icount shift=0: the guest's cycle and generic counters count instructions (guests/harden/main.c).
    const { qemu } = await run({ board, config: `board/${board}/configs/harden.ts`, icount: true, timeoutSec: 120 });
    expect(qemu.timedOut, qemu.output).toBe(false);
    const oks = qemu.lines.filter((l) => l.startsWith("[harden] ok - "));
    for (const what of [
      "PMU reset before the first instruction", "PMCCFILTR_EL0.NSH (count cycles at EL2) refused",
      "a hypercall timed with NSH counts no EL2 instruction", "the first set/way operation becomes a clean+invalidate",
      "the rest of the set/way loop only traps", "SCTLR_EL1 is watched after a set/way loop",
    ]) expect(oks.some((l) => l.includes(what)), `${what}\n${qemu.output}`).toBe(true);
    expect(summaries(qemu.lines), qemu.output).toEqual([`[harden] ${oks.length} passed, 0 failed`]);
    expect(qemu.lines.filter((l) => l.includes("PANIC")), qemu.output).toEqual([]);
    expect(qemu.exitCode, qemu.output).toBe(0);
  }, 180_000);
});
