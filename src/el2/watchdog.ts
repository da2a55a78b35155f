// Each VM's watchdog (src/devices/sp805.ts) and the time source that notices its expiry: the EL2
// physical timer (CNTHP_*, PPI 26) of every CPU whose vCPU is on. It is the hypervisor's own timer
// (no guest can read or program it) and its interrupt is a physical IRQ taken at EL2
// (HCR_EL2.IMO) whatever the guest masks: so the expiry is noticed even in a VM that masked its
// interrupts and never traps.
//
// Each running vCPU's CPU keeps its timer at the VM's deadline (armed when the vCPU starts,
// disarmed when it parks). A pet moves the deadline later: nothing to do, a timer that fires early
// finds the deadline not yet due and is armed again at the new one (at most one such exit per
// period per CPU). A deadline moved earlier (the watchdog started, a shorter LOAD) is armed on the
// writer's CPU at once, and the VM's other CPUs are kicked to arm theirs (trap_irq, src/el2/trap.ts).
//
// Bound: the expiry is acted on when the first of the VM's running CPUs takes its timer
// interrupt: at once from the guest; from the hypervisor, when that CPU next returns to its guest
// (every hypervisor path of a vCPU is bounded and ends there, src/el2/console.ts says the longest:
// a console line of its own VM queued behind the others'). A VM whose every vCPU is off runs no
// code and needs none: it is restarted only by its own SYSTEM_RESET, which nothing can call.
import { CPU_COUNT } from "@board";
import { CPU_VM, VM_WATCHDOG, VM_WATCHDOG_MS, VM_WATCHDOG_BOOT } from "@config";
import { Sp805, sp805Deadline, sp805Read, sp805Reset, sp805Write } from "../devices/sp805.ts";
import { SpinLock, lock, unlock } from "./lock.ts";
import { gicKick } from "../gic/gic.ts";

class Watchdog {
  dev = new Sp805();
  /** The VM's vCPUs and the timer's checks on their CPUs share the device. */
  lock = new SpinLock();
}

const watchdogs = pool(CPU_COUNT, Watchdog);

/** CNTHP_CTL_EL2.ENABLE (D23.2.26): the timer condition is met when CNTPCT_EL0 reaches CNTHP_CVAL_EL2. IMASK clear. */
const CNTHP_ENABLE: u64 = 1n;

function hasWatchdog(vm: u32): bool {
  return vm < CPU_COUNT && VM_WATCHDOG[vm] != 0n;
}

/** The VM's watchdog out of reset (at boot, and each time the VM restarts, while none of its vCPUs runs). @cold */
export function watchdogReset(vm: u32): void {
  if (!hasWatchdog(vm)) return;
  const w: Watchdog = watchdogs[vm];
  lock(w.lock);
  sp805Reset(w.dev, mrs("CNTFRQ_EL0"), VM_WATCHDOG_MS[vm], VM_WATCHDOG_BOOT[vm] != 0, mrs("CNTPCT_EL0"));
  unlock(w.lock);
}

function deadlineOf(vm: u32): u64 {
  const w: Watchdog = watchdogs[vm];
  lock(w.lock);
  const deadline: u64 = sp805Deadline(w.dev);
  unlock(w.lock);
  return deadline;
}

/** This CPU's timer off (its vCPU parks: src/el2/vcpu.ts quiesceVcpu). */
export function watchdogDisarm(): void {
  msr("CNTHP_CTL_EL2", 0n);
  isb();
}

/** This CPU's timer at `deadline` (0: off). A deadline already past fires as soon as the guest runs. */
function arm(deadline: u64): void {
  if (deadline == 0n) {
    watchdogDisarm();
    return;
  }
  msr("CNTHP_CVAL_EL2", deadline);
  msr("CNTHP_CTL_EL2", CNTHP_ENABLE);
  isb();
}

/** On CPU `cpu`, whose vCPU starts: its timer at its VM's deadline. @cold */
export function watchdogArm(cpu: u32): void {
  const vm: u32 = u32(CPU_VM[cpu]);
  if (hasWatchdog(vm)) arm(deadlineOf(vm));
}

/**
 * On CPU `cpu`, from the guest (its timer fired, or a kick): whether its VM's watchdog has
 * expired. If not, the timer is armed at the VM's current deadline; if so, it is off, and the
 * caller fails the VM (src/el2/health.ts).
 */
export function watchdogDue(cpu: u32): bool {
  const vm: u32 = cpu < CPU_COUNT ? u32(CPU_VM[cpu]) : CPU_COUNT;
  if (!hasWatchdog(vm)) return false;
  const deadline: u64 = deadlineOf(vm);
  if (deadline != 0n && mrs("CNTPCT_EL0") >= deadline) {
    watchdogDisarm();
    return true;
  }
  arm(deadline);
  return false;
}

/** A guest read at `offset` of its SP805. @cold */
export function watchdogRead(vm: u32, offset: u32): u32 {
  if (!hasWatchdog(vm)) return 0;
  const w: Watchdog = watchdogs[vm];
  lock(w.lock);
  const v: u32 = sp805Read(w.dev, offset, mrs("CNTPCT_EL0"));
  unlock(w.lock);
  return v;
}

/** A guest write at `offset` of its SP805, from the vCPU on CPU `cpu`. @cold */
export function watchdogWrite(vm: u32, cpu: u32, offset: u32, value: u32): void {
  if (!hasWatchdog(vm)) return;
  const w: Watchdog = watchdogs[vm];
  lock(w.lock);
  const before: u64 = sp805Deadline(w.dev);
  sp805Write(w.dev, offset, value, mrs("CNTPCT_EL0"));
  const after: u64 = sp805Deadline(w.dev);
  unlock(w.lock);
  if (after == 0n || (before != 0n && after >= before)) return;
  // Earlier than the other CPUs' timers may be armed: this CPU arms its own, the others are kicked to arm theirs.
  arm(after);
  for (let p: u32 = 0; p < CPU_COUNT; p++) {
    if (p != cpu && u32(CPU_VM[p]) == vm) gicKick(p);
  }
}
