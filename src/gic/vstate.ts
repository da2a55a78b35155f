// The pending and active state of a VM's interrupts as the guest reads it through GICD_ISPENDR
// and ISACTIVER (GICR_ISPENDR0/ISACTIVER0 on GICv3). An interrupt's state lives in one
// of three places, and this module combines them:
// - a list register of the CPU whose vCPU it is delivered to: pending, active, or both;
// - that vCPU's pending set (src/gic/vgic.ts): pending, waiting for a list register;
// - the physical GIC, for a hardware interrupt (the vCPU's timer PPIs, the VM's SPIs) in neither:
//   a timer that fired while the guest had it disabled is pending there.
// A hardware interrupt in a list register or the pending set is active at the physical GIC (the
// hypervisor acknowledged it): the register or the set says its virtual state, and the physical
// pending state adds to it (a level still asserted while active is active and pending, as on
// hardware). This is how KVM reads a mapped interrupt (vgic_get_phys_line_level).
//
// Only a CPU's own list registers can be read (GICv3 ICH_LR<n>_EL2 are its system registers, the
// GICv2 GICH frame is banked per CPU), and the CPU is running its vCPU: so the state is exact for
// the accessing vCPU's own SGIs and PPIs and for SPIs delivered to it. Another vCPU's list
// registers (its GICv3 redistributor frame, an SPI routed to it) are not seen: there, pending is
// its pending set and the physical state, active the physical state. (KVM stops every vCPU of the
// VM to read them; a statically partitioned vCPU owns its CPU, and this reads nothing it cannot.)
import { CPU_COUNT, GIC_VERSION } from "@board";
import { HW_PPIS, GICD_ISPENDR, GICD_ISACTIVER, gicReadBits, gicReadPrivateBits, gicReadLr } from "./gic.ts";
import { VgicCpu, VgicVm, vgicCpus, vgicVms } from "./vgic-state.ts";
import { lrIntid, lrState, lrAwaitsMaintenance, LR_INVALID, LR_PENDING, LR_ACTIVE } from "./lr.ts";

/** What a CPU's list registers say of one word of INTIDs (32 from word * 32). */
export class LrSummary {
  /** The INTIDs a register holds (pending, active, or a GICv2 EOI awaiting its maintenance). */
  held: u32 = 0;
  pending: u32 = 0;
  active: u32 = 0;
}

/** Pure: fills `out` from c.lr (c.lrCount registers) for INTIDs word * 32 .. word * 32 + 31. */
export function summariseLrs(c: VgicCpu, version: u32, word: u32, out: LrSummary): void {
  out.held = 0;
  out.pending = 0;
  out.active = 0;
  for (let i: u32 = 0; i < 16 && i < c.lrCount; i++) {
    const v: u64 = c.lr[i];
    const st: u32 = lrState(version, v);
    if (st == LR_INVALID && !lrAwaitsMaintenance(version, v)) continue;
    const intid: u32 = lrIntid(version, v);
    if ((intid >> 5) != word) continue;
    const bit: u32 = u32(1) << (intid & 31);
    out.held = out.held | bit;
    if ((st & LR_PENDING) != 0) out.pending = out.pending | bit;
    if ((st & LR_ACTIVE) != 0) out.active = out.active | bit;
  }
}

/**
 * Pure: the virtual pending (`active` false) or active state of one word. `lrs`: the list registers
 * (held: INTIDs in one), `soft`: the pending set, `physPending`/`physActive`: the physical GIC's
 * words, already limited to hardware interrupts.
 */
export function combineState(lrs: LrSummary, soft: u32, physPending: u32, physActive: u32, active: bool): u32 {
  if (active) return (lrs.held & lrs.active) | (~lrs.held & ~soft & physActive);
  return (lrs.held & (lrs.pending | physPending)) | (~lrs.held & (soft | physPending));
}

const summaries = pool(CPU_COUNT, LrSummary);

/** Reads this CPU's list registers into c.lr (only ever its own CPU touches c.lr). */
function loadLrs(c: VgicCpu): void {
  for (let i: u32 = 0; i < 16; i++) c.lr[i] = i < c.lrCount ? gicReadLr(i) : 0n;
}

/** The physical word of `reg` for word `w`: private (CPU `privCpu`'s, GICv2 only its own) or shared. */
function physicalBits(reg: u32, w: u32, self: u32, privCpu: u32): u32 {
  if (w != 0) return gicReadBits(reg, w);
  if (GIC_VERSION != 3 && privCpu != self) return 0;
  return gicReadPrivateBits(privCpu, reg);
}

/** The hardware interrupts of word `w`: the timer PPIs, or the VM's (owned) SPIs. */
function hardwareBits(d: VgicVm, w: u32): u32 {
  return w == 0 ? HW_PPIS : d.owned[w & 31];
}

/** The pending set's word `w`: the vCPU's own (word 0), or every vCPU's of the VM (an SPI waits in its target's). */
function softPending(vm: u32, w: u32, privCpu: u32): u32 {
  if (w == 0) return privCpu < CPU_COUNT ? vgicCpus[privCpu].pending[0] : 0;
  let bits: u32 = 0;
  for (let cpu: u32 = 0; cpu < CPU_COUNT; cpu++) {
    if (vgicCpus[cpu].vm == vm) bits = bits | vgicCpus[cpu].pending[w & 31];
  }
  return bits;
}

/**
 * The guest's view of GICD_ISPENDR/ISACTIVER word `w` (`active`), limited to `mask`, for an access
 * by the vCPU of CPU `self` of VM `vm`; word 0 shows the SGIs and PPIs of the vCPU of CPU `privCpu`.
 * @cold
 */
export function vstateRead(vm: u32, self: u32, privCpu: u32, w: u32, mask: u32, active: bool): u32 {
  if (vm >= CPU_COUNT || self >= CPU_COUNT || mask == 0) return 0;
  const d: VgicVm = vgicVms[vm];
  const lrs: LrSummary = summaries[self];
  lrs.held = 0;
  lrs.pending = 0;
  lrs.active = 0;
  if (w != 0 || privCpu == self) {
    const c: VgicCpu = vgicCpus[self];
    loadLrs(c);
    summariseLrs(c, GIC_VERSION, w, lrs);
  }
  const hw: u32 = hardwareBits(d, w) & mask;
  const physPending: u32 = hw == 0 ? 0 : physicalBits(GICD_ISPENDR, w, self, privCpu) & hw;
  const physActive: u32 = hw == 0 ? 0 : physicalBits(GICD_ISACTIVER, w, self, privCpu) & hw;
  const soft: u32 = softPending(vm, w, privCpu);
  return combineState(lrs, soft, physPending, physActive, active) & mask;
}
