// Host tests of a physical IRQ taken from a running guest (src/el2/trap.ts trap_irq, src/gic/vgic.ts):
// the early path that puts the vCPU's own timer straight into a free list register
// (vgicOwnPpi), and every case it must leave to the general path — list registers all full,
// interrupts already waiting, the guest's distributor or timer disabled, an interrupt that is not
// the timer's, the maintenance interrupt, a spurious acknowledge — each with the physical GIC
// accesses it makes (priority drop once, deactivation only of the hypervisor's own).
//
// The default config's tables (tests/global-setup.ts), board qemu-virt-gicv3: alpha is VM 0 on
// CPU 0 and owns SPI 48; gamma is VM 2 on CPUs 2-3. QEMU's runs cover GICv2 (tests/fuzz.test.ts,
// tests/baremetal*.test.ts).
import { beforeEach, describe, expect, it } from "vitest";
import { setMachine } from "../compiler/runtime/index.ts";
import { GicMachine } from "./gic-machine.ts";
import { vgicCpus, vgicVms } from "../src/gic/vgic-state.ts";
import { lrEncode, lrIntid, lrState, lrHw, lrPhysical, lrPriority, LR_ACTIVE, LR_PENDING } from "../src/gic/lr.ts";
import { vgicInit, vgicResetVm } from "../src/gic/vgic.ts";
import { vgicWrite, vgicdInit } from "../src/gic/vgicd.ts";
import { trap_irq } from "../src/el2/trap.ts";

const GICD = 0x08000000n;
const GICR = 0x080a0000n;
const LRS = 4;
const VTIMER = 27;
const MAINTENANCE = 25;
const KICK = 8;

let m: GicMachine;

beforeEach(() => {
  // The guest has both groups on at its CPU interface (ICH_VMCR_EL2.VENG0, VENG1).
  m = setMachine(new GicMachine({ sysregs: { TPIDR_EL2: 0n, ICH_VTR_EL2: BigInt(LRS - 1), ICH_VMCR_EL2: 3n, ICC_IAR1_EL1: 1023n } })) as GicMachine;
  m.addDevice({ name: "gicd", base: GICD, size: 0x10000n, read: () => 0n, write: () => {} });
  m.addDevice({ name: "gicr", base: GICR, size: 0x80000n, read: () => 0n, write: () => {} });
  m.addDevice({ name: "pl011", base: 0x09000000n, size: 0x1000n, read: () => 0n, write: () => {} });
  for (const c of vgicCpus) {
    c.pending.fill(0); c.hw.fill(0); c.pendingCount = 0; c.pendingWords = 0; c.privEnabled = 0; c.privPriority.fill(0);
    c.lr.fill(0n); c.lrCount = LRS; c.lrMask = (1 << LRS) - 1; c.maintenance = 0; c.maintenanceGroups = 0; c.ctlr = 0;
  }
  for (const d of vgicVms) { d.owned.fill(0); d.ctlr = 0; d.target.fill(0); d.priority.fill(0); }
  vgicdInit();
  vgicInit();
  // alpha's distributor on (Group 1), its virtual timer enabled at priority 0x80.
  vgicWrite(0, 0, GICD, 4, 2n);
  vgicWrite(0, 0, GICR + 0x10100n, 4, 1n << BigInt(VTIMER));
  vgicWrite(0, 0, GICR + 0x10400n + BigInt(VTIMER), 1, 0x80n);
  m.writes = [];
});

/** CPU `cpu` takes physical IRQ `iar` from its guest; the physical GIC writes it made. */
function irq(iar: number, cpu = 0): [string, bigint][] {
  m.sysregs.set("TPIDR_EL2", BigInt(cpu));
  m.sysregs.set("ICC_IAR1_EL1", BigInt(iar));
  m.writes = [];
  trap_irq();
  m.sysregs.set("ICC_IAR1_EL1", 1023n);
  return m.writes;
}

