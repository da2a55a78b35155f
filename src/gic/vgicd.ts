// The emulated distributor (GICv2 and GICv3) and GICv3 redistributors a VM sees at the board's
// GICD/GICR addresses. Accesses trap as stage-2 aborts (nothing is mapped there) and arrive from
// src/stage2/mmio.ts.
//
// One register table, in the style of KVM's vgic-mmio: each row is a register range (offset,
// length, bits per INTID for per-interrupt registers), the frames and GIC versions it exists in,
// the access widths it accepts, and a read and a write handler kind. A VM sees only its own
// interrupts: its vCPU's SGIs and PPIs (through the redistributor frame of that vCPU on GICv3, the
// banked first words of the distributor on GICv2), the SPIs its config gives it, and its virtual
// SPIs (no physical line: their state is src/gic/vspi.ts's, not the physical GIC's). Everything else
// reads as zero and ignores writes — counted in VgicVm.deniedAccesses, logged once per VM.
// Offsets, widths and INTIDs are all checked before use: nothing a guest writes can index out of range.
import { CPU_COUNT, GIC_VERSION, GICD_BASE, GICD_SIZE, GICR_BASE } from "@board";
import { lineEnd, put, vmLineBegin } from "../el2/console.ts";
import { GuestRegs } from "../el2/cpu.ts";
import { cpuOfVcpu } from "../el2/placement.ts";
import {
  HW_PPIS, GICD_ISENABLER, GICD_ICENABLER, GICD_ISPENDR, GICD_ICPENDR,
  gicReadBits, gicWriteBits, gicReadConfig, gicWriteConfig, gicRoute, gicSetPrivateEnabled, gicSetPrivatePending, gicKick,
} from "./gic.ts";
import { vstateRead } from "./vstate.ts";
import { VgicVm, VgicCpu, vgicVms, vgicCpus, isOwned, markPending, PRIORITY_MASK } from "./vgic-state.ts";
import { vgicFlush, vgicSetCtlr, vgicSgir } from "./vgic.ts";
import { StateWrite, vstateWrite } from "./vwrite.ts";
import { lock, unlock } from "../el2/lock.ts";
import { isVirtualSpi, vspiConfig, vspiDeclared, vspiEnabledBits, vspiPendingBits, vspiSetEnabled, vspiSetPending } from "./vspi.ts";

/** The redistributor frame pair of each vCPU (RD_base, then SGI_base at +64 KiB). */
export const GICR_FRAME: u64 = 0x20000n;

/** Which frame an access is in: the distributor, a redistributor's RD_base or its SGI_base. */
export const enum Frame { Dist = 1, Rd = 2, Sgi = 4 }

export const enum Kind {
  Raz = 0, Wi = 0,
  Ctlr, Typer, Iidr, Pidr2, Group, Enable, SetEnable, ClearEnable, Pending, SetPending, ClearPending,
  Active, SetActive, ClearActive, Priority, Targets, Config, Router, Sgir, RdTyper, Waker,
}

