// The virtual PCI host bridge of a VM in channels: an ECAM window (PCI Express Base 4.0, 7.2.2;
// bus 0 only) whose device k is the VM's k-th channel (src/stage2/channel.ts), with a type 0
// configuration header (PCI Local Bus 3.0, 6.1) of what Linux's PCI core and uio_pci_generic read:
//
//   0x00  vendor 0x1af4, device 0x1110 (QEMU's ivshmem)   0x2c  subsystem 0x1af4:0x1100
//   0x04  Command (Memory Space, Bus Master, Interrupt Disable writable) | Status (Interrupt)
//   0x08  class 0x0500 (memory controller, RAM), revision 1
//   0x10  BAR0: the registers, 4 KiB, 32-bit memory     0x18  BAR2: the channel's memory, 32-bit, prefetchable
//   0x3c  Interrupt Line (the guest's byte) | Interrupt Pin 1 (INTA)
//
// Everything else reads as zero (no capabilities, no other BARs, no expansion ROM) and ignores
// writes; a function or device that does not exist reads as all ones. The BARs do not move: stage 2
// maps BAR2 for good at boot, so an address written is ignored (the device tree tells Linux to
// keep them where they are, host/config/dts.ts); writing all ones and reading back gives the size,
// as a BAR sizing expects. Interrupt Disable is writable and Status.Interrupt follows the device:
// the pair that Linux's pci_intx_mask_supported() probes and uio_pci_generic needs.
import { VPCI_BAR0, CHAN_FIRST, CHAN_VM, CHAN_BAR2, CHAN_SIZE } from "@config";
import { ChanDev, chanDevs, chanInterruptPending, chanRow, chanSetCommand, COMMAND_INTX_DISABLE } from "./channel.ts";

/** The ECAM window: bus 0's 32 devices × 8 functions × 4 KiB. */
export const VPCI_ECAM_SIZE: u64 = 0x100000n;
/** BAR0 of slot k is VPCI_BAR0 + k × BAR0_SIZE. */
export const BAR0_SIZE: u64 = 0x1000n;

const ID: u32 = 0x11101af4;
const SUBSYSTEM: u32 = 0x11001af4;
const CLASS_REVISION: u32 = 0x05000001;
/** Command bits the device implements: Memory Space, Bus Master, Interrupt Disable. */
const COMMAND_WRITABLE: u32 = (1 << 1) | (1 << 2) | COMMAND_INTX_DISABLE;
/** Status.Interrupt, in the Command/Status dword. */
const STATUS_INTERRUPT: u32 = 1 << 19;
/** BAR bits [3:0]: memory, 32-bit (0b00 type), and (bit 3) prefetchable. */
const BAR_PREFETCHABLE: u32 = 1 << 3;
const INTERRUPT_PIN_INTA: u32 = 1 << 8;

/** The configuration dword at `reg` (4-byte aligned) of the device in row `row`. @cold */
function readDword(row: u32, reg: u32): u32 {
  const d: ChanDev = chanDevs[row & 255];
  switch (reg) {
    case 0x00:
      return ID;
    case 0x04: {
      const status: u32 = chanInterruptPending(d) ? STATUS_INTERRUPT : 0;
      return d.command | status;
    }
    case 0x08:
      return CLASS_REVISION;
    case 0x10:
      return (d.sizing & 1) != 0 ? u32(~(BAR0_SIZE - 1n) & 0xffffffffn) : u32(bar0(row) & 0xffffffffn);
    case 0x18: {
      const at: u64 = (d.sizing & 4) != 0 ? ~(CHAN_SIZE[row & 255] - 1n) : CHAN_BAR2[row & 255];
      return u32(at & 0xfffffff0n) | BAR_PREFETCHABLE;
    }
    case 0x2c:
      return SUBSYSTEM;
    case 0x3c:
      return (d.intLine & 0xff) | INTERRUPT_PIN_INTA;
    default:
      return 0;
  }
}

/** BAR0 of the device in row `row`: its slot is its index among its VM's rows. @cold */
function bar0(row: u32): u64 {
  const vm: u32 = u32(CHAN_VM[row & 255]);
  const first: u32 = vm < CHAN_FIRST.length ? u32(CHAN_FIRST[vm]) : row;
  return VPCI_BAR0 + u64(row - first) * BAR0_SIZE;
}

/** A write of the whole dword `v` at `reg` of the device in row `row`, from CPU `self`. @cold */
function writeDword(row: u32, reg: u32, v: u32, self: u32): void {
  const d: ChanDev = chanDevs[row & 255];
  if (reg == 0x04) chanSetCommand(row, v & COMMAND_WRITABLE, self);
  else if (reg == 0x10 || reg == 0x18) {
    const bit: u32 = u32(1) << ((reg - 0x10) >> 2);
    d.sizing = (v | 0xf) == 0xffffffff ? d.sizing | bit : d.sizing & ~bit;
  } else if (reg == 0x3c) d.intLine = v & 0xff;
}

/** The device row and register of an ECAM offset, or 255 as the row if no device answers there. @cold */
function decode(vm: u32, offset: u32): u32 {
  const fn: u32 = (offset >> 12) & 7;
  const slot: u32 = (offset >> 15) & 31;
  return fn == 0 ? chanRow(vm, u64(slot)) : 255;
}

/** A read of `bytes` at `offset` of the VM's ECAM window (naturally aligned: abort.ts checks it). @cold */
export function vpciRead(vm: u32, offset: u32, bytes: u32): u32 {
  const row: u32 = decode(vm, offset);
  if (row == 255) return 0xffffffff;
  const v: u32 = readDword(row, offset & 0xffc);
  return bytes >= 4 ? v : (v >> ((offset & 3) * 8)) & ((u32(1) << (bytes * 8)) - 1);
}

/** A write of `bytes` of `value` at `offset` of the VM's ECAM window, from CPU `self`: merged into its dword. @cold */
export function vpciWrite(vm: u32, offset: u32, bytes: u32, value: u32, self: u32): void {
  const row: u32 = decode(vm, offset);
  if (row == 255) return;
  const reg: u32 = offset & 0xffc;
  let v: u32 = value;
  if (bytes < 4) {
    const shift: u32 = (offset & 3) * 8;
    const lanes: u32 = ((u32(1) << (bytes * 8)) - 1) << shift;
    v = (readDword(row, reg) & ~lanes) | ((value << shift) & lanes);
  }
  writeDword(row, reg, v, self);
}
