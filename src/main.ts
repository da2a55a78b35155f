// Bulkhead's entry from src/el2/entry.S: the boot CPU builds everything (EL2 map, every VM's
// stage-2 map and memory), then starts the other CPUs; each CPU then runs its one vCPU.
import { BOARD_NAME, CPU_COUNT } from "@board";
import { CPU_VM, CPU_VCPU, NO_VM, VM_ENTRY, VM_DTB } from "@config";
import { startCpu, vcpu_enter } from "./el2/cpu.ts";
import { buildEl2Map, enableEl2Mmu } from "./el2/mmu.ts";
import { setupEl2 } from "./el2/setup.ts";
import { lineBegin, lineEnd, put, putDec, putHex, vmLineBegin } from "./el2/console.ts";
import { halt } from "./el2/exit.ts";
import { uartInit } from "./el2/pl011.ts";
import { markOn, resetVcpu, waitForOn } from "./el2/vcpu.ts";
import { vms, buildStage2, loadImages, vmCount, vmsRunningInit, vtcrValue, vttbrValue } from "./stage2/vm.ts";
import { vuartReset } from "./stage2/vuart.ts";
import { watchdogReset } from "./el2/watchdog.ts";
import { vgicInit, vgicInitCpu } from "./gic/vgic.ts";
import { vgicdInit } from "./gic/vgicd.ts";
import { chanInit } from "./stage2/channel.ts";
import { consoleInputInit } from "./el2/consolein.ts";

// The trap handlers and the panic handler are called from assembly only.
import "./el2/trap.ts";
import "./el2/panic.ts";

/** @cold */
export function boot_primary(): never {
  buildEl2Map();
  enableEl2Mmu();
  uartInit();
  lineBegin("hyp");
  put("Bulkhead on ");
  put(BOARD_NAME);
  put(": ");
  putDec(u64(CPU_COUNT));
  put(" CPUs, ");
  putDec(u64(vmCount()));
  put(" VMs");
  lineEnd();
  for (let vm: u32 = 0; vm < vmCount(); vm++) {
    buildStage2(vm);
    vuartReset(vms[vm].uart);
    loadImages(vm);
  }
  vgicdInit(); // the register table first: vgicInit routes the SPIs it describes
  vgicInit();
  chanInit();
  consoleInputInit();
  // Every VM counts as running from here, before any CPU enters a guest: the run ends only when
  // each has powered off, however early one does (src/el2/restart.ts).
  vmsRunningInit();
  for (let cpu: u32 = 1; cpu < CPU_COUNT; cpu++) {
    const status: u64 = startCpu(cpu, u64(cpu));
    if (status != 0n) {
      lineBegin("hyp");
      put("cpu ");
      putDec(u64(cpu));
      put(" did not start: PSCI status ");
      putHex(status);
      lineEnd();
    }
  }
  runVcpu(0);
}

/** @cold */
export function boot_secondary(cpu: u32): never {
  enableEl2Mmu();
  runVcpu(cpu);
}

/** Configures EL2 for this CPU's vCPU and enters it: vCPU 0 at the VM's entry, others at CPU_ON. @cold */
function runVcpu(cpu: u32): never {
  const vm: u32 = u32(CPU_VM[cpu]);
  // The CPU interface first, also on a CPU with no VM: its halt acknowledges whatever wakes it.
  vgicInitCpu(cpu);
  if (vm == NO_VM) halt();
  const vcpu: u32 = u32(CPU_VCPU[cpu]);
  const vttbr: u64 = vttbrValue(vm);
  const vtcr: u64 = vtcrValue();
  setupEl2(vttbr, vtcr, vcpu);
  if (vcpu == 0) {
    vmLineBegin(vm);
    put("starting at ");
    putHex(VM_ENTRY[vm]);
    lineEnd();
    markOn(cpu);
    // A watchdog that runs from boot runs from here, the VM's first instruction, however late its CPU came up.
    watchdogReset(vm);
    resetVcpu(cpu, VM_ENTRY[vm], VM_DTB[vm]);
  } else {
    waitForOn(cpu);
  }
  vcpu_enter();
}
