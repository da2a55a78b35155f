// The virtual GIC's interrupt state and delivery: per vCPU a set of pending INTIDs (a bitmap, with
// a priority for each), moved into the CPU's list registers in priority order; physical interrupts
// a vCPU owns (its timer PPIs, its VM's SPIs) are injected with the HW bit; SGIs between vCPUs of
// one VM are decoded here and delivered through the target's pending set and a kick SGI.
//
// Each physical CPU runs exactly one vCPU, so "the vCPU of CPU p" and "CPU p's list registers" are
// the same thing: VgicCpu is indexed by physical CPU. Another CPU may add to a vCPU's pending set
// (an SGI, a write to its redistributor), so the set is changed only under its lock; the list
// registers are only ever touched by their own CPU.
//
// The pure parts (pending set, list-register fill, SGI target decoding) take the state objects and
// a GIC version as arguments and touch no hardware: tests/vgic.test.ts runs them on the host.
import { CPU_COUNT, GIC_VERSION, UART_INTID } from "@board";
import { CPU_VM, CPU_VCPU, NO_VM, VM_COUNT, VM_VCPUS, VM_UART, IRQ_FIRST, IRQ_INTID } from "@config";
import { SpinLock, lock, unlock } from "../el2/lock.ts";
import { lineEnd, put, putDec, putHex, vmLineBegin } from "../el2/console.ts";
import { cpuOfVcpu } from "../el2/placement.ts";
import { vgicdInit } from "./vgicd.ts";
import {
  KICK_SGI, MAINTENANCE_PPI, HYP_TIMER_PPI, HW_PPIS, isSpi, gicAcknowledge, gicIntid, gicPriorityDrop, gicDeactivate, gicKick,
  gicLrCount, gicReadLr, gicWriteLr, gicSetUnderflow, gicDistributorOff, gicDistributorOn, gicSetupSpi, gicInitCpu,
  gicEmptyLrs, gicEoiedLrs, gicSetPrivateEnabled, gicWritePrivateBits, gicResetVirtualCpu, gicWriteBits, gicRoute, GICD_ICENABLER, GICD_ICPENDR, GICD_ICACTIVER,
  VTIMER_PPI, PTIMER_PPI,
} from "./gic.ts";

export const SPURIOUS: u32 = 1023;
/**
 * Every interrupt's group out of reset, as KVM has it: Group 1 on GICv3 (whose guests, Linux
 * among them, use Group 1 alone), Group 0 on GICv2 (signalled as IRQ while GICV_CTLR.FIQEn is clear).
 */
export const GROUP_RESET: u32 = GIC_VERSION == 3 ? 0xffffffff : 0;
/** Interrupt priorities as list registers hold them: GICv2 keeps 5 bits, so the virtual GIC implements 5 on both. */
export const PRIORITY_MASK: u32 = 0xf8;

/** A VM's virtual distributor. */
export class VgicVm {
  /** SPIs the VM owns: bit i%32 of word i/32 (from the config's IRQ_INTID rows). */
  owned = new Uint32Array(32);
  /** The guest's priority of each SPI (virtual only: the physical priority is the hypervisor's). */
  priority = new Uint8Array(1024);
  /** The vCPU each owned SPI targets (GICv2 ITARGETSR / GICv3 IROUTER); the physical route follows. */
  target = new Uint8Array(1024);
  /** GICD_CTLR as the guest wrote it (EnableGrp0/EnableGrp1). */
  ctlr: u32 = 0;
  /** The largest INTID the VM owns (31 if none): sizes GICD_TYPER.ITLinesNumber. */
  maxIntid: u32 = 31;
  vcpus: u32 = 0;
  /** Accesses to interrupts the VM does not own (ignored), and SGIs aimed outside the VM (dropped). */
  deniedAccesses: u32 = 0;
  deniedSgis: u32 = 0;
  deniedLogged: bool = false;
  sgiLogged: bool = false;
  unknownIrqLogged: bool = false;
}

