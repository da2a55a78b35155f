// Hypervisor failures: a broken invariant (bh_panic, called by panic() and the compiler's
// run-time checks) or an exception taken at EL2 itself. Both print what is known and end the
// run with a non-zero status; nothing a guest does leads here.
import { vmName, NO_VM } from "@config";
import { GuestRegs, inGuardPage, thisCpu } from "./cpu.ts";
import { vmOfCpu } from "./placement.ts";
import { lineEnd, panicLineBegin, put, putHex, putDec } from "./console.ts";
import { platformExit } from "./exit.ts";

const EXIT_PANIC: u32 = 1;
const EXIT_HYP_EXCEPTION: u32 = 2;

/** @cold */
function where(): void {
  const cpu: u32 = thisCpu();
  put(" (cpu ");
  putDec(u64(cpu));
  const vm: u32 = vmOfCpu(cpu);
  if (vm != NO_VM) {
    put(", vm ");
    put(vmName(vm));
  }
  put(")");
}

/** The exception state of the last trap (the guest's, when a trap handler panics). @cold */
function syndrome(): void {
  put("\nESR_EL2 ");
  putHex(mrs("ESR_EL2"));
  put(" ELR_EL2 ");
  putHex(mrs("ELR_EL2"));
  put(" FAR_EL2 ");
  putHex(mrs("FAR_EL2"));
}

/** @cold */
export function bh_panic(reason: string): never {
  panicLineBegin();
  put("PANIC: ");
  put(reason);
  where();
  syndrome();
  lineEnd();
  platformExit(EXIT_PANIC);
}

/** An exception taken from EL2 (kind: vector index 0-7); `frame` holds x0..x30 and, as x[31], SP at the time (src/el2/vectors.S). @cold */
export function hyp_fault(frame: GuestRegs, kind: u32): never {
  panicLineBegin();
  put("PANIC: exception at EL2, vector ");
  putDec(u64(kind));
  const sp: u64 = frame.x[31];
  // A store below the stack faults in its guard page (src/el2/cpu.ts); SP itself may still be above it.
  const far: u64 = mrs("FAR_EL2");
  if (inGuardPage(thisCpu(), far)) put(": hypervisor stack overflow");
  where();
  syndrome();
  put(" SP ");
  putHex(sp);
  for (let i: u32 = 0; i < 31; i++) {
    put(i % 4 == 0 ? "\n" : " ");
    put("x");
    putDec(u64(i));
    put(" ");
    putHex(frame.x[i]);
  }
  lineEnd();
  platformExit(EXIT_HYP_EXCEPTION);
}
