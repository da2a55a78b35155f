// The guest's PMU (Arm ARM D13, "The Performance Monitors Extension"), without a view of EL2.
//
// A vCPU owns its CPU's PMU: MDCR_EL2.HPMN = PMCR_EL0.N gives it every event counter. What it must
// not do is count the hypervisor: PMUv3 counts at EL2 whenever a counter's filter has NSH set
// (PMEVTYPER<n>_EL0 and PMCCFILTR_EL0 bit 27), and a guest that did could time the hypervisor's
// work, including work done for, and so shaped by, other VMs.
//
// - A PMU with FEAT_PMUv3p5 (ID_AA64DFR0_EL1.PMUVer >= 6) stops it without traps: MDCR_EL2.HPMD
//   (v3p1) prohibits event counting at EL2, MDCR_EL2.HCCD (v3p5) stops the cycle counter there.
//   HPMD alone would not do: the cycle counter keeps counting where events are prohibited unless
//   PMCR_EL0.DP, which is the guest's.
// - Cortex-A53 (QEMU) and Cortex-A72 (Raspberry Pi 4) are ARMv8.0, PMUVer 1: HPMD and HCCD are RES0.
//   There MDCR_EL2.TPM traps every PMU register access of the guest (EL1, and EL0 where
//   PMUSERENR_EL0 lets EL0 in: EL1's own trap comes first), and pmuTrap performs it with NSH clear
//   in every filter written. The guest's PMU works as before, minus EL2. The price is one trap per
//   PMU access: ~140 instructions on QEMU's Cortex-A53 (guests/harden measures it); Linux touches
//   the PMU only when perf runs.
//
// PMU_COUNTS_EL2 (@config: set only in the build of `bulkhead bench`, host/bench.ts) leaves the PMU
// untrapped and every filter as the guest writes it, so the benchmark can count the hypervisor's
// instructions with NSH; and leaves the cycle counter entry.S starts at reset running into the
// guest, which reads its boot time from it. It lets a guest observe the hypervisor: never deploy it.
import { PMU_COUNTS_EL2 } from "@config";
import { GuestRegs } from "./cpu.ts";

// MDCR_EL2 (D23.2.109)
const MDCR_TPM: u64 = 1n << 6n;
const MDCR_HPMD: u64 = 1n << 17n;
const MDCR_HCCD: u64 = 1n << 23n;

/** PMEVTYPER<n>_EL0 / PMCCFILTR_EL0.NSH: count at EL2. */
const FILTER_NSH: u64 = 1n << 27n;
/** PMCR_EL0.P and .C: zero every event counter and the cycle counter (E, the enable, is bit 0). */
const PMCR_P: u64 = 1n << 1n;
const PMCR_C: u64 = 1n << 2n;
/** Index of PMCCFILTR_EL0 among PMEVTYPER<n>_EL0, and what PMSELR_EL0 selects it with. */
const CYCLE_FILTER: u32 = 31;

/** PMCR_EL0.N: the number of event counters. */
export function pmuCounters(): u32 {
  return u32(mrs("PMCR_EL0") >> 11n) & 0x1f;
}

/** The PMU's part of MDCR_EL2 (src/el2/setup.ts): every counter to the guest, EL2 out of its sight. */
export function pmuMdcr(): u64 {
  const hpmn: u64 = u64(pmuCounters());
  if (PMU_COUNTS_EL2) return hpmn;
  const version: u64 = (mrs("ID_AA64DFR0_EL1") >> 8n) & 0xfn;
  if (version >= 6n && version != 0xfn) return hpmn | MDCR_HPMD | MDCR_HCCD;
  return hpmn | MDCR_TPM;
}

/**
 * The guest's PMU at a vCPU start (the VM's boot, CPU_ON, a restart), as out of reset: counters
 * disabled and zero, no interrupt or overflow, no event selected, no EL0 access, filters zero.
 * Nothing counted by an earlier run (or by the hypervisor since reset) is visible to the next.
 * @cold
 */
export function pmuResetVcpu(): void {
  if (PMU_COUNTS_EL2) return;
  msr("PMCNTENCLR_EL0", 0xffffffffn);
  msr("PMINTENCLR_EL1", 0xffffffffn);
  msr("PMOVSCLR_EL0", 0xffffffffn);
  msr("PMCR_EL0", PMCR_P | PMCR_C);
  const n: u32 = pmuCounters();
  for (let i: u32 = 0; i < n; i++) {
    msr("PMSELR_EL0", u64(i));
    isb();
    msr("PMXEVTYPER_EL0", 0n);
  }
  msr("PMSELR_EL0", 0n);
  msr("PMUSERENR_EL0", 0n);
  msr("PMCCFILTR_EL0", 0n);
  isb();
}

/** pmuTrap's outcomes. */
export const enum PmuAccess { NotPmu = 0, Done = 1, Undefined = 2 }

/** Counter `n` (event counter, or with `filter` also PMCCFILTR as 31) exists on this PMU. @cold */
function implemented(n: u32, filter: bool): bool {
  return n < pmuCounters() || (filter && n == CYCLE_FILTER);
}