/** A vCPU's interrupt state (see the module comment for who touches what). */
export class VgicCpu {
  lock = new SpinLock();
  vm: u32 = 0;
  vcpu: u32 = 0;
  /** INTIDs waiting for a list register. */
  pending = new Uint32Array(32);
  /** Bit w set exactly when pending[w] is not 0 (markPending, clearPending and vgicResetCpu keep it): the search visits only those words. */
  pendingWords: u32 = 0;
  /** Of those, the ones that are a physical interrupt (HW bit: the guest's deactivation deactivates it). */
  hw = new Uint32Array(32);
  pendingCount: u32 = 0;
  /** Priority each pending INTID is injected with. */
  pendPriority = new Uint8Array(1024);
  /** Source vCPU of each pending SGI (GICv2 list registers carry it). */
  sgiSource = new Uint8Array(16);
  /** The guest's view of its private interrupts (SGIs, PPIs): enable bits, priorities, PPI config (ICFGR1). */
  privEnabled: u32 = 0;
  privPriority = new Uint8Array(32);
  privConfig: u32 = 0;
  /**
   * The interrupt groups as the guest set them (GICD_IGROUPR, GICR_IGROUPR0; 1: Group 1): word 0
   * this vCPU's SGIs and PPIs, words 1-31 its VM's SPIs — every vCPU of the VM holds the same
   * copy of those (src/gic/vgicd.ts writes them all), so that a list-register fill needs only its vCPU.
   */
  group = new Uint32Array(32);
  /** GICR_WAKER.ProcessorSleep as the guest wrote it (GICv3). */
  sleep: bool = true;
  /** The list registers as read before a fill and as the fill leaves them; lrCount of them exist. */
  lr = new BigUint64Array(16);
  lrCount: u32 = 4;
  underflow: bool = false;
}

export const vgicVms = pool(CPU_COUNT, VgicVm);
export const vgicCpus = pool(CPU_COUNT, VgicCpu);

// ---- the pending set (pure) ----

export function isOwned(d: VgicVm, intid: u32): bool {
  return isSpi(intid) && ((d.owned[(intid >> 5) & 31] >> (intid & 31)) & 1) != 0;
}

/** Whether the guest put `intid` in Group 1 (for the vCPU `c`). */
export function isGroup1(c: VgicCpu, intid: u32): bool {
  return intid < 1024 && ((c.group[(intid >> 5) & 31] >> (intid & 31)) & 1) != 0;
}

export function isPending(c: VgicCpu, intid: u32): bool {
  return intid < 1024 && ((c.pending[(intid >> 5) & 31] >> (intid & 31)) & 1) != 0;
}

/** Adds `intid` to the pending set with `priority`; `hw`: a physical interrupt of the same INTID backs it. */
export function markPending(c: VgicCpu, intid: u32, priority: u32, hw: bool, source: u32): void {
  if (intid >= 1020) return;
  const w: u32 = (intid >> 5) & 31;
  const bit: u32 = u32(1) << (intid & 31);
  if ((c.pending[w] & bit) == 0) c.pendingCount++;
  c.pending[w] = c.pending[w] | bit;
  c.pendingWords = c.pendingWords | (u32(1) << w);
  c.hw[w] = hw ? c.hw[w] | bit : c.hw[w] & ~bit;
  c.pendPriority[intid & 1023] = u8(priority & PRIORITY_MASK);
  if (intid < 16) c.sgiSource[intid & 15] = u8(source & 7);
}

export function clearPending(c: VgicCpu, intid: u32): void {
  if (intid >= 1024) return;
  const w: u32 = (intid >> 5) & 31;
  const bit: u32 = u32(1) << (intid & 31);
  if ((c.pending[w] & bit) != 0) c.pendingCount--;
  c.pending[w] = c.pending[w] & ~bit;
  c.hw[w] = c.hw[w] & ~bit;
  if (c.pending[w] == 0) c.pendingWords = c.pendingWords & ~(u32(1) << w);
}

/**
 * The deliverable pending INTID of highest priority (lowest value; ties: lowest INTID), or SPURIOUS.
 * Private INTIDs (word 0) are deliverable with the guest's enable bit; SPIs are enabled physically.
 * Visits only the set bits of the non-empty words (ctz32): its cost grows with what is pending.
 */
export function highestPending(c: VgicCpu): u32 {
  let best: u32 = SPURIOUS;
  let bestPriority: u32 = 0x100;
  let words: u32 = c.pendingWords;
  while (words != 0) {
    const w: u32 = ctz32(words);
    words = words & (words - 1);
    let bits: u32 = w == 0 ? c.pending[0] & c.privEnabled : c.pending[w & 31];
    while (bits != 0) {
      const intid: u32 = w * 32 + ctz32(bits);
      bits = bits & (bits - 1);
      const p: u32 = u32(c.pendPriority[intid & 1023]);
      if (p < bestPriority) {
        best = intid;
        bestPriority = p;
      }
    }
  }
  return best;
}

