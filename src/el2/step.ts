// Stepping over a trapped instruction the hypervisor has carried out (an emulated MMIO access, a
// trapped system register, a trapped SMC): the exception left ELR_EL2 at the instruction, and the
// guest resumes after it. Its length is what ESR_EL2.IL says — 32 bits, or 16 for a T32
// instruction of an AArch32 EL0 (Arm ARM D23.2.43, "IL") — never a fixed 4: stepping 4 over a
// 16-bit instruction would resume in the middle of the next.
//
// From AArch32 the step also does what executing the instruction would have: the PC stays within
// 32 bits, and in T32 an instruction inside an IT block moves the IT state on (Arm ARM, AArch32
// "ITAdvance()"; SPSR_EL2.IT[7:2] is bits [15:10], IT[1:0] bits [26:25]), or the instructions
// after it would run under the wrong conditions. (A trapped AArch32 instruction is only ever one
// whose condition passed: a data abort is taken only by an access that executes.)

const ESR_IL: u64 = 1n << 25n;
/** SPSR_EL2.M[4]: the guest was in AArch32 state; .T: T32. */
export const SPSR_NRW: u64 = 1n << 4n;
const SPSR_T: u64 = 1n << 5n;
const SPSR_IT_HIGH: u64 = 0xfc00n;
const SPSR_IT_LOW: u64 = 3n << 25n;

/** Resumes the guest after the instruction that trapped with syndrome `esr`. */
export function skipInstruction(esr: u64): void {
  const length: u64 = (esr & ESR_IL) != 0n ? 4n : 2n;
  const spsr: u64 = mrs("SPSR_EL2");
  if ((spsr & SPSR_NRW) == 0n) {
    msr("ELR_EL2", mrs("ELR_EL2") + length);
    return;
  }
  msr("ELR_EL2", (mrs("ELR_EL2") + length) & 0xffffffffn);
  if ((spsr & SPSR_T) != 0n) msr("SPSR_EL2", itAdvance(spsr));
}

/** SPSR `spsr` with its IT state advanced past one instruction: the next condition, or outside the block after the last. */
export function itAdvance(spsr: u64): u64 {
  const it: u64 = ((spsr >> 8n) & 0xfcn) | ((spsr >> 25n) & 3n);
  if (it == 0n) return spsr;
  const next: u64 = (it & 7n) == 0n ? 0n : (it & 0xe0n) | ((it << 1n) & 0x1fn);
  return (spsr & ~(SPSR_IT_HIGH | SPSR_IT_LOW)) | ((next & 0xfcn) << 8n) | ((next & 3n) << 25n);
}