/** PMEVCNTR<n>_EL0 or PMEVTYPER<n>_EL0 (`filter`) through PMSELR_EL0, which is the guest's and is kept. @cold */
function selected(n: u32, filter: bool, read: bool, value: u64): u64 {
  const sel: u64 = mrs("PMSELR_EL0");
  msr("PMSELR_EL0", u64(n));
  isb();
  let result: u64 = 0n;
  if (filter) {
    if (read) result = mrs("PMXEVTYPER_EL0");
    else msr("PMXEVTYPER_EL0", value & ~FILTER_NSH);
  } else {
    if (read) result = mrs("PMXEVCNTR_EL0");
    else msr("PMXEVCNTR_EL0", value);
  }
  msr("PMSELR_EL0", sel);
  return result;
}

/**
 * A PMU register access trapped by MDCR_EL2.TPM (EC 0x18; ISS: Op0 [21:20], Op2 [19:17], Op1 [16:14],
 * CRn [13:10], Rt [9:5], CRm [4:1], direction [0], 1 = read), performed on the real register, with
 * NSH clear in a filter written. Undefined: an access that is UNDEFINED natively (a counter this PMU
 * does not have, a write of a read-only register, a read of PMSWINC_EL0). NotPmu: not a PMU register.
 * @cold
 */
export function pmuTrap(regs: GuestRegs, esr: u64): u32 {
  const iss: u32 = u32(esr & 0x1ffffffn);
  const op0: u32 = (iss >> 20) & 3;
  const op2: u32 = (iss >> 17) & 7;
  const op1: u32 = (iss >> 14) & 7;
  const crn: u32 = (iss >> 10) & 15;
  const crm: u32 = (iss >> 1) & 15;
  const rt: u32 = (iss >> 5) & 31;
  const read: bool = (iss & 1) != 0;
  const value: u64 = read || rt == 31 ? 0n : regs.x[rt];
  let result: u64 = 0n;
  if (op0 != 3) return PmuAccess.NotPmu;
  if (op1 == 3 && crn == 14 && crm >= 8) {
    // PMEVCNTR<n>_EL0 (CRm 8-11), PMEVTYPER<n>_EL0 (CRm 12-15; n = 31 is PMCCFILTR_EL0)
    const n: u32 = ((crm & 3) << 3) | op2;
    const filter: bool = crm >= 12;
    if (!implemented(n, filter)) return PmuAccess.Undefined;
    result = selected(n, filter, read, value);
  } else if (op1 == 0 && crn == 9 && crm == 14 && (op2 == 1 || op2 == 2)) {
    // PMINTENSET_EL1, PMINTENCLR_EL1: both read the same enable bits.
    if (read) result = mrs("PMINTENSET_EL1");
    else if (op2 == 1) msr("PMINTENSET_EL1", value);
    else msr("PMINTENCLR_EL1", value);
  } else if (op1 == 3 && crn == 9 && crm >= 12 && crm <= 14) {
    switch ((crm << 3) | op2) {
      case (12 << 3) | 0:
        if (read) result = mrs("PMCR_EL0");
        else msr("PMCR_EL0", value);
        break;
      case (12 << 3) | 1:
        if (read) result = mrs("PMCNTENSET_EL0");
        else msr("PMCNTENSET_EL0", value);
        break;
      case (12 << 3) | 2:
        if (read) result = mrs("PMCNTENCLR_EL0");
        else msr("PMCNTENCLR_EL0", value);
        break;
      case (12 << 3) | 3:
        if (read) result = mrs("PMOVSCLR_EL0");
        else msr("PMOVSCLR_EL0", value);
        break;
      case (12 << 3) | 4:
        if (read) return PmuAccess.Undefined;
        msr("PMSWINC_EL0", value);
        break;
      case (12 << 3) | 5:
        if (read) result = mrs("PMSELR_EL0");
        else msr("PMSELR_EL0", value);
        break;
      case (12 << 3) | 6:
      case (12 << 3) | 7:
        if (!read) return PmuAccess.Undefined;
        result = op2 == 6 ? mrs("PMCEID0_EL0") : mrs("PMCEID1_EL0");
        break;
      case (13 << 3) | 0:
        if (read) result = mrs("PMCCNTR_EL0");
        else msr("PMCCNTR_EL0", value);
        break;
      case (13 << 3) | 1:
      case (13 << 3) | 2: {
        // PMXEVTYPER_EL0, PMXEVCNTR_EL0: the counter the guest's PMSELR_EL0 selects.
        const n: u32 = u32(mrs("PMSELR_EL0") & 0x1fn);
        const filter: bool = op2 == 1;
        if (!implemented(n, filter)) return PmuAccess.Undefined;
        result = selected(n, filter, read, value);
        break;
      }
      case (14 << 3) | 0:
        if (read) result = mrs("PMUSERENR_EL0");
        else msr("PMUSERENR_EL0", value);
        break;
      case (14 << 3) | 3:
        if (read) result = mrs("PMOVSSET_EL0");
        else msr("PMOVSSET_EL0", value);
        break;
      default:
        return PmuAccess.NotPmu;
    }
  } else {
    return PmuAccess.NotPmu;
  }
  if (read && rt != 31) regs.x[rt] = result;
  return PmuAccess.Done;
}
