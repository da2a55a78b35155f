// The physical GIC, one interface for both versions (the board's GIC_VERSION constant selects;
// the C compiler drops the other branch). The distributor's per-INTID registers sit at the same
// offsets on GICv2 and GICv3 and are driven here; src/gic/gicv2.ts and gicv3.ts hold the rest.
//
// Every physical interrupt is taken at EL2 (HCR_EL2.IMO). The CPU interface runs with EOImode = 1:
// the hypervisor's EOI only drops the running priority, and the interrupt stays active until it is
// deactivated — by the hypervisor (ICC_DIR / GICC_DIR) for its own interrupts, or by the guest
// through a list register with the HW bit for interrupts passed to it (src/gic/vgic.ts).
import { GIC_VERSION, GICD_BASE } from "@board";
import {
  sgiBase, v3DistributorOff, v3DistributorOn, v3SpiGroupAndRoute, v3Route, v3InitCpu, v3SetPrivateEnabled, v3SetPrivatePending,
  v3Acknowledge, v3PriorityDrop, v3AcknowledgeGroup0, v3PriorityDropGroup0, v3Deactivate, v3SendSgi, v3ResetVirtualCpu, v3LrCount, v3SetMaintenance, v3GuestGroups, v3ReadLr, v3WriteLr, v3EmptyLrs,
} from "./gicv3.ts";
import {
  v2DistributorOff, v2DistributorOn, v2Route, v2InitCpu, v2SetPrivateEnabled, v2SetPrivatePending,
  v2Acknowledge, v2PriorityDrop, v2Deactivate, v2SendSgi, v2ResetVirtualCpu, v2LrCount, v2SetMaintenance, v2GuestGroups, v2ReadLr, v2WriteLr, v2EmptyLrs, v2EoiedLrs,
} from "./gicv2.ts";
import { SpinLock, lock, unlock } from "../el2/lock.ts";

/** The hypervisor's own SGI: "your vCPU has new pending interrupts" (src/gic/vgic.ts). */
export const KICK_SGI: u32 = 8;
/** The virtual interface's maintenance interrupt (PPI 9). */
export const MAINTENANCE_PPI: u32 = 25;
/** The EL2 physical timer (PPI 10, CNTHP_*): the hypervisor's own, the watchdogs' time source (src/el2/watchdog.ts). */
export const HYP_TIMER_PPI: u32 = 26;
/** The EL1 virtual timer (PPI 11) and EL1 physical timer (PPI 14): passed to the CPU's vCPU. */
export const VTIMER_PPI: u32 = 27;
export const PTIMER_PPI: u32 = 30;
/** Private interrupts that are the vCPU's hardware: injected with the HW bit, enabled as the guest enables them. */
export const HW_PPIS: u32 = (u32(1) << VTIMER_PPI) | (u32(1) << PTIMER_PPI);
/** Priority of every interrupt at the physical GIC (the hypervisor masks none: PMR 0xff). */
const PHYS_PRIORITY: u32 = 0xa0;

/** Distributor registers with one bit per INTID, at the same offset on both versions. */
export const GICD_ISENABLER: u32 = 0x100;
export const GICD_ICENABLER: u32 = 0x180;
export const GICD_ISPENDR: u32 = 0x200;
export const GICD_ICPENDR: u32 = 0x280;
export const GICD_ISACTIVER: u32 = 0x300;
export const GICD_ICACTIVER: u32 = 0x380;
const GICD_IPRIORITYR: u64 = 0x400n;
const GICD_ICFGR: u64 = 0xc00n;

/** Read-modify-writes of shared distributor words (ICFGR) hold this: the words hold several VMs' SPIs. */
const gicdLock = new SpinLock();

export function isSpi(intid: u32): bool {
  return intid >= 32 && intid < 1020;
}

/** Boot CPU, before any vCPU runs: the distributor off, configured, on. SPIs are set up by gicSetupSpi. @cold */
export function gicDistributorOff(): void {
  if (GIC_VERSION == 3) v3DistributorOff();
  else v2DistributorOff();
}

/** @cold */
export function gicDistributorOn(): void {
  if (GIC_VERSION == 3) v3DistributorOn();
  else v2DistributorOn();
}

/** An SPI passed to a VM: disabled (the guest enables it through its virtual distributor), prioritised, routed to `cpu`. @cold */
export function gicSetupSpi(intid: u32, cpu: u32): void {
  if (!isSpi(intid)) return;
  gicWriteBits(GICD_ICENABLER, intid >> 5, u32(1) << (intid & 31));
  mmioWrite8(GICD_BASE + GICD_IPRIORITYR + u64(intid), u8(PHYS_PRIORITY));
  if (GIC_VERSION == 3) v3SpiGroupAndRoute(intid, cpu);
  else v2Route(intid, cpu);
}

