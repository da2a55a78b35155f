// vCPU power states and starts. Physical CPU p runs vCPU CPU_VCPU[p] of VM CPU_VM[p], and
// nothing else, ever: a vCPU that is off parks its CPU in the hypervisor until PSCI CPU_ON.
// Another CPU's PSCI call changes these words, so they are read with acquire and written with
// release (and SEV to wake a parked CPU).
import { CPU_COUNT } from "@board";
import { GuestRegs, percpu } from "./cpu.ts";
import { SCTLR_EL1_RESET, SPSR_EL1H_MASKED } from "./setup.ts";
import { SpinLock, lock, unlock } from "./lock.ts";
import { vgicResetCpu } from "../gic/vgic.ts";

export const enum Power { Off = 0, On = 1, OnPending = 2 }

const power = new Uint32Array(CPU_COUNT);
const pendingEntry = new BigUint64Array(CPU_COUNT);
const pendingContext = new BigUint64Array(CPU_COUNT);
/** Serialises power transitions requested by different CPUs. */
const powerLock = new SpinLock();

function powerWord(cpu: u32): u64 {
  return addressOf(power) + u64(cpu) * 4n;
}

export function powerOf(cpu: u32): u32 {
  return loadAcquire32(powerWord(cpu));
}

/**
 * Asks `cpu` to start its vCPU at `entry` with x0 = `context`. Returns the previous power state:
 * only a vCPU that was off is started.
 */
export function requestOn(cpu: u32, entry: u64, context: u64): u32 {
  lock(powerLock);
  const was: u32 = powerOf(cpu);
  if (was == Power.Off) {
    pendingEntry[cpu] = entry;
    pendingContext[cpu] = context;
    storeRelease32(powerWord(cpu), Power.OnPending);
  }
  unlock(powerLock);
  return was;
}

export function markOff(cpu: u32): void {
  storeRelease32(powerWord(cpu), Power.Off);
}

/**
 * Resets CPU `cpu`'s vCPU (run on that CPU) for a start at `entry`, with PSCI CPU_ON semantics:
 * x0 = context, other registers zero, EL1h with interrupts masked, MMU off, its timers stopped,
 * its virtual GIC interface empty. The next guest_resume (or vcpu_enter) enters it.
 */
export function resetVcpu(cpu: u32, entry: u64, context: u64): void {
  const regs: GuestRegs = percpu[cpu].regs;
  for (let i: u32 = 0; i < 32; i++) regs.x[i] = 0n;
  regs.x[0] = context;
  msr("CNTV_CTL_EL0", 0n);
  msr("CNTP_CTL_EL0", 0n);
  vgicResetCpu(cpu);
  msr("SCTLR_EL1", SCTLR_EL1_RESET);
  msr("ELR_EL2", entry);
  msr("SPSR_EL2", SPSR_EL1H_MASKED);
  isb();
}

/** Parks this CPU until its vCPU is asked to start, then resets the vCPU for that start. */
export function waitForOn(cpu: u32): void {
  while (powerOf(cpu) != Power.OnPending) wfe();
  storeRelease32(powerWord(cpu), Power.On);
  resetVcpu(cpu, pendingEntry[cpu], pendingContext[cpu]);
}

export function markOn(cpu: u32): void {
  storeRelease32(powerWord(cpu), Power.On);
}
