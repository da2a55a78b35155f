// System registers the subset may name in mrs()/msr(), with their encodings
// (op0, op1, CRn, CRm, op2; Arm ARM DDI 0487, D23 "AArch64 System Register Descriptions").
// The C backend emits the generic S<op0>_<op1>_C<n>_C<m>_<op2> form so that any assembler accepts it;
// tests/sysregs.test.ts checks each encoding against binutils' own name for the register.

export type Access = "rw" | "ro" | "wo";
interface SysRegDef { enc: [number, number, number, number, number]; access: Access }

const R = (op0: number, op1: number, crn: number, crm: number, op2: number, access: Access = "rw"): SysRegDef =>
  ({ enc: [op0, op1, crn, crm, op2], access });

const table: Record<string, SysRegDef> = {
  CurrentEL: R(3, 0, 4, 2, 2, "ro"), DAIF: R(3, 3, 4, 2, 1), SPSel: R(3, 0, 4, 2, 0), NZCV: R(3, 3, 4, 2, 0),
  MIDR_EL1: R(3, 0, 0, 0, 0, "ro"), MPIDR_EL1: R(3, 0, 0, 0, 5, "ro"),
  ID_AA64PFR0_EL1: R(3, 0, 0, 4, 0, "ro"), ID_AA64DFR0_EL1: R(3, 0, 0, 5, 0, "ro"),
  ID_AA64MMFR0_EL1: R(3, 0, 0, 7, 0, "ro"), ID_AA64MMFR1_EL1: R(3, 0, 0, 7, 1, "ro"),
  // EL2 configuration and translation
  VPIDR_EL2: R(3, 4, 0, 0, 0), VMPIDR_EL2: R(3, 4, 0, 0, 5),
  SCTLR_EL2: R(3, 4, 1, 0, 0), ACTLR_EL2: R(3, 4, 1, 0, 1),
  HCR_EL2: R(3, 4, 1, 1, 0), MDCR_EL2: R(3, 4, 1, 1, 1), CPTR_EL2: R(3, 4, 1, 1, 2), HSTR_EL2: R(3, 4, 1, 1, 3),
  TTBR0_EL2: R(3, 4, 2, 0, 0), TCR_EL2: R(3, 4, 2, 0, 2), VTTBR_EL2: R(3, 4, 2, 1, 0), VTCR_EL2: R(3, 4, 2, 1, 2),
  SPSR_EL2: R(3, 4, 4, 0, 0), ELR_EL2: R(3, 4, 4, 0, 1), SP_EL1: R(3, 4, 4, 1, 0),
  AFSR0_EL2: R(3, 4, 5, 1, 0), AFSR1_EL2: R(3, 4, 5, 1, 1), ESR_EL2: R(3, 4, 5, 2, 0),
  FAR_EL2: R(3, 4, 6, 0, 0), HPFAR_EL2: R(3, 4, 6, 0, 4),
  MAIR_EL2: R(3, 4, 10, 2, 0), AMAIR_EL2: R(3, 4, 10, 3, 0), VBAR_EL2: R(3, 4, 12, 0, 0),
  TPIDR_EL2: R(3, 4, 13, 0, 2),
  CNTVOFF_EL2: R(3, 4, 14, 0, 3), CNTHCTL_EL2: R(3, 4, 14, 1, 0),
  CNTHP_CTL_EL2: R(3, 4, 14, 2, 1), CNTHP_CVAL_EL2: R(3, 4, 14, 2, 2),
  // EL1 state the hypervisor saves and restores for a vCPU
  SCTLR_EL1: R(3, 0, 1, 0, 0), ACTLR_EL1: R(3, 0, 1, 0, 1), CPACR_EL1: R(3, 0, 1, 0, 2),
  TTBR0_EL1: R(3, 0, 2, 0, 0), TTBR1_EL1: R(3, 0, 2, 0, 1), TCR_EL1: R(3, 0, 2, 0, 2),
  SPSR_EL1: R(3, 0, 4, 0, 0), ELR_EL1: R(3, 0, 4, 0, 1), SP_EL0: R(3, 0, 4, 1, 0),
  AFSR0_EL1: R(3, 0, 5, 1, 0), AFSR1_EL1: R(3, 0, 5, 1, 1), ESR_EL1: R(3, 0, 5, 2, 0),
  FAR_EL1: R(3, 0, 6, 0, 0), PAR_EL1: R(3, 0, 7, 4, 0),
  MAIR_EL1: R(3, 0, 10, 2, 0), AMAIR_EL1: R(3, 0, 10, 3, 0), VBAR_EL1: R(3, 0, 12, 0, 0),
  CONTEXTIDR_EL1: R(3, 0, 13, 0, 1), TPIDR_EL1: R(3, 0, 13, 0, 4), CNTKCTL_EL1: R(3, 0, 14, 1, 0),
  CSSELR_EL1: R(3, 2, 0, 0, 0), MDSCR_EL1: R(2, 0, 0, 2, 2),
  TPIDR_EL0: R(3, 3, 13, 0, 2), TPIDRRO_EL0: R(3, 3, 13, 0, 3),
  // Generic timer
  CNTFRQ_EL0: R(3, 3, 14, 0, 0), CNTPCT_EL0: R(3, 3, 14, 0, 1, "ro"), CNTVCT_EL0: R(3, 3, 14, 0, 2, "ro"),
  CNTP_CTL_EL0: R(3, 3, 14, 2, 1), CNTP_CVAL_EL0: R(3, 3, 14, 2, 2),
  CNTV_TVAL_EL0: R(3, 3, 14, 3, 0), CNTV_CTL_EL0: R(3, 3, 14, 3, 1), CNTV_CVAL_EL0: R(3, 3, 14, 3, 2),
  // PMU
  PMCR_EL0: R(3, 3, 9, 12, 0), PMCNTENSET_EL0: R(3, 3, 9, 12, 1), PMCNTENCLR_EL0: R(3, 3, 9, 12, 2),
  PMOVSCLR_EL0: R(3, 3, 9, 12, 3), PMSWINC_EL0: R(3, 3, 9, 12, 4, "wo"), PMSELR_EL0: R(3, 3, 9, 12, 5),
  PMCEID0_EL0: R(3, 3, 9, 12, 6, "ro"), PMCEID1_EL0: R(3, 3, 9, 12, 7, "ro"),
  PMCCNTR_EL0: R(3, 3, 9, 13, 0), PMXEVTYPER_EL0: R(3, 3, 9, 13, 1), PMXEVCNTR_EL0: R(3, 3, 9, 13, 2),
  PMUSERENR_EL0: R(3, 3, 9, 14, 0), PMOVSSET_EL0: R(3, 3, 9, 14, 3),
  PMINTENSET_EL1: R(3, 0, 9, 14, 1), PMINTENCLR_EL1: R(3, 0, 9, 14, 2), PMCCFILTR_EL0: R(3, 3, 14, 15, 7),
  // Caches
  CTR_EL0: R(3, 3, 0, 0, 1, "ro"), DCZID_EL0: R(3, 3, 0, 0, 7, "ro"),
  // GICv3 CPU interface (ICC) and virtualization control (ICH)
  ICC_PMR_EL1: R(3, 0, 4, 6, 0),
  ICC_IAR0_EL1: R(3, 0, 12, 8, 0, "ro"), ICC_EOIR0_EL1: R(3, 0, 12, 8, 1, "wo"),
  ICC_DIR_EL1: R(3, 0, 12, 11, 1, "wo"), ICC_RPR_EL1: R(3, 0, 12, 11, 3, "ro"), ICC_SGI1R_EL1: R(3, 0, 12, 11, 5, "wo"),
  ICC_IAR1_EL1: R(3, 0, 12, 12, 0, "ro"), ICC_EOIR1_EL1: R(3, 0, 12, 12, 1, "wo"), ICC_HPPIR1_EL1: R(3, 0, 12, 12, 2, "ro"),
  ICC_BPR1_EL1: R(3, 0, 12, 12, 3), ICC_CTLR_EL1: R(3, 0, 12, 12, 4), ICC_SRE_EL1: R(3, 0, 12, 12, 5),
  ICC_IGRPEN1_EL1: R(3, 0, 12, 12, 7), ICC_SRE_EL2: R(3, 4, 12, 9, 5),
  ICH_AP0R0_EL2: R(3, 4, 12, 8, 0), ICH_AP1R0_EL2: R(3, 4, 12, 9, 0),
  ICH_HCR_EL2: R(3, 4, 12, 11, 0), ICH_VTR_EL2: R(3, 4, 12, 11, 1, "ro"), ICH_MISR_EL2: R(3, 4, 12, 11, 2, "ro"),
  ICH_EISR_EL2: R(3, 4, 12, 11, 3, "ro"), ICH_ELRSR_EL2: R(3, 4, 12, 11, 5, "ro"), ICH_VMCR_EL2: R(3, 4, 12, 11, 7),
};
for (let n = 0; n < 16; n++) table[`ICH_LR${n}_EL2`] = R(3, 4, 12, 12 + (n >> 3), n & 7);

export const SYSREGS: Readonly<Record<string, SysRegDef>> = table;

export function sysregEncoding(name: string): string {
  const [op0, op1, crn, crm, op2] = table[name].enc;
  return `S${op0}_${op1}_C${crn}_C${crm}_${op2}`;
}
