// Virtual SPIs: interrupts of a VM with no physical line behind them, raised by the hypervisor
// itself (a channel's doorbell, src/stage2/channel.ts; the emulated PL011's, src/stage2/vuart.ts),
// so that no physical interrupt is shared between VMs. A physical SPI's enable and pending state live in the physical distributor; a
// virtual SPI's live here, and its active state only in the list register that holds it (no HW
// bit: the guest's EOI ends it). Its priority and target vCPU are the virtual distributor's, as
// for any SPI (VgicVm.priority, VgicVm.target); its trigger is edge (GICD_ICFGR reads 0b10), but
// for a device whose own output is a level (the PL011's UARTINTR): GICD_ICFGR reads 0b00 there,
// as its device tree says, and the device raises it at each rise of its output.
//
// Raising one while the guest has it disabled latches it, and enabling it delivers the latch; the
// guest's set- and clear-pending act on the latch and on the target vCPU's pending set.
// Every word index comes from an INTID below 1024 (>> 5), so it is below 32.
import { CPU_COUNT } from "@board";
import { SpinLock, lock, unlock } from "../el2/lock.ts";
import { cpuOfVcpu } from "../el2/placement.ts";
import { VgicCpu, VgicVm, vgicVms, vgicCpus, isPending, clearPending } from "./vgic-state.ts";
import { vgicRaise } from "./vgic.ts";

export class VspiVm {
  /** Taken by the VM's vCPUs (distributor accesses) and by whoever raises one (a peer's vCPU); before a VgicCpu lock. */
  lock = new SpinLock();
  /** The VM's virtual SPIs: bit i % 32 of word i / 32. */
  declared = new Uint32Array(32);
  /** GICD_ISENABLER as the guest set it. */
  enabled = new Uint32Array(32);
  /** Raised while disabled (or pended by the guest while disabled): delivered when enabled. */
  latched = new Uint32Array(32);
  /** Of the declared, those that GICD_ICFGR reports level-sensitive. */
  level = new Uint32Array(32);
}

export const vspiVms = pool(CPU_COUNT, VspiVm);

/** Boot: `intid` (32..1019) is a virtual SPI of `vm`; its distributor reports lines up to it. @cold */
export function vspiDeclare(vm: u32, intid: u32): void {
  if (vm >= CPU_COUNT || intid < 32 || intid >= 1020) return;
  const v: VspiVm = vspiVms[vm];
  v.declared[intid >> 5] = v.declared[intid >> 5] | (u32(1) << (intid & 31));
  const d: VgicVm = vgicVms[vm];
  if (intid > d.maxIntid) d.maxIntid = intid;
}

/** Boot: `intid` is a virtual SPI of `vm` that a device raises at each rise of its level output (GICD_ICFGR 0b00). @cold */
export function vspiDeclareLevel(vm: u32, intid: u32): void {
  vspiDeclare(vm, intid);
  if (vm >= CPU_COUNT || intid < 32 || intid >= 1020) return;
  const v: VspiVm = vspiVms[vm];
  v.level[intid >> 5] = v.level[intid >> 5] | (u32(1) << (intid & 31));
}

/** GICD_ICFGR's two bits for virtual SPI `intid` of `vm`: 0b00 level, 0b10 edge. */
export function vspiConfig(vm: u32, intid: u32): u32 {
  if (vm >= CPU_COUNT || intid >= 1024) return 2;
  return ((vspiVms[vm].level[intid >> 5] >> (intid & 31)) & 1) != 0 ? 0 : 2;
}

/** The virtual SPIs of `vm` among INTIDs 32 × word .. 32 × word + 31. */
export function vspiDeclared(vm: u32, word: u32): u32 {
  return vm < CPU_COUNT ? vspiVms[vm].declared[word & 31] : 0;
}

export function isVirtualSpi(vm: u32, intid: u32): bool {
  return intid < 1024 && ((vspiDeclared(vm, intid >> 5) >> (intid & 31)) & 1) != 0;
}

/** The vCPU state `intid` of `vm` targets (its physical CPU's), or null if that vCPU does not exist. */
function targetCpu(vm: u32, intid: u32): u32 {
  return cpuOfVcpu(vm, u64(vgicVms[vm].target[intid & 1023]));
}

/** Into the target vCPU's pending set with the guest's priority, no HW bit; kicks its CPU. Under v.lock. */
function deliver(vm: u32, intid: u32, self: u32): void {
  const cpu: u32 = targetCpu(vm, intid);
  if (cpu < CPU_COUNT) vgicRaise(cpu, intid, u32(vgicVms[vm].priority[intid & 1023]), false, 0, self);
}

