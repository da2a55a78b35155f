// The data-abort light path (src/el2/vectors.S dabt_entry → src/stage2/abort.ts dataAbort) against
// the whole-frame path (trap_sync → dataAbort): for each access — the fast lane's own (32-bit
// GICD_TYPER, GICD_CTLR, a GICR register) and its edges (no ISV, 8/16/64-bit widths, sign-extended
// loads, misalignment, SRT = XZR and x30, an unowned INTID, a write to a read-only register) — both
// paths leave the same registers, the same syndrome state and the same vGIC and physical GIC state.
// The host tables are the default config's (alpha: CPU 0, GICv3).
import { beforeEach, describe, expect, it } from "vitest";
import { setMachine } from "../compiler/runtime/index.ts";
import { GicMachine } from "./gic-machine.ts";
import { GuestRegs } from "../src/el2/cpu.ts";
import { trap_sync } from "../src/el2/trap.ts";
import { dataAbort } from "../src/stage2/abort.ts";
import { itAdvance } from "../src/el2/step.ts";
import { vgicCpus, vgicVms } from "../src/gic/vgic-state.ts";
import { vgicInit } from "../src/gic/vgic.ts";
import { VgicdAccess, vgicdAccess, vgicdInit } from "../src/gic/vgicd.ts";

const GICD = 0x08000000n;
const GICR = 0x080a0000n;
const LRS = 4;

let machine: GicMachine;
let gicWrites: string[];

function fresh(): void {
  machine = setMachine(new GicMachine({ sysregs: { TPIDR_EL2: 0n, ICH_VTR_EL2: BigInt(LRS - 1) } })) as GicMachine;
  gicWrites = [];
  machine.addDevice({ name: "gicd", base: GICD, size: 0x10000n, read: () => 0n, write: (o, b, v) => { gicWrites.push(`d ${o} ${b} ${v}`); } });
  machine.addDevice({ name: "gicr", base: GICR, size: 0x80000n, read: () => 0n, write: (o, b, v) => { gicWrites.push(`r ${o} ${b} ${v}`); } });
  machine.addDevice({ name: "pl011", base: 0x09000000n, size: 0x1000n, read: () => 0n, write: () => {} });
  for (const c of vgicCpus) { c.pending.fill(0); c.hw.fill(0); c.pendingCount = 0; c.pendingWords = 0; c.privEnabled = 0; c.lr.fill(0n); c.lrCount = LRS; c.maintenance = 0; c.maintenanceGroups = 0; c.sleep = false; }
  for (const d of vgicVms) { d.owned.fill(0); d.ctlr = 0; d.target.fill(0); d.priority.fill(0); d.deniedAccesses = 0; d.deniedLogged = false; }
  vgicdInit();
  vgicInit();
  gicWrites = [];
  vgicVms[0].priority[OWNED] = 0x80;
}

/** An SPI alpha owns (the default config gives it its channel's and devices' SPIs), and one it does not. */
let OWNED = 0;
let UNOWNED = 0;

// ESR_EL2 of a data abort from a lower EL (EC 0x24, IL): ISV, SAS, SSE, SRT, SF, WnR.
const ISV = 1n << 24n;
function esr(bytes: number, srt: number, opts: { write?: boolean; sse?: boolean; sf?: boolean; isv?: boolean } = {}): bigint {
  const sas = BigInt(Math.log2(bytes));
  return (0x24n << 26n) | (1n << 25n) | (opts.isv === false ? 0n : ISV | (sas << 22n) | (BigInt(srt) << 16n)) |
    (opts.sse ? 1n << 21n : 0n) | (opts.sf ? 1n << 15n : 0n) | (opts.write ? 1n << 6n : 0n);
}

interface Outcome { regs: bigint[]; sys: Record<string, string>; vgic: unknown; writes: string[] }

