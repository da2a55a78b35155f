// A guest's data cache maintenance by set/way (DC ISW, DC CSW, DC CISW), trapped by HCR_EL2.TSW.
//
// Why trap: a set/way operation acts on the caches of the CPU that runs it, and on the caches that
// CPU shares: the cluster's L2 holds every VM's lines, so a guest looping over it would clean and
// evict its neighbours' data (and an invalidate, without HCR_EL2.SWIO, would discard their writes).
// Nor can it give the guest what it wants from it — its memory at the PoC before the caches go off
// — since the caches of its other CPUs and any system cache are out of its reach (Arm ARM D7.5.9:
// set/way operations are for power management of one cache, not for coherency).
//
// What instead, as KVM does (arch/arm64/kvm/mmu.c, kvm_set_way_flush and kvm_toggle_cache): a guest
// runs a whole-cache set/way loop to make its memory clean at the PoC, and then switches its caches
// off (or on). So the first set/way operation cleans and invalidates all of the VM's own memory by
// VA to the PoC (DC CIVAC over each of its RAM and shared regions, through the hypervisor's
// identity map: no other VM's line is touched) and sets HCR_EL2.TVM; the rest of the loop, with
// TVM set, is only stepped over. TVM traps the guest's writes of its EL1 translation controls,
// among them SCTLR_EL1: when SCTLR_EL1.M and .C together change state, the VM's memory is cleaned
// and invalidated again (the lines the guest dirtied after its loop reach memory before it reads
// with the caches off; nothing stale is hit when they come back on), and once the caches are on,
// TVM is cleared and nothing traps any more.
//
// Simpler than KVM for a static partitioner: a vCPU never migrates and is its CPU's only user, so
// this CPU's HCR_EL2.TVM is the whole per-vCPU state, with no copy to keep in step, and a vCPU's
// reset (src/el2/vcpu.ts) drops it with the rest of HCR_EL2. Cost: none for a guest that never uses
// set/way (Linux on arm64 does not); for one that does, one pass over its memory per loop and per
// cache switch, not one per instruction, and a trap (~130 instructions on QEMU) for every other
// operation of the loop (guests/harden measures both).
import { REGION_FIRST, REGION_KIND, REGION_PA, REGION_SIZE } from "@config";
import { GuestRegs } from "./cpu.ts";
import { HCR_TVM } from "./setup.ts";

/** REGION_KIND of device regions: not memory, never cached. */
const REGION_DEVICE: u32 = 1;
/** SCTLR_EL1.M (stage-1 MMU) and .C (data caches): the guest's data is cacheable with both set. */
const SCTLR_M: u64 = 1n << 0n;
const SCTLR_C: u64 = 1n << 2n;

/** ISS of a trapped MSR/MRS (EC 0x18): Op0, Op2, Op1, CRn and CRm, without Rt and the direction. */
const ISS_ENCODING: u64 = 0x3ffc1en;
function encoding(op0: u32, op1: u32, crn: u32, crm: u32, op2: u32): u32 {
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (crm << 1);
}

/** Whether the trapped instruction is DC ISW, DC CSW or DC CISW (SYS #0, C7, C6/C10/C14, #2). */
export function isSetWay(esr: u64): bool {
  const enc: u32 = u32(esr & ISS_ENCODING);
  return enc == encoding(1, 0, 7, 6, 2) || enc == encoding(1, 0, 7, 10, 2) || enc == encoding(1, 0, 7, 14, 2);
}

/** The smallest data cache line of this CPU (CTR_EL0.DminLine, log2 of words). @cold */
function lineBytes(): u64 {
  return 4n << ((mrs("CTR_EL0") >> 16n) & 0xfn);
}

/** Cleans and invalidates every memory region of VM `vm` to the PoC, by address. @cold */
function flushVm(vm: u32): void {
  const line: u64 = lineBytes();
  for (let r: u32 = u32(REGION_FIRST[vm]); r < u32(REGION_FIRST[vm + 1]); r++) {
    if (u32(REGION_KIND[r]) == REGION_DEVICE) continue;
    const end: u64 = REGION_PA[r] + REGION_SIZE[r];
    for (let a: u64 = REGION_PA[r] & ~(line - 1n); a < end; a += line) dc("civac", a);
  }
  dsb("sy");
}

/** A trapped set/way operation of VM `vm`: the first of a loop flushes the VM's memory and watches for the cache switch. @cold */
export function setWayTrap(vm: u32): void {
  const hcr: u64 = mrs("HCR_EL2");
  if ((hcr & HCR_TVM) != 0n) return;
  flushVm(vm);
  msr("HCR_EL2", hcr | HCR_TVM);
}

/** @cold */
function cachesOn(sctlr: u64): bool {
  return (sctlr & (SCTLR_M | SCTLR_C)) == (SCTLR_M | SCTLR_C);
}

/**
 * A guest write of an EL1 virtual memory control register, trapped while HCR_EL2.TVM is set
 * (D23.2.48: SCTLR_EL1, TTBR0/1_EL1, TCR_EL1, ESR_EL1, FAR_EL1, AFSR0/1_EL1, MAIR_EL1, AMAIR_EL1,
 * CONTEXTIDR_EL1), performed. False: not one of them (TVM traps writes only).
 * @cold
 */
export function vmControlTrap(vm: u32, regs: GuestRegs, esr: u64): bool {
  if ((esr & 1n) != 0n) return false;
  const rt: u32 = u32((esr >> 5n) & 0x1fn);
  const v: u64 = rt == 31 ? 0n : regs.x[rt];
  const enc: u32 = u32(esr & ISS_ENCODING);
  if (enc == encoding(3, 0, 1, 0, 0)) {
    const was: bool = cachesOn(mrs("SCTLR_EL1"));
    msr("SCTLR_EL1", v);
    const now: bool = cachesOn(v);
    if (now != was) flushVm(vm);
    if (now) msr("HCR_EL2", mrs("HCR_EL2") & ~HCR_TVM);
  } else if (enc == encoding(3, 0, 2, 0, 0)) msr("TTBR0_EL1", v);
  else if (enc == encoding(3, 0, 2, 0, 1)) msr("TTBR1_EL1", v);
  else if (enc == encoding(3, 0, 2, 0, 2)) msr("TCR_EL1", v);
  else if (enc == encoding(3, 0, 5, 1, 0)) msr("AFSR0_EL1", v);
  else if (enc == encoding(3, 0, 5, 1, 1)) msr("AFSR1_EL1", v);
  else if (enc == encoding(3, 0, 5, 2, 0)) msr("ESR_EL1", v);
  else if (enc == encoding(3, 0, 6, 0, 0)) msr("FAR_EL1", v);
  else if (enc == encoding(3, 0, 10, 2, 0)) msr("MAIR_EL1", v);
  else if (enc == encoding(3, 0, 10, 3, 0)) msr("AMAIR_EL1", v);
  else if (enc == encoding(3, 0, 13, 0, 1)) msr("CONTEXTIDR_EL1", v);
  else return false;
  return true;
}
