// The guest's writes of interrupt state: GICD_ISACTIVER / ICACTIVER and ICPENDR (GICR_ISACTIVER0,
// ICACTIVER0, ICPENDR0 on GICv3) for its SGIs, PPIs and SPIs — the counterpart of vstate.ts, which
// reads that state. An interrupt's state lives in a list register of the CPU it is delivered to, in
// that vCPU's pending set, and for a hardware interrupt (the vCPU's timer PPIs, the VM's SPIs) in
// the physical GIC, whose activation the hypervisor took when it acknowledged the interrupt.
//
// The invariant every path keeps (src/gic/vgic.ts, lr.ts and this file):
//   a hardware interrupt active at the physical GIC is held by exactly one list register of its
//   vCPU (HW-linked on GICv3, EOI-maintained on GICv2) or its pending set with the HW flag — or it
//   has been deactivated.
// The guest's deactivation of that register deactivates it (ICH_LR.HW; GICv2: the EOI maintenance),
// vgicResetCpu deactivates what a parking vCPU holds. So here: a write that takes a hardware
// interrupt out of a register or the set deactivates the physical one; one that makes it active
// where nothing holds it activates the physical one and gives it a register. Without that, a timer
// whose virtual state was cleared stays active at its redistributor and never fires again (the
// bare-metal guest's ICPENDR0 check, guests/baremetal/conform.c). KVM does the same for mapped
// interrupts (vgic-mmio.c vgic_mmio_change_active, vgic_irq_set_phys_active), with the vCPUs
// stopped while it edits their list registers.
//
// Only a CPU can reach its own list registers, and a statically partitioned vCPU is not stopped:
// the write is posted to the vCPU that may hold the interrupt (VgicCpu.setActive, clearActive,
// unpend) and applied by its own CPU at its next flush — at once for the writer's own vCPU, after
// a kick for another's (a GICv3 guest writing another vCPU's redistributor, an SPI held elsewhere).
// A later pend cancels an earlier clear-pending not yet applied (markPending).
import { CPU_COUNT, GIC_VERSION } from "@board";
import { lock, unlock } from "../el2/lock.ts";
import { cpuOfVcpu } from "../el2/placement.ts";
import { HW_PPIS, GICD_ISACTIVER, GICD_ICACTIVER, gicKick, gicWriteBits, gicWritePrivateBits } from "./gic.ts";
import { VgicCpu, VgicVm, vgicCpus, vgicVms, isGroup1, isPending, clearPending, markPending } from "./vgic-state.ts";
import { LR_INVALID, LR_PENDING, LR_ACTIVE, lrEncode, lrIntid, lrState, lrPriority, lrHw, lrPhysical, lrWithState, lrAwaitsMaintenance } from "./lr.ts";

/** Which write: GICD_ISACTIVER, ICACTIVER, ICPENDR. */
export const enum StateWrite { SetActive = 1, ClearActive = 2, ClearPending = 3 }

/** The physical GIC's active state to change after an apply: one bit per INTID, by word. */
export class PhysicalActive {
  deactivate = new Uint32Array(32);
  activate = new Uint32Array(32);
}

/** The INTIDs of word `w` that are hardware interrupts of vCPU `c`: its timer PPIs, its VM's own SPIs. @cold */
function hardwareBits(c: VgicCpu, w: u32): u32 {
  return w == 0 ? HW_PPIS : vgicVms[c.vm < CPU_COUNT ? c.vm : 0].owned[w & 31];
}

/** The register of c.lr holding `intid` (valid, or a GICv2 one awaiting its EOI maintenance), or 16. @cold */
function heldIn(c: VgicCpu, version: u32, intid: u32): u32 {
  for (let i: u32 = 0; i < 16 && i < c.lrCount; i++) {
    const v: u64 = c.lr[i];
    if (lrIntid(version, v) != intid) continue;
    if (lrState(version, v) != LR_INVALID || lrAwaitsMaintenance(version, v)) return i;
  }
  return 16;
}

/**
 * A register for an interrupt to be made active: an empty one, else one holding a lower-priority
 * (or equal) interrupt that is only pending, which goes back to the pending set (as fillLrs evicts).
 * 16: every register holds an active interrupt.
 * @cold
 */
function freeRegister(c: VgicCpu, version: u32): u32 {
  let victim: u32 = 16;
  let victimPriority: u32 = 0;
  for (let i: u32 = 0; i < 16 && i < c.lrCount; i++) {
    const v: u64 = c.lr[i];
    const st: u32 = lrState(version, v);
    if (st == LR_INVALID && !lrAwaitsMaintenance(version, v)) return i;
    if (st == LR_PENDING && lrPriority(version, v) >= victimPriority) {
      victim = i;
      victimPriority = lrPriority(version, v);
    }
  }
  if (victim < 16) {
    const old: u64 = c.lr[victim];
    const source: u32 = version == 2 ? u32(old >> 10n) & 7 : 0;
    const oldIntid: u32 = lrIntid(version, old);
    const oldPriority: u32 = lrPriority(version, old);
    const oldHw: bool = lrHw(version, old);
    markPending(c, oldIntid, oldPriority, oldHw, source);
    c.lr[victim] = 0n;
  }
  return victim;
}