/** The abort `syndrome` at `ipa` taken through `path`, from a fresh machine; what it left behind. */
function take(path: "light" | "full", ipa: bigint, syndrome: bigint): Outcome {
  fresh();
  const regs = new GuestRegs();
  for (let i = 0; i < 31; i++) regs.x[i] = 0x1111111100000000n * BigInt(i + 1) + 0x80000000n + BigInt(i);
  regs.x[31] = 0x5151n;
  for (const [k, v] of Object.entries({ ESR_EL2: syndrome, HPFAR_EL2: (ipa >> 12n) << 4n, FAR_EL2: ipa, ELR_EL2: 0x40081000n, SPSR_EL2: 0x3c5n, VBAR_EL1: 0x40082000n })) {
    machine.sysregs.set(k, v);
  }
  if (path === "light") dataAbort(regs, syndrome);
  else trap_sync(regs);
  const sys: Record<string, string> = {};
  for (const k of ["ELR_EL2", "SPSR_EL2", "ESR_EL1", "FAR_EL1", "ELR_EL1", "HCR_EL2"]) sys[k] = String(machine.sysregs.get(k));
  const d = vgicVms[0];
  const c = vgicCpus[0];
  return {
    regs: [...regs.x], sys, writes: gicWrites,
    vgic: { ctlr: d.ctlr, denied: d.deniedAccesses, priority: [...d.priority], target: [...d.target], enabled: c.privEnabled, pending: [...c.pending], sleep: c.sleep },
  };
}

/** Takes the abort both ways; they must agree. Returns the light path's outcome. */
function same(ipa: bigint, syndrome: bigint): Outcome {
  const light = take("light", ipa, syndrome);
  const full = take("full", ipa, syndrome);
  expect(light).toEqual(full);
  return light;
}

/** A read through the register table's record interface (vgicdAccess), the reference the fast lane must match. */
function tableRead(frame: number, offset: number, bytes: number): bigint {
  fresh();
  const a = new VgicdAccess();
  a.vm = 0; a.cpu = 0; a.frame = frame; a.privCpu = frame === 1 ? 4 : 0; a.offset = offset; a.bytes = bytes; a.value = 0n; a.version = 3;
  vgicdAccess(a, false);
  return a.value;
}

const stepped = (o: Outcome) => o.sys.ELR_EL2 === String(0x40081004n);

beforeEach(() => {
  fresh();
  const owned = vgicVms[0].owned;
  OWNED = 0;
  for (let i = 32; i < 1020 && OWNED === 0; i++) if ((owned[i >> 5] >> (i & 31)) & 1) OWNED = i;
  for (let i = 32; i < 1020 && UNOWNED === 0; i++) if (((owned[i >> 5] >> (i & 31)) & 1) === 0 && ((owned[i >> 5]) !== 0 || i > OWNED)) UNOWNED = i;
});