export function gicRoute(intid: u32, cpu: u32): void {
  if (!isSpi(intid)) return;
  if (GIC_VERSION == 3) v3Route(intid, cpu);
  else v2Route(intid, cpu);
}

/** This CPU's interface, its private interrupts (the kick SGI, the maintenance interrupt and the EL2 timer on) and its virtual interface. @cold */
export function gicInitCpu(cpu: u32): void {
  const enabled: u32 = (u32(1) << KICK_SGI) | (u32(1) << MAINTENANCE_PPI) | (u32(1) << HYP_TIMER_PPI);
  if (GIC_VERSION == 3) v3InitCpu(cpu, enabled, PHYS_PRIORITY);
  else v2InitCpu(enabled, PHYS_PRIORITY);
}

/** Enables or disables a private interrupt of CPU `cpu` (GICv2: only the calling CPU's own). */
export function gicSetPrivateEnabled(cpu: u32, intid: u32, on: bool): void {
  if (GIC_VERSION == 3) v3SetPrivateEnabled(cpu, intid, on);
  else v2SetPrivateEnabled(intid, on);
}

/** Makes a private interrupt of CPU `cpu` pending or not pending at the physical GIC (GICv2: only the calling CPU's own). */
export function gicSetPrivatePending(cpu: u32, intid: u32, on: bool): void {
  if (GIC_VERSION == 3) v3SetPrivatePending(cpu, intid, on);
  else v2SetPrivatePending(intid, on);
}

/** This CPU's virtual CPU interface back to reset for its vCPU: no active priorities, the guest's PMR, BPR and enables zero. @cold */
export function gicResetVirtualCpu(): void {
  if (GIC_VERSION == 3) v3ResetVirtualCpu();
  else v2ResetVirtualCpu();
}

/**
 * Word 0 (SGIs and PPIs) of a one-bit-per-INTID register of CPU `cpu`: in its redistributor's SGI
 * frame (GICv3, GICR_ISPENDR0 ...), the banked first word of the distributor's (GICv2: only the
 * calling CPU's own).
 */
export function gicReadPrivateBits(cpu: u32, reg: u32): u32 {
  const base: u64 = GIC_VERSION == 3 ? sgiBase(cpu) : GICD_BASE;
  return mmioRead32(base + u64(reg));
}

/** Writes word 0 of a set/clear register of CPU `cpu` (as gicReadPrivateBits). */
export function gicWritePrivateBits(cpu: u32, reg: u32, bits: u32): void {
  if (bits == 0) return;
  const base: u64 = GIC_VERSION == 3 ? sgiBase(cpu) : GICD_BASE;
  mmioWrite32(base + u64(reg), bits);
}

/** A word of a one-bit-per-INTID distributor register (SPIs: words 1..31). */
export function gicReadBits(reg: u32, word: u32): u32 {
  if (word == 0 || word >= 32) return 0;
  return mmioRead32(GICD_BASE + u64(reg) + u64(word) * 4n);
}

/** Writes a set/clear register word (write-1-to-act registers only: other INTIDs' bits are written 0). */
export function gicWriteBits(reg: u32, word: u32, bits: u32): void {
  if (word == 0 || word >= 32 || bits == 0) return;
  mmioWrite32(GICD_BASE + u64(reg) + u64(word) * 4n, bits);
}

/** The two ICFGR bits of an SPI. */
export function gicReadConfig(intid: u32): u32 {
  if (!isSpi(intid)) return 0;
  return (mmioRead32(GICD_BASE + GICD_ICFGR + u64(intid >> 4) * 4n) >> ((intid & 15) * 2)) & 3;
}

/** Sets an SPI edge-triggered (bit 1 of its field) or level-sensitive, leaving every other INTID's field as it was. @cold */
export function gicWriteConfig(intid: u32, edge: bool): void {
  if (!isSpi(intid)) return;
  const addr: u64 = GICD_BASE + GICD_ICFGR + u64(intid >> 4) * 4n;
  const bit: u32 = u32(2) << ((intid & 15) * 2);
  lock(gicdLock);
  const old: u32 = mmioRead32(addr);
  mmioWrite32(addr, edge ? old | bit : old & ~bit);
  unlock(gicdLock);
}

/** Acknowledges the highest-priority pending interrupt; the raw IAR value (gicIntid() gives the INTID). */
export function gicAcknowledge(): u32 {
  return GIC_VERSION == 3 ? v3Acknowledge() : v2Acknowledge();
}

