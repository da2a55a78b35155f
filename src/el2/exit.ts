// Ending the run. Only the hypervisor decides that the run is over (every VM has powered off, or
// it panicked), and says so on a line no guest can forge (src/el2/console.ts): every queued line
// first, then `[hyp] run ended: status N` — the launcher (host/run.ts) reads the run's status
// from it. Then it asks the firmware to power the machine off: PSCI SYSTEM_OFF over SMC from EL2,
// which QEMU's built-in firmware answers by ending the process. A guest cannot reach that call
// (its SMC is trapped, HCR_EL2.TSC) and nothing in QEMU runs guest code with semihosting. A board
// whose CPUs start from a spin table has no PSCI firmware: its CPU halts instead.
import { SPIN_TABLE_BASE } from "@board";
import { consoleDrainAll, consoleFinal, lineBegin, lineEnd, put, putDec } from "./console.ts";
import { thisCpu } from "./cpu.ts";
import { idleWait } from "./idle.ts";

const PSCI_SYSTEM_OFF: u64 = 0x84000008n;
/** Set by the first CPU to end the run: a second (a panic meanwhile, a racing SYSTEM_OFF) just halts. */
const ending = new Uint32Array(1);

/**
 * This CPU has nothing more to run, ever: it writes out the queued console lines and sleeps
 * (src/el2/idle.ts), and does so again whenever an interrupt wakes it.
 * @cold
 */
export function halt(): never {
  const cpu: u32 = thisCpu();
  while (true) {
    consoleDrainAll();
    idleWait(cpu);
  }
}

/** @cold */
export function platformExit(status: u32): never {
  if (atomicFetchAdd32(addressOf(ending), 1) != 0) halt();
  consoleFinal();
  lineBegin("hyp");
  put("run ended: status ");
  putDec(u64(status));
  lineEnd();
  if (SPIN_TABLE_BASE == 0n) smc(PSCI_SYSTEM_OFF, 0n, 0n, 0n);
  while (true) wfi();
}
