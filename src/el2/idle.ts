// A CPU with nothing to run sleeps: a vCPU that is off (waiting for PSCI CPU_ON or for its VM's
// restart), a CPU whose VM powered off, a CPU with no VM. It waits in WFI, which stops the core
// until an interrupt is pending at its CPU interface (Arm ARM D1.6.2), never in a WFE loop: WFE
// also wakes for every SEV and every unlock of any lock on the board, and QEMU's TCG does not
// stop the CPU on WFE at all (it only yields), so under -icount a WFE "sleeper" takes instructions
// from the CPUs that run, and on a board it keeps the core awake beside a real-time VM.
//
// Whoever gives a sleeping CPU work (src/el2/vcpu.ts requestOn) changes the state it waits on
// first and then sends it the kick SGI. The sleeper checks its condition before each idleWait, and
// a kick sent between that check and the WFI stays pending, so the WFI returns at once: no wake-up
// is lost. The hypervisor runs with interrupts masked (PSTATE.I), so the interrupt that ends the
// WFI is not taken: idleWait acknowledges it and every other one pending, as trap_irq would, or
// the next WFI would return at once, for ever.
import { UART_INTID } from "@board";
import { vgicAcknowledge, vgicIrq } from "../gic/vgic.ts";
import { gicIntid } from "../gic/gic.ts";
import { consoleInputIrq } from "./consolein.ts";

/**
 * Sleeps CPU `cpu` (the calling one) until an interrupt arrives, and handles what arrived: the
 * board UART's input too, which the GIC may have signalled here before its route moved off this
 * CPU (src/el2/consolein.ts consoleInputCpuOff), and which vgicIrq leaves active for its taker.
 * @cold
 */
export function idleWait(cpu: u32): void {
  wfi();
  for (let iar: u32 = vgicAcknowledge(); gicIntid(iar) < 1020; iar = vgicAcknowledge()) {
    if (vgicIrq(cpu, iar) == UART_INTID) consoleInputIrq(cpu);
  }
}
