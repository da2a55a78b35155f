// MMIO emulation: a guest access that faulted at stage 2 on an emulated device is carried out
// here. Each device is a range of the VM's IPA space: the PL011 (src/stage2/vuart.ts), the SP805
// watchdog (src/el2/watchdog.ts), and for a VM in channels its PCI host bridge's ECAM
// (src/stage2/vpci.ts) and its channel devices' BAR0s (src/stage2/channel.ts). The virtual GIC's
// distributor and redistributors (src/gic/vgicd.ts), the hottest, src/stage2/abort.ts looks for and
// calls itself, before these but the UART. The decoded access arrives as plain values, and a read returns its
// result: no record is filled and read back on the hot path.
import { VM_UART, VM_WATCHDOG, CHAN_FIRST, VPCI_ECAM, VPCI_BAR0 } from "@config";
import { vms } from "./vm.ts";
import { consolePutc } from "../el2/console.ts";
import { vuartRead, vuartWrite, UARTDR } from "./vuart.ts";
import { vgicFlush } from "../gic/vgic.ts";
import { chanRead, chanRow, chanWrite } from "./channel.ts";
import { BAR0_SIZE, VPCI_ECAM_SIZE, vpciRead, vpciWrite } from "./vpci.ts";
import { watchdogRead, watchdogWrite } from "../el2/watchdog.ts";

export const enum MmioDevice { None = 0, Uart = 1, Gic = 2, Ecam = 3, ChannelRegs = 4, Watchdog = 5 }

const PAGE: u64 = 0x1000n;

/** Whether `ipa` is in VM `vm`'s PL011, the device src/stage2/abort.ts looks for before the virtual GIC's frames (the console's every byte). */
export function isVmUart(vm: u32, ipa: u64): bool {
  const uart: u64 = VM_UART[vm];
  return uart != 0n && ipa >= uart && ipa < uart + PAGE;
}

/** The emulated device of the VM at `ipa`, if any, other than its virtual GIC (src/stage2/abort.ts asks src/gic/vgicd.ts vgicClaims first). */
export function mmioDevice(vm: u32, ipa: u64): u32 {
  if (isVmUart(vm, ipa)) return MmioDevice.Uart;
  const wdog: u64 = VM_WATCHDOG[vm];
  if (wdog != 0n && ipa >= wdog && ipa < wdog + PAGE) return MmioDevice.Watchdog;
  if (vm >= CHAN_FIRST.length - 1 || CHAN_FIRST[vm] == CHAN_FIRST[vm + 1]) return MmioDevice.None;
  if (ipa >= VPCI_ECAM && ipa - VPCI_ECAM < VPCI_ECAM_SIZE) return MmioDevice.Ecam;
  if (ipa >= VPCI_BAR0 && chanRow(vm, (ipa - VPCI_BAR0) / BAR0_SIZE) != 255) return MmioDevice.ChannelRegs;
  return MmioDevice.None;
}

/** The row of the channel device whose BAR0 holds `ipa` (mmioDevice said ChannelRegs). */
function regsRow(vm: u32, ipa: u64): u32 {
  return chanRow(vm, (ipa - VPCI_BAR0) / BAR0_SIZE);
}

/** A read of `bytes` at `ipa` from device `dev` (mmioDevice's answer), not the GIC (src/stage2/abort.ts calls src/gic/vgicd.ts for that itself); returns the value. */
export function mmioRead(dev: u32, vm: u32, cpu: u32, ipa: u64, bytes: u32): u64 {
  if (dev == MmioDevice.Watchdog) return u64(watchdogRead(vm, u32(ipa - VM_WATCHDOG[vm])));
  if (dev == MmioDevice.Ecam) return u64(vpciRead(vm, u32(ipa - VPCI_ECAM), bytes));
  // The channel registers are 32-bit: other widths read as zero and ignore writes.
  if (dev == MmioDevice.ChannelRegs) return bytes == 4 ? u64(chanRead(regsRow(vm, ipa), u32(ipa & 0xfffn))) : 0n;
  const v: u32 = vuartRead(vm, vms[vm].uart, u32(ipa - VM_UART[vm]), cpu);
  // A read that raises the UART's interrupt again (more bytes arrived) on this vCPU: into a list register now.
  vgicFlush(cpu);
  return u64(v);
}

/** A write of `value` (`bytes` wide) at `ipa` to device `dev`, not the GIC. */
export function mmioWrite(dev: u32, vm: u32, cpu: u32, ipa: u64, bytes: u32, value: u64): void {
  if (dev == MmioDevice.Watchdog) {
    watchdogWrite(vm, cpu, u32(ipa - VM_WATCHDOG[vm]), u32(value & 0xffffffffn));
    return;
  }
  if (dev == MmioDevice.Ecam) {
    if (bytes <= 4) vpciWrite(vm, u32(ipa - VPCI_ECAM), bytes, u32(value & 0xffffffffn), cpu);
    vgicFlush(cpu);
    return;
  }
  if (dev == MmioDevice.ChannelRegs) {
    if (bytes == 4) chanWrite(regsRow(vm, ipa), u32(ipa & 0xfffn), u32(value & 0xffffffffn), cpu);
    // A doorbell the VM rang to itself, or an unmask that delivers one, reaches a list register now.
    vgicFlush(cpu);
    return;
  }
  const offset: u32 = u32(ipa - VM_UART[vm]);
  if (offset == UARTDR) consolePutc(vm, u8(value & 0xffn));
  else vuartWrite(vm, vms[vm].uart, offset, u32(value & 0xffffffffn), cpu);
  vgicFlush(cpu);
}
