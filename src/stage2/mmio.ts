// MMIO emulation: a guest access that faulted at stage 2 on an emulated device is carried out
// here. Each device is a range of the VM's IPA space: the PL011 (src/stage2/vuart.ts) and the
// virtual GIC's distributor and redistributors (src/gic/vgicd.ts). The decoded access arrives as
// plain values, and a read returns its result: no record is filled and read back on the hot path.
import { VM_UART } from "@config";
import { vms } from "./vm.ts";
import { consolePutc } from "../el2/console.ts";
import { vuartRead, vuartWrite, UARTDR } from "./vuart.ts";
import { vgicClaims, vgicRead, vgicWrite } from "../gic/vgicd.ts";

export const enum MmioDevice { None = 0, Uart = 1, Gic = 2 }

const PAGE: u64 = 0x1000n;

/** The emulated device of the VM at `ipa`, if any. */
export function mmioDevice(vm: u32, ipa: u64): u32 {
  const uart: u64 = VM_UART[vm];
  if (uart != 0n && ipa >= uart && ipa < uart + PAGE) return MmioDevice.Uart;
  if (vgicClaims(vm, ipa)) return MmioDevice.Gic;
  return MmioDevice.None;
}

/** A read of `bytes` at `ipa` from device `dev` (mmioDevice's answer); returns the value. */
export function mmioRead(dev: u32, vm: u32, cpu: u32, ipa: u64, bytes: u32): u64 {
  if (dev == MmioDevice.Gic) return vgicRead(vm, cpu, ipa, bytes);
  return u64(vuartRead(vms[vm].uart, u32(ipa - VM_UART[vm])));
}

/** A write of `value` (`bytes` wide) at `ipa` to device `dev`. */
export function mmioWrite(dev: u32, vm: u32, cpu: u32, ipa: u64, bytes: u32, value: u64): void {
  if (dev == MmioDevice.Gic) {
    vgicWrite(vm, cpu, ipa, bytes, value);
    return;
  }
  const offset: u32 = u32(ipa - VM_UART[vm]);
  if (offset == UARTDR) consolePutc(vm, u8(value & 0xffn));
  else vuartWrite(vms[vm].uart, offset, u32(value & 0xffffffffn));
}