// The register table. Widths: bit n set = an access of n bytes is accepted (1, 4, 8 → 0b1_0001_0010).
const V2: u32 = 4;
const V3: u32 = 8;
export const REG_OFFSET = new Uint32Array([
  0x0000, 0x0004, 0x0008, 0x0080, 0x0100, 0x0180, 0x0200, 0x0280, 0x0300, 0x0380, 0x0400, 0x0800, 0x0c00, 0x0f00, 0x6000, 0xffe8, 0x0fe8,
  0x0000, 0x0004, 0x0008, 0x0014, 0xffe8,
]);
export const REG_LENGTH = new Uint32Array([
  4, 4, 4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x400, 0x400, 0x100, 4, 0x2000, 4, 4,
  4, 4, 8, 4, 4,
]);
/** Bits per INTID (0: not a per-interrupt register). */
const REG_BITS = new Uint8Array([
  0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 8, 8, 2, 0, 64, 0, 0,
  0, 0, 0, 0, 0,
]);
export const REG_FRAMES = new Uint8Array([
  1, 1, 1, 5, 5, 5, 5, 5, 5, 5, 5, 1, 5, 1, 1, 1, 1,
  2, 2, 2, 2, 2,
]);
export const REG_VERSIONS = new Uint8Array([
  12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 4, 12, 4, 8, 8, 4,
  8, 8, 8, 8, 8,
]);
export const REG_WIDTHS = new Uint32Array([
  0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x12, 0x12, 0x10, 0x10, 0x110, 0x10, 0x10,
  0x10, 0x10, 0x110, 0x10, 0x10,
]);
const REG_READ = new Uint8Array([
  Kind.Ctlr, Kind.Typer, Kind.Iidr, Kind.Group, Kind.Enable, Kind.Enable, Kind.Pending, Kind.Pending, Kind.Active, Kind.Active,
  Kind.Priority, Kind.Targets, Kind.Config, Kind.Raz, Kind.Router, Kind.Pidr2, Kind.Pidr2,
  Kind.Raz, Kind.Iidr, Kind.RdTyper, Kind.Waker, Kind.Pidr2,
]);
const REG_WRITE = new Uint8Array([
  Kind.Ctlr, Kind.Wi, Kind.Wi, Kind.Group, Kind.SetEnable, Kind.ClearEnable, Kind.SetPending, Kind.ClearPending, Kind.SetActive, Kind.ClearActive,
  Kind.Priority, Kind.Targets, Kind.Config, Kind.Sgir, Kind.Router, Kind.Wi, Kind.Wi,
  Kind.Wi, Kind.Wi, Kind.Wi, Kind.Waker, Kind.Wi,
]);

/**
 * For each 32-bit word of a frame's first 4 KiB (where every hot register is) — GICv2's
 * distributor, GICv3's distributor, RD_base and SGI_base, 1024 words each — the row the table's
 * search gives for it, plus one, so that the search becomes one load (0: not indexed yet, before
 * vgicdInit(): rowOf searches). Every row starts and ends on a word, so the row of a word is the
 * row of each of its bytes.
 */
const WORD_ROW = new Uint8Array(4096);
const SECTION_FRAME = new Uint8Array([Frame.Dist, Frame.Dist, Frame.Rd, Frame.Sgi]);
const SECTION_VERSION = new Uint8Array([V2, V3, V3, V3]);

/**
 * For each word of the distributor's first 4 KiB on this GIC version: whether it is a one-word
 * register that takes a 32-bit access (a row that is not per-INTID, 4 bytes long: GICD_CTLR,
 * GICD_TYPER, GICD_IIDR, GICD_SGIR, GICD_PIDR2, ...), as DIST_WORD_LANE | its write Kind << 8 |
 * its read Kind; 0: not one (or before vgicdInit()). Derived from the register table, as
 * WORD_ROW is, so that the word lane (src/stage2/abort.ts dataAbort) finds such an access in one load.
 */
export const DIST_WORD = new Uint16Array(1024);
export const DIST_WORD_LANE: u32 = 0x8000;

/** @cold */
export function vgicdInit(): void {
  // Each row, the last first, claims its words in each section it belongs to: where rows overlap,
  // the first row keeps them, as the search finds it. A walk of the rows' ranges, not a search per
  // word (that was ~400k instructions of boot).
  for (let w: u32 = 0; w < 4096; w++) WORD_ROW[w] = u8(REG_OFFSET.length + 1);
  for (let i: u32 = REG_OFFSET.length; i > 0; i--) {
    const row: u32 = i - 1;
    if (REG_OFFSET[row] >= 0x1000) continue;
    const end: u32 = REG_LENGTH[row] > 0x1000 - REG_OFFSET[row] ? 0x1000 : REG_OFFSET[row] + REG_LENGTH[row];
    for (let s: u32 = 0; s < 4; s++) {
      if ((u32(REG_FRAMES[row]) & u32(SECTION_FRAME[s])) == 0 || (u32(REG_VERSIONS[row]) & u32(SECTION_VERSION[s])) == 0) continue;
      for (let w: u32 = REG_OFFSET[row] >> 2; w < end >> 2; w++) WORD_ROW[((s << 10) | w) & 4095] = u8(i);
    }
  }
  const dist: u32 = GIC_VERSION == 3 ? 1 : 0;
  for (let w: u32 = 0; w < 1024; w++) {
    const row: u32 = u32(WORD_ROW[((dist << 10) | w) & 4095]) - 1;
    const lane: bool = row < REG_OFFSET.length && REG_BITS[row] == 0 && REG_LENGTH[row] == 4 && ((REG_WIDTHS[row] >> 4) & 1) != 0;
    DIST_WORD[w] = lane ? u16(DIST_WORD_LANE | (u32(REG_WRITE[row]) << 8) | u32(REG_READ[row])) : 0;
  }
}

