// Ending the run: under QEMU, Arm semihosting SYS_EXIT_EXTENDED hands QEMU an exit status; on
// hardware (no debugger to catch `hlt`) the CPU halts.
import { HAS_SEMIHOSTING } from "@board";

const SYS_EXIT_EXTENDED: u32 = 0x20;
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x20026n;
const exitBlock = new BigUint64Array(2);

export function halt(): never {
  while (true) wfi();
}

export function platformExit(status: u32): never {
  if (HAS_SEMIHOSTING) {
    exitBlock[0] = ADP_STOPPED_APPLICATION_EXIT;
    exitBlock[1] = u64(status);
    semihosting(SYS_EXIT_EXTENDED, addressOf(exitBlock));
  }
  halt();
}