/** Register `i` with its state `state`: emptied when nothing is left of it. @cold */
function setState(c: VgicCpu, version: u32, i: u32, state: u32): void {
  c.lr[i & 15] = state == LR_INVALID ? 0n : lrWithState(version, c.lr[i & 15], state);
}

/** ICPENDR: out of the pending set and out of a register where it is only pending. @cold */
function applyUnpend(c: VgicCpu, version: u32, intid: u32, phys: PhysicalActive): u32 {
  const w: u32 = (intid >> 5) & 31;
  const bit: u32 = u32(1) << (intid & 31);
  if (isPending(c, intid)) {
    if ((c.hw[w] & bit) != 0) phys.deactivate[w] = phys.deactivate[w] | bit;
    clearPending(c, intid);
  }
  const i: u32 = heldIn(c, version, intid);
  if (i >= 16) return 0;
  const v: u64 = c.lr[i];
  const st: u32 = lrState(version, v);
  if ((st & LR_PENDING) == 0) return 0;
  if (lrHw(version, v) && st == LR_PENDING) phys.deactivate[w] = phys.deactivate[w] | bit;
  setState(c, version, i, st & ~LR_PENDING);
  return u32(1) << i;
}

/** ICACTIVER: the register's active state cleared; a hardware interrupt's deactivated. @cold */
function applyClearActive(c: VgicCpu, version: u32, intid: u32, phys: PhysicalActive): u32 {
  const w: u32 = (intid >> 5) & 31;
  const bit: u32 = u32(1) << (intid & 31);
  const i: u32 = heldIn(c, version, intid);
  if (i >= 16) {
    // A private hardware interrupt nothing holds is not active for the guest: were it active at
    // the physical GIC, nothing would ever deactivate it.
    if (w == 0 && (hardwareBits(c, 0) & bit) != 0 && !isPending(c, intid)) phys.deactivate[0] = phys.deactivate[0] | bit;
    return 0;
  }
  const v: u64 = c.lr[i];
  const st: u32 = lrState(version, v);
  if ((st & LR_ACTIVE) == 0) return 0;
  if (lrHw(version, v)) {
    const p: u32 = lrPhysical(version, v);
    phys.deactivate[(p >> 5) & 31] = phys.deactivate[(p >> 5) & 31] | (u32(1) << (p & 31));
    c.lr[i & 15] = 0n;
  } else {
    setState(c, version, i, st & ~LR_ACTIVE);
  }
  return u32(1) << i;
}

/**
 * ISACTIVER: the register's state made active (a hardware one's pending state is the physical
 * GIC's, so it is active only; a software one stays pending too). One in the pending set, or
 * nowhere, takes a register; a hardware one nowhere is activated at the physical GIC, so that the
 * guest's deactivation of the register has an activation to end. With every register holding an
 * active interrupt, nothing changes (the guest has lrCount interrupts active already).
 * @cold
 */
function applySetActive(c: VgicCpu, version: u32, intid: u32, phys: PhysicalActive): u32 {
  const w: u32 = (intid >> 5) & 31;
  const bit: u32 = u32(1) << (intid & 31);
  const held: u32 = heldIn(c, version, intid);
  if (held < 16) {
    const v: u64 = c.lr[held];
    const st: u32 = lrState(version, v);
    if ((st & LR_ACTIVE) != 0) return 0;
    setState(c, version, held, lrHw(version, v) ? LR_ACTIVE : st | LR_ACTIVE);
    return u32(1) << held;
  }
  const hw: bool = (hardwareBits(c, w) & bit) != 0;
  const i: u32 = freeRegister(c, version);
  if (i >= 16) return 0;
  let state: u32 = LR_ACTIVE;
  let priority: u32 = intid < 32 ? u32(c.privPriority[intid & 31]) : u32(vgicVms[c.vm < CPU_COUNT ? c.vm : 0].priority[intid & 1023]);
  if (isPending(c, intid)) {
    // Its activation (if hardware) moves from the pending set to the register.
    priority = u32(c.pendPriority[intid & 1023]);
    if (!hw) state = LR_ACTIVE | LR_PENDING;
    clearPending(c, intid);
  } else if (hw) {
    phys.activate[w] = phys.activate[w] | bit;
  }
  const source: u32 = intid < 16 ? u32(c.sgiSource[intid & 15]) : 0;
  c.lr[i & 15] = lrWithState(version, lrEncode(version, intid, priority, hw, source, isGroup1(c, intid)), state);
  return u32(1) << i;
}