// ---- list registers (pure) ----
// GICv3 ICH_LR<n>_EL2: vINTID [31:0], pINTID [44:32], Priority [55:48], Group [60], HW [61], State [63:62].
//                      A Group 0 interrupt is signalled as a virtual FIQ, and only while the guest's
//                      ICC_IGRPEN0_EL1 (ICH_VMCR_EL2.VENG0) is set (IHI 0069 4.8).
// GICv2 GICH_LR<n>:    VirtualID [9:0], PhysicalID [19:10] (HW) or CPUID [12:10] (SGI source) and EOI [19] (no HW),
//                      Priority [27:23] (5 bits), State [29:28], Grp1 [30], HW [31].
//                      State: 0 invalid, 1 pending, 2 active, 3 pending and active. A Group 0
//                      interrupt is a virtual FIQ only while the guest's GICV_CTLR.FIQEn is set,
//                      else an IRQ (IHI 0048 5.3.1).
//
// On GICv2 a hardware interrupt is not linked with the HW bit but injected with EOI [19]: the
// guest's EOI raises the maintenance interrupt, and the hypervisor deactivates the physical one
// (vgicEoiMaintenance). The HW bit would spare that exit, and does on a GIC-400; but QEMU's GICv2
// model (arm_gic.c, gic_clear_active) re-evaluates only the virtual interface after a virtual EOI
// deactivates a hardware interrupt, so a level interrupt still asserted then — a timer the guest
// re-armed in the past — stays pending and unsignalled until some other GIC access, for ever if
// none comes. A GICC_DIR write at EL2 is re-evaluated. (GICv3 links with the HW bit.)

export const LR_INVALID: u32 = 0;
export const LR_PENDING: u32 = 1;
export const LR_ACTIVE: u32 = 2;

/** A pending interrupt as a list register holds it; `group1`: the guest's group of it (GICD_IGROUPR). */
export function lrEncode(version: u32, intid: u32, priority: u32, hw: bool, source: u32, group1: bool): u64 {
  if (version == 3) {
    let v: u64 = u64(intid) | (u64(priority & 0xff) << 48n) | (u64(LR_PENDING) << 62n);
    if (group1) v = v | (1n << 60n);
    if (hw) v = v | (u64(intid & 0x1fff) << 32n) | (1n << 61n);
    return v;
  }
  let w: u32 = (intid & 0x3ff) | (((priority >> 3) & 0x1f) << 23) | (LR_PENDING << 28);
  if (group1) w = w | (u32(1) << 30);
  return u64(hw ? w | GICH_LR_EOI : w | ((source & 7) << 10));
}

export function lrIntid(version: u32, v: u64): u32 {
  return version == 3 ? u32(v & 0xffffffffn) : u32(v & 0x3ffn);
}

export function lrState(version: u32, v: u64): u32 {
  return version == 3 ? u32(v >> 62n) & 3 : u32(v >> 28n) & 3;
}

export function lrPriority(version: u32, v: u64): u32 {
  return version == 3 ? u32(v >> 48n) & 0xff : (u32(v >> 23n) & 0x1f) << 3;
}

/** GICH_LR.EOI (GICv2, HW clear): the guest's EOI of this register raises the maintenance interrupt. */
const GICH_LR_EOI: u32 = 1 << 19;

/** Whether the register holds a physical interrupt: HW-linked (GICv3), or EOI-maintained (GICv2). */
export function lrHw(version: u32, v: u64): bool {
  return version == 3 ? ((v >> 61n) & 1n) != 0n : ((v >> 31n) & 1n) != 0n || (u32(v & 0xffffffffn) & GICH_LR_EOI) != 0;
}

/** The physical INTID behind a register lrHw() holds: its pINTID, or (GICv2, EOI) its own INTID. */
export function lrPhysical(version: u32, v: u64): u32 {
  if (version == 3) return u32(v >> 32n) & 0x1fff;
  return ((v >> 31n) & 1n) != 0n ? u32(v >> 10n) & 0x3ff : u32(v & 0x3ffn);
}

/**
 * Whether a register is in use although its state is invalid: a GICv2 EOI-maintained one the guest
 * has completed, whose physical interrupt is still active until vgicEoiMaintenance deactivates it.
 */
export function lrAwaitsMaintenance(version: u32, v: u64): bool {
  return version == 2 && lrState(version, v) == LR_INVALID && lrHw(version, v);
}

function lrWithState(version: u32, v: u64, state: u32): u64 {
  return version == 3 ? (v & ~(3n << 62n)) | (u64(state) << 62n) : (v & ~(3n << 28n)) | (u64(state) << 28n);
}

/** Set in fillLrs' result: a deliverable interrupt is still waiting for a list register. */
export const FILL_BLOCKED: u32 = 1 << 16;

/**
 * Moves pending interrupts into c.lr (the current list registers; c.lrCount of them), highest
 * priority first: into an empty register, or by evicting a lower-priority interrupt that is only
 * pending (it goes back to the pending set). An INTID already in a register is not given a second
 * one (that is UNPREDICTABLE): an active SGI becomes active and pending, a pending one stays as is.
 * Nothing is delivered while the guest's distributor is disabled (`enabled` false).
 * Returns the mask of registers changed, | FILL_BLOCKED when deliverable interrupts remain.
 */
