// The EL2 control registers, set deliberately on every CPU before its vCPU first runs.
// Bit names follow the Arm ARM (DDI 0487, D23.2); each set bit says why.

// HCR_EL2 (D23.2.48)
const HCR_VM: u64 = 1n << 0n;     // stage-2 translation for EL1&0: the VM sees only its own memory
const HCR_SWIO: u64 = 1n << 1n;   // data cache invalidate by set/way becomes clean+invalidate: a guest cannot discard others' dirty lines
const HCR_FMO: u64 = 1n << 3n;    // physical FIQs to EL2; the guest gets virtual ones
const HCR_IMO: u64 = 1n << 4n;    // physical IRQs to EL2; the guest gets virtual ones (and GICv3 ICC_* accesses reach the virtual interface)
const HCR_AMO: u64 = 1n << 5n;    // physical SErrors to EL2
const HCR_TSC: u64 = 1n << 19n;   // trap SMC: the guest never reaches the firmware; PSCI over SMC is emulated like HVC
const HCR_TIDCP: u64 = 1n << 20n; // trap implementation-defined registers (e.g. the A53's cluster-wide L2 controls)
const HCR_TACR: u64 = 1n << 21n;  // trap ACTLR_EL1: implementation-defined, may affect other cores
const HCR_RW: u64 = 1n << 31n;    // EL1 is AArch64
// Not set, on purpose: TWI/TWE (a vCPU owns its CPU, so WFI/WFE idle the CPU natively, with no exit),
// TVM/TRVM (the guest owns its EL1 translation registers; nothing else uses them), FB/BSU (a vCPU never
// migrates, so its local TLB and barrier operations already reach every CPU that holds its state),
// TGE, E2H (no VHE: EL2 runs only the hypervisor).
export const HCR_GUEST: u64 = HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_RW;

// CPTR_EL2 (D23.2.33), non-VHE layout: RES1 bits 13, 12, 9..0; TFP (bit 10) and TTA (bit 20) left clear:
// the guest owns its CPU's FP/SIMD and trace state, and the hypervisor uses neither (-mgeneral-regs-only).
const CPTR_RES1: u64 = 0x32ffn;

// MDCR_EL2 (D23.2.109): HPMN = PMCR_EL0.N gives the guest every PMU counter; TPM/TPMCR clear let it
// use the PMU without traps (the benchmarks read PMCCNTR_EL0). Debug registers are the guest's own (TDA, TDOSA, TDRA clear).
const PMCR_N_SHIFT: u64 = 11n;

// CNTHCTL_EL2 (D23.2.21), non-VHE: EL1PCTEN and EL1PCEN let the guest use the physical counter and timer of its own CPU.
const CNTHCTL_EL1PCTEN: u64 = 1n << 0n;
const CNTHCTL_EL1PCEN: u64 = 1n << 1n;

/** SCTLR_EL1 at vCPU reset: MMU and caches off; RES1 bits (D23.2.118). */
export const SCTLR_EL1_RESET: u64 = 0x30d00800n;

/** PSTATE for a vCPU's first instruction: EL1h, D, A, I, F masked (the Linux boot protocol). */
export const SPSR_EL1H_MASKED: u64 = 0x3c5n;

/** VMPIDR_EL2.RES1 bit 31: the MPIDR_EL1 a vCPU reads is its own vCPU index (Aff0) with bit 31 set. */
const MPIDR_RES1: u64 = 1n << 31n;

/** Per-CPU EL2 configuration for running `vcpuIndex` of a VM whose stage-2 root is `vttbr`. */
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
  msr("MDCR_EL2", (mrs("PMCR_EL0") >> PMCR_N_SHIFT) & 0x1fn);
  msr("CNTHCTL_EL2", CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
  msr("CNTVOFF_EL2", 0n);
  msr("VPIDR_EL2", mrs("MIDR_EL1"));
  msr("VMPIDR_EL2", MPIDR_RES1 | u64(vcpuIndex));
  msr("SCTLR_EL1", SCTLR_EL1_RESET);
  isb();
}
