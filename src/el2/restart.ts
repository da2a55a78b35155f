// Stopping a VM: PSCI SYSTEM_RESET restarts the calling VM alone, as a reset button on its own
// board would, and SYSTEM_OFF powers it off for the rest of the run. Either way its other vCPUs
// are stopped first (a kick SGI reaches each at once, whatever the guest is doing); a restart then
// returns the VM's virtual GIC, devices and memory to their boot state and starts vCPU 0 again at
// the entry point. The other VMs run on, untouched. This is how a VM recovers from its own crash,
// whether it asks (SYSTEM_RESET) or not (its watchdog expired, a vCPU wedged): its health policy
// (src/el2/health.ts) decides between a restart and staying off.
import { CPU_COUNT } from "@board";
import { VM_ENTRY, VM_DTB, VM_SCRUB, PMU_COUNTS_EL2 } from "@config";
import { vcpu_enter } from "./cpu.ts";
import { cpuOfVcpu, vmOfCpu } from "./placement.ts";
import {
  Power, VmRun, powerOf, markOff, requestOn, resetVcpu, waitForOn, parkVcpu, quiesceVcpu, vmBeginStop, vmEnd, vmResume,
} from "./vcpu.ts";
import { consoleResetVm, lineEnd, put, vmLineBegin } from "./console.ts";
import { healthOff, healthRestarts } from "./health.ts";
import { watchdogReset } from "./watchdog.ts";
import { platformExit, halt } from "./exit.ts";
import { vms, loadImages, scrubRam, vmPoweredOff } from "../stage2/vm.ts";
import { vuartReset } from "../stage2/vuart.ts";
import { vgicResetVm } from "../gic/vgic.ts";
import { vspiReset } from "../gic/vspi.ts";
import { chanResetVm } from "../stage2/channel.ts";
import { gicKick } from "../gic/gic.ts";

/** Per CPU: its vCPU must stop (set by the CPU stopping its VM, cleared by that CPU once the vCPU is parked). */
const stopRequest = new Uint32Array(CPU_COUNT);

function stopWord(cpu: u32): u64 {
  return addressOf(stopRequest) + u64(cpu) * 4n;
}

export function stopRequested(cpu: u32): bool {
  return cpu < CPU_COUNT && loadAcquire32(stopWord(cpu)) != 0;
}

/** On a CPU told to stop (from trap_irq, on the kick): its vCPU parks until started again, then enters afresh. Never returns. @cold */
export function stopVcpu(cpu: u32): never {
  parkVcpu(cpu);
  vcpu_enter();
}

/**
 * Stops every vCPU of `vm` but the caller's (on CPU `cpu`), moving the VM to `to` (Stopping for a
 * restart, Off for good). False if the VM was not running: another vCPU's restart or power-off is
 * under way (the caller then parks, and is stopped with the rest) or the VM is off.
 *
 * Invariant: when this returns true, every other vCPU of the VM is parked (Power.Off), no start of
 * one is pending, none can be started until vmResume, and no stop request of the VM is left set.
 * The wait has no bound in the code and needs none: vmBeginStop cancelled pending starts and
 * refuses new ones, so each vCPU that is on (1) runs the guest, where the kick, a physical IRQ
 * routed to EL2 (HCR_EL2.IMO) that the guest cannot mask, stops it; or (2) is in the hypervisor
 * on a path that ends in an entry to the guest, where the still-pending kick stops it before its
 * first instruction, or in a park (CPU_OFF, a second SYSTEM_RESET or SYSTEM_OFF). No such path
 * waits for this CPU, which holds no lock meanwhile.
 * @cold
 */