const lr = (i: number): bigint => m.sysregs.get(`ICH_LR${i}_EL2`) ?? 0n;
const named = (writes: [string, bigint][], reg: string): bigint[] => writes.filter(([n]) => n === reg).map(([, v]) => v);
const lrWrites = (writes: [string, bigint][]): string[] => writes.map(([n]) => n).filter((n) => n.startsWith("ICH_LR"));
const pending = (cpu: number, intid: number): boolean => ((vgicCpus[cpu].pending[intid >> 5] >> (intid & 31)) & 1) === 1;

/** List register `i` holding `intid` (an SGI from vCPU 0), state `state`, priority `priority`. */
function holdSgi(i: number, intid: number, state: number, priority: number): void {
  const v = lrEncode(3, intid, priority, false, 0, true);
  m.sysregs.set(`ICH_LR${i}_EL2`, (v & ~(3n << 62n)) | (BigInt(state) << 62n));
}

describe("the vCPU's timer (early path: src/gic/vgic.ts vgicOwnPpi)", () => {
  it("goes into the first free list register, linked to the physical PPI, with the guest's priority and group; its priority dropped once, not deactivated", () => {
    holdSgi(0, 3, LR_ACTIVE, 0x40);                                 // LR0: an SGI the guest is handling
    const w = irq(VTIMER);
    expect(named(w, "ICC_EOIR1_EL1")).toEqual([BigInt(VTIMER)]);
    expect(named(w, "ICC_DIR_EL1")).toEqual([]);                   // the guest's EOI deactivates it (HW)
    expect(lrWrites(w)).toEqual(["ICH_LR1_EL2"]);
    const v = lr(1);
    expect([lrIntid(3, v), lrState(3, v), lrHw(3, v), lrPhysical(3, v), lrPriority(3, v)]).toEqual([VTIMER, LR_PENDING, true, VTIMER, 0x80]);
    expect((v >> 60n) & 1n).toBe(1n);                               // Group 1, as the guest left it
    expect(vgicCpus[0].pendingCount).toBe(0);
    expect(named(w, "ICH_HCR_EL2")).toEqual([]);                   // no underflow interrupt armed
  });

  it("takes the group the guest gave it", () => {
    vgicCpus[0].group[0] &= ~(1 << VTIMER);
    irq(VTIMER);
    expect((lr(0) >> 60n) & 1n).toBe(0n);
  });

  it("with every list register in use, waits in the pending set, the underflow interrupt armed; the maintenance interrupt then moves it in", () => {
    for (let i = 0; i < LRS; i++) holdSgi(i, i, LR_PENDING, 0x00);  // four SGIs of higher priority: none evicted
    const w = irq(VTIMER);
    expect(named(w, "ICC_EOIR1_EL1")).toEqual([BigInt(VTIMER)]);   // dropped once, whichever path
    expect(named(w, "ICC_DIR_EL1")).toEqual([]);                   // still active: the guest's to deactivate
    expect(lrWrites(w)).toEqual([]);
    expect(pending(0, VTIMER)).toBe(true);
    expect(named(w, "ICH_HCR_EL2").map((v) => v & 3n)).toEqual([3n]); // En, UIE
    m.sysregs.set("ICH_LR2_EL2", 0n);                               // the guest completes an SGI
    const w2 = irq(MAINTENANCE);
    expect(named(w2, "ICC_DIR_EL1")).toEqual([BigInt(MAINTENANCE)]);
    expect(lrWrites(w2)).toEqual(["ICH_LR2_EL2"]);
    expect([lrIntid(3, lr(2)), lrHw(3, lr(2))]).toEqual([VTIMER, true]);
    expect(pending(0, VTIMER)).toBe(false);
    expect(named(w2, "ICH_HCR_EL2").map((v) => v & 3n)).toEqual([1n]); // En, UIE off
  });

  it("does not overtake an interrupt already waiting in the pending set: the fill orders them by priority", () => {
    for (let i = 0; i < LRS; i++) holdSgi(i, i, LR_PENDING, 0x00);
    irq(48);                                                        // alpha's SPI 48 (priority 0) waits: no register free
    expect(pending(0, 48)).toBe(true);
    m.sysregs.set("ICH_LR0_EL2", 0n);                               // one register frees, unseen yet by the hypervisor
    const w = irq(VTIMER);
    expect(lrWrites(w)).toEqual(["ICH_LR0_EL2"]);                  // the SPI, not the timer behind its back
    expect(lrIntid(3, lr(0))).toBe(48);
    expect(pending(0, VTIMER)).toBe(true);
  });

  it("waits in the pending set while the guest's distributor or its timer PPI is disabled, and goes in when enabled", () => {
    vgicWrite(0, 0, GICD, 4, 0n);                                   // GICD_CTLR: off
    let w = irq(VTIMER);
    expect(lrWrites(w)).toEqual([]);
    expect(pending(0, VTIMER)).toBe(true);
    vgicWrite(0, 0, GICD, 4, 2n);                                   // on: the flush delivers it
    expect(lrIntid(3, lr(0))).toBe(VTIMER);
    m.sysregs.set("ICH_LR0_EL2", 0n);
    vgicWrite(0, 0, GICR + 0x10180n, 4, 1n << BigInt(VTIMER));      // GICR_ICENABLER0: the timer PPI off
    w = irq(VTIMER);
    expect(lrWrites(w)).toEqual([]);
    expect(pending(0, VTIMER)).toBe(true);
  });

  it("sees a GICD_CTLR written by another vCPU of its VM, and one reset with its VM", () => {
    // gamma (VM 2): vCPU 0 on CPU 2 enables the distributor; vCPU 1's timer (CPU 3) goes straight in.
    vgicWrite(2, 2, GICR + 0x30100n, 4, 1n << BigInt(VTIMER));      // vCPU 1's redistributor: PPI 27 enabled
    vgicWrite(2, 2, GICD, 4, 2n);
    let w = irq(VTIMER, 3);
    expect(lrWrites(w)).toEqual(["ICH_LR0_EL2"]);
    m.sysregs.set("ICH_LR0_EL2", 0n);
    vgicResetVm(2);                                                 // a restart: the distributor off again
    w = irq(VTIMER, 3);
    expect(lrWrites(w)).toEqual([]);
    expect(pending(3, VTIMER)).toBe(true);
  });
});

