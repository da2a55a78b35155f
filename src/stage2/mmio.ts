// MMIO emulation: a guest access that faulted at stage 2 on an emulated device is carried out
// here. Each device is a range of the VM's IPA space; today the PL011 (src/stage2/vuart.ts).
import { VM_UART } from "@config";
import { vms, vmConsolePutc } from "./vm.ts";
import { vuartRead, vuartWrite, UARTDR } from "./vuart.ts";
import { thisCpu } from "../el2/cpu.ts";
import { vgicMmio, vgicMmioValue } from "../gic/vgicd.ts";

/** One decoded access: its IPA, width in bytes, direction and (for a write) value. */
export class MmioAccess {
  ipa: u64 = 0n;
  bytes: u32 = 0;
  write: bool = false;
  value: u64 = 0n;
}

const PAGE: u64 = 0x1000n;

/** Emulates the access if an emulated device covers it (a read fills a.value); false if none does. */
export function mmioEmulate(vm: u32, a: MmioAccess): bool {
  const uart: u64 = VM_UART[vm];
  if (uart != 0n && a.ipa >= uart && a.ipa < uart + PAGE) {
    const offset: u32 = u32(a.ipa - uart);
    if (!a.write) a.value = u64(vuartRead(vms[vm].uart, offset));
    else if (offset == UARTDR) vmConsolePutc(vm, u8(a.value & 0xffn));
    else vuartWrite(vms[vm].uart, offset, u32(a.value & 0xffffffffn));
    return true;
  }
  // The virtual GIC's distributor and (GICv3) redistributors: src/gic/vgicd.ts.
  const cpu: u32 = thisCpu();
  if (vgicMmio(vm, cpu, a.ipa, a.bytes, a.write, a.value)) {
    if (!a.write) a.value = vgicMmioValue(cpu);
    return true;
  }
  return false;
}
