// The physical GICv2 (Arm IHI 0048): what differs from GICv3 — banked private registers in the
// distributor, the memory-mapped CPU interface (GICC), the virtual interface control (GICH),
// CPU-mask routing (ITARGETSR) and GICD_SGIR.
import { GICD_BASE, GICC_BASE, GICH_BASE } from "@board";

const GICD_CTLR: u64 = 0x0n;
const GICD_ITARGETSR: u64 = 0x800n;
const GICD_SGIR: u64 = 0xf00n;

const GICC_CTLR: u64 = 0x00n;
const GICC_PMR: u64 = 0x04n;
const GICC_BPR: u64 = 0x08n;
const GICC_IAR: u64 = 0x0cn;
const GICC_EOIR: u64 = 0x10n;
const GICC_DIR: u64 = 0x1000n;
/** GICC_CTLR: EnableGrp0 and EnableGrp1 (without security extensions; Enable in the non-secure view), EOImode (bit 9: split drop/deactivate). */
const GICC_CTLR_VALUE: u32 = 1 | (1 << 1) | (1 << 9);

const GICH_HCR: u64 = 0x00n;
const GICH_VTR: u64 = 0x04n;
const GICH_VMCR: u64 = 0x08n;
const GICH_EISR0: u64 = 0x20n;
const GICH_ELRSR0: u64 = 0x30n;
const GICH_APR: u64 = 0xf0n;
const GICH_LR0: u64 = 0x100n;
const GICH_HCR_EN: u32 = 1;

/** @cold */
export function v2DistributorOff(): void {
  mmioWrite32(GICD_BASE + GICD_CTLR, 0);
}

/** @cold */
export function v2DistributorOn(): void {
  mmioWrite32(GICD_BASE + GICD_CTLR, 3);
}

/** Routes an SPI to CPU interface `cpu` (QEMU: CPU interface i is CPU i). */
export function v2Route(intid: u32, cpu: u32): void {
  mmioWrite8(GICD_BASE + GICD_ITARGETSR + u64(intid), u8(u32(1) << (cpu & 7)));
}

/** This CPU's banked SGIs/PPIs disabled except `enabled`, all at `priority`; its CPU and virtual interfaces on. @cold */
export function v2InitCpu(enabled: u32, priority: u32): void {
  mmioWrite32(GICD_BASE + 0x180n, 0xffffffff);     // ICENABLER0 (banked)
  mmioWrite32(GICD_BASE + 0x280n, 0xffffffff);     // ICPENDR0 (banked)
  const p4: u32 = priority * 0x01010101;
  for (let w: u64 = 0n; w < 8n; w++) mmioWrite32(GICD_BASE + 0x400n + w * 4n, p4);
  mmioWrite32(GICD_BASE + 0x100n, enabled);        // ISENABLER0 (banked)
  mmioWrite32(GICC_BASE + GICC_PMR, 0xff);
  mmioWrite32(GICC_BASE + GICC_BPR, 0);
  mmioWrite32(GICC_BASE + GICC_CTLR, GICC_CTLR_VALUE);
  const n: u32 = v2LrCount();
  for (let i: u32 = 0; i < n; i++) v2WriteLr(i, 0);
  v2ResetVirtualCpu();
  mmioWrite32(GICH_BASE + GICH_HCR, GICH_HCR_EN);
}

/** The virtual CPU interface's guest state at reset: no active priorities, GICH_VMCR (the guest's PMR, BPR, enables) zero. @cold */
export function v2ResetVirtualCpu(): void {
  mmioWrite32(GICH_BASE + GICH_APR, 0);
  mmioWrite32(GICH_BASE + GICH_VMCR, 0);
}

/** A private interrupt of this CPU (GICv2 banks them: only the CPU itself reaches its own). */
export function v2SetPrivateEnabled(intid: u32, on: bool): void {
  mmioWrite32(GICD_BASE + (on ? 0x100n : 0x180n), u32(1) << (intid & 31));
}

/** A private interrupt of this CPU made pending or not pending (banked ISPENDR0 / ICPENDR0). */
export function v2SetPrivatePending(intid: u32, on: bool): void {
  mmioWrite32(GICD_BASE + (on ? 0x200n : 0x280n), u32(1) << (intid & 31));
}

/** The raw GICC_IAR value (INTID in [9:0], the source CPU of an SGI in [12:10]). */
export function v2Acknowledge(): u32 {
  return mmioRead32(GICC_BASE + GICC_IAR);
}

export function v2PriorityDrop(iar: u32): void {
  mmioWrite32(GICC_BASE + GICC_EOIR, iar);
}

export function v2Deactivate(iar: u32): void {
  mmioWrite32(GICC_BASE + GICC_DIR, iar);
}

export function v2SendSgi(cpu: u32, sgi: u32): void {
  dsb("ish");
  mmioWrite32(GICD_BASE + GICD_SGIR, ((u32(1) << (cpu & 7)) << 16) | (sgi & 15));
}

export function v2LrCount(): u32 {
  return (mmioRead32(GICH_BASE + GICH_VTR) & 0x3f) + 1;
}

/** GICH_EISR0: bit i set when list register i, marked EOI, has been completed by the guest (GICv2 spec 5.3.7). */
export function v2EoiedLrs(): u32 {
  return mmioRead32(GICH_BASE + GICH_EISR0);
}

/** GICH_ELRSR0: bit i set when list register i holds nothing (GICv2 spec 5.3.8). */
export function v2EmptyLrs(): u32 {
  return mmioRead32(GICH_BASE + GICH_ELRSR0);
}

/** GICH_HCR with En set and the maintenance interrupt enables `bits` (UIE [1], VGrp0EIE [4] ... VGrp1DIE [7]). */
export function v2SetMaintenance(bits: u32): void {
  mmioWrite32(GICH_BASE + GICH_HCR, GICH_HCR_EN | (bits & 0xfe));
}

/** GICH_VMCR.VMGrp0En [0] and VMGrp1En [1]: the groups the guest has enabled (GICV_CTLR). */
export function v2GuestGroups(): u32 {
  return mmioRead32(GICH_BASE + GICH_VMCR) & 3;
}

export function v2ReadLr(i: u32): u32 {
  return mmioRead32(GICH_BASE + GICH_LR0 + u64(i & 63) * 4n);
}

export function v2WriteLr(i: u32, v: u32): void {
  mmioWrite32(GICH_BASE + GICH_LR0 + u64(i & 63) * 4n, v);
}