/** The first row of `frame` on GIC `version` whose range holds `offset`, or REG_OFFSET.length (the table's definition; past the word index only). @cold */
function searchRegister(frame: u32, version: u32, offset: u32): u32 {
  const vbit: u32 = version == 3 ? V3 : V2;
  for (let i: u32 = 0; i < REG_OFFSET.length; i++) {
    if ((u32(REG_FRAMES[i]) & frame) == 0 || (u32(REG_VERSIONS[i]) & vbit) == 0) continue;
    if (offset < REG_OFFSET[i] || offset - REG_OFFSET[i] >= REG_LENGTH[i]) continue;
    return i;
  }
  return REG_OFFSET.length;
}

/** The row for an access of `bytes` at `offset` of a `frame` on GIC `version`, or REG_OFFSET.length if none (or not of a width it takes). */
export function findRegister(frame: u32, version: u32, offset: u32, bytes: u32): u32 {
  return rowOf(frame, version, offset, bytes);
}

/** findRegister's body, for the access path to inline: one load for the first 4 KiB of a frame, the search beyond. */
function rowOf(frame: u32, version: u32, offset: u32, bytes: u32): u32 {
  const section: u32 = frame == Frame.Dist ? (version == 3 ? 1 : 0) : version == 3 ? (frame == Frame.Rd ? 2 : 3) : 4;
  const indexed: u32 = section < 4 && offset < 0x1000 ? u32(WORD_ROW[((section << 10) | (offset >> 2)) & 4095]) : 0;
  const row: u32 = indexed != 0 ? indexed - 1 : searchRegister(frame, version, offset);
  if (row >= REG_OFFSET.length) return REG_OFFSET.length;
  if (bytes > 8 || ((REG_WIDTHS[row] >> bytes) & 1) == 0 || (offset & (bytes - 1)) != 0) return REG_OFFSET.length;
  return row;
}

/** One access as the register table sees it. */
export class VgicdAccess {
  vm: u32 = 0;
  /** The physical CPU of the accessing vCPU. */
  cpu: u32 = 0;
  frame: u32 = Frame.Dist;
  /** The CPU whose private interrupts (INTIDs 0-31) this frame shows: the GICv3 redistributor's vCPU, the GICv2 accessor; CPU_COUNT: none. */
  privCpu: u32 = 0;
  offset: u32 = 0;
  bytes: u32 = 4;
  value: u64 = 0n;
  version: u32 = 3;
}

/** Whether INTID `intid` is one this access may see. */
function visible(a: VgicdAccess, d: VgicVm, intid: u32): bool {
  if (intid < 32) return a.privCpu < CPU_COUNT;
  return a.frame == Frame.Dist && (isOwned(d, intid) || isVirtualSpi(a.vm, intid));
}

/** @cold */
function denied(d: VgicVm, vm: u32): void {
  d.deniedAccesses++;
  if (!d.deniedLogged) {
    d.deniedLogged = true;
    vmLineBegin(vm);
    put("virtual GIC access to interrupts the VM does not own ignored (counted, logged once)");
    lineEnd();
  }
}

/** The bits of one word (32 INTIDs from `first`) that the access may see. */
function visibleMask(a: VgicdAccess, d: VgicVm, first: u32): u32 {
  if (first == 0) return a.privCpu < CPU_COUNT ? 0xffffffff : 0;
  if (a.frame != Frame.Dist || first >= 1024) return 0;
  const virtual: u32 = vspiDeclared(a.vm, first >> 5);
  return d.owned[(first >> 5) & 31] | virtual;
}

function privState(a: VgicdAccess): VgicCpu {
  return cpuState(a.privCpu);
}

/** The state of physical CPU `cpu`'s vCPU, whose private interrupts a frame shows (CPU_COUNT, none: CPU 0's, unused). */
function cpuState(cpu: u32): VgicCpu {
  return vgicCpus[cpu < CPU_COUNT ? cpu : 0];
}

/**
 * Reads a register that is not per-INTID (REG_BITS 0), whose read is `kind`: the identification
 * and control registers. Takes the access's parts, not its record, so that the distributor's word
 * lane (vgicdWordAccess) needs none.
 */
