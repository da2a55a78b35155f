// The physical GICv3 (Arm IHI 0069): what differs from GICv2 — the redistributors, the
// system-register CPU interface (ICC_*), the virtual interface (ICH_*), affinity routing.
// The distributor's per-INTID registers (ISENABLER, IPRIORITYR, ...) are at the same offsets
// on both versions and are driven from src/gic/gic.ts.
import { GICD_BASE, GICR_BASE } from "@board";

/** One RD_base + SGI_base frame pair per CPU; QEMU virt lays them out in CPU order. */
const GICR_STRIDE: u64 = 0x20000n;
const GICR_SGI: u64 = 0x10000n;
const GICR_WAKER: u64 = 0x14n;
const WAKER_PROCESSOR_SLEEP: u32 = 1 << 1;
const WAKER_CHILDREN_ASLEEP: u32 = 1 << 2;

const GICD_CTLR: u64 = 0x0n;
const GICD_CTLR_RWP: u32 = 1 << 31;
/** GICD_CTLR with DS=1 (no EL3 on QEMU virt): EnableGrp1 (bit 1), ARE (bit 4); with DS=0 the same bits are EnableGrp1NS/ARE_NS. */
const GICD_CTLR_ENABLE: u32 = (1 << 1) | (1 << 4);
const GICD_IGROUPR: u64 = 0x80n;
const GICD_IROUTER: u64 = 0x6000n;

/** ICC_SRE_ELx: SRE (system registers), DFB, DIB; EL2 also Enable (EL1 may use ICC_SRE_EL1). */
const ICC_SRE_EL2_VALUE: u64 = 0xfn;
const ICC_SRE_EL1_VALUE: u64 = 0x7n;
/** ICC_CTLR_EL1.EOImode: EOIR only drops priority, DIR deactivates. */
const ICC_CTLR_EOIMODE: u64 = 1n << 1n;
/** ICH_HCR_EL2.En and .UIE (underflow maintenance interrupt). */
const ICH_HCR_EN: u64 = 1n;

export function redistributor(cpu: u32): u64 {
  return GICR_BASE + u64(cpu) * GICR_STRIDE;
}

export function sgiBase(cpu: u32): u64 {
  return redistributor(cpu) + GICR_SGI;
}

/** @cold */
function waitRwp(): void {
  for (let i: u32 = 0; i < 1000000; i++) {
    if ((mmioRead32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP) == 0) return;
  }
}

/** @cold */
export function v3DistributorOff(): void {
  mmioWrite32(GICD_BASE + GICD_CTLR, 0);
  waitRwp();
}

/** @cold */
export function v3DistributorOn(): void {
  mmioWrite32(GICD_BASE + GICD_CTLR, GICD_CTLR_ENABLE);
  waitRwp();
}

/** An SPI for the hypervisor's IRQ handling: Group 1 (non-secure), routed to `cpu` (Aff0 = CPU index). @cold */
export function v3SpiGroupAndRoute(intid: u32, cpu: u32): void {
  const word: u64 = GICD_BASE + GICD_IGROUPR + u64(intid >> 5) * 4n;
  mmioWrite32(word, mmioRead32(word) | (u32(1) << (intid & 31)));
  v3Route(intid, cpu);
}

export function v3Route(intid: u32, cpu: u32): void {
  mmioWrite64(GICD_BASE + GICD_IROUTER + u64(intid) * 8n, u64(cpu));
}

/** This CPU's redistributor awake, its SGIs/PPIs Group 1 and disabled except `enabled`, all at `priority`. @cold */
export function v3InitCpu(cpu: u32, enabled: u32, priority: u32): void {
  const rd: u64 = redistributor(cpu);
  mmioWrite32(rd + GICR_WAKER, mmioRead32(rd + GICR_WAKER) & ~WAKER_PROCESSOR_SLEEP);
  for (let i: u32 = 0; i < 1000000; i++) {
    if ((mmioRead32(rd + GICR_WAKER) & WAKER_CHILDREN_ASLEEP) == 0) break;
  }
  const sgi: u64 = sgiBase(cpu);
  mmioWrite32(sgi + 0x180n, 0xffffffff);          // ICENABLER0
  mmioWrite32(sgi + 0x280n, 0xffffffff);          // ICPENDR0
  mmioWrite32(sgi + 0x80n, 0xffffffff);           // IGROUPR0: Group 1
  const p4: u32 = priority * 0x01010101;
  for (let w: u64 = 0n; w < 8n; w++) mmioWrite32(sgi + 0x400n + w * 4n, p4);
  mmioWrite32(sgi + 0x100n, enabled);             // ISENABLER0

  msr("ICC_SRE_EL2", ICC_SRE_EL2_VALUE);
  isb();
  msr("ICC_SRE_EL1", ICC_SRE_EL1_VALUE);
  msr("ICC_PMR_EL1", 0xffn);
  msr("ICC_BPR1_EL1", 0n);
  msr("ICC_CTLR_EL1", ICC_CTLR_EOIMODE);
  msr("ICC_IGRPEN1_EL1", 1n);
  // The virtual interface: empty list registers, no active priorities, the guest's VMCR at reset.
  const n: u32 = v3LrCount();
  for (let i: u32 = 0; i < n; i++) v3WriteLr(i, 0n);
  v3ResetVirtualCpu();
  msr("ICH_HCR_EL2", ICH_HCR_EN);
  isb();
}

