// Host tests of the virtual SPIs (src/gic/vspi.ts): the channels' doorbells, interrupts with no
// physical line, whose enable and pending state the virtual distributor keeps itself. On the
// default config's tables (tests/global-setup.ts): alpha is VM 0 on CPU 0 (the CPU these run on),
// beta VM 1 on CPU 1; INTID 960 is made a virtual SPI of alpha here, as chanInit does at boot.
import { beforeEach, describe, expect, it } from "vitest";
import { Machine, setMachine } from "../compiler/runtime/index.ts";
import { vgicVms, vgicCpus, isPending } from "../src/gic/vgic-state.ts";
import { vgicInit } from "../src/gic/vgic.ts";
import { vgicdInit } from "../src/gic/vgicd.ts";
import { VgicdAccess, vgicdAccess } from "../src/gic/vgicd.ts";
import { vspiDeclare, vspiRaise, vspiReset, vspiVms } from "../src/gic/vspi.ts";

const GICD = 0x08000000n;
const INTID = 960;
/** INTID 960's word of the per-interrupt bit registers, and its bit. */
const WORD = (INTID >> 5) * 4, BIT = 1n << BigInt(INTID & 31);
const ISENABLER = 0x100 + WORD, ICENABLER = 0x180 + WORD, ISPENDR = 0x200 + WORD, ICPENDR = 0x280 + WORD, ICFGR = 0xc00 + (INTID >> 4) * 4;
let gicdWrites: bigint[];
let kicks: bigint[];

class Sim extends Machine {
  msr(name: string, v: bigint): void {
    super.msr(name, v);
    if (name === "ICC_SGI1R_EL1") kicks.push(v);
  }
}

beforeEach(() => {
  const machine = setMachine(new Sim({ sysregs: { TPIDR_EL2: 0n } }));
  gicdWrites = [];
  kicks = [];
  machine.addDevice({ name: "gicd", base: GICD, size: 0x10000n, read: () => 0n, write: (off) => { gicdWrites.push(off); } });
  machine.addDevice({ name: "gicr", base: 0x080a0000n, size: 0x80000n, read: () => 0n, write: () => {} });
  machine.addDevice({ name: "pl011", base: 0x09000000n, size: 0x1000n, read: () => 0n, write: () => {} });
  for (const c of vgicCpus) { c.pending.fill(0); c.hw.fill(0); c.pendingCount = 0; c.lr.fill(0n); c.ctlr = 0; }
  for (const d of vgicVms) { d.owned.fill(0); d.priority.fill(0); d.target.fill(0); d.ctlr = 0; d.maxIntid = 31; d.deniedAccesses = 0; }
  for (const v of vspiVms) { v.declared.fill(0); v.enabled.fill(0); v.latched.fill(0); }
  vgicdInit();
  vgicInit();
  vspiDeclare(0, INTID);
  gicdWrites = [];
});

function access(vm: number, offset: number, write: boolean, value = 0n): bigint {
  const a = new VgicdAccess();
  a.vm = vm; a.cpu = vm; a.frame = 1; a.privCpu = 4; a.offset = offset; a.bytes = 4; a.value = value; a.version = 3;
  vgicdAccess(a, write);
  return a.value;
}

describe("virtual SPIs", () => {
  it("are the VM's own: its distributor shows them (edge), another VM's does not, and the physical GIC never hears of them", () => {
    expect(vgicVms[0].maxIntid).toBe(INTID);                          // GICD_TYPER covers it
    access(0, ISENABLER, true, BIT);
    expect(access(0, ISENABLER, false)).toBe(BIT);
    expect((access(0, ICFGR, false) >> BigInt((INTID & 15) * 2)) & 3n).toBe(2n);
    expect(access(1, ISENABLER, false)).toBe(0n);
    access(1, ISPENDR, true, BIT);                                     // beta pends alpha's doorbell: denied
    expect(vgicVms[1].deniedAccesses).toBe(1);
    expect(isPending(vgicCpus[0], INTID)).toBe(false);
    expect(gicdWrites).toEqual([]);
  });

  it("raised while disabled: latched, shown pending, delivered when the guest enables it", () => {
    vspiRaise(0, INTID, 1);
    expect(isPending(vgicCpus[0], INTID)).toBe(false);
    expect(access(0, ISPENDR, false)).toBe(BIT);
    access(0, ISENABLER, true, BIT);
    expect(isPending(vgicCpus[0], INTID)).toBe(true);
    expect(vspiVms[0].latched[INTID >> 5]).toBe(0);
    expect(access(0, ISPENDR, false)).toBe(BIT);                      // now waiting in the vCPU's pending set
  });

  it("raised while enabled from another CPU: into the target vCPU's pending set, and its CPU kicked", () => {
    access(0, ISENABLER, true, BIT);
    vspiRaise(0, INTID, 1);
    expect(isPending(vgicCpus[0], INTID)).toBe(true);
    expect(kicks).toHaveLength(1);                                     // an SGI to CPU 0
    expect(kicks[0] & 0xffffn).toBe(1n);
  });

  it("disabled while waiting: back to the latch, not delivered; clear-pending drops it; reset forgets it", () => {
    access(0, ISENABLER, true, BIT);
    vspiRaise(0, INTID, 1);
    access(0, ICENABLER, true, BIT);
    expect(isPending(vgicCpus[0], INTID)).toBe(false);
    expect(access(0, ISPENDR, false)).toBe(BIT);
    access(0, ICPENDR, true, BIT);
    expect(access(0, ISPENDR, false)).toBe(0n);
    access(0, ISENABLER, true, BIT);
    expect(isPending(vgicCpus[0], INTID)).toBe(false);
    vspiReset(0);
    expect(access(0, ISENABLER, false)).toBe(0n);
    kicks = [];
    vspiRaise(0, INTID, 1);                                            // after a reset: disabled, so latched only
    expect(kicks).toHaveLength(0);
    expect(vspiVms[0].latched[INTID >> 5]).toBe(Number(BIT));
  });

  it("a raise of an INTID that is not a virtual SPI of the VM does nothing", () => {
    access(0, ISENABLER, true, BIT);
    vspiRaise(1, INTID, 0);
    vspiRaise(0, 48, 1);
    expect(vgicCpus.some((c) => c.pendingCount !== 0)).toBe(false);
  });
});