function readWord(version: u32, d: VgicVm, privCpu: u32, kind: u32): u64 {
  // Tested in the order a guest reads them most: GICD_CTLR (Linux polls its RWP after each
  // distributor write), GICD_TYPER, then the rest.
  if (kind == Kind.Ctlr) return version == 3 ? u64(d.ctlr & 3) | 0x10n | 0x40n : u64(d.ctlr & 1);
  if (kind == Kind.Typer) {
    const lines: u32 = d.maxIntid >> 5;
    const cpus: u32 = d.vcpus == 0 ? 0 : (d.vcpus - 1) & 7;
    return u64(lines & 0x1f) | (u64(cpus) << 5n) | (version == 3 ? 9n << 19n : 0n);
  }
  if (kind == Kind.Iidr) return 0x43bn;
  if (kind == Kind.Pidr2) return version == 3 ? 0x3bn : 0x2bn;
  if (kind == Kind.RdTyper) {
    const c: VgicCpu = cpuState(privCpu);
    const last: u64 = c.vcpu + 1 >= d.vcpus ? 1n << 4n : 0n;
    return (u64(c.vcpu) << 32n) | (u64(c.vcpu) << 8n) | last;
  }
  if (kind == Kind.Waker) return cpuState(privCpu).sleep ? 6n : 0n;     // ProcessorSleep and ChildrenAsleep together
  return 0n;
}

/** Reads the whole register of row `row` containing a.offset (per-INTID registers: the 32-bit word, or the 64-bit IROUTER). */
function readRegister(a: VgicdAccess, d: VgicVm, row: u32, rel: u32): u64 {
  const bits: u32 = u32(REG_BITS[row]);
  if (bits == 0) return readWord(a.version, d, a.privCpu, u32(REG_READ[row]));
  const first: u32 = (rel >> 2) * (32 / bits);
  if (bits == 1) {
    const mask: u32 = visibleMask(a, d, first);
    if (mask == 0) return 0n;
    const physical: u32 = first == 0 ? 0 : d.owned[(first >> 5) & 31];
    const c: VgicCpu = privState(a);
    switch (u32(REG_READ[row])) {
      case Kind.Group:
        return u64((first == 0 ? c.group[0] : vgicCpus[a.cpu].group[(first >> 5) & 31]) & mask);
      case Kind.Enable: {
        if (first == 0) return u64(c.privEnabled);
        const virtual: u32 = vspiEnabledBits(a.vm, first >> 5);
        return u64((gicReadBits(GICD_ISENABLER, first >> 5) & physical) | virtual);
      }
      case Kind.Pending: {
        // src/gic/vstate.ts: list registers, pending sets, the physical GIC; a virtual SPI may also be latched.
        const state: u32 = vstateRead(a.vm, a.cpu, a.privCpu, first >> 5, mask, false);
        return u64(first == 0 ? state : state | vspiPendingBits(a.vm, first >> 5));
      }
      case Kind.Active:
        return u64(vstateRead(a.vm, a.cpu, a.privCpu, first >> 5, mask, true));
      default:
        return 0n;
    }
  }
  if (bits == 64) {
    const intid: u32 = rel >> 3;
    if (!visible(a, d, intid)) return 0n;
    return u64(d.target[intid & 1023]);
  }
  // 8 or 2 bits per INTID: assemble the word field by field.
  let word: u32 = 0;
  const per: u32 = 32 / bits;
  for (let k: u32 = 0; k < per; k++) {
    const intid: u32 = first + k;
    if (!visible(a, d, intid)) continue;
    let field: u32 = 0;
    switch (u32(REG_READ[row])) {
      case Kind.Priority:
        field = intid < 32 ? u32(privState(a).privPriority[intid & 31]) : u32(d.priority[intid & 1023]);
        break;
      case Kind.Targets:
        field = intid < 32 ? u32(1) << (privState(a).vcpu & 7) : u32(1) << (u32(d.target[intid & 1023]) & 7);
        break;
      case Kind.Config:
        if (isVirtualSpi(a.vm, intid)) field = vspiConfig(a.vm, intid);
        else field = intid < 16 ? 2 : intid < 32 ? (privState(a).privConfig >> ((intid & 15) * 2)) & 3 : gicReadConfig(intid);
        break;
      default:
        break;
    }
    word = word | ((field & ((u32(1) << bits) - 1)) << (k * bits));
  }
  return u64(word);
}

