// The board intrinsics: the only way subset code touches the machine. Each one compiles to
// one or a few instructions (see docs/subset.md, "Intrinsics"); on the host each is bound to
// the simulated machine of compiler/runtime (tests drive and inspect it).

/** Device registers: volatile, single-copy-atomic accesses of the given width. */
declare function mmioRead8(addr: u64): u8;
declare function mmioRead16(addr: u64): u16;
declare function mmioRead32(addr: u64): u32;
declare function mmioRead64(addr: u64): u64;
declare function mmioWrite8(addr: u64, value: u8): void;
declare function mmioWrite16(addr: u64, value: u16): void;
declare function mmioWrite32(addr: u64, value: u32): void;
declare function mmioWrite64(addr: u64, value: u64): void;

/** Normal memory by physical address (the hypervisor maps its RAM identity). */
declare function load8(addr: u64): u8;
declare function load16(addr: u64): u16;
declare function load32(addr: u64): u32;
declare function load64(addr: u64): u64;
declare function store8(addr: u64, value: u8): void;
declare function store16(addr: u64, value: u16): void;
declare function store32(addr: u64, value: u32): void;
declare function store64(addr: u64, value: u64): void;

/** Atomics on a 32-bit word of normal memory (for locks): fetch-and-add (acquire-release), load-acquire, store-release. */
declare function atomicFetchAdd32(addr: u64, value: u32): u32;
declare function loadAcquire32(addr: u64): u32;
/** Compare-and-swap: the word becomes `desired` if it holds `expected`; returns the value it held (acquire-release). */
declare function atomicCompareSwap32(addr: u64, expected: u32, desired: u32): u32;
declare function storeRelease32(addr: u64, value: u32): void;

/** The address of a module-level array or class instance. */
declare function addressOf(object: object): u64;

/** System registers by their Arm ARM name; the compiler checks the name. */
declare function mrs(reg: SysReg): u64;
declare function msr(reg: SysReg, value: u64): void;

type BarrierDomain = "sy" | "st" | "ld" | "ish" | "ishst" | "ishld" | "nsh" | "nshst" | "nshld" | "osh" | "oshst" | "oshld";
declare function dsb(domain: BarrierDomain): void;
declare function dmb(domain: BarrierDomain): void;
declare function isb(): void;

/** TLB maintenance: `tlbi(op)` for the whole-TLB forms, `tlbiAddr(op, x)` for the ones taking an operand. */
declare function tlbi(op: "alle2" | "alle2is" | "alle1" | "alle1is" | "vmalle1" | "vmalle1is" | "vmalls12e1" | "vmalls12e1is"): void;
declare function tlbiAddr(op: "ipas2e1" | "ipas2e1is" | "ipas2le1is" | "vae2" | "vae2is" | "vae1is" | "vale2is", operand: u64): void;
/** Cache maintenance by address (`dc`) and instruction-cache invalidation (`ic`). */
declare function dc(op: "civac" | "cvac" | "ivac" | "cvau" | "zva", addr: u64): void;
declare function ic(op: "iallu" | "ialluis"): void;

/** The number of trailing zero bits of `x` (the index of its lowest set bit); 32 when `x` is 0. RBIT + CLZ. */
declare function ctz32(x: u32): u32;

declare function wfi(): void;
declare function wfe(): void;
declare function sev(): void;

/** SMC/HVC with the SMCCC register convention (x0 = function id, x1..x3 arguments); returns x0. */
declare function smc(fid: u64, a1: u64, a2: u64, a3: u64): u64;
declare function hvc(fid: u64, a1: u64, a2: u64, a3: u64): u64;

