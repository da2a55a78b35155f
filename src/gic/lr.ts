// The list registers' encoding (GICv3 ICH_LR<n>_EL2, GICv2 GICH_LR<n>) and the fill of a vCPU's
// list registers from its pending set, in priority order. Pure: the GIC version is an argument.
import { VgicCpu, SPURIOUS, PRIORITY_MASK, clearPending, groupEnabled, guestPriority, highestPending, isGroup1, markPending } from "./vgic-state.ts";


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

function lrWithGroup(version: u32, v: u64, group1: bool): u64 {
  const bit: u64 = version == 3 ? 1n << 60n : 1n << 30n;
  return group1 ? v | bit : v & ~bit;
}

function lrWithPriority(version: u32, v: u64, priority: u32): u64 {
  if (version == 3) return (v & ~(0xffn << 48n)) | (u64(priority & 0xff) << 48n);
  return (v & ~(0x1fn << 23n)) | (u64((priority >> 3) & 0x1f) << 23n);
}

/**
 * Each register that holds an interrupt only pending, and each interrupt of the pending set, takes
 * the group and priority the guest now gives it (c.refresh, cleared). One the guest has
 * acknowledged keeps what it was acknowledged with: its EOI is matched against that group and
 * priority (an ICC_EOIR1_EL1 of a Group 0 interrupt need not deactivate it; QEMU only drops the
 * running priority), and a hardware one left active would never fire again.
 * Returns the mask of registers changed. @cold
 */
export function refreshLrs(c: VgicCpu, version: u32): u32 {
  c.refresh = false;
  let words: u32 = c.pendingWords;
  while (words != 0) {
    const w: u32 = ctz32(words);
    words = words & (words - 1);
    let bits: u32 = c.pending[w & 31];
    while (bits != 0) {
      const intid: u32 = w * 32 + ctz32(bits);
      bits = bits & (bits - 1);
      c.pendPriority[intid & 1023] = u8(guestPriority(c, intid) & PRIORITY_MASK);
    }
  }
  let changed: u32 = 0;
  for (let i: u32 = 0; i < 16 && i < c.lrCount; i++) {
    const v: u64 = c.lr[i];
    if (lrState(version, v) != LR_PENDING) continue;
    const intid: u32 = lrIntid(version, v);
    const priority: u32 = guestPriority(c, intid) & PRIORITY_MASK;
    const fresh: u64 = lrWithPriority(version, lrWithGroup(version, v, isGroup1(c, intid)), priority);
    if (fresh == v) continue;
    c.lr[i] = fresh;
    changed = changed | (u32(1) << i);
  }
  return changed;
}

export function lrWithState(version: u32, v: u64, state: u32): u64 {
  return version == 3 ? (v & ~(3n << 62n)) | (u64(state) << 62n) : (v & ~(3n << 28n)) | (u64(state) << 28n);
}

/** Set in fillLrs' result: a deliverable interrupt is still waiting for a list register. */
export const FILL_BLOCKED: u32 = 1 << 16;

/** Set in fillLrs' result: the pending set holds interrupts of a group the guest has disabled, or the registers hold pending ones of both groups (see fillLrs). */
export const FILL_WATCH_GROUPS: u32 = 1 << 17;

/**
 * Moves pending interrupts into c.lr (the current list registers; c.lrCount of them), highest
 * priority first: into an empty register, or by evicting a lower-priority interrupt that is only
 * pending (it goes back to the pending set).
 *
 * The registers hold only pending interrupts of the groups the guest has enabled (`groups`, bit 0
 * Group 0, bit 1 Group 1): one of a disabled group waits in the pending set, and one a register
 * holds only pending goes back there when its group is disabled. A pending interrupt of a disabled
 * group in a register would take room from those the guest takes, and QEMU's GICv2 model picks the
 * register of highest priority before it looks at its group, so a disabled one there of higher
 * priority hides every other (seen: the fuzzer's timer, Group 0, behind SGIs of its disabled
 * Group 1, for ever). FILL_WATCH_GROUPS in the result asks for the maintenance interrupt on the
 * guest's group enables: set while the pending set is not empty (an enable may make some of it
 * deliverable) or registers hold pending interrupts of both groups (a disable may strand one). An INTID already in a register is not given a second
 * one (that is UNPREDICTABLE): an active SGI becomes active and pending, a pending one stays as is.
 * Nothing is delivered while the guest's distributor is disabled (`enabled` false). After a group
 * or priority change (c.refresh) the registers are refreshed first (refreshLrs).
 * Returns the mask of registers changed, | FILL_BLOCKED when deliverable interrupts remain.
 */