/** GICD_IROUTER<n> (IHI 0069, 12.9.22): Aff3 [39:32], IRM [31], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0]. */
const IROUTER_AFF_1_2_3: u64 = 0xff00ffff00n;
const IROUTER_IRM: u64 = 1n << 31n;

/** Writes `v` to a register that is not per-INTID (REG_BITS 0), whose write is `kind`; as readWord, from the access's parts. */
function writeWord(vm: u32, cpu: u32, d: VgicVm, privCpu: u32, kind: u32, v: u32): void {
  if (kind == Kind.Ctlr) {
    // The enables decide what the list registers may hold (vgicFlush): a write that keeps them
    // changes nothing there (a guest rewrites its GICD_CTLR to wait for RWP, or to set ARE again).
    // Copied into each vCPU only when they change: a guest enables its distributor once, at boot.
    if ((v & 3) == d.ctlr) return;
    vgicSetCtlr(vm, v & 3);
    vgicFlush(cpu);
  } else if (kind == Kind.Sgir) vgicSgir(cpu, vm, v);
  else if (kind == Kind.Waker) cpuState(privCpu).sleep = (v & 2) != 0;
}

/**
 * The access of the distributor's word lane (src/stage2/abort.ts dataAbort): a 32-bit load into,
 * or store from, guest register `rt` (31: XZR) of the one-word register whose DIST_WORD entry is
 * `kinds`, by CPU `cpu` of VM `vm`. Here, beside readWord and writeWord, so that they are
 * compiled into it: the lane makes no call but this one.
 */
export function vgicdWordAccess(regs: GuestRegs, rt: u32, write: bool, kinds: u32, cpu: u32, vm: u32): void {
  if (vm >= CPU_COUNT) return;    // none: a CPU without a VM runs no guest
  // Whose private interrupts the distributor shows: none on GICv3 (the redistributors do), the accessor's on GICv2.
  const privCpu: u32 = GIC_VERSION == 3 ? CPU_COUNT : cpu;
  if (write) writeWord(vm, cpu, vgicVms[vm], privCpu, (kinds >> 8) & 0x7f, rt == 31 ? 0 : u32(regs.x[rt & 31] & 0xffffffffn));
  // LDR Wt: the 32 bits, zero-extended; into XZR, nothing.
  else if (rt != 31) regs.x[rt & 31] = readWord(GIC_VERSION, vgicVms[vm], privCpu, kinds & 0xff) & 0xffffffffn;
}