describe("the data-abort light path (dataAbort from dabt_entry) does what the whole-frame path does (trap_sync)", () => {
  it("32-bit GICD_TYPER read: into a W register, an X register, x30; into XZR nothing changes", () => {
    const w3 = same(GICD + 4n, esr(4, 3));
    expect(stepped(w3)).toBe(true);
    expect(w3.regs[3] & 0xffn).not.toBe(0x83n);       // TYPER, not the register's old low byte
    expect(w3.regs[3] >> 32n).toBe(0n);                // a W register: the upper half cleared
    expect(w3.regs[3]).toBe(tableRead(1, 4, 4));       // the register table's own answer (vgicdAccess)
    const x30 = same(GICD + 4n, esr(4, 30, { sf: true }));
    expect(x30.regs[30]).toBe(w3.regs[3]);
    const xzr = same(GICD + 4n, esr(4, 31));
    expect(xzr.regs).toEqual(take("light", GICD + 0x10000n, esr(4, 31, { isv: false })).regs); // nothing written
    expect(stepped(xzr)).toBe(true);
  });

  it("32-bit GICD_CTLR write, from a register and from XZR; a write to read-only GICD_TYPER is ignored", () => {
    const on = same(GICD, esr(4, 5, { write: true }));
    expect((on.vgic as { ctlr: number }).ctlr).toBe(Number(take("light", GICD, esr(4, 5, { write: true })).regs[5] & 3n));
    expect(stepped(on)).toBe(true);
    const zero = same(GICD, esr(4, 31, { write: true }));
    expect((zero.vgic as { ctlr: number }).ctlr).toBe(0);
    const typer = same(GICD + 4n, esr(4, 2, { write: true }));
    expect(typer.writes).toEqual([]);
    expect((typer.vgic as { ctlr: number }).ctlr).toBe(0);
    expect(stepped(typer)).toBe(true);
  });

  it("the redistributor: GICR_TYPER (64-bit) and GICR_WAKER, through vCPU 0's frames", () => {
    expect(same(GICR + 8n, esr(8, 4, { sf: true })).regs[4]).toBe(tableRead(2, 8, 8));
    const waker = same(GICR + 0x14n, esr(4, 6, { write: true }));
    expect((waker.vgic as { sleep: boolean }).sleep).toBe(((take("light", GICR, esr(4, 0)).regs[6] >> 1n) & 1n) === 1n);
    same(GICR + 0x10100n, esr(4, 7, { write: true }));   // GICR_ISENABLER0
    same(GICR + 0x10100n, esr(4, 7));
  });

  it("8- and 16-bit accesses: a byte of GICD_IPRIORITYR, sign-extended or not; a halfword of GICD_TYPER reads as zero", () => {
    const off = 0x400n + BigInt(OWNED);
    const b = same(GICD + off, esr(1, 9));
    expect(b.regs[9]).toBe(0x80n);
    const sb = same(GICD + off, esr(1, 9, { sse: true }));
    expect(sb.regs[9]).toBe(0xffffff80n);
    const sbx = same(GICD + off, esr(1, 9, { sse: true, sf: true }));
    expect(sbx.regs[9]).toBe(0xffffffffffffff80n);
    const wb = same(GICD + off, esr(1, 10, { write: true }));
    expect((wb.vgic as { priority: number[] }).priority[OWNED]).not.toBe(0x80);
    const h = same(GICD + 4n, esr(2, 11));
    expect(h.regs[11]).toBe(0n);
  });

  it("64-bit GICD_IROUTER of an owned SPI; misaligned accesses get the injected abort", () => {
    same(GICD + 0x6000n + 8n * BigInt(OWNED), esr(8, 12, { write: true, sf: true }));
    same(GICD + 0x6000n + 8n * BigInt(OWNED), esr(8, 12, { sf: true }));
    const mis = same(GICD + 0x6002n, esr(4, 13));
    expect(mis.sys.ESR_EL1).not.toBe("undefined");
    expect(stepped(mis)).toBe(false);
  });

  it("an unowned SPI reads as zero and ignores writes, counted the same", () => {
    const word = 0x100n + 4n * BigInt(UNOWNED >> 5);
    const bit = 1n << BigInt(UNOWNED & 31);
    const w = same(GICD + word, esr(4, 14, { write: true }));
    expect(w.writes.some((x) => x.includes(`${bit}`))).toBe(false);
    expect((w.vgic as { denied: number }).denied).toBeGreaterThan(0);
    const r = same(GICD + word, esr(4, 14));
    expect(r.regs[14] & bit).toBe(0n);
  });

  it("an abort without ISV is not emulated: the injected abort, as on the whole-frame path", () => {
    const o = same(GICD + 4n, esr(4, 0, { isv: false }));
    expect(o.sys.ESR_EL1).not.toBe("undefined");
    expect(stepped(o)).toBe(false);
  });

  it("every word of the distributor's first 4 KiB reads as the register table says (the word lane's index against vgicdAccess)", () => {
    for (let off = 0; off < 0x1000; off += 4) {
      const o = take("light", GICD + BigInt(off), esr(4, 3));
      expect(o.regs[3], `GICD + 0x${off.toString(16)}`).toBe(tableRead(1, off, 4));
      expect(stepped(o)).toBe(true);
    }
  });

  it("an AArch32 T32 guest's 16-bit load of GICD_TYPER inside an IT block: ELR_EL2 + 2, the IT state advanced", () => {
    const typer = tableRead(1, 4, 4);
    fresh();
    const regs = new GuestRegs();
    const syndrome = esr(4, 3) & ~(1n << 25n);                           // IL 0: a 16-bit T32 instruction
    // SPSR_EL2: AArch32 (M[4]) T32 (T), IT = 0b0001_1100 (ITTT EQ: three more instructions in the block).
    const spsr = 0x10n | 0x20n | (0x1cn << 8n & 0xfc00n) | ((0x1cn & 3n) << 25n);
    for (const [k, v] of Object.entries({ ESR_EL2: syndrome, HPFAR_EL2: (GICD >> 12n) << 4n, FAR_EL2: GICD + 4n, ELR_EL2: 0x8000n, SPSR_EL2: spsr })) {
      machine.sysregs.set(k, v);
    }
    dataAbort(regs, syndrome);
    expect(regs.x[3]).toBe(typer);
    expect(machine.sysregs.get("ELR_EL2")).toBe(0x8002n);
    expect(machine.sysregs.get("SPSR_EL2")).toBe(itAdvance(spsr));
    expect(itAdvance(spsr)).not.toBe(spsr);
  });

  it("the UART, not the GIC, through the light path too", () => {
    const o = same(0x09000018n, esr(4, 15));
    expect(o.regs[15]).toBe(0x90n);
  });
});
