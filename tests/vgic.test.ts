// Host tests of the virtual GIC (src/gic/): the distributor/redistributor register table (a VM
// sees only its own interrupts), list-register allocation in priority order with more pending
// interrupts than list registers, and SGI target decoding confined to the sender's VM.
//
// src/ modules import "@config": the default config's generated tables, which tests/global-setup.ts
// builds before any test file is loaded (vitest.config.ts globalSetup). In that config alpha is
// VM 0 on CPU 0 and owns SPI 48; gamma is VM 2 on CPUs 2-3 and owns SPI 49. The board is
// qemu-virt-gicv3 (GICD at 0x08000000, GICR at 0x080a0000).
import { beforeEach, describe, expect, it } from "vitest";
import { Machine, setMachine } from "../compiler/runtime/index.ts";
import { VgicCpu, vgicVms, vgicCpus, markPending, highestPending } from "../src/gic/vgic-state.ts";
import { fillLrs, FILL_BLOCKED, FILL_WATCH_GROUPS, lrEncode, lrIntid, lrState, lrPriority, lrHw, lrPhysical, LR_ACTIVE, LR_PENDING } from "../src/gic/lr.ts";
import { SgiRequest, decodeSgi1r, decodeSgir } from "../src/gic/sgi.ts";
import { vgicInit } from "../src/gic/vgic.ts";
import { LrSummary, summariseLrs, combineState } from "../src/gic/vstate.ts";
import { vspiVms, vspiDeclareLevel } from "../src/gic/vspi.ts";
import { VUart, vuartReset, vuartReceive, vuartRead, vuartWrite } from "../src/stage2/vuart.ts";
import {
  VgicdAccess, vgicdAccess, vgicClaims, vgicRead, vgicWrite, findRegister, vgicdInit,
  REG_OFFSET, REG_LENGTH, REG_FRAMES, REG_VERSIONS, REG_WIDTHS,
} from "../src/gic/vgicd.ts";

/** src/gic/vgicd.ts's `const enum Frame` (const enums are inlined: they have no runtime object). */
const Frame = { Dist: 1, Rd: 2, Sgi: 4 } as const;

const GICD = 0x08000000n;
const GICR = 0x080a0000n;
let machine: Machine;
/** The physical distributor: a register file, and every write the hypervisor made to it. */
let gicd: Map<bigint, bigint>;
let gicdWrites: [bigint, number, bigint][];
/** The hypervisor's console output. */
let log: string;

beforeEach(() => {
  machine = setMachine(new Machine({ sysregs: { TPIDR_EL2: 0n } }));
  gicd = new Map();
  gicdWrites = [];
  machine.addDevice({
    name: "gicd", base: GICD, size: 0x10000n,
    read: (off, bytes) => (off === 0n ? 0n : (gicd.get(off) ?? 0n) & ((1n << BigInt(bytes * 8)) - 1n)),
    write: (off, bytes, v) => { gicdWrites.push([off, bytes, v]); gicd.set(off, v); },
  });
  machine.addDevice({ name: "gicr", base: GICR, size: 0x80000n, read: () => 0n, write: () => {} });
  log = "";
  machine.addDevice({
    name: "pl011", base: 0x09000000n, size: 0x1000n, read: () => 0n,
    write: (off, _b, v) => { if (off === 0n) log += String.fromCharCode(Number(v)); },
  });
  for (const c of vgicCpus) { c.pending.fill(0); c.hw.fill(0); c.pendingCount = 0; c.privEnabled = 0; c.lr.fill(0n); c.ctlr = 0; }
  for (const d of vgicVms) { d.owned.fill(0); d.deniedAccesses = 0; d.deniedLogged = false; d.priority.fill(0); d.ctlr = 0; }
  for (const s of vspiVms) { s.declared.fill(0); s.level.fill(0); s.latched.fill(0); s.enabled.fill(0); }
  vgicdInit();
  vgicInit();
  gicdWrites = [];
});