/** Raises virtual SPI `intid` of `vm` (an edge), from the CPU `self`. */
export function vspiRaise(vm: u32, intid: u32, self: u32): void {
  if (!isVirtualSpi(vm, intid)) return;
  const v: VspiVm = vspiVms[vm];
  const w: u32 = (intid >> 5) & 31;
  const bit: u32 = u32(1) << (intid & 31);
  lock(v.lock);
  if ((v.enabled[w] & bit) != 0) deliver(vm, intid, self);
  else v.latched[w] = v.latched[w] | bit;
  unlock(v.lock);
}

/** GICD_ISENABLER: the enabled virtual SPIs of word `w`. */
export function vspiEnabledBits(vm: u32, w: u32): u32 {
  return vm < CPU_COUNT ? vspiVms[vm].enabled[w & 31] : 0;
}

/** GICD_ISPENDR: latched, or waiting in the target vCPU's pending set. */
export function vspiPendingBits(vm: u32, w: u32): u32 {
  if (vm >= CPU_COUNT) return 0;
  const v: VspiVm = vspiVms[vm];
  let bits: u32 = v.latched[w & 31];
  const declared: u32 = v.declared[w & 31];
  for (let b: u32 = 0; b < 32 && (declared >> b) != 0; b++) {
    if (((declared >> b) & 1) == 0) continue;
    const cpu: u32 = targetCpu(vm, (w & 31) * 32 + b);
    if (cpu < CPU_COUNT && isPending(vgicCpus[cpu], (w & 31) * 32 + b)) bits = bits | (u32(1) << b);
  }
  return bits;
}

/** GICD_ISENABLER (`on`) or GICD_ICENABLER writes of virtual SPIs `bits` of word `w`, from CPU `self`. @cold */
export function vspiSetEnabled(vm: u32, w: u32, bits: u32, on: bool, self: u32): void {
  if (vm >= CPU_COUNT) return;
  const v: VspiVm = vspiVms[vm];
  const mine: u32 = bits & v.declared[w & 31];
  lock(v.lock);
  if (on) {
    v.enabled[w & 31] = v.enabled[w & 31] | mine;
    const due: u32 = v.latched[w & 31] & mine;
    v.latched[w & 31] = v.latched[w & 31] & ~due;
    for (let b: u32 = 0; b < 32 && (due >> b) != 0; b++) {
      if (((due >> b) & 1) != 0) deliver(vm, (w & 31) * 32 + b, self);
    }
  } else {
    // Disabled while waiting for a list register: back to the latch, so it is not delivered now.
    v.enabled[w & 31] = v.enabled[w & 31] & ~mine;
    for (let b: u32 = 0; b < 32 && (mine >> b) != 0; b++) {
      if (((mine >> b) & 1) != 0 && unpend(vm, (w & 31) * 32 + b)) v.latched[w & 31] = v.latched[w & 31] | (u32(1) << b);
    }
  }
  unlock(v.lock);
}

/** GICD_ISPENDR (`on`) or GICD_ICPENDR writes of virtual SPIs `bits` of word `w`, from CPU `self`. @cold */
export function vspiSetPending(vm: u32, w: u32, bits: u32, on: bool, self: u32): void {
  if (vm >= CPU_COUNT) return;
  const v: VspiVm = vspiVms[vm];
  const mine: u32 = bits & v.declared[w & 31];
  lock(v.lock);
  for (let b: u32 = 0; b < 32 && (mine >> b) != 0; b++) {
    if (((mine >> b) & 1) == 0) continue;
    const intid: u32 = (w & 31) * 32 + b;
    if (!on) unpend(vm, intid);
    else if ((v.enabled[w & 31] & (u32(1) << b)) != 0) deliver(vm, intid, self);
    else v.latched[w & 31] = v.latched[w & 31] | (u32(1) << b);
  }
  if (!on) v.latched[w & 31] = v.latched[w & 31] & ~mine;
  unlock(v.lock);
}

/** Takes `intid` out of its target vCPU's pending set; whether it was there. */
function unpend(vm: u32, intid: u32): bool {
  const cpu: u32 = targetCpu(vm, intid);
  if (cpu >= CPU_COUNT) return false;
  const c: VgicCpu = vgicCpus[cpu];
  lock(c.lock);
  const was: bool = isPending(c, intid);
  clearPending(c, intid);
  unlock(c.lock);
  return was;
}

/** A restarting or powered-off VM's virtual SPIs back to reset: disabled, nothing latched (its vCPUs' pending sets are emptied by vgicResetCpu). @cold */
export function vspiReset(vm: u32): void {
  if (vm >= CPU_COUNT) return;
  const v: VspiVm = vspiVms[vm];
  lock(v.lock);
  for (let w: u32 = 0; w < 32; w++) {
    v.enabled[w] = 0;
    v.latched[w] = 0;
  }
  unlock(v.lock);
}
