// Per-CPU state and CPU bring-up. Physical CPU i runs at most one vCPU, forever (static
// partitioning): its PerCpu holds the hypervisor stack and that vCPU's general registers.
import { CPU_COUNT, SPIN_TABLE_BASE } from "@board";

/** x0..x30 of the running vCPU, saved by src/el2/vectors.S; x[31] pads the frame to 16 bytes. */
export class GuestRegs {
  x = new BigUint64Array(32);
}

/** The guard page below each stack. */
export const GUARD_BYTES: u64 = 4096n;

/**
 * One CPU's hypervisor memory: 20 KiB, five pages, page aligned, so that each `guard` is a page of
 * its own. The EL2 map leaves the guard pages out (src/el2/mmu.ts): a stack that overflows faults
 * there, and hyp_fault reports it (src/el2/vectors.S restarts the stack for the report), instead of
 * writing on into the CPU below's register frame.
 */
export class PerCpu {
  /** Never accessed: unmapped at EL2. */
  guard = new BigUint64Array(512);
  /** The hypervisor stack of this CPU (15.75 KiB), growing down towards `guard`; its top is `regs`. */
  stack = new BigUint64Array(2016);
  regs = new GuestRegs();
}

/** Indexed by CPU; entry.S derives SP from it (SIZEOF_PerCpu, OFFSETOF_PerCpu_regs). */
export const percpu = aligned(pool(CPU_COUNT, PerCpu), 4096);

/** Whether `sp` is in the guard page of CPU `cpu`'s stack: the stack overflowed. @cold */
export function inGuardPage(cpu: u32, sp: u64): bool {
  if (cpu >= CPU_COUNT) return false;
  const guard: u64 = addressOf(percpu[cpu].guard);
  return sp >= guard && sp < guard + GUARD_BYTES;
}

declare function secondary_entry_address(): u64;

/** Enters this CPU's vCPU from its register frame (src/el2/vectors.S), on a fresh stack. */
export declare function vcpu_enter(): never;

/** This CPU's index (entry.S stores it in TPIDR_EL2). */
export function thisCpu(): u32 {
  return u32(mrs("TPIDR_EL2"));
}

/** MPIDR_EL1 affinity fields only: QEMU's PSCI refuses a CPU_ON whose target has bit 31 set. */
export const MPIDR_AFFINITY_MASK: u64 = 0xff00ffffffn;

const PSCI_CPU_ON_64: u64 = 0xc4000003n;

/**
 * Starts CPU `cpu` at secondary_entry: through the firmware's PSCI CPU_ON when
 * the board has PSCI, else by releasing it from the spin table (its address at SPIN_TABLE_BASE
 * + 8 * cpu, then SEV), as a Raspberry Pi's stock firmware expects. Returns the PSCI status.
 * @cold
 */
export function startCpu(cpu: u32, mpidr: u64): u64 {
  const entry: u64 = secondary_entry_address();
  if (SPIN_TABLE_BASE == 0n) return smc(PSCI_CPU_ON_64, mpidr & MPIDR_AFFINITY_MASK, entry, u64(cpu));
  store64(SPIN_TABLE_BASE + u64(cpu) * 8n, entry);
  dc("civac", SPIN_TABLE_BASE + u64(cpu) * 8n);
  dsb("sy");
  sev();
  return 0n;
}
