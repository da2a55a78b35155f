// The EL2 control registers, set deliberately on every CPU before its vCPU first runs.
// Bit names follow the Arm ARM (DDI 0487, D23.2); each set bit says why, and so does each bit left
// clear that a guest could otherwise use to disturb shared hardware or observe the hypervisor.
// The rest of that hardening is said where it is done: the guard page under each EL2 stack
// (src/el2/cpu.ts, mmu.ts), FIQs acknowledged (src/el2/trap.ts trap_fiq), every GICD_IROUTER
// affinity field checked (src/gic/vgicd.ts), one list register per INTID (src/gic/vgic.ts injectDirect).
import { pmuMdcr } from "./pmu.ts";

// HCR_EL2 (D23.2.48)
const HCR_VM: u64 = 1n << 0n;     // stage-2 translation for EL1&0: the VM sees only its own memory
const HCR_FMO: u64 = 1n << 3n;    // physical FIQs to EL2 (acknowledged and deactivated there: src/el2/trap.ts trap_fiq); the guest gets virtual ones
const HCR_IMO: u64 = 1n << 4n;    // physical IRQs to EL2; the guest gets virtual ones (and GICv3 ICC_* accesses reach the virtual interface)
const HCR_AMO: u64 = 1n << 5n;    // physical SErrors to EL2
const HCR_TSC: u64 = 1n << 19n;   // trap SMC: the guest never reaches the firmware; PSCI over SMC is emulated like HVC
const HCR_TIDCP: u64 = 1n << 20n; // trap implementation-defined registers (e.g. the A53's cluster-wide L2 controls)
const HCR_TACR: u64 = 1n << 21n;  // trap ACTLR_EL1: implementation-defined, may affect other cores
// Trap data cache maintenance by set/way (DC ISW/CSW/CISW): it reaches the cluster's shared L2, so
// other VMs' lines; emulated by address over the VM's own memory (src/el2/setway.ts, which says how).
// With every set/way operation trapped, HCR_EL2.SWIO (invalidate becomes clean+invalidate) has nothing left to do.
const HCR_TSW: u64 = 1n << 22n;
/** Trap the EL1 memory controls (SCTLR_EL1, ...): set only between a guest's set/way loop and its cache switch (src/el2/setway.ts). */
export const HCR_TVM: u64 = 1n << 26n;
const HCR_RW: u64 = 1n << 31n;    // EL1 is AArch64
// Not set, on purpose:
// - TWI/TWE: a vCPU owns its CPU, so WFI/WFE idle the CPU natively, with no exit.
// - TVM/TRVM (but see HCR_TVM above): the guest owns its EL1 translation registers; nothing else uses them.
// - FB/BSU: a vCPU never migrates, so its local TLB and barrier operations already reach every CPU that holds its state.
// - TPU (trap IC IVAU, IC IALLU(IS), DC CVAU): IC IALLUIS invalidates the instruction caches of every
//   core, other VMs' too, but instruction caches hold nothing dirty: the neighbour refetches, a
//   performance effect only, and no more than its own loads of shared L2 lines cost it. TPU would
//   also trap the IC IVAU and DC CVAU Linux issues for every page it makes executable; the finer
//   TICAB/TOCU traps are FEAT_EVT (ARMv8.2), which Cortex-A53 and A72 do not have.
// - SEV has no trap in AArch64. A guest's SEV wakes every core's WFE, other VMs' and the
//   hypervisor's (a CPU waiting for a lock or for a stopped vCPU; parked CPUs sleep in WFI,
//   src/el2/idle.ts, which no SEV wakes) alike; WFE may wake for no reason at any time
//   (Arm ARM D1.6.1), so every correct WFE loop checks its condition again: a spurious wake-up costs
//   the woken core a loop, no data and no control. TWE would only trap the neighbour's own WFEs.
// - TID1-3: the ID and cache geometry registers are the CPU's own and say nothing of another VM.
// - TGE, E2H (no VHE: EL2 runs only the hypervisor).
export const HCR_GUEST: u64 = HCR_VM | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_RW;