function stopOthers(vm: u32, cpu: u32, to: u32): bool {
  if (!vmBeginStop(vm, to)) return false;
  for (let p: u32 = 0; p < CPU_COUNT; p++) {
    if (p == cpu || vmOfCpu(p) != vm || powerOf(p) == Power.Off) continue;
    storeRelease32(stopWord(p), 1);
    gicKick(p);
  }
  for (let p: u32 = 0; p < CPU_COUNT; p++) {
    if (p == cpu || vmOfCpu(p) != vm) continue;
    while (powerOf(p) != Power.Off) wfe();
    // Parked, perhaps by its own CPU_OFF before it saw the request: cleared here, or it would stop the vCPU's next start.
    storeRelease32(stopWord(p), 0);
  }
  return true;
}

/**
 * The common start of a restart and a power-off, on the vCPU of CPU `cpu` that asked (or failed):
 * the VM's other vCPUs stopped, this vCPU's interrupts and then the VM's silenced (none may stay
 * active into a next run). False: another stop of the VM was under way, and this vCPU has parked
 * (it returns here only when started again, by that restart).
 * @cold
 */
function stopVm(vm: u32, cpu: u32, to: u32): bool {
  if (!stopOthers(vm, cpu, to)) {
    parkVcpu(cpu);
    return false;
  }
  quiesceVcpu(cpu);
  vgicResetVm(vm);
  vspiReset(vm);
  chanResetVm(vm);
  return true;
}

/** The VM is off, stopped by the vCPU on CPU `cpu`: counted off (the run ends with the last VM), the CPU parked for good. @cold */
function endVm(cpu: u32): never {
  markOff(cpu);
  if (vmPoweredOff()) platformExit(0);
  halt();
}

/**
 * Restarts VM `vm` for `cause` (src/el2/health.ts Cause; `pc` the guest PC of a wedged vCPU), from
 * the vCPU on CPU `cpu`, or powers it off if its health policy says so. Returns when this CPU's
 * vCPU is to run again (reset).
 * @cold
 */
export function vmRestart(vm: u32, cpu: u32, cause: u32, pc: u64): void {
  // A benchmark build only (host/bench.ts): the cycle counter, left running across the restart
  // (src/el2/pmu.ts), counts from here to the restarted guest's first instruction.
  if (PMU_COUNTS_EL2) msr("PMCCNTR_EL0", 0n);
  if (!stopVm(vm, cpu, VmRun.Stopping)) return;
  if (!healthRestarts(vm, cause, pc)) {
    vmEnd(vm);
    endVm(cpu);
  }
  consoleResetVm(vm);
  vuartReset(vms[vm].uart);
  if (VM_SCRUB[vm] != 0) scrubRam(vm);
  loadImages(vm);
  // Last: a watchdog that runs from boot gives the guest its whole timeout, however long the scrub took.
  watchdogReset(vm);
  const cpu0: u32 = cpuOfVcpu(vm, 0n);
  if (cpu0 == cpu) {
    vmResume(vm);
    resetVcpu(cpu, VM_ENTRY[vm], VM_DTB[vm]);
    return;
  }
  markOff(cpu);
  vmResume(vm);
  requestOn(cpu0, VM_ENTRY[vm], VM_DTB[vm]);
  waitForOn(cpu);
}

/**
 * SYSTEM_OFF from the vCPU on CPU `cpu` of VM `vm`: all its vCPUs stop for good and the VM is
 * counted off, once (only the vCPU that moves it from running to off gets here); when it is the
 * last VM running, the run ends. Returns only to a caller whose VM was restarting meanwhile, when
 * that restart starts its vCPU again.
 * @cold
 */
export function vmPowerOff(vm: u32, cpu: u32): void {
  if (!stopVm(vm, cpu, VmRun.Off)) return;
  healthOff(vm);
  vmLineBegin(vm);
  put("powered off");
  lineEnd();
  endVm(cpu);
}

/** The VM of the vCPU on CPU `cpu` failed (`cause`), noticed on its way back to the guest from an IRQ: restarted or off; the vCPU enters afresh. @cold */
export function vmFail(vm: u32, cpu: u32, cause: u32): never {
  vmRestart(vm, cpu, cause, 0n);
  // The IRQ path saved only the caller-saved registers: the reset frame is entered whole.
  vcpu_enter();
}
