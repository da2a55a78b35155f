// vCPU power states and starts. Physical CPU p runs vCPU CPU_VCPU[p] of VM CPU_VM[p], and
// nothing else, ever: a vCPU that is off parks its CPU in the hypervisor until PSCI CPU_ON.
// Another CPU's PSCI call changes these words, so they are read with acquire and written with
// release; a parked CPU sleeps (src/el2/idle.ts) and is woken by the kick SGI.
//
// A VM's vCPUs start only while the VM runs. While a restart stops them (VmRun.Stopping) and once
// the VM is off (VmRun.Off, for the rest of the run), CPU_ON is refused and a start already asked
// for is cancelled. The VM's run state and every transition into Power.On change under powerLock,
// so no start can slip in between (src/el2/restart.ts relies on it).
import { CPU_COUNT } from "@board";
import { CPU_VM } from "@config";
import { GuestRegs, percpu } from "./cpu.ts";
import { HCR_GUEST, SCTLR_EL1_RESET, SPSR_EL1H_MASKED } from "./setup.ts";
import { SpinLock, lock, unlock } from "./lock.ts";
import { pmuResetVcpu } from "./pmu.ts";
import { idleWait } from "./idle.ts";
import { watchdogArm, watchdogDisarm } from "./watchdog.ts";
import { vgicResetCpu } from "../gic/vgic.ts";
import { gicKick } from "../gic/gic.ts";
import { consoleInputCpuOff, consoleInputCpuOn } from "./consolein.ts";

export const enum Power { Off = 0, On = 1, OnPending = 2 }
/** requestOn's answer when the VM is not running: nothing was started. */
export const NOT_RUNNING: u32 = 3;

/** A VM's run state: Running (its vCPUs may start), Stopping (a restart is stopping them), Off (powered off for good). */
export const enum VmRun { Running = 0, Stopping = 1, Off = 2 }

const power = new Uint32Array(CPU_COUNT);
const pendingEntry = new BigUint64Array(CPU_COUNT);
const pendingContext = new BigUint64Array(CPU_COUNT);
/** Per VM (at most one per CPU), under powerLock. */
const vmRun = new Uint32Array(CPU_COUNT);
/** Serialises power transitions requested by different CPUs, and the VMs' run states. */
const powerLock = new SpinLock();

function powerWord(cpu: u32): u64 {
  return addressOf(power) + u64(cpu) * 4n;
}

export function powerOf(cpu: u32): u32 {
  return loadAcquire32(powerWord(cpu));
}

/**
 * Asks `cpu` to start its vCPU at `entry` with x0 = `context`, and wakes it (the kick SGI, after
 * the state it waits for: src/el2/idle.ts). Returns the previous power state (only a vCPU that was
 * off is started), or NOT_RUNNING if its VM is stopping or off.
 * @cold
 */
export function requestOn(cpu: u32, entry: u64, context: u64): u32 {
  const vm: u32 = u32(CPU_VM[cpu]);
  lock(powerLock);
  let was: u32 = powerOf(cpu);
  if (vm >= CPU_COUNT || vmRun[vm] != VmRun.Running) {
    was = NOT_RUNNING;
  } else if (was == Power.Off) {
    pendingEntry[cpu] = entry;
    pendingContext[cpu] = context;
    storeRelease32(powerWord(cpu), Power.OnPending);
  }
  unlock(powerLock);
  // unlock's DSB orders the store before the SGI (a system-register write on GICv3, not ordered by DMB).
  if (was == Power.Off) gicKick(cpu);
  return was;
}

/**
 * Moves a running VM to `to` (Stopping or Off) and cancels every start asked for but not yet
 * taken. False if the VM was not running: a restart or power-off is already under way, or done.
 * From here until vmResume, no vCPU of the VM goes from off to on.
 * @cold
 */
export function vmBeginStop(vm: u32, to: u32): bool {
  if (vm >= CPU_COUNT) return false;
  lock(powerLock);
  const running: bool = vmRun[vm] == VmRun.Running;
  if (running) {
    vmRun[vm] = to;
    for (let p: u32 = 0; p < CPU_COUNT; p++) {
      if (u32(CPU_VM[p]) == vm && powerOf(p) == Power.OnPending) storeRelease32(powerWord(p), Power.Off);
    }
  }
  unlock(powerLock);
  return running;
}

/** A restarted VM runs again: its vCPUs may be started. @cold */
export function vmResume(vm: u32): void {
  if (vm >= CPU_COUNT) return;
  lock(powerLock);
  vmRun[vm] = VmRun.Running;
  unlock(powerLock);
}

/** A restarting VM stays off after all (its health policy, src/el2/health.ts): Stopping to Off, for the rest of the run. @cold */
export function vmEnd(vm: u32): void {
  if (vm >= CPU_COUNT) return;
  lock(powerLock);
  vmRun[vm] = VmRun.Off;
  unlock(powerLock);
}

/** The VM's run state (VmRun), as another CPU last set it. @cold */
export function vmRunState(vm: u32): u32 {
  return vm < CPU_COUNT ? loadAcquire32(addressOf(vmRun) + u64(vm) * 4n) : VmRun.Off;
}

