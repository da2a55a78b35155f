// The virtual GIC's state: each VM's virtual distributor (VgicVm: the SPIs it owns, their
// targets) and each vCPU's interrupt state (VgicCpu: its pending set, a bitmap with a priority
// for each INTID and a summary word of the non-empty words, its groups and list registers in use).
// VgicCpu is indexed by physical CPU: each CPU runs exactly one vCPU. Another CPU may add to a
// vCPU's pending set (an SGI, a write to its redistributor), so the set changes only under its
// lock. Pure: tests/vgic.test.ts runs it on the host.
import { CPU_COUNT, GIC_VERSION } from "@board";
import { SpinLock } from "../el2/lock.ts";
import { isSpi } from "./gic.ts";

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
  /**
   * The guest changed a group or a priority: the next flush gives every interrupt a list register
   * holds only pending its group and priority anew (lr.ts refreshLrs). A hardware GIC signals a
   * pending interrupt by its current configuration; a register keeps what it was filled with, so
   * an interrupt moved to a group the guest has disabled, or below its priority mask, would go on
   * being signalled, and one moved back would never be — its physical source, held active for the
   * register, silent for ever (a timer: its vCPU never wakes).
   */
  refresh: bool = false;
  /**
   * State writes asked of this vCPU's interrupts (GICD/GICR ISACTIVER, ICACTIVER, ICPENDR; see
   * src/gic/vwrite.ts), one bit per INTID, applied by its own CPU at its next flush: only that CPU
   * reaches the list registers, and it is the one that holds a hardware interrupt's activation.
   */
  setActive = new Uint32Array(32);
  clearActive = new Uint32Array(32);
  unpend = new Uint32Array(32);
  /** Bit w set when word w of setActive, clearActive or unpend may be non-zero. */
  requestWords: u32 = 0;
  /**
   * Its VM's GICD_CTLR (VgicVm.ctlr), copied into each of the VM's vCPUs whenever it is written
   * (vgicSetCtlr): a list-register fill, and the early path of an IRQ, need only their own vCPU.
   */
  ctlr: u32 = 0;
  /** GICR_WAKER.ProcessorSleep as the guest wrote it (GICv3). */
  sleep: bool = true;
  /** The list registers as read before a fill and as the fill leaves them; lrCount of them exist. */
  lr = new BigUint64Array(16);
  lrCount: u32 = 4;
  /** Bit i set for each of the lrCount list registers: the ones ICH_ELRSR_EL2 / GICH_ELRSR0 speak for, found once. */
  lrMask: u32 = 0xf;
  /** The maintenance interrupt as the last flush set it (gicSetMaintenance): MAINTAIN_* bits, with the guest's groups then. */
  maintenance: u32 = 0;
  maintenanceGroups: u32 = 0;
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

/** The priority the guest gave `intid` (for the vCPU `c`): its own for an SGI or PPI, its VM's for an SPI. */
export function guestPriority(c: VgicCpu, intid: u32): u32 {
  if (intid < 32) return u32(c.privPriority[intid & 31]);
  return u32(vgicVms[c.vm < CPU_COUNT ? c.vm : 0].priority[intid & 1023]);
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
  // A clear-pending asked before this pend (src/gic/vwrite.ts) is older: it must not undo it.
  c.unpend[w] = c.unpend[w] & ~bit;
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
 * Of word `w`'s INTIDs, those in a group the guest has enabled at its CPU interface (`groups`:
 * bit 0 Group 0, bit 1 Group 1: ICC_IGRPEN0/1_EL1, GICV_CTLR.EnableGrp0/1).
 */
export function groupEnabledBits(c: VgicCpu, w: u32, groups: u32): u32 {
  const g1: u32 = c.group[w & 31];
  return ((groups & 2) != 0 ? g1 : 0) | ((groups & 1) != 0 ? ~g1 : 0);
}

/** Whether the guest has enabled (`groups` as groupEnabledBits) the group of an interrupt: Group 1 (`group1`, isGroup1) or Group 0. */
export function groupEnabled(groups: u32, group1: bool): bool {
  return ((groups >> (group1 ? 1 : 0)) & 1) != 0;
}

/**
 * The pending INTID of highest priority (lowest value; ties: lowest INTID) that the guest would
 * take — in a group it has enabled (`groups`) — or SPURIOUS.
 * Private INTIDs (word 0) are taken with the guest's enable bit; SPIs are enabled physically.
 * Visits only the set bits of the non-empty words (ctz32): its cost grows with what is pending.
 */
export function highestPending(c: VgicCpu, groups: u32): u32 {
  let best: u32 = SPURIOUS;
  let bestPriority: u32 = 0x100;
  let words: u32 = c.pendingWords;
  while (words != 0) {
    const w: u32 = ctz32(words);
    words = words & (words - 1);
    const taken: u32 = groupEnabledBits(c, w, groups);
    let bits: u32 = (w == 0 ? c.pending[0] & c.privEnabled : c.pending[w & 31]) & taken;
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