function access(vm: number, offset: number, bytes: number, write: boolean, value = 0n, frame = Frame.Dist, privCpu = 4): bigint {
  const a = new VgicdAccess();
  a.vm = vm; a.cpu = 0; a.frame = frame; a.privCpu = privCpu; a.offset = offset; a.bytes = bytes; a.value = value; a.version = 3;
  vgicdAccess(a, write);
  return a.value;
}

describe("vgicInit", () => {
  it("gives each VM exactly its configured SPIs and routes them to its vCPU 0's CPU", () => {
    expect(vgicVms[0].owned[1]).toBe(1 << 16);          // alpha: SPI 48
    expect(vgicVms[1].owned.every((w) => w === 0)).toBe(true);   // beta: none
    expect(vgicVms[2].owned[1]).toBe(1 << 17);          // gamma: SPI 49
    expect(vgicVms[2].vcpus).toBe(2);
  });
});

describe("each VM's UART interrupt (INTID 33, the board UART's own number): a virtual SPI", () => {
  const UART = 33;
  const pendingOn = (cpu: number) => ((vgicCpus[cpu].pending[1] >> 1) & 1) === 1;
  /** A distributor write of VM 0 from CPU 1 (so that vCPU 0's CPU is kicked, not flushed here). */
  const fromCpu1 = (offset: number, value: bigint) => {
    const a = new VgicdAccess();
    a.vm = 0; a.cpu = 1; a.frame = Frame.Dist; a.privCpu = 4; a.offset = offset; a.bytes = 4; a.value = value; a.version = 3;
    vgicdAccess(a, true);
  };
  beforeEach(() => {
    for (let vm = 0; vm < 3; vm++) vspiDeclareLevel(vm, UART);
  });

  it("is the VM's to enable, prioritise, route and configure, and none of it reaches the physical GIC", () => {
    gicd.set(0x104n, 0xffffffffn);                                   // physically, 33 is on (the hypervisor's UART)
    expect(access(0, 0x104, 4, false)).toBe(1n << 16n);              // alpha's 33 is not yet enabled
    access(0, 0x104, 4, true, 1n << 1n);                              // ISENABLER: 33
    expect(access(0, 0x104, 4, false)).toBe((1n << 16n) | (1n << 1n));
    access(0, 0x184, 4, true, 1n << 1n);                              // ICENABLER
    access(0, 0x204, 4, true, 1n << 1n);                              // ISPENDR
    access(0, 0x284, 4, true, 1n << 1n);                              // ICPENDR
    access(0, 0x384, 4, true, 1n << 1n);                              // ICACTIVER
    access(0, 0x400 + UART, 1, true, 0x40n);                         // IPRIORITYR
    access(0, 0xc08, 4, true, 3n << 2n);                              // ICFGR: edge for 33 (ignored)
    access(0, 0x6000 + 8 * UART, 8, true, 0n);                        // IROUTER
    expect(gicdWrites).toEqual([]);
    expect(access(0, 0x400 + UART, 1, false)).toBe(0x40n);
    expect(access(0, 0xc08, 4, false) & (3n << 2n)).toBe(0n);         // level-sensitive, as its device tree says
    expect(vgicVms[0].deniedAccesses).toBe(0);
    // Another VM's enable of "its" 33 is its own virtual SPI's, not alpha's, and not the GIC's.
    access(1, 0x104, 4, true, 1n << 1n);
    expect(access(0, 0x104, 4, false) & 2n).toBe(0n);
    expect(gicdWrites).toEqual([]);
  });

  it("is raised by the emulated PL011 at each rise of UARTMIS, and its FIFO is bounded", () => {
    const u = new VUart();
    vuartReset(u);
    fromCpu1(0x104, 1n << 1n);                                        // the guest enables its UART's SPI
    vuartWrite(0, u, 0x2c, 1 << 4, 1);                                // LCR_H.FEN
    vuartWrite(0, u, 0x38, (1 << 6) | (1 << 4), 1);                   // IMSC: RTIM, RXIM
    expect(vuartRead(0, u, 0x18, 1) & (1 << 4)).not.toBe(0);          // FR.RXFE
    expect(vuartReceive(0, u, 0x61, 1)).toBe(true);
    expect(vuartRead(0, u, 0x3c, 1)).toBe(1 << 6);                    // RIS: RTRIS (below the trigger level)
    expect(pendingOn(0)).toBe(true);                                  // delivered to vCPU 0 (CPU 0)
    vgicCpus[0].pending[1] = 0;
    vgicCpus[0].pendingCount = 0;
    vuartReceive(0, u, 0x62, 1);                                      // the line is high already: no second raise
    expect(pendingOn(0)).toBe(false);
    expect(vuartRead(0, u, 0x00, 1)).toBe(0x61);
    expect(vuartRead(0, u, 0x00, 1)).toBe(0x62);
    expect(vuartRead(0, u, 0x40, 1)).toBe(0);                         // MIS: read empty, the line falls
    vuartReceive(0, u, 0x63, 1);                                      // and rises again with the next byte
    expect(pendingOn(0)).toBe(true);
    let taken = 0;
    for (let i = 0; i < 300; i++) if (vuartReceive(0, u, 0x78, 1)) taken++;
    expect(taken).toBe(255);                                          // 256 in all, with the "c"
    expect(u.dropped).toBe(45);
    expect(vuartRead(0, u, 0x18, 1) & (1 << 6)).not.toBe(0);          // FR.RXFF
    expect(vuartRead(0, u, 0x3c, 1)).toBe((1 << 6) | (1 << 4));       // RXRIS too: at the trigger level
  });
});