export function fillLrs(c: VgicCpu, version: u32, enabled: bool): u32 {
  let changed: u32 = 0;
  if (c.pendingCount == 0 || !enabled) return 0;
  const n: u32 = c.lrCount > 16 ? 16 : c.lrCount;
  // The registers in use (valid, or awaiting a GICv2 EOI maintenance), found once: a round looks
  // only at those, and places into the lowest free one.
  let used: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const v: u64 = c.lr[i];
    if (lrState(version, v) != LR_INVALID || lrAwaitsMaintenance(version, v)) used = used | (u32(1) << i);
  }
  // Each round places one interrupt or stops; eviction only ever lowers the priority values held,
  // so the loop ends; the bound is a second guarantee.
  for (let round: u32 = 0; round < 64; round++) {
    const intid: u32 = highestPending(c);
    if (intid == SPURIOUS) return changed;
    const priority: u32 = u32(c.pendPriority[intid & 1023]);
    const hw: bool = ((c.hw[(intid >> 5) & 31] >> (intid & 31)) & 1) != 0;
    const free: u32 = ~used & ((u32(1) << n) - 1);
    let same: u32 = 16;
    let victim: u32 = 16;
    let victimPriority: u32 = priority;
    let scan: u32 = used;
    while (scan != 0) {
      const i: u32 = ctz32(scan);
      scan = scan & (scan - 1);
      const v: u64 = c.lr[i & 15];
      const st: u32 = lrState(version, v);
      if (st == LR_INVALID) continue;
      if (lrIntid(version, v) == intid) same = i;
      else if (st == LR_PENDING && lrPriority(version, v) > victimPriority) {
        victim = i;
        victimPriority = lrPriority(version, v);
      }
    }
    if (same < 16) {
      const v: u64 = c.lr[same];
      if (lrState(version, v) == LR_ACTIVE && !lrHw(version, v)) {
        c.lr[same] = lrWithState(version, v, 3);
        changed = changed | (u32(1) << same);
      }
      clearPending(c, intid);
      continue;
    }
    let slot: u32 = free != 0 ? ctz32(free) : 16;
    if (slot == 16 && victim < 16) {
      const old: u64 = c.lr[victim];
      const oldIntid: u32 = lrIntid(version, old);
      const source: u32 = version == 2 ? u32(old >> 10n) & 7 : 0;
      const oldPriority: u32 = lrPriority(version, old);
      const oldHw: bool = lrHw(version, old);
      markPending(c, oldIntid, oldPriority, oldHw, source);
      slot = victim;
    }
    if (slot == 16) return changed | FILL_BLOCKED;
    const src: u32 = intid < 16 ? u32(c.sgiSource[intid & 15]) : 0;
    c.lr[slot & 15] = lrEncode(version, intid, priority, hw, src, isGroup1(c, intid));
    changed = changed | (u32(1) << slot);
    used = used | (u32(1) << slot);
    clearPending(c, intid);
  }
  return changed | (c.pendingCount != 0 ? FILL_BLOCKED : 0);
}

// ---- SGI target decoding (pure) ----

/** A decoded SGI request: its INTID, the target vCPUs (bit i: vCPU i of the VM), whether some targets were outside the VM. */
export class SgiRequest {
  intid: u32 = 0;
  targets: u32 = 0;
  outside: bool = false;
}

/**
 * ICC_SGI1R_EL1 (also ICC_ASGI1R/ICC_SGI0R): INTID [27:24], TargetList [15:0], Aff1 [23:16],
 * Aff2 [39:32], IRM [40], RS [47:44], Aff3 [55:48]. vCPU i of a VM has virtual MPIDR Aff0 = i,
 * Aff1..3 = 0, so a target is a vCPU of the sender's VM or nothing.
 */
export function decodeSgi1r(value: u64, self: u32, vcpus: u32, out: SgiRequest): void {
  out.intid = u32(value >> 24n) & 15;
  out.targets = 0;
  out.outside = false;
  const all: u32 = vcpus >= 32 ? 0xffffffff : (u32(1) << vcpus) - 1;
  if (((value >> 40n) & 1n) != 0n) {
    out.targets = all & ~(u32(1) << (self & 31));
    return;
  }
  const list: u32 = u32(value & 0xffffn);
  if (list == 0) return;
  const upperAff: u64 = (value >> 16n) & 0xffn | ((value >> 32n) & 0xffn) | ((value >> 48n) & 0xffn);
  const rs: u32 = u32(value >> 44n) & 15;
  if (upperAff != 0n || rs != 0) {
    out.outside = true;      // Aff0 16..255 or another cluster: no vCPU of this VM is there
    return;
  }
  out.targets = list & all;
  out.outside = (list & ~all) != 0;
}