/** Applies a write of `v` to one 32-bit (or, for IROUTER, 64-bit) register. */
function writeRegister(a: VgicdAccess, d: VgicVm, row: u32, rel: u32, v: u64, byteMask: u32): void {
  const bits: u32 = u32(REG_BITS[row]);
  const kind: u32 = u32(REG_WRITE[row]);
  if (bits == 0) {
    writeWord(a.vm, a.cpu, d, a.privCpu, kind, u32(v));
    return;
  }
  if (kind == Kind.Wi) return;
  if (bits == 1) {
    const first: u32 = (rel >> 2) * 32;
    const w: u32 = u32(v & 0xffffffffn);
    const mask: u32 = visibleMask(a, d, first);
    if ((w & ~mask) != 0) denied(d, a.vm);
    if (kind == Kind.Group) {
      writeGroup(a, first >> 5, w, mask);
      return;
    }
    let bitsv: u32 = w & mask;
    if (bitsv == 0) return;
    if (first == 0) {
      writePrivateBits(a, kind, bitsv);
      return;
    }
    if (kind == Kind.SetActive || kind == Kind.ClearActive || kind == Kind.ClearPending) {
      // The state a list register or pending set holds (src/gic/vwrite.ts), physical and virtual SPIs alike.
      const sw: u32 = stateWriteOf(kind);
      vstateWrite(a.vm, a.cpu, a.privCpu, first >> 5, bitsv, sw);
    }
    const virtual: u32 = bitsv & vspiDeclared(a.vm, first >> 5);
    if (virtual != 0) {
      if (kind == Kind.SetEnable || kind == Kind.ClearEnable) vspiSetEnabled(a.vm, first >> 5, virtual, kind == Kind.SetEnable, a.cpu);
      else if (kind == Kind.SetPending || kind == Kind.ClearPending) vspiSetPending(a.vm, first >> 5, virtual, kind == Kind.SetPending, a.cpu);
      // One delivered to this vCPU (vgicRaise kicks only other CPUs) goes to a list register now.
      vgicFlush(a.cpu);
      bitsv = bitsv & ~virtual;
      if (bitsv == 0) return;
    }
    if (kind == Kind.SetEnable) gicWriteBits(GICD_ISENABLER, first >> 5, bitsv);
    else if (kind == Kind.ClearEnable) gicWriteBits(GICD_ICENABLER, first >> 5, bitsv);
    else if (kind == Kind.SetPending) gicWriteBits(GICD_ISPENDR, first >> 5, bitsv);
    else if (kind == Kind.ClearPending) gicWriteBits(GICD_ICPENDR, first >> 5, bitsv);
    if (kind == Kind.SetActive || kind == Kind.ClearActive || kind == Kind.ClearPending) vgicFlush(a.cpu);
    return;
  }
  if (bits == 64) {
    const intid: u32 = rel >> 3;
    if (!visible(a, d, intid)) {
      denied(d, a.vm);
      return;
    }
    // IROUTER: Aff0 names the vCPU; IRM (1 of N) and affinities of no vCPU (Aff1..3 not 0, Aff0 past
    // the VM's vCPUs) mean vCPU 0. Every affinity field is checked: a vCPU is only ever named by
    // Aff0, so an Aff2 or Aff3 the guest sets must not be ignored and alias an Aff0.
    const aff0: u32 = u32(v & 0xffn);
    const other: bool = (v & IROUTER_AFF_1_2_3) != 0n;
    const vcpu: u32 = (v & IROUTER_IRM) != 0n || other || aff0 >= d.vcpus ? 0 : aff0;
    routeSpi(a.vm, d, intid, vcpu);
    return;
  }
  const per: u32 = 32 / bits;
  const first: u32 = (rel >> 2) * per;
  let reprioritised: bool = false;
  for (let k: u32 = 0; k < per; k++) {
    const intid: u32 = first + k;
    // Byte accesses write only their own byte lanes.
    if (((byteMask >> ((k * bits) >> 3)) & 1) == 0) continue;
    const field: u32 = u32(v >> u64(k * bits)) & ((u32(1) << bits) - 1);
    if (!visible(a, d, intid)) {
      if (field != 0) denied(d, a.vm);
      continue;
    }
    switch (kind) {
      case Kind.Priority: {
        const old: u32 = intid < 32 ? u32(privState(a).privPriority[intid & 31]) : u32(d.priority[intid & 1023]);
        if (intid < 32) privState(a).privPriority[intid & 31] = u8(field & PRIORITY_MASK);
        else d.priority[intid & 1023] = u8(field & PRIORITY_MASK);
        if ((field & PRIORITY_MASK) != old) reprioritised = true;
        break;
      }
      case Kind.Targets:
        // GICv2 ITARGETSR: read-only for private interrupts; for an SPI the lowest vCPU named.
        if (intid >= 32) {
          for (let t: u32 = 0; t < 8; t++) {
            if (((field >> t) & 1) != 0 && t < d.vcpus) {
              routeSpi(a.vm, d, intid, t);
              break;
            }
          }
        }
        break;
      case Kind.Config:
        if (intid >= 32) {
          if (!isVirtualSpi(a.vm, intid)) gicWriteConfig(intid, (field & 2) != 0);
        }
        else if (intid >= 16) {
          const c: VgicCpu = privState(a);
          const sh: u32 = (intid & 15) * 2;
          c.privConfig = (c.privConfig & ~(u32(3) << sh)) | ((field & 2) << sh);
        }
        break;
      default:
        break;
    }
  }
  if (reprioritised) refreshVcpus(a, first >> 5);
}

/** GICD_IGROUPR word `w` (GICR_IGROUPR0: word 0) set to `v` within `mask`: the frame's vCPU's, or every vCPU's copy of the VM's (VgicCpu.group). @cold */
function writeGroup(a: VgicdAccess, w: u32, v: u32, mask: u32): void {
  for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
    const c: VgicCpu = vgicCpus[cpu];
    if (c.vm != a.vm || (w == 0 && cpu != a.privCpu)) continue;
    lock(c.lock);
    c.group[w & 31] = (c.group[w & 31] & ~mask) | (v & mask);
    unlock(c.lock);
  }
  refreshVcpus(a, w);
}