describe("distributor register table", () => {
  it("finds the same row through the word index as by a search of the whole table", () => {
    vgicdInit();
    // The table's definition, searched from row 0.
    const reference = (frame: number, version: number, offset: number, bytes: number): number => {
      const vbit = version === 3 ? 8 : 4;
      for (let i = 0; i < REG_OFFSET.length; i++) {
        if ((REG_FRAMES[i] & frame) === 0 || (REG_VERSIONS[i] & vbit) === 0) continue;
        if (offset < REG_OFFSET[i] || offset - REG_OFFSET[i] >= REG_LENGTH[i]) continue;
        if (bytes > 8 || ((REG_WIDTHS[i] >> bytes) & 1) === 0 || (offset & (bytes - 1)) !== 0) return REG_OFFSET.length;
        return i;
      }
      return REG_OFFSET.length;
    };
    // Every frame: the distributor, and (GICv3) a redistributor's RD_base and SGI_base, whose first 4 KiB are indexed too.
    let compared = 0;
    for (const frame of [Frame.Dist, Frame.Rd, Frame.Sgi]) {
      for (const version of [2, 3]) {
        for (let offset = 0; offset < 0x1100; offset++) {
          for (const bytes of [1, 2, 4, 8]) {
            const found = findRegister(frame, version, offset, bytes);
            if (found !== reference(frame, version, offset, bytes)) expect([frame, version, offset, bytes, found]).toBe(reference(frame, version, offset, bytes));
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(3 * 2 * 0x1100 * 4);
  });

  it("finds rows by frame, version, offset and width", () => {
    expect(findRegister(Frame.Dist, 3, 0x104, 4)).toBeLessThan(100);
    expect(findRegister(Frame.Dist, 3, 0x104, 1)).toBeGreaterThan(20);    // ISENABLER: 32-bit only
    expect(findRegister(Frame.Dist, 3, 0x402, 1)).toBeLessThan(100);       // IPRIORITYR: byte access
    expect(findRegister(Frame.Dist, 3, 0x802, 1)).toBeGreaterThan(20);     // ITARGETSR: GICv2 only
    expect(findRegister(Frame.Dist, 2, 0x802, 1)).toBeLessThan(100);
    expect(findRegister(Frame.Dist, 3, 0x6000 + 8 * 48, 8)).toBeLessThan(100); // IROUTER: GICv3
    expect(findRegister(Frame.Dist, 3, 0x6001, 4)).toBeGreaterThan(20);    // misaligned
  });

  it("ISENABLER: only owned bits read back, only owned bits reach the physical distributor", () => {
    gicd.set(0x104n, 0xffffffffn);                    // every SPI 32-63 physically enabled
    expect(access(0, 0x104, 4, false)).toBe(1n << 16n);
    expect(access(1, 0x104, 4, false)).toBe(0n);      // beta owns none
    access(0, 0x104, 4, true, 0xffffffffn);
    expect(gicdWrites).toEqual([[0x104n, 4, 1n << 16n]]);
    expect(vgicVms[0].deniedAccesses).toBe(1);
    gicdWrites = [];
    access(1, 0x104, 4, true, 0xffffffffn);          // beta: nothing at all reaches the GIC
    access(1, 0x184, 4, true, 0xffffffffn);
    access(1, 0x204, 4, true, 0xffffffffn);
    access(1, 0x384, 4, true, 0xffffffffn);
    expect(gicdWrites).toEqual([]);
    expect(vgicVms[1].deniedAccesses).toBe(4);
    // Counted every time, logged once per VM.
    expect(log.split("\r\n").filter((l) => l.includes("does not own"))).toEqual([
      "[hyp] vm alpha: virtual GIC access to interrupts the VM does not own ignored (counted, logged once)",
      "[hyp] vm beta: virtual GIC access to interrupts the VM does not own ignored (counted, logged once)",
    ]);
  });

  it("GICv3 distributor: SGIs and PPIs are RAZ/WI (they live in the redistributors)", () => {
    gicd.set(0x100n, 0xffffffffn);
    expect(access(0, 0x100, 4, false)).toBe(0n);
    access(0, 0x100, 4, true, 0xffffffffn);
    expect(gicdWrites).toEqual([]);
  });

  it("IPRIORITYR: byte and word accesses, owned fields only, 5 priority bits", () => {
    access(0, 0x400 + 48, 1, true, 0xa5n);
    expect(access(0, 0x400 + 48, 1, false)).toBe(0xa0n);
    access(0, 0x400 + 48, 4, true, 0x11223344n);       // INTIDs 48..51: only 48 is alpha's
    expect(access(0, 0x400 + 48, 4, false)).toBe(0x40n);
    access(1, 0x400 + 48, 1, true, 0x80n);             // beta cannot touch alpha's SPI
    expect(access(1, 0x400 + 48, 1, false)).toBe(0n);
    expect(access(0, 0x400 + 48, 1, false)).toBe(0x40n);
    expect(gicdWrites).toEqual([]);                    // priorities are virtual
  });

  it("IROUTER: owned SPIs route to the CPU of the named vCPU; others read zero and write nothing", () => {
    access(2, 0x6000 + 8 * 49, 8, true, 1n);           // gamma: SPI 49 to its vCPU 1 = CPU 3
    expect(gicdWrites).toEqual([[0x6000n + 8n * 49n, 8, 3n]]);
    expect(access(2, 0x6000 + 8 * 49, 8, false)).toBe(1n);
    gicdWrites = [];
    access(2, 0x6000 + 8 * 48, 8, true, 0n);           // alpha's SPI
    access(2, 0x6000 + 8 * 49, 8, true, 7n);           // a vCPU gamma does not have: vCPU 0
    expect(gicdWrites).toEqual([[0x6000n + 8n * 49n, 8, 2n]]);
    expect(access(2, 0x6000 + 8 * 48, 8, false)).toBe(0n);
  });

  it("unknown offsets, bad widths and offsets past 1019 are RAZ/WI and never panic", () => {
    for (const off of [0x10, 0x104 + 1, 0x17c, 0xffc, 0x7ff8, 0xfff0, 0xfffc]) {
      for (const bytes of [1, 2, 4, 8]) {
        expect(() => access(0, off, bytes, true, 0xffffffffffffffffn)).not.toThrow();
        expect(access(0, off, bytes, false)).toBe(off === 0x17c && bytes === 4 ? 0n : access(0, off, bytes, false));
      }
    }
    expect(access(0, 0x17c, 4, false)).toBe(0n);       // ISENABLER31: INTIDs 992..1023
    expect(gicdWrites).toEqual([]);
  });

  it("TYPER and PIDR2 describe a GICv3 sized to the VM's SPIs", () => {
    const typer = access(2, 0x4, 4, false);
    expect(typer & 0x1fn).toBe(1n);                    // SPI 49: ITLinesNumber 1 (INTIDs up to 63)
    expect((typer >> 5n) & 7n).toBe(1n);               // 2 vCPUs
    expect((access(2, 0xffe8, 4, false) >> 4n) & 0xfn).toBe(3n);
    expect(access(2, 0x0, 4, false) & 0x10n).toBe(0x10n); // ARE
  });

  it("redistributor frames: one per vCPU, TYPER with the vCPU's affinity and Last on the final frame", () => {
    machine.sysregs.set("TPIDR_EL2", 2n);
    expect(vgicClaims(2, GICR + 0x8n)).toBe(true);
    expect(vgicRead(2, 2, GICR + 0x8n, 8)).toBe(0n);                 // vCPU 0: affinity 0, not last
    expect(vgicClaims(2, GICR + 0x20008n)).toBe(true);
    expect(vgicRead(2, 2, GICR + 0x20008n, 8)).toBe((1n << 32n) | (1n << 8n) | (1n << 4n));
    expect(vgicClaims(2, GICR + 0x40008n)).toBe(false);   // no third vCPU: not emulated
    expect(vgicClaims(0, GICR + 0x20008n)).toBe(false);   // alpha has one vCPU
    // SGI_base ISENABLER0 of gamma's vCPU 1 (CPU 3): the private enables of that vCPU.
    expect(vgicClaims(2, GICR + 0x30100n)).toBe(true);
    vgicWrite(2, 2, GICR + 0x30100n, 4, 0x8n);
    expect(vgicCpus[3].privEnabled).toBe(0x8);
    expect(vgicCpus[2].privEnabled).toBe(0);
  });
});

function cpuState(n = 4): VgicCpu {
  const c = new VgicCpu();
  c.lrCount = n;
  return c;
}

describe("list registers", () => {
  it("fills in priority order when more interrupts are pending than there are list registers", () => {
    const c = cpuState(4);
    c.privEnabled = 0xffffffff;
    const prios: [number, number][] = [[1, 0xa0], [2, 0x20], [27, 0x80], [48, 0x40], [49, 0xf0], [5, 0x10]];
    for (const [intid, p] of prios) markPending(c, intid, p, intid >= 16, 0);
    const r = fillLrs(c, 3, true, 3);
    expect(r & 0xf).toBe(0xf);
    expect(r & FILL_BLOCKED).toBe(FILL_BLOCKED);
    expect(Array.from(c.lr.slice(0, 4), (v) => lrIntid(3, v))).toEqual([5, 2, 48, 27]);
    expect(Array.from(c.lr.slice(0, 4), (v) => lrPriority(3, v))).toEqual([0x10, 0x20, 0x40, 0x80]);
    expect(lrHw(3, c.lr[2])).toBe(true);               // SPI 48: linked to the physical INTID
    expect((c.lr[2] >> 32n) & 0x1fffn).toBe(48n);
    expect(lrHw(3, c.lr[0])).toBe(false);              // SGI 5
    expect(c.pendingCount).toBe(2);
    // The guest takes and finishes LR 1: the next one in priority order (SGI 1, 0xa0) goes there.
    c.lr[1] = 0n;
    expect(fillLrs(c, 3, true, 3) & 0xf).toBe(0x2);
    expect(lrIntid(3, c.lr[1])).toBe(1);
    expect(highestPending(c, 3)).toBe(49);
  });

  it("evicts a lower-priority pending (not active) interrupt for a higher-priority one", () => {
    const c = cpuState(2);
    c.privEnabled = 0xffffffff;
    c.lr[0] = lrEncode(3, 40, 0xc0, true, 0, true);
    c.lr[1] = (lrEncode(3, 41, 0xe0, true, 0, true) & ~(3n << 62n)) | (2n << 62n);   // active: stays
    markPending(c, 7, 0x10, false, 0);
    const r = fillLrs(c, 3, true, 3);
    expect(lrIntid(3, c.lr[0])).toBe(7);
    expect(lrIntid(3, c.lr[1])).toBe(41);
    expect(r & FILL_BLOCKED).toBe(FILL_BLOCKED);       // 40 waits again, with its HW link
    expect(highestPending(c, 3)).toBe(40);
    expect(c.hw[1] & (1 << 8)).not.toBe(0);
  });

  it("keeps interrupts of a group the guest has disabled out of the list registers (the fuzzer's stopped timer)", () => {
    // Seen on hung fuzzer vCPUs: registers held SGIs pending at priority 0 in a group the guest had
    // disabled; the timer (0x80) waited in the pending set (GICv3), or in a register QEMU's GICv2
    // model never signalled behind them, its physical interrupt active, for ever.
    const c = cpuState(4);
    c.privEnabled = 0xffffffff;
    c.group[0] = 1 << 27;                                   // the timer Group 1, the SGIs Group 0
    for (const sgi of [2, 7, 12, 13]) markPending(c, sgi, 0, false, 0);
    fillLrs(c, 3, true, 3);                                  // both groups enabled: the SGIs in registers
    markPending(c, 27, 0x80, true, 0);
    const r = fillLrs(c, 3, true, 2);                        // Group 0 disabled
    expect(Array.from(c.lr.slice(0, 4), (v) => lrIntid(3, v)).filter((_, i) => lrState(3, c.lr[i]) !== 0)).toEqual([27]);
    expect(r & FILL_BLOCKED).toBe(0);
    expect(r & FILL_WATCH_GROUPS).toBe(FILL_WATCH_GROUPS);   // the SGIs wait for Group 0's enable
    expect(highestPending(c, 2)).toBe(1023);
    expect(highestPending(c, 3)).toBe(2);
    // With both groups enabled, priority alone decides: the timer cannot displace them.
    const d = cpuState(4);
    d.privEnabled = 0xffffffff;
    d.group[0] = 1 << 27;
    for (const sgi of [2, 7, 12, 13]) markPending(d, sgi, 0, false, 0);
    markPending(d, 27, 0x80, true, 0);
    fillLrs(d, 3, true, 3);
    expect(Array.from(d.lr.slice(0, 4), (v) => lrIntid(3, v))).not.toContain(27);
    expect(highestPending(d, 3)).toBe(27);
  });

  it("refreshes the group and priority of a register holding an interrupt only pending, not of an active one", () => {
    const c = cpuState(4);
    c.privEnabled = 0xffffffff;
    c.privPriority[27] = 0xf8;
    c.group[0] = 0xffffffff;
    markPending(c, 27, 0xf8, true, 0);
    markPending(c, 5, 0x40, false, 0);
    fillLrs(c, 3, true, 3);
    expect(Array.from(c.lr.slice(0, 2), (v) => lrIntid(3, v))).toEqual([5, 27]);
    c.lr[0] = (c.lr[0] & ~(3n << 62n)) | (BigInt(LR_ACTIVE) << 62n);       // the guest took SGI 5
    c.privPriority[27] = 0x80;
    c.privPriority[5] = 0x10;
    c.group[0] = 0;
    c.refresh = true;
    expect(fillLrs(c, 3, true, 3) & 0xf).toBe(0x2);
    expect([lrPriority(3, c.lr[1]), Number((c.lr[1] >> 60n) & 1n)]).toEqual([0x80, 0]);
    expect([lrPriority(3, c.lr[0]), Number((c.lr[0] >> 60n) & 1n)]).toEqual([0x40, 1]);
  });

  it("never puts one INTID in two list registers: an active SGI becomes active and pending", () => {
    const c = cpuState(4);
    c.privEnabled = 0xffff;
    markPending(c, 3, 0x80, false, 1);
    fillLrs(c, 3, true, 3);
    c.lr[0] = (c.lr[0] & ~(3n << 62n)) | (BigInt(LR_ACTIVE) << 62n);
    markPending(c, 3, 0x80, false, 1);
    expect(fillLrs(c, 3, true, 3)).toBe(0x1);
    expect(lrState(3, c.lr[0])).toBe(3);
    expect(c.lr.slice(1).every((v) => v === 0n)).toBe(true);
  });

  it("holds back disabled private interrupts and everything while the distributor is off", () => {
    const c = cpuState(4);
    markPending(c, 27, 0x80, true, 0);
    expect(fillLrs(c, 3, true, 3)).toBe(FILL_WATCH_GROUPS);  // PPI 27 not enabled by the guest
    c.privEnabled = 1 << 27;
    expect(fillLrs(c, 3, false, 3)).toBe(FILL_WATCH_GROUPS); // GICD_CTLR groups disabled
    expect(fillLrs(c, 3, true, 3)).toBe(1);
  });

  it("encodes GICv2 list registers: 5-bit priority, EOI maintenance for a physical interrupt, or SGI source", () => {
    // A physical interrupt: no HW link but the EOI bit (QEMU's GICv2 model: see src/gic/vgic.ts).
    const hw = lrEncode(2, 27, 0x88, true, 0, false);
    expect(Number(hw)).toBe(27 | (1 << 19) | (0x11 << 23) | (LR_PENDING << 28));
    expect(lrHw(2, hw)).toBe(true);
    expect(lrPhysical(2, hw)).toBe(27);
    const sgi = lrEncode(2, 3, 0x80, false, 5, false);
    expect(Number(sgi)).toBe(3 | (5 << 10) | (0x10 << 23) | (LR_PENDING << 28));
    expect(lrIntid(2, hw)).toBe(27);
    expect(lrPriority(2, hw)).toBe(0x88);
    const c = cpuState(4);
    c.privEnabled = 0xffff;
    markPending(c, 3, 0x80, false, 5);
    fillLrs(c, 2, true, 3);
    expect(c.lr[0]).toBe(sgi);
  });

  it("does not reuse a GICv2 register the guest completed until its EOI maintenance has deactivated the physical interrupt", () => {
    const c = cpuState(4);
    c.privEnabled = 0xffff;
    // Register 0: the timer, completed by the guest (state invalid, EOI bit): its maintenance is due.
    c.lr[0] = lrEncode(2, 27, 0xa0, true, 0, false) & ~(3n << 28n);
    markPending(c, 3, 0x80, false, 1);
    fillLrs(c, 2, true, 3);
    expect(lrIntid(2, c.lr[0])).toBe(27);
    expect(lrIntid(2, c.lr[1])).toBe(3);
  });
});

describe("interrupt state as the guest reads it (src/gic/vstate.ts)", () => {
  it("encodes the guest's group in the list register (GICv3 Group [60], GICv2 Grp1 [30])", () => {
    expect((lrEncode(3, 27, 0x80, true, 0, false) >> 60n) & 1n).toBe(0n);
    expect((lrEncode(3, 27, 0x80, true, 0, true) >> 60n) & 1n).toBe(1n);
    expect((lrEncode(2, 3, 0x80, false, 1, true) >> 30n) & 1n).toBe(1n);
    expect((lrEncode(2, 3, 0x80, false, 1, false) >> 30n) & 1n).toBe(0n);
  });

  it("summarises the list registers of one word of INTIDs, a GICv2 EOI awaiting maintenance among those held", () => {
    const c = cpuState(4);
    c.lr[0] = lrEncode(3, 27, 0x80, true, 0, true);                                   // pending
    c.lr[1] = (lrEncode(3, 6, 0x80, false, 0, true) & ~(3n << 62n)) | (3n << 62n);   // pending and active
    c.lr[2] = lrEncode(3, 48, 0x80, true, 0, true);                                   // another word
    const s = new LrSummary();
    summariseLrs(c, 3, 0, s);
    expect([s.held, s.pending, s.active]).toEqual([(1 << 27) | (1 << 6), (1 << 27) | (1 << 6), 1 << 6]);
    summariseLrs(c, 3, 1, s);
    expect([s.held, s.pending, s.active]).toEqual([1 << 16, 1 << 16, 0]);
    const v2 = cpuState(4);
    v2.lr[0] = lrEncode(2, 27, 0xa0, true, 0, false) & ~(3n << 28n);                  // completed, maintenance due
    summariseLrs(v2, 2, 0, s);
    expect([s.held, s.pending, s.active]).toEqual([1 << 27, 0, 0]);
  });

  it("combines registers, pending set and physical state as hardware would show them", () => {
    const s = new LrSummary();
    const bit = 1 << 27;
    // In a register, pending: pending (the physical active state is the hypervisor's acknowledgement).
    Object.assign(s, { held: bit, pending: bit, active: 0 });
    expect([combineState(s, 0, 0, bit, false), combineState(s, 0, 0, bit, true)]).toEqual([bit, 0]);
    // In a register, active, its level still asserted: active and pending.
    Object.assign(s, { held: bit, pending: 0, active: bit });
    expect([combineState(s, 0, bit, bit, false), combineState(s, 0, bit, bit, true)]).toEqual([bit, bit]);
    // Waiting in the pending set, acknowledged at the physical GIC: pending, not active.
    Object.assign(s, { held: 0, pending: 0, active: 0 });
    expect([combineState(s, bit, 0, bit, false), combineState(s, bit, 0, bit, true)]).toEqual([bit, 0]);
    // In neither: the physical state (a disabled timer that fired; an active state the guest set).
    expect([combineState(s, 0, bit, 0, false), combineState(s, 0, 0, bit, true)]).toEqual([bit, bit]);
  });
});

describe("SGI target decoding", () => {
  const req = new SgiRequest();
  it("GICv3 ICC_SGI1R_EL1: the target list within the VM, IRM = all but self", () => {
    decodeSgi1r((5n << 24n) | 0b10n, 0, 2, req);
    expect([req.intid, req.targets, req.outside]).toEqual([5, 0b10, false]);
    decodeSgi1r((1n << 24n) | 0xfffen, 0, 2, req);     // vCPUs 1..15: only 1 exists
    expect([req.targets, req.outside]).toEqual([0b10, true]);
    decodeSgi1r((1n << 24n) | (1n << 16n) | 1n, 0, 2, req);   // Aff1 = 1: not this VM's
    expect([req.targets, req.outside]).toEqual([0, true]);
    decodeSgi1r((1n << 44n) | 1n, 0, 2, req);          // RS = 1: Aff0 16
    expect([req.targets, req.outside]).toEqual([0, true]);
    decodeSgi1r((2n << 24n) | (1n << 40n), 1, 4, req);
    expect([req.intid, req.targets, req.outside]).toEqual([2, 0b1101, false]);
    decodeSgi1r((1n << 40n) | 0xffffn, 0, 1, req);     // alone in its VM: nobody
    expect(req.targets).toBe(0);
  });

  it("GICv2 GICD_SGIR: list, all-but-self, self; CPU bits past the VM are dropped", () => {
    decodeSgir((0b11110010 << 16) | 7, 0, 2, req);
    expect([req.intid, req.targets, req.outside]).toEqual([7, 0b10, true]);
    decodeSgir((1 << 24) | 1, 1, 3, req);
    expect(req.targets).toBe(0b101);
    decodeSgir((2 << 24) | 1, 1, 3, req);
    expect(req.targets).toBe(0b10);
    decodeSgir((3 << 24) | (0xff << 16), 0, 3, req);  // reserved filter: nothing
    expect(req.targets).toBe(0);
  });
});