/** GICD_SGIR (GICv2): SGIINTID [3:0], CPUTargetList [23:16], TargetListFilter [25:24] (0 list, 1 all but self, 2 self). */
export function decodeSgir(value: u32, self: u32, vcpus: u32, out: SgiRequest): void {
  out.intid = value & 15;
  out.targets = 0;
  out.outside = false;
  const all: u32 = vcpus >= 8 ? 0xff : (u32(1) << vcpus) - 1;
  const filter: u32 = (value >> 24) & 3;
  if (filter == 0) {
    const list: u32 = (value >> 16) & 0xff;
    out.targets = list & all;
    out.outside = (list & ~all) != 0;
  } else if (filter == 1) {
    out.targets = all & ~(u32(1) << (self & 31));
  } else if (filter == 2) {
    out.targets = u32(1) << (self & 31);
  }
}

// ---- the hardware side ----

/** Boot CPU: each VM's virtual distributor from the config, its SPIs routed to its vCPU 0's CPU. */
export function vgicInit(): void {
  vgicdInit();
  gicDistributorOff();
  for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
    const c: VgicCpu = vgicCpus[cpu];
    c.vm = u32(CPU_VM[cpu]);
    c.vcpu = u32(CPU_VCPU[cpu]);
    for (let w: u32 = 0; w < 32; w++) c.group[w] = GROUP_RESET;
  }
  for (let vm: u32 = 0; vm < VM_COUNT; vm++) {
    if (vm >= CPU_COUNT) break;
    const d: VgicVm = vgicVms[vm];
    d.vcpus = u32(VM_VCPUS[vm]);
    const cpu0: u32 = cpuOfVcpu(vm, 0n);
    for (let r: u32 = u32(IRQ_FIRST[vm]); r < u32(IRQ_FIRST[vm + 1]); r++) {
      const intid: u32 = u32(IRQ_INTID[r]);
      if (!isSpi(intid) || (intid == UART_INTID && VM_UART[vm] != 0n) || cpu0 >= CPU_COUNT) continue;
      d.owned[intid >> 5] = d.owned[intid >> 5] | (u32(1) << (intid & 31));
      d.target[intid] = 0;
      if (intid > d.maxIntid) d.maxIntid = intid;
      gicSetupSpi(intid, cpu0);
    }
  }
  gicDistributorOn();
}

/** Every CPU, before its vCPU first runs. */
export function vgicInitCpu(cpu: u32): void {
  gicInitCpu(cpu);
  if (cpu < CPU_COUNT) vgicCpus[cpu].lrCount = gicLrCount();
}

/** Moves this CPU's pending interrupts into its list registers; arms the underflow interrupt while some wait. */
export function vgicFlush(cpu: u32): void {
  if (cpu >= CPU_COUNT) return;
  const c: VgicCpu = vgicCpus[cpu];
  if (c.pendingCount == 0 && !c.underflow) return;
  const vm: u32 = c.vm;
  if (vm >= CPU_COUNT) return;
  const enabled: bool = (vgicVms[vm].ctlr & 3) != 0;
  lock(c.lock);
  // Only the registers in use are read (ICH_ELRSR_EL2 / GICH_ELRSR: the others hold nothing).
  const n: u32 = c.lrCount > 16 ? 16 : c.lrCount;
  for (let i: u32 = 0; i < n; i++) c.lr[i] = 0n;
  let used: u32 = ~gicEmptyLrs() & ((u32(1) << n) - 1);
  while (used != 0) {
    const i: u32 = ctz32(used);
    used = used & (used - 1);
    c.lr[i & 15] = gicReadLr(i);
  }
  const r: u32 = fillLrs(c, GIC_VERSION, enabled);
  unlock(c.lock);
  let changed: u32 = r & 0xffff;
  while (changed != 0) {
    const i: u32 = ctz32(changed);
    changed = changed & (changed - 1);
    gicWriteLr(i, c.lr[i & 15]);
  }
  const blocked: bool = (r & FILL_BLOCKED) != 0;
  if (blocked != c.underflow) {
    c.underflow = blocked;
    gicSetUnderflow(blocked);
  }
}

/**
 * Run on CPU `cpu` when its vCPU starts afresh (PSCI CPU_ON, its VM restarting) or parks: the list
 * registers and the pending set are emptied, and the private interrupts' configuration goes back
 * to reset. No hardware interrupt the vCPU held may stay active, or it would never fire again:
 * those in a list register and those waiting in the pending set (acknowledged and priority-dropped
 * at the physical GIC, so still active there; e.g. the timer, fired while the guest's distributor
 * was disabled) are deactivated, and the timer PPIs' active state is cleared besides.
 */