/**
 * A group or priority of word `w` changed: each vCPU that may hold one of its interrupts (the
 * frame's for word 0, every vCPU of the VM for an SPI) refreshes its list registers and pending
 * set at its next flush (src/gic/lr.ts refreshLrs): at once here, kicked there. @cold
 */
function refreshVcpus(a: VgicdAccess, w: u32): void {
  for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
    const c: VgicCpu = vgicCpus[cpu];
    if (c.vm != a.vm || (w == 0 && cpu != a.privCpu)) continue;
    lock(c.lock);
    c.refresh = true;
    unlock(c.lock);
    if (cpu == a.cpu) vgicFlush(cpu);
    else gicKick(cpu);
  }
}

function routeSpi(vm: u32, d: VgicVm, intid: u32, vcpu: u32): void {
  if (intid < 32 || intid >= 1020) return;
  d.target[intid] = u8(vcpu);
  const cpu: u32 = cpuOfVcpu(vm, u64(vcpu));
  if (cpu < CPU_COUNT && !isVirtualSpi(vm, intid)) gicRoute(intid, cpu);
}

function stateWriteOf(kind: u32): u32 {
  return kind == Kind.SetActive ? StateWrite.SetActive : kind == Kind.ClearActive ? StateWrite.ClearActive : StateWrite.ClearPending;
}

/**
 * Set/clear-enable, set/clear-pending and set/clear-active of the frame's SGIs and PPIs (virtual;
 * the timer PPIs' enables and pending state also physical). Clear-pending and the active state
 * are the list registers' and the pending set's, changed by their own CPU (src/gic/vwrite.ts).
 */
function writePrivateBits(a: VgicdAccess, kind: u32, bits: u32): void {
  if (a.privCpu >= CPU_COUNT) return;
  const c: VgicCpu = vgicCpus[a.privCpu];
  if (kind == Kind.SetActive || kind == Kind.ClearActive || kind == Kind.ClearPending) {
    const sw: u32 = stateWriteOf(kind);
    vstateWrite(a.vm, a.cpu, a.privCpu, 0, bits, sw);
  }
  lock(c.lock);
  if (kind == Kind.SetEnable) c.privEnabled = c.privEnabled | bits;
  else if (kind == Kind.ClearEnable) c.privEnabled = c.privEnabled & ~bits;
  else if (kind == Kind.SetPending) {
    for (let i: u32 = 0; i < 32; i++) {
      if ((((bits & ~HW_PPIS) >> i) & 1) != 0) markPending(c, i, u32(c.privPriority[i]), false, c.vcpu);
    }
  }
  unlock(c.lock);
  // The vCPU's hardware PPIs (its timers) are enabled and made pending at the physical GIC: a
  // hardware INTID then only ever reaches a list register with the HW bit, once (src/gic/vgic.ts
  // injectDirect), never as a second, software copy beside the physical one.
  const hwBits: u32 = bits & HW_PPIS;
  if (hwBits != 0) {
    for (let i: u32 = 16; i < 32; i++) {
      if (((hwBits >> i) & 1) == 0) continue;
      if (kind == Kind.SetEnable || kind == Kind.ClearEnable) gicSetPrivateEnabled(a.privCpu, i, kind == Kind.SetEnable);
      else if (kind == Kind.SetPending || kind == Kind.ClearPending) gicSetPrivatePending(a.privCpu, i, kind == Kind.SetPending);
    }
  }
  if (a.privCpu == a.cpu) vgicFlush(a.cpu);
  else if (kind == Kind.SetEnable || kind == Kind.SetPending) gicKick(a.privCpu);
}

/**
 * Performs a.bytes at a.offset of a.frame (a.value: the written value, or the result of a read).
 * Unknown registers, and widths a register does not accept, read as zero and ignore writes.
 */