type SysReg =
  | "CurrentEL" | "DAIF" | "SPSel" | "NZCV"
  | "MIDR_EL1" | "MPIDR_EL1" | "ID_AA64PFR0_EL1" | "ID_AA64MMFR0_EL1" | "ID_AA64MMFR1_EL1" | "ID_AA64DFR0_EL1"
  | "HCR_EL2" | "VTCR_EL2" | "VTTBR_EL2" | "VBAR_EL2" | "SCTLR_EL2" | "TCR_EL2" | "TTBR0_EL2" | "MAIR_EL2"
  | "ESR_EL2" | "FAR_EL2" | "HPFAR_EL2" | "ELR_EL2" | "SPSR_EL2" | "TPIDR_EL2" | "MDCR_EL2" | "CPTR_EL2"
  | "HSTR_EL2" | "VPIDR_EL2" | "VMPIDR_EL2" | "CNTHCTL_EL2" | "CNTVOFF_EL2" | "CNTHP_CTL_EL2" | "CNTHP_CVAL_EL2"
  | "ACTLR_EL2" | "AFSR0_EL2" | "AFSR1_EL2" | "AMAIR_EL2"
  | "SCTLR_EL1" | "ACTLR_EL1" | "CPACR_EL1" | "TTBR0_EL1" | "TTBR1_EL1" | "TCR_EL1" | "MAIR_EL1" | "AMAIR_EL1"
  | "VBAR_EL1" | "ESR_EL1" | "FAR_EL1" | "AFSR0_EL1" | "AFSR1_EL1" | "PAR_EL1" | "CONTEXTIDR_EL1"
  | "ELR_EL1" | "SPSR_EL1" | "SP_EL0" | "SP_EL1" | "TPIDR_EL0" | "TPIDR_EL1" | "TPIDRRO_EL0" | "CNTKCTL_EL1" | "CSSELR_EL1" | "MDSCR_EL1"
  | "CNTFRQ_EL0" | "CNTPCT_EL0" | "CNTVCT_EL0" | "CNTV_CTL_EL0" | "CNTV_CVAL_EL0" | "CNTV_TVAL_EL0"
  | "CNTP_CTL_EL0" | "CNTP_CVAL_EL0"
  | "PMCR_EL0" | "PMCCNTR_EL0" | "PMCCFILTR_EL0" | "PMCNTENSET_EL0" | "PMUSERENR_EL0"
  | "PMCNTENCLR_EL0" | "PMOVSCLR_EL0" | "PMOVSSET_EL0" | "PMSWINC_EL0" | "PMSELR_EL0" | "PMCEID0_EL0" | "PMCEID1_EL0"
  | "PMXEVTYPER_EL0" | "PMXEVCNTR_EL0" | "PMINTENSET_EL1" | "PMINTENCLR_EL1" | "CTR_EL0" | "DCZID_EL0"
  | "ICC_IAR0_EL1" | "ICC_EOIR0_EL1"
  | "ICC_SRE_EL2" | "ICC_SRE_EL1" | "ICC_PMR_EL1" | "ICC_IAR1_EL1" | "ICC_EOIR1_EL1" | "ICC_DIR_EL1"
  | "ICC_IGRPEN1_EL1" | "ICC_CTLR_EL1" | "ICC_BPR1_EL1" | "ICC_SGI1R_EL1" | "ICC_HPPIR1_EL1" | "ICC_RPR_EL1"
  | "ICH_HCR_EL2" | "ICH_VTR_EL2" | "ICH_VMCR_EL2" | "ICH_MISR_EL2" | "ICH_EISR_EL2" | "ICH_ELRSR_EL2"
  | "ICH_AP0R0_EL2" | "ICH_AP1R0_EL2"
  | "ICH_LR0_EL2" | "ICH_LR1_EL2" | "ICH_LR2_EL2" | "ICH_LR3_EL2" | "ICH_LR4_EL2" | "ICH_LR5_EL2" | "ICH_LR6_EL2" | "ICH_LR7_EL2"
  | "ICH_LR8_EL2" | "ICH_LR9_EL2" | "ICH_LR10_EL2" | "ICH_LR11_EL2" | "ICH_LR12_EL2" | "ICH_LR13_EL2" | "ICH_LR14_EL2" | "ICH_LR15_EL2";