export function vgicResetCpu(cpu: u32): void {
  if (cpu >= CPU_COUNT) return;
  const c: VgicCpu = vgicCpus[cpu];
  for (let i: u32 = 0; i < 16; i++) {
    if (i >= c.lrCount) break;
    const v: u64 = gicReadLr(i);
    const held: bool = lrState(GIC_VERSION, v) != LR_INVALID || lrAwaitsMaintenance(GIC_VERSION, v);
    if (held && lrHw(GIC_VERSION, v)) gicDeactivate(lrPhysical(GIC_VERSION, v));
    gicWriteLr(i, 0n);
  }
  lock(c.lock);
  for (let w: u32 = 0; w < 32; w++) {
    const hw: u32 = c.pending[w] & c.hw[w];
    for (let b: u32 = 0; b < 32 && (hw >> b) != 0; b++) {
      if (((hw >> b) & 1) != 0) gicDeactivate(w * 32 + b);
    }
    c.pending[w] = 0;
    c.hw[w] = 0;
  }
  c.pendingWords = 0;
  c.pendingCount = 0;
  c.privEnabled = 0;
  c.privConfig = 0;
  c.group[0] = GROUP_RESET;
  for (let i: u32 = 0; i < 32; i++) c.privPriority[i] = 0;
  c.sleep = true;
  unlock(c.lock);
  gicSetPrivateEnabled(cpu, VTIMER_PPI, false);
  gicSetPrivateEnabled(cpu, PTIMER_PPI, false);
  gicWritePrivateBits(cpu, GICD_ICACTIVER, HW_PPIS);
  // An interrupt the guest acknowledged and never completed leaves its priority active in the
  // virtual CPU interface, masking every interrupt of equal or lower priority.
  gicResetVirtualCpu();
  if (c.underflow) {
    c.underflow = false;
    gicSetUnderflow(false);
  }
}

/**
 * A restarting or powered-off VM's distributor back to reset: disabled, its SPIs disabled, neither
 * pending nor active at the physical GIC, routed to vCPU 0. Run once every vCPU of the VM has
 * parked (each deactivated what it held: vgicResetCpu), so clearing the active state here ends no
 * activation of the VM's next run.
 */
export function vgicResetVm(vm: u32): void {
  if (vm >= CPU_COUNT) return;
  const d: VgicVm = vgicVms[vm];
  d.ctlr = 0;
  const cpu0: u32 = cpuOfVcpu(vm, 0n);
  for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
    if (vgicCpus[cpu].vm != vm) continue;
    for (let w: u32 = 1; w < 32; w++) vgicCpus[cpu].group[w] = GROUP_RESET;
  }
  for (let w: u32 = 1; w < 32; w++) {
    const owned: u32 = d.owned[w];
    if (owned == 0) continue;
    gicWriteBits(GICD_ICENABLER, w, owned);
    gicWriteBits(GICD_ICPENDR, w, owned);
    gicWriteBits(GICD_ICACTIVER, w, owned);
    for (let b: u32 = 0; b < 32; b++) {
      if (((owned >> b) & 1) == 0) continue;
      const intid: u32 = w * 32 + b;
      d.priority[intid & 1023] = 0;
      d.target[intid & 1023] = 0;
      if (cpu0 < CPU_COUNT) gicRoute(intid, cpu0);
    }
  }
}

/** Makes `intid` pending for the vCPU of physical CPU `cpu` (any CPU may call); kicks that CPU if it is not this one. */
export function vgicRaise(cpu: u32, intid: u32, priority: u32, hw: bool, source: u32, self: u32): void {
  if (cpu >= CPU_COUNT) return;
  const c: VgicCpu = vgicCpus[cpu];
  lock(c.lock);
  markPending(c, intid, priority, hw, source);
  unlock(c.lock);
  if (cpu != self) gicKick(cpu);
}

/** The priority the guest gave `intid` (private ones: of the vCPU of CPU `cpu`). */
function virtualPriority(c: VgicCpu, d: VgicVm, intid: u32): u32 {
  return intid < 32 ? u32(c.privPriority[intid & 31]) : u32(d.priority[intid & 1023]);
}

const sgiRequests = pool(CPU_COUNT, SgiRequest);