/** The vCPU is off; SEV wakes a CPU waiting for it to stop (src/el2/restart.ts). @cold */
export function markOff(cpu: u32): void {
  consoleInputCpuOff(cpu);
  storeRelease32(powerWord(cpu), Power.Off);
  dsb("ish");
  sev();
}

/**
 * Silences CPU `cpu`'s vCPU (run on that CPU): its timers stopped (its VM's watchdog's too, on
 * this CPU), its virtual GIC interface emptied, every hardware interrupt it held deactivated. A vCPU that parks does this first, so a
 * parked vCPU holds nothing that the next run could find still active.
 * @cold
 */
export function quiesceVcpu(cpu: u32): void {
  msr("CNTV_CTL_EL0", 0n);
  msr("CNTP_CTL_EL0", 0n);
  watchdogDisarm();
  vgicResetCpu(cpu);
}

/** FP/SIMD registers q0-q31, FPCR and FPSR to zero (src/el2/vcpu_reset.S: the subset cannot name them). */
declare function vcpu_reset_fp(): void;

/**
 * Every EL1 (and EL0) register a guest can set, to a defined value: nothing of an earlier run of
 * this vCPU survives into the next. Zero, but for SCTLR_EL1 (MMU and caches off, its RES1 bits).
 * CPACR_EL1 0 traps FP/SIMD at EL1 until the guest enables it, as out of reset.
 * @cold
 */
function resetEl1(): void {
  msr("SCTLR_EL1", SCTLR_EL1_RESET);
  msr("CPACR_EL1", 0n);
  msr("TTBR0_EL1", 0n);
  msr("TTBR1_EL1", 0n);
  msr("TCR_EL1", 0n);
  msr("MAIR_EL1", 0n);
  msr("AMAIR_EL1", 0n);
  msr("VBAR_EL1", 0n);
  msr("CONTEXTIDR_EL1", 0n);
  msr("TPIDR_EL0", 0n);
  msr("TPIDR_EL1", 0n);
  msr("TPIDRRO_EL0", 0n);
  msr("SP_EL0", 0n);
  msr("SP_EL1", 0n);
  msr("ELR_EL1", 0n);
  msr("SPSR_EL1", 0n);
  msr("ESR_EL1", 0n);
  msr("FAR_EL1", 0n);
  msr("AFSR0_EL1", 0n);
  msr("AFSR1_EL1", 0n);
  msr("PAR_EL1", 0n);
  msr("CNTKCTL_EL1", 0n);
  msr("MDSCR_EL1", 0n);
  msr("CSSELR_EL1", 0n);
  msr("CNTV_CVAL_EL0", 0n);
  msr("CNTP_CVAL_EL0", 0n);
  vcpu_reset_fp();
}

/**
 * Resets CPU `cpu`'s vCPU (run on that CPU) for a start at `entry`, with PSCI CPU_ON semantics:
 * x0 = context, other registers zero, EL1h with interrupts masked, MMU off, its timers stopped,
 * its virtual GIC interface empty, its PMU as out of reset (src/el2/pmu.ts), its VM's watchdog
 * timed on its CPU (src/el2/watchdog.ts). Every vCPU start comes here (the VM's boot, CPU_ON, a restart).
 * The next guest_resume (or vcpu_enter) enters it.
 * @cold
 */
export function resetVcpu(cpu: u32, entry: u64, context: u64): void {
  const regs: GuestRegs = percpu[cpu].regs;
  for (let i: u32 = 0; i < 32; i++) regs.x[i] = 0n;
  regs.x[0] = context;
  quiesceVcpu(cpu);
  resetEl1();
  pmuResetVcpu();
  // HCR_EL2 as setupEl2 leaves it: drops a virtual SError (VSE) left pending by the last run, and
  // HCR_EL2.TVM if the last run stopped inside a set/way loop (src/el2/setway.ts).
  msr("HCR_EL2", HCR_GUEST);
  msr("ELR_EL2", entry);
  msr("SPSR_EL2", SPSR_EL1H_MASKED);
  isb();
  watchdogArm(cpu);
}

/** Parks this CPU, asleep, until its vCPU is asked to start, then resets the vCPU for that start. @cold */
export function waitForOn(cpu: u32): void {
  let started: bool = false;
  while (!started) {
    while (powerOf(cpu) != Power.OnPending) idleWait(cpu);
    // Taken under the lock: vmBeginStop may have cancelled the start since it was seen.
    lock(powerLock);
    started = powerOf(cpu) == Power.OnPending;
    if (started) storeRelease32(powerWord(cpu), Power.On);
    unlock(powerLock);
  }
  consoleInputCpuOn(cpu);
  resetVcpu(cpu, pendingEntry[cpu], pendingContext[cpu]);
}

/** This CPU's vCPU stops (PSCI CPU_OFF, a stop for its VM's restart): silenced, off, parked until started again. @cold */
export function parkVcpu(cpu: u32): void {
  quiesceVcpu(cpu);
  markOff(cpu);
  waitForOn(cpu);
}

/** @cold */
export function markOn(cpu: u32): void {
  storeRelease32(powerWord(cpu), Power.On);
  consoleInputCpuOn(cpu);
}