// CPTR_EL2 (D23.2.33), non-VHE layout: RES1 bits 13, 12, 9..0; TFP (bit 10) and TTA (bit 20) left clear:
// the guest owns its CPU's FP/SIMD and trace state, and the hypervisor uses neither (-mgeneral-regs-only).
// (Cortex-A53 and A72 trace, the ETM, has no system register interface: it is reached only through
// the memory-mapped debug interface, which no VM is given.)
const CPTR_RES1: u64 = 0x32ffn;

// MDCR_EL2 (D23.2.109): the PMU part (HPMN, and TPM or HPMD/HCCD so that no guest counts at EL2)
// comes from src/el2/pmu.ts, which says why. The debug part is all clear, on purpose:
// - TDE clear (and HCR_EL2.TGE clear) makes EL1 the debug target of the guest (Arm ARM D2.3). Debug
//   exceptions are never generated at an Exception level above the debug target (D2.4, "Enabling
//   debug exceptions"), so nothing the guest sets — MDSCR_EL1.KDE/MDE/SS, a breakpoint or
//   watchpoint made to match at EL2 (DBGBCR/DBGWCR.HMC/SSC/PMC) — leads to a breakpoint,
//   watchpoint or step exception at EL2; they are simply not generated there. (A BRK instruction
//   is taken where it runs: at EL2 only the hypervisor's own code could execute one.)
// - TDA, TDOSA, TDRA clear: the debug registers, the OS lock and the power-down request
//   (OSLAR_EL1, OSDLR_EL1, DBGPRCR_EL1) are this core's own and act on it alone; its one vCPU owns
//   them, and a vCPU's reset clears its MDSCR_EL1 (src/el2/vcpu.ts). Halting debug is driven only
//   from the external debug interface, which is memory-mapped and given to no VM.

// CNTHCTL_EL2 (D23.2.21), non-VHE: EL1PCTEN and EL1PCEN let the guest use the physical counter and timer of its own CPU.
const CNTHCTL_EL1PCTEN: u64 = 1n << 0n;
const CNTHCTL_EL1PCEN: u64 = 1n << 1n;

/** SCTLR_EL1 at vCPU reset: MMU and caches off; RES1 bits (D23.2.118). */
export const SCTLR_EL1_RESET: u64 = 0x30d00800n;

/** PSTATE for a vCPU's first instruction: EL1h, D, A, I, F masked (the Linux boot protocol). */
export const SPSR_EL1H_MASKED: u64 = 0x3c5n;

/** VMPIDR_EL2.RES1 bit 31: the MPIDR_EL1 a vCPU reads is its own vCPU index (Aff0) with bit 31 set. */
const MPIDR_RES1: u64 = 1n << 31n;

/** Per-CPU EL2 configuration for running `vcpuIndex` of a VM whose stage-2 root is `vttbr`. @cold */
export function setupEl2(vttbr: u64, vtcr: u64, vcpuIndex: u32): void {
  msr("VTCR_EL2", vtcr);
  msr("VTTBR_EL2", vttbr);
  // TLB contents are UNKNOWN out of reset (Arm ARM D8.13): drop every EL1&0 entry of this CPU, for
  // every VMID, before stage 2 is first enabled. The tables never change afterwards, so this is the
  // only stage-2 TLB maintenance a statically partitioned VM needs.
  isb();
  tlbi("alle1");
  dsb("nsh");
  msr("HCR_EL2", HCR_GUEST);
  msr("CPTR_EL2", CPTR_RES1);
  msr("MDCR_EL2", pmuMdcr());
  msr("CNTHCTL_EL2", CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
  msr("CNTVOFF_EL2", 0n);
  msr("VPIDR_EL2", mrs("MIDR_EL1"));
  msr("VMPIDR_EL2", MPIDR_RES1 | u64(vcpuIndex));
  msr("SCTLR_EL1", SCTLR_EL1_RESET);
  isb();
}