export function vgicdAccess(a: VgicdAccess, write: bool): void {
  if (a.vm >= CPU_COUNT) return;
  const row: u32 = rowOf(a.frame, a.version, a.offset, a.bytes);
  if (row >= REG_OFFSET.length) {
    if (!write) a.value = 0n;
    return;
  }
  const d: VgicVm = vgicVms[a.vm];
  const rel: u32 = a.offset - REG_OFFSET[row];
  const regBytes: u32 = REG_BITS[row] == 64 || (REG_BITS[row] == 0 && REG_LENGTH[row] == 8) ? 8 : 4;
  // The common case, a whole 32-bit register (rowOf checked the alignment): no lanes to place.
  if (a.bytes == 4 && regBytes == 4) {
    if (!write) a.value = readRegister(a, d, row, rel);
    else writeRegister(a, d, row, rel, a.value & 0xffffffffn, 0xf);
    return;
  }
  const regRel: u32 = rel & ~(regBytes - 1);
  const shift: u64 = u64((rel & (regBytes - 1)) * 8);
  const laneMask: u64 = a.bytes == 8 ? 0xffffffffffffffffn : ((1n << u64(a.bytes * 8)) - 1n);
  if (!write) {
    a.value = (readRegister(a, d, row, regRel) >> shift) & laneMask;
    return;
  }
  let v: u64 = (a.value & laneMask) << shift;
  if (a.bytes < regBytes && REG_BITS[row] == 64) {
    // A 32-bit half of IROUTER: merge with the other half.
    const old: u64 = readRegister(a, d, row, regRel);
    v = v | (old & ~(laneMask << shift));
  }
  const byteMask: u32 = a.bytes >= 8 ? 0xff : ((u32(1) << a.bytes) - 1) << (rel & (regBytes - 1));
  writeRegister(a, d, row, regRel, v, byteMask);
}

const accesses = pool(CPU_COUNT, VgicdAccess);

/** Whether `ipa` is the VM's distributor or one of its vCPUs' redistributor frames. */
export function vgicClaims(vm: u32, ipa: u64): bool {
  if (ipa >= GICD_BASE && ipa < GICD_BASE + GICD_SIZE) return true;
  return GIC_VERSION == 3 && vm < CPU_COUNT && ipa >= GICR_BASE && ipa < GICR_BASE + u64(vgicVms[vm].vcpus) * GICR_FRAME;
}

/** A guest read of `bytes` at `ipa`, which vgicClaims() accepted; returns the value. */
export function vgicRead(vm: u32, cpu: u32, ipa: u64, bytes: u32): u64 {
  return vgicAccessAt(vm, cpu, ipa, bytes, false, 0n);
}

/** A guest write of `value` (`bytes` wide) at `ipa`, which vgicClaims() accepted. */
export function vgicWrite(vm: u32, cpu: u32, ipa: u64, bytes: u32, value: u64): void {
  vgicAccessAt(vm, cpu, ipa, bytes, true, value);
}

/** Any access of vgicRead and vgicWrite through vgicdAccess and this CPU's record: returns what a read gives (0 for a write). */
export function vgicAccessAt(vm: u32, cpu: u32, ipa: u64, bytes: u32, write: bool, value: u64): u64 {
  const a: VgicdAccess = prepare(vm, cpu, ipa, bytes);
  a.value = write ? value : 0n;
  vgicdAccess(a, write);
  return write ? 0n : a.value;
}

/** The access as the register table sees it: frame, offset, and whose private interrupts the frame shows. */
function prepare(vm: u32, cpu: u32, ipa: u64, bytes: u32): VgicdAccess {
  const a: VgicdAccess = accesses[cpu < CPU_COUNT ? cpu : 0];
  a.vm = vm;
  a.cpu = cpu;
  a.bytes = bytes;
  a.version = GIC_VERSION;
  if (ipa >= GICD_BASE && ipa < GICD_BASE + GICD_SIZE) {
    a.frame = Frame.Dist;
    a.offset = u32(ipa - GICD_BASE);
    a.privCpu = GIC_VERSION == 3 ? CPU_COUNT : cpu;
  } else {
    const vcpu: u64 = (ipa - GICR_BASE) / GICR_FRAME;
    const inFrame: u32 = u32((ipa - GICR_BASE) % GICR_FRAME);
    a.frame = inFrame >= 0x10000 ? Frame.Sgi : Frame.Rd;
    a.offset = inFrame & 0xffff;
    a.privCpu = cpuOfVcpu(vm, vcpu);
  }
  return a;
}
