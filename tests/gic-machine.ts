// The simulated machine (compiler/runtime) with a GICv3 CPU interface's one piece of behaviour the
// host tests of the vGIC need: ICH_ELRSR_EL2 follows the list registers (bit n set: ICH_LR<n>_EL2's
// State is invalid), as the hardware's does, for as many registers as ICH_VTR_EL2.ListRegs says.
// Every system register write is recorded, in order.
import { Machine } from "../compiler/runtime/index.ts";

export class GicMachine extends Machine {
  writes: [string, bigint][] = [];
  mrs(name: string): bigint {
    if (name !== "ICH_ELRSR_EL2") return super.mrs(name);
    const lrs = Number((this.sysregs.get("ICH_VTR_EL2") ?? 0n) & 0x1fn) + 1;
    let empty = 0n;
    for (let i = 0; i < lrs; i++) if ((this.sysregs.get(`ICH_LR${i}_EL2`) ?? 0n) >> 62n === 0n) empty |= 1n << BigInt(i);
    return empty;
  }
  msr(name: string, v: bigint): void {
    this.writes.push([name, v]);
    super.msr(name, v);
  }
}
