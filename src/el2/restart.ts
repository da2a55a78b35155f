// VM restart: PSCI SYSTEM_RESET restarts the calling VM alone, as a reset button on its own
// board would. Its other vCPUs are stopped (a kick SGI reaches each at once, whatever the guest is
// doing), its virtual GIC and images return to their boot state, and vCPU 0 starts again at the
// entry point; the other VMs run on, untouched. This is how a VM recovers from its own crash.
import { CPU_COUNT } from "@board";
import { VM_ENTRY, VM_DTB } from "@config";
import { vcpu_enter } from "./cpu.ts";
import { cpuOfVcpu, vmOfCpu } from "./placement.ts";
import { Power, powerOf, markOff, markOn, requestOn, resetVcpu, waitForOn } from "./vcpu.ts";
import { lineEnd, put, putDec, vmLineBegin } from "./console.ts";
import { loadImages } from "../stage2/vm.ts";
import { vgicResetVm } from "../gic/vgic.ts";
import { gicKick } from "../gic/gic.ts";

/** Per CPU: its vCPU must stop for a restart of its VM (set by the restarting CPU, cleared by the stopped one). */
const stopRequest = new Uint32Array(CPU_COUNT);
/** Per VM: a restart is under way (a second SYSTEM_RESET meanwhile just stops its caller). */
const restarting = new Uint32Array(CPU_COUNT);

/** Spins before a CPU that does not stop is reported (it cannot ignore the kick: IRQs go to EL2). */
const STOP_WAIT: u32 = 10000000;

function stopWord(cpu: u32): u64 {
  return addressOf(stopRequest) + u64(cpu) * 4n;
}

function restartingWord(vm: u32): u64 {
  return addressOf(restarting) + u64(vm) * 4n;
}

export function stopRequested(cpu: u32): bool {
  return cpu < CPU_COUNT && loadAcquire32(stopWord(cpu)) != 0;
}

/** On a CPU told to stop (from trap_irq): its vCPU is off until the guest starts it again. Never returns. */
export function stopForRestart(cpu: u32): never {
  storeRelease32(stopWord(cpu), 0);
  markOff(cpu);
  waitForOn(cpu);
  vcpu_enter();
}

/** SYSTEM_RESET from vCPU on CPU `cpu` of VM `vm`. Returns when this CPU's vCPU is to run again. */
export function vmRestart(vm: u32, cpu: u32): void {
  if (vm >= CPU_COUNT || atomicFetchAdd32(restartingWord(vm), 1) != 0) {
    markOff(cpu);
    waitForOn(cpu);
    return;
  }
  vmLineBegin(vm);
  put("SYSTEM_RESET, restarting the VM");
  lineEnd();
  for (let p: u32 = 0; p < CPU_COUNT; p++) {
    if (p == cpu || vmOfCpu(p) != vm || powerOf(p) == Power.Off) continue;
    storeRelease32(stopWord(p), 1);
    gicKick(p);
  }
  for (let p: u32 = 0; p < CPU_COUNT; p++) {
    if (p == cpu || vmOfCpu(p) != vm) continue;
    let spins: u32 = 0;
    while (powerOf(p) != Power.Off && spins < STOP_WAIT) spins++;
    if (spins == STOP_WAIT) reportStuck(vm, p);
  }
  vgicResetVm(vm);
  loadImages(vm);
  storeRelease32(restartingWord(vm), 0);
  const cpu0: u32 = cpuOfVcpu(vm, 0n);
  if (cpu0 == cpu) {
    resetVcpu(cpu, VM_ENTRY[vm], VM_DTB[vm]);
    markOn(cpu);
    return;
  }
  markOff(cpu);
  requestOn(cpu0, VM_ENTRY[vm], VM_DTB[vm]);
  sev();
  waitForOn(cpu);
}

function reportStuck(vm: u32, cpu: u32): void {
  vmLineBegin(vm);
  put("cpu ");
  putDec(u64(cpu));
  put(" did not stop for the restart");
  lineEnd();
}