/**
 * Pure but for `phys`: applies the writes posted to `c` (its lock held, c.lr its current list
 * registers) to c.lr and its pending set, and clears them. Returns the mask of registers changed;
 * `phys` says what the caller must deactivate and activate at the physical GIC, in that order.
 * @cold
 */
export function applyStateWrites(c: VgicCpu, version: u32, phys: PhysicalActive): u32 {
  let changed: u32 = 0;
  let words: u32 = c.requestWords;
  c.requestWords = 0;
  while (words != 0) {
    const w: u32 = ctz32(words);
    words = words & (words - 1);
    const unpend: u32 = c.unpend[w & 31];
    const clear: u32 = c.clearActive[w & 31];
    const set: u32 = c.setActive[w & 31];
    c.unpend[w & 31] = 0;
    c.clearActive[w & 31] = 0;
    c.setActive[w & 31] = 0;
    let all: u32 = unpend | clear | set;
    while (all != 0) {
      const b: u32 = ctz32(all);
      all = all & (all - 1);
      const intid: u32 = w * 32 + b;
      if (((unpend >> b) & 1) != 0) changed = changed | applyUnpend(c, version, intid, phys);
      if (((clear >> b) & 1) != 0) changed = changed | applyClearActive(c, version, intid, phys);
      if (((set >> b) & 1) != 0) changed = changed | applySetActive(c, version, intid, phys);
    }
  }
  return changed;
}

const physicals = pool(CPU_COUNT, PhysicalActive);

/**
 * The writes posted to the vCPU of this CPU `cpu`, applied (from vgicFlush, its lock held, c.lr
 * read): the registers changed are returned for the caller to write, the physical GIC is changed
 * here. Deactivations first: an activation that moved ends no new one.
 * @cold
 */
export function vwriteApply(cpu: u32, c: VgicCpu): u32 {
  const phys: PhysicalActive = physicals[cpu < CPU_COUNT ? cpu : 0];
  const changed: u32 = applyStateWrites(c, GIC_VERSION, phys);
  for (let w: u32 = 0; w < 32; w++) {
    const off: u32 = phys.deactivate[w];
    const on: u32 = phys.activate[w];
    phys.deactivate[w] = 0;
    phys.activate[w] = 0;
    if (w == 0) {
      gicWritePrivateBits(cpu, GICD_ICACTIVER, off);
      gicWritePrivateBits(cpu, GICD_ISACTIVER, on);
    } else {
      gicWriteBits(GICD_ICACTIVER, w, off);
      gicWriteBits(GICD_ISACTIVER, w, on);
    }
  }
  return changed;
}

/** Posts `kind` of `bits` of word `w` to the vCPU of CPU `cpu`; kicks it unless it is `self` (whose caller flushes). @cold */
function post(cpu: u32, self: u32, w: u32, bits: u32, kind: u32): void {
  if (cpu >= CPU_COUNT || bits == 0) return;
  const c: VgicCpu = vgicCpus[cpu];
  lock(c.lock);
  if (kind == StateWrite.SetActive) {
    c.setActive[w & 31] = c.setActive[w & 31] | bits;
    c.clearActive[w & 31] = c.clearActive[w & 31] & ~bits;
  } else if (kind == StateWrite.ClearActive) {
    c.clearActive[w & 31] = c.clearActive[w & 31] | bits;
    c.setActive[w & 31] = c.setActive[w & 31] & ~bits;
  } else {
    c.unpend[w & 31] = c.unpend[w & 31] | bits;
  }
  c.requestWords = c.requestWords | (u32(1) << (w & 31));
  unlock(c.lock);
  if (cpu != self) gicKick(cpu);
}

/**
 * A guest's write of `kind` to `bits` of word `w` (already limited to the VM's own interrupts),
 * by the vCPU of CPU `self` of VM `vm`; word 0: the SGIs and PPIs of the vCPU of CPU `privCpu`.
 * Private interrupts go to their vCPU; an SPI's clear to every vCPU of the VM (a register of any
 * may hold it: it was routed elsewhere before), its set-active to the vCPU it targets. The caller
 * flushes `self` afterwards.
 * @cold
 */
export function vstateWrite(vm: u32, self: u32, privCpu: u32, w: u32, bits: u32, kind: u32): void {
  if (vm >= CPU_COUNT || bits == 0) return;
  if (w == 0) {
    post(privCpu, self, 0, bits, kind);
    return;
  }
  if (kind != StateWrite.SetActive) {
    for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
      if (vgicCpus[cpu].vm == vm) post(cpu, self, w, bits, kind);
    }
    return;
  }
  const d: VgicVm = vgicVms[vm];
  let rest: u32 = bits;
  while (rest != 0) {
    const b: u32 = ctz32(rest);
    rest = rest & (rest - 1);
    const intid: u32 = (w & 31) * 32 + b;
    post(cpuOfVcpu(vm, u64(d.target[intid & 1023])), self, w, u32(1) << b, kind);
  }
}