/** The virtual CPU interface's guest state at reset: no active priorities, ICH_VMCR_EL2 (the guest's PMR, BPR, enables) zero. @cold */
export function v3ResetVirtualCpu(): void {
  msr("ICH_AP1R0_EL2", 0n);
  msr("ICH_AP0R0_EL2", 0n);
  msr("ICH_VMCR_EL2", 0n);
}

/** A private interrupt of `cpu` enabled or disabled at its redistributor. */
export function v3SetPrivateEnabled(cpu: u32, intid: u32, on: bool): void {
  mmioWrite32(sgiBase(cpu) + (on ? 0x100n : 0x180n), u32(1) << (intid & 31));
}

/** A private interrupt of `cpu` made pending (ISPENDR0) or not pending (ICPENDR0) at its redistributor. */
export function v3SetPrivatePending(cpu: u32, intid: u32, on: bool): void {
  mmioWrite32(sgiBase(cpu) + (on ? 0x200n : 0x280n), u32(1) << (intid & 31));
}

export function v3Acknowledge(): u32 {
  return u32(mrs("ICC_IAR1_EL1") & 0xffffffn);
}

/** Group 0 (signalled as FIQ): acknowledged, and its priority dropped, through the Group 0 registers. */
export function v3AcknowledgeGroup0(): u32 {
  return u32(mrs("ICC_IAR0_EL1") & 0xffffffn);
}

export function v3PriorityDropGroup0(iar: u32): void {
  msr("ICC_EOIR0_EL1", u64(iar));
}

export function v3PriorityDrop(iar: u32): void {
  msr("ICC_EOIR1_EL1", u64(iar));
}

export function v3Deactivate(iar: u32): void {
  msr("ICC_DIR_EL1", u64(iar));
}

/** Physical SGI `sgi` to CPU `cpu` (Aff0 = CPU index, Aff1..3 = 0: TargetList bit cpu). */
export function v3SendSgi(cpu: u32, sgi: u32): void {
  dsb("ish");
  msr("ICC_SGI1R_EL1", (u64(sgi & 15) << 24n) | (1n << u64(cpu & 15)));
  isb();
}

export function v3LrCount(): u32 {
  return u32(mrs("ICH_VTR_EL2") & 0x1fn) + 1;
}

/** ICH_ELRSR_EL2: bit i set when list register i holds nothing (Arm GIC spec 12.5.8). */
export function v3EmptyLrs(): u32 {
  return u32(mrs("ICH_ELRSR_EL2") & 0xffffn);
}

/** ICH_HCR_EL2 with En set and the maintenance interrupt enables `bits` (UIE [1], VGrp0EIE [4] ... VGrp1DIE [7]). */
export function v3SetMaintenance(bits: u32): void {
  msr("ICH_HCR_EL2", ICH_HCR_EN | u64(bits & 0xfe));
}

/** ICH_VMCR_EL2.VENG0 [0] and VENG1 [1]: the groups the guest has enabled (ICC_IGRPEN0/1_EL1). */
export function v3GuestGroups(): u32 {
  return u32(mrs("ICH_VMCR_EL2") & 3n);
}

export function v3ReadLr(i: u32): u64 {
  switch (i) {
    case 0: return mrs("ICH_LR0_EL2");
    case 1: return mrs("ICH_LR1_EL2");
    case 2: return mrs("ICH_LR2_EL2");
    case 3: return mrs("ICH_LR3_EL2");
    case 4: return mrs("ICH_LR4_EL2");
    case 5: return mrs("ICH_LR5_EL2");
    case 6: return mrs("ICH_LR6_EL2");
    case 7: return mrs("ICH_LR7_EL2");
    case 8: return mrs("ICH_LR8_EL2");
    case 9: return mrs("ICH_LR9_EL2");
    case 10: return mrs("ICH_LR10_EL2");
    case 11: return mrs("ICH_LR11_EL2");
    case 12: return mrs("ICH_LR12_EL2");
    case 13: return mrs("ICH_LR13_EL2");
    case 14: return mrs("ICH_LR14_EL2");
    case 15: return mrs("ICH_LR15_EL2");
    default: return 0n;
  }
}

export function v3WriteLr(i: u32, v: u64): void {
  // The lowest free register, which a fill takes, is nearly always the first: no jump table for it.
  if (i == 0) {
    msr("ICH_LR0_EL2", v);
    return;
  }
  switch (i) {
    case 1: msr("ICH_LR1_EL2", v); return;
    case 2: msr("ICH_LR2_EL2", v); return;
    case 3: msr("ICH_LR3_EL2", v); return;
    case 4: msr("ICH_LR4_EL2", v); return;
    case 5: msr("ICH_LR5_EL2", v); return;
    case 6: msr("ICH_LR6_EL2", v); return;
    case 7: msr("ICH_LR7_EL2", v); return;
    case 8: msr("ICH_LR8_EL2", v); return;
    case 9: msr("ICH_LR9_EL2", v); return;
    case 10: msr("ICH_LR10_EL2", v); return;
    case 11: msr("ICH_LR11_EL2", v); return;
    case 12: msr("ICH_LR12_EL2", v); return;
    case 13: msr("ICH_LR13_EL2", v); return;
    case 14: msr("ICH_LR14_EL2", v); return;
    case 15: msr("ICH_LR15_EL2", v); return;
    default: return;
  }
}