/**
 * A physical FIQ: acknowledged, its priority dropped and deactivated here, whatever it is (no
 * interrupt of a VM is Group 0), or it would stay pending or active and fire again at once, for
 * ever. Returns the INTID (1020 and up: none was pending).
 *
 * GICv3 signals Group 0 as FIQ (ICC_IAR0/EOIR0_EL1; DIR deactivates either group). GICv2 as
 * set up here does not: GICC_CTLR.FIQEn is clear, so its Group 0 arrives as IRQ and is acknowledged
 * on the IRQ path; a FIQ there comes from no GIC interrupt, and reading GICC_IAR would take an
 * IRQ away from the IRQ path, so nothing is acknowledged.
 */
export function gicFiq(): u32 {
  if (GIC_VERSION != 3) return 1023;
  const iar: u32 = v3AcknowledgeGroup0();
  if (iar >= 1020) return iar;
  v3PriorityDropGroup0(iar);
  v3Deactivate(iar);
  return iar;
}

export function gicIntid(iar: u32): u32 {
  return GIC_VERSION == 3 ? iar & 0xffffff : iar & 0x3ff;
}

export function gicPriorityDrop(iar: u32): void {
  if (GIC_VERSION == 3) v3PriorityDrop(iar);
  else v2PriorityDrop(iar);
}

export function gicDeactivate(iar: u32): void {
  if (GIC_VERSION == 3) v3Deactivate(iar);
  else v2Deactivate(iar);
}

/** Sends the kick SGI to physical CPU `cpu`. */
export function gicKick(cpu: u32): void {
  if (GIC_VERSION == 3) v3SendSgi(cpu, KICK_SGI);
  else v2SendSgi(cpu, KICK_SGI);
}

/** The number of list registers of this CPU's virtual interface (at most 16). */
export function gicLrCount(): u32 {
  const n: u32 = GIC_VERSION == 3 ? v3LrCount() : v2LrCount();
  return n > 16 ? 16 : n;
}

export function gicReadLr(i: u32): u64 {
  return GIC_VERSION == 3 ? v3ReadLr(i) : u64(v2ReadLr(i));
}

export function gicWriteLr(i: u32, v: u64): void {
  if (GIC_VERSION == 3) v3WriteLr(i, v);
  else v2WriteLr(i, u32(v));
}

/** The empty list registers: bit i set when register i holds nothing. */
export function gicEmptyLrs(): u32 {
  return GIC_VERSION == 3 ? v3EmptyLrs() : v2EmptyLrs();
}

/** GICv2: the registers whose EOI maintenance is due (bit i: register i). GICv3 uses none (HW links). */
export function gicEoiedLrs(): u32 {
  return GIC_VERSION == 2 ? v2EoiedLrs() : 0;
}

/** The groups the guest has enabled at its virtual CPU interface: bit 0 Group 0, bit 1 Group 1. */
export function gicGuestGroups(): u32 {
  return GIC_VERSION == 3 ? v3GuestGroups() : v2GuestGroups();
}

// ICH_HCR_EL2 and GICH_HCR: the maintenance interrupt's enables, at the same bits in both.
const HCR_UIE: u32 = 1 << 1;
const HCR_VGRP0EIE: u32 = 1 << 4;
const HCR_VGRP0DIE: u32 = 1 << 5;
const HCR_VGRP1EIE: u32 = 1 << 6;
const HCR_VGRP1DIE: u32 = 1 << 7;

/** gicSetMaintenance's causes: the list registers drain (underflow: at most one valid); the guest enables or disables a group. */
export const MAINTAIN_UNDERFLOW: u32 = 1;
export const MAINTAIN_GROUPS: u32 = 2;

/**
 * The maintenance interrupt's causes `causes` (MAINTAIN_*): the underflow while interrupts wait
 * for a list register, and a change of the guest's group enables from `groups` (as gicGuestGroups
 * read them: each enabled group watched for its disable, each disabled one for its enable).
 */
export function gicSetMaintenance(causes: u32, groups: u32): void {
  let bits: u32 = (causes & MAINTAIN_UNDERFLOW) != 0 ? HCR_UIE : 0;
  if ((causes & MAINTAIN_GROUPS) != 0) {
    bits = bits | ((groups & 1) != 0 ? HCR_VGRP0DIE : HCR_VGRP0EIE) | ((groups & 2) != 0 ? HCR_VGRP1DIE : HCR_VGRP1EIE);
  }
  if (GIC_VERSION == 3) v3SetMaintenance(bits);
  else v2SetMaintenance(bits);
}