/** Delivers a decoded SGI from vCPU `selfVcpu` (on CPU `cpu`) of VM `vm`: only to vCPUs of that VM. */
function deliverSgi(cpu: u32, vm: u32, req: SgiRequest): void {
  const d: VgicVm = vgicVms[vm];
  if (req.outside) {
    d.deniedSgis++;
    if (!d.sgiLogged) {
      d.sgiLogged = true;
      vmLineBegin(vm);
      put("SGI to a CPU outside the VM dropped (logged once)");
      lineEnd();
    }
  }
  const self: u32 = vgicCpus[cpu].vcpu;
  let targets: u32 = req.targets;
  while (targets != 0) {
    const t: u32 = ctz32(targets);
    targets = targets & (targets - 1);
    const target: u32 = cpuOfVcpu(vm, u64(t));
    if (target >= CPU_COUNT) continue;
    // To itself: straight into a free list register, as a hardware interrupt goes (injectDirect),
    // unless a register already holds that SGI (the pending-set path merges it: fillLrs).
    if (target == cpu && !lrsHold(cpu, req.intid) && injectDirect(cpu, d, req.intid, false, self)) continue;
    vgicRaise(target, req.intid, u32(vgicCpus[target].privPriority[req.intid & 31]), false, self, cpu);
  }
  vgicFlush(cpu);
}

/** A trapped write of ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 / ICC_SGI0R_EL1 (GICv3 guests). */
export function vgicSgi1r(cpu: u32, vm: u32, value: u64): void {
  if (cpu >= CPU_COUNT || vm >= CPU_COUNT) return;
  const req: SgiRequest = sgiRequests[cpu];
  decodeSgi1r(value, vgicCpus[cpu].vcpu, vgicVms[vm].vcpus, req);
  deliverSgi(cpu, vm, req);
}

/** A guest write of GICD_SGIR (GICv2 guests). */
export function vgicSgir(cpu: u32, vm: u32, value: u32): void {
  if (cpu >= CPU_COUNT || vm >= CPU_COUNT) return;
  const req: SgiRequest = sgiRequests[cpu];
  decodeSgir(value, vgicCpus[cpu].vcpu, vgicVms[vm].vcpus, req);
  deliverSgi(cpu, vm, req);
}

/**
 * The fast path for an interrupt of this CPU's own vCPU — a hardware one (its timer, its VM's
 * SPIs: `hw`) or an SGI it sends itself (from vCPU `source`): straight into an empty list register
 * when nothing waits in the pending set. Priority order still holds:
 * with the set empty every waiting interrupt is already in a register, and the virtual CPU
 * interface presents the highest first. Another CPU adding to the set meanwhile kicks this CPU,
 * whose flush then runs as usual. False: take the pending-set path.
 *
 * An INTID in two list registers is UNPREDICTABLE (IHI 0069 4.4.6, IHI 0048 5.3.6). Usually the
 * INTID cannot be in one already — its physical interrupt stays active until the guest deactivates
 * that register. A timer PPI never is: the guest cannot clear its physical active state, and its
 * software pending state is the physical one (src/gic/vgicd.ts writePrivateBits). But a guest can
 * clear the physical active state of its SPI (GICD_ICACTIVER) while a register still holds it, so
 * for an SPI vgicIrq checks the registers in use first (lrsHold), and the pending-set path then
 * merges the new activation into that register (fillLrs). So does deliverSgi for an SGI, which
 * may be in a register still (pending, or active in the guest's handler).
 */
function injectDirect(cpu: u32, d: VgicVm, intid: u32, hw: bool, source: u32): bool {
  const c: VgicCpu = vgicCpus[cpu];
  if (c.pendingCount != 0 || (d.ctlr & 3) == 0 || (intid < 32 && ((c.privEnabled >> intid) & 1) == 0)) return false;
  const implemented: u32 = (u32(1) << c.lrCount) - 1;
  const empty: u32 = gicEmptyLrs() & implemented;
  if (empty == 0) return false;
  const slot: u32 = ctz32(empty);
  const priority: u32 = virtualPriority(c, d, intid) & PRIORITY_MASK;
  gicWriteLr(slot, lrEncode(GIC_VERSION, intid, priority, hw, source, isGroup1(c, intid)));
  return true;
}

/**
 * Whether the vCPU of CPU `cpu` (the calling one) has an interrupt waiting for it: in its pending
 * set, or pending in a list register. A WFI at EL2 wakes only on a physical interrupt, and the
 * physical source of a list register with the HW bit (the timer, an SPI) stays active, silent,
 * until the guest deactivates it: a vCPU that waits in the hypervisor must not wait then.
 */
