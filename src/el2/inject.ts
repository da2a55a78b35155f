// Exceptions injected into a guest: the hypervisor makes the vCPU take a synchronous exception
// at EL1 as the hardware would (Arm ARM D1.10.2: ESR/FAR/ELR/SPSR_EL1 written, PSTATE to EL1h
// with DAIF masked, PC to the right VBAR_EL1 offset).

const SPSR_M_MASK: u64 = 0x1fn;
const SPSR_M_EL1T: u64 = 0x4n;
const SPSR_M_EL1H: u64 = 0x5n;
const SPSR_NRW: u64 = 0x10n;                  // M[4]: the interrupted code was AArch32

// ESR_ELx.EC values (D23.2.43)
export const EC_UNKNOWN: u64 = 0x00n;
export const EC_IABT_LOWER: u64 = 0x20n;
export const EC_IABT_CURRENT: u64 = 0x21n;
export const EC_DABT_LOWER: u64 = 0x24n;
export const EC_DABT_CURRENT: u64 = 0x25n;
const ESR_IL: u64 = 1n << 25n;
/** DFSC/IFSC 0b010000: synchronous external abort, not on a translation table walk. */
export const FSC_EXTERNAL_ABORT: u64 = 0x10n;

/** Vector offset for a synchronous exception taken to EL1 from the mode in `spsr`. */
function vectorOffset(spsr: u64): u64 {
  const mode: u64 = spsr & SPSR_M_MASK;
  if (mode == SPSR_M_EL1T) return 0x000n;
  if (mode == SPSR_M_EL1H) return 0x200n;
  if ((spsr & SPSR_NRW) != 0n) return 0x600n;
  return 0x400n;
}

/** Where a synchronous exception taken to EL1 from the mode in `spsr` enters: VBAR_EL1 plus its vector's offset. */
export function syncVector(spsr: u64): u64 {
  const offset: u64 = vectorOffset(spsr);
  return mrs("VBAR_EL1") + offset;
}

function fromEl0(spsr: u64): bool {
  return (spsr & SPSR_NRW) != 0n || (spsr & 0xcn) == 0n;
}

/** Makes the vCPU take a synchronous exception with syndrome `esr` and fault address `far`. */
export function injectSync(esr: u64, far: u64): void {
  const spsr: u64 = mrs("SPSR_EL2");
  msr("ESR_EL1", esr);
  msr("FAR_EL1", far);
  msr("ELR_EL1", mrs("ELR_EL2"));
  msr("SPSR_EL1", spsr);
  msr("ELR_EL2", syncVector(spsr));
  msr("SPSR_EL2", 0x3c0n | SPSR_M_EL1H);
}

/** A synchronous external abort on a data access (write: WnR) or an instruction fetch at `far`. @cold */
export function injectAbort(isData: bool, write: bool, far: u64): void {
  const lower: bool = fromEl0(mrs("SPSR_EL2"));
  const ec: u64 = isData ? (lower ? EC_DABT_LOWER : EC_DABT_CURRENT) : lower ? EC_IABT_LOWER : EC_IABT_CURRENT;
  const wnr: u64 = isData && write ? 1n << 6n : 0n;
  injectSync((ec << 26n) | ESR_IL | wnr | FSC_EXTERNAL_ABORT, far);
}

/** An undefined instruction (EC 0, "unknown reason") at the current PC. @cold */
export function injectUndefined(): void {
  injectSync((EC_UNKNOWN << 26n) | ESR_IL, 0n);
}