export function fillLrs(c: VgicCpu, version: u32, enabled: bool, groups: u32): u32 {
  let changed: u32 = 0;
  const n: u32 = c.lrCount > 16 ? 16 : c.lrCount;
  if (c.refresh) changed = refreshLrs(c, version);
  // One walk of the registers: those only pending in a disabled group go back to the pending set;
  // of the rest, the ones in use (valid, or awaiting a GICv2 EOI maintenance: a round looks only at
  // those, and places into the lowest free one) and the groups of those only pending (watchGroups).
  let used: u32 = 0;
  let pendingGroups: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const v: u64 = c.lr[i];
    const st: u32 = lrState(version, v);
    if (st == LR_PENDING) {
      const intid: u32 = lrIntid(version, v);
      const group1: bool = isGroup1(c, intid);
      if (!groupEnabled(groups, group1)) {
        const source: u32 = version == 2 ? u32(v >> 10n) & 7 : 0;
        const priority: u32 = lrPriority(version, v);
        const hw: bool = lrHw(version, v);
        markPending(c, intid, priority, hw, source);
        c.lr[i] = 0n;
        changed = changed | (u32(1) << i);
        continue;
      }
      pendingGroups = pendingGroups | (group1 ? 2 : 1);
    }
    if (st != LR_INVALID || lrAwaitsMaintenance(version, v)) used = used | (u32(1) << i);
  }
  if (c.pendingCount == 0 || !enabled) return changed | watchOf(c.pendingCount, pendingGroups);
  // pendingGroups follows the registers while they only gain pending interrupts; an eviction ends that.
  let exact: bool = true;
  // Each round places one interrupt or stops; eviction only ever lowers the ranks held, so the
  // loop ends; the bound is a second guarantee.
  for (let round: u32 = 0; round < 64; round++) {
    const intid: u32 = highestPending(c, groups);
    if (intid == SPURIOUS) return changed | (exact ? watchOf(c.pendingCount, pendingGroups) : watchGroups(c, version));
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
      exact = false;    // pendingGroups no longer knows whether that group is still held
    }
    if (slot == 16) return changed | FILL_BLOCKED | (exact ? watchOf(c.pendingCount, pendingGroups) : watchGroups(c, version));
    const src: u32 = intid < 16 ? u32(c.sgiSource[intid & 15]) : 0;
    const group1: bool = isGroup1(c, intid);
    c.lr[slot & 15] = lrEncode(version, intid, priority, hw, src, group1);
    pendingGroups = pendingGroups | (group1 ? 2 : 1);
    changed = changed | (u32(1) << slot);
    used = used | (u32(1) << slot);
    clearPending(c, intid);
  }
  const watch: u32 = exact ? watchOf(c.pendingCount, pendingGroups) : watchGroups(c, version);
  return changed | (c.pendingCount != 0 ? FILL_BLOCKED : 0) | watch;
}

/** watchGroups, from the pending set's count and the groups (bit 0: Group 0, bit 1: Group 1) of the registers only pending. */
function watchOf(pendingCount: u32, pendingGroups: u32): u32 {
  return pendingCount != 0 || pendingGroups == 3 ? FILL_WATCH_GROUPS : 0;
}

/** FILL_WATCH_GROUPS when the pending set is not empty or c.lr holds pending interrupts of both groups, else 0. */
function watchGroups(c: VgicCpu, version: u32): u32 {
  if (c.pendingCount != 0) return FILL_WATCH_GROUPS;
  let seen: u32 = 0;
  for (let i: u32 = 0; i < 16 && i < c.lrCount; i++) {
    const v: u64 = c.lr[i];
    if (lrState(version, v) == LR_PENDING) seen = seen | (isGroup1(c, lrIntid(version, v)) ? 2 : 1);
  }
  return seen == 3 ? FILL_WATCH_GROUPS : 0;
}