export function vgicWaiting(cpu: u32): bool {
  if (cpu >= CPU_COUNT) return false;
  const c: VgicCpu = vgicCpus[cpu];
  if (c.pendingCount != 0) return true;
  const empty: u32 = gicEmptyLrs();
  const used: u32 = ~empty & ((u32(1) << c.lrCount) - 1);
  for (let i: u32 = 0; i < 16 && (used >> i) != 0; i++) {
    if (((used >> i) & 1) != 0 && (lrState(GIC_VERSION, gicReadLr(i)) & LR_PENDING) != 0) return true;
  }
  return false;
}

/**
 * GICv2: the physical interrupts of the registers whose EOI the guest has completed (GICH_EISR0)
 * are deactivated, and the registers freed. Run on the maintenance interrupt, on its own CPU.
 */
function vgicEoiMaintenance(): void {
  const done: u32 = gicEoiedLrs();
  for (let i: u32 = 0; i < 16 && (done >> i) != 0; i++) {
    if (((done >> i) & 1) == 0) continue;
    const v: u64 = gicReadLr(i);
    if (lrHw(2, v)) gicDeactivate(lrPhysical(2, v));
    gicWriteLr(i, 0n);
  }
}

/** Whether one of the list registers of CPU `cpu` (the calling one) holds `intid`. */
function lrsHold(cpu: u32, intid: u32): bool {
  const empty: u32 = gicEmptyLrs();
  const used: u32 = ~empty & ((u32(1) << vgicCpus[cpu].lrCount) - 1);
  for (let i: u32 = 0; i < 16 && (used >> i) != 0; i++) {
    if (((used >> i) & 1) != 0 && lrIntid(GIC_VERSION, gicReadLr(i)) == intid) return true;
  }
  return false;
}

/**
 * A physical IRQ taken at EL2 (src/el2/trap.ts trap_irq). Acknowledge, drop the priority (EOImode 1:
 * the interrupt stays active), then:
 * - the vCPU's timer PPIs and the VM's own SPIs: into the pending set with the HW bit, so that the
 *   list register links the virtual INTID to the physical one. The guest acknowledges and EOIs it at
 *   its virtual CPU interface without any exit; its EOI (deactivation) of a HW list register
 *   deactivates the physical interrupt in the GIC. The timer's output stays asserted while its
 *   condition holds, so if the guest has not re-armed or masked the timer, the interrupt fires
 *   again at once — exactly the level-sensitive behaviour the guest expects, and with no
 *   hypervisor involvement between the guest's EOI and the next expiry.
 * - the kick SGI: other CPUs added to this vCPU's pending set; the flush below delivers them.
 * - the maintenance interrupt: list registers drained (underflow); the flush refills them.
 * - the EL2 timer: deactivated; the caller checks the watchdog (src/el2/trap.ts).
 * - the board UART's: returned still active, for the console's input (src/el2/consolein.ts).
 * - anything else: deactivated and logged once per VM.
 * Returns the INTID acknowledged (1020 and up: spurious).
 */
export function vgicIrq(cpu: u32): u32 {
  const iar: u32 = gicAcknowledge();
  const intid: u32 = gicIntid(iar);
  if (intid >= 1020) return intid;
  gicPriorityDrop(iar);
  // The board UART's input: src/el2/consolein.ts takes it (and deactivates it), from trap_irq.
  if (intid == UART_INTID) return intid;
  const vm: u32 = cpu < CPU_COUNT ? u32(CPU_VM[cpu]) : NO_VM;
  if (vm >= CPU_COUNT) {
    gicDeactivate(iar);
    return intid;
  }
  const d: VgicVm = vgicVms[vm];
  const hwPpi: bool = intid >= 16 && intid < 32 && ((HW_PPIS >> intid) & 1) != 0;
  if (hwPpi || isOwned(d, intid)) {
    // An SPI may already sit in a list register (see injectDirect); a timer PPI cannot.
    if ((hwPpi || !lrsHold(cpu, intid)) && injectDirect(cpu, d, intid, true, 0)) return intid;
    const priority: u32 = virtualPriority(vgicCpus[cpu], d, intid);
    vgicRaise(cpu, intid, priority, true, 0, cpu);
  } else {
    // Completed EOIs first: the maintenance interrupt stays asserted while one is due.
    if (GIC_VERSION == 2 && intid == MAINTENANCE_PPI) vgicEoiMaintenance();
    gicDeactivate(iar);
    if (intid != KICK_SGI && intid != MAINTENANCE_PPI && intid != HYP_TIMER_PPI && !d.unknownIrqLogged) {
      d.unknownIrqLogged = true;
      vmLineBegin(vm);
      put("physical interrupt ");
      putDec(u64(intid));
      put(" has no owner here, deactivated (logged once), IAR ");
      putHex(u64(iar));
      lineEnd();
    }
  }
  vgicFlush(cpu);
  return intid;
}