describe("what the early path leaves to the general one (src/gic/vgic.ts vgicIrq)", () => {
  it("a spurious acknowledge (1023): no priority drop, no deactivation, no list register", () => {
    const w = irq(1023);
    expect(w.filter(([n]) => n.startsWith("ICC_") || n.startsWith("ICH_"))).toEqual([]);
  });

  it("the VM's own SPI: into a list register with the HW bit, by the general path", () => {
    const w = irq(48);
    expect(named(w, "ICC_EOIR1_EL1")).toEqual([48n]);
    expect(named(w, "ICC_DIR_EL1")).toEqual([]);
    expect([lrIntid(3, lr(0)), lrHw(3, lr(0)), lrPhysical(3, lr(0))]).toEqual([48, true, 48]);
  });

  it("the hypervisor's kick SGI and the maintenance interrupt: deactivated, nothing injected", () => {
    for (const intid of [KICK, MAINTENANCE]) {
      const w = irq(intid);
      expect(named(w, "ICC_EOIR1_EL1")).toEqual([BigInt(intid)]);
      expect(named(w, "ICC_DIR_EL1")).toEqual([BigInt(intid)]);
      expect(lrWrites(w)).toEqual([]);
    }
  });

  it("a timer PPI is private to its CPU: CPU 1's goes to beta's vCPU there, and nothing of alpha's changes", () => {
    vgicWrite(1, 1, GICD, 4, 2n);
    vgicWrite(1, 1, GICR + 0x10100n, 4, 1n << BigInt(VTIMER));
    const w = irq(VTIMER, 1);
    expect(lrWrites(w)).toEqual(["ICH_LR0_EL2"]);
    expect(vgicCpus[0].pendingCount).toBe(0);
  });
});
