// A channel's device in one member VM (host/config/channels.ts): ivshmem-style, on the VM's
// virtual PCI bus (config space: src/stage2/vpci.ts). Its BAR0 is this page of registers, emulated
// (nothing is mapped there: each access traps); its BAR2 is the channel's memory, mapped by stage 2.
//
//   BAR0 + 0x00  IntrMask    rw  bit 0: IntrStatus may assert INTA (1 out of reset)
//   BAR0 + 0x04  IntrStatus  r   bit 0: a peer rang since the last read; a read clears it
//   BAR0 + 0x08  IVPosition  r   this VM's peer ID in the channel
//   BAR0 + 0x0c  Doorbell    w   rings the peer whose ID is in [31:16] ([15:0], the vector: one, ignored)
//   BAR0 + 0x10  Peers       r   the number of member VMs (Bulkhead)
//   BAR0 + 0x14  Access      r   bit 0: this VM may only read the memory (Bulkhead)
//   BAR0 + 0x18  Interrupt   r   the INTID of INTA in this VM's GIC (Bulkhead: for guests that do not read the interrupt-map)
//
// The first four are QEMU's ivshmem registers (docs/specs/ivshmem-spec.rst), so its drivers find
// what they expect. INTA is a virtual SPI (src/gic/vspi.ts), raised on each rising edge of
// "asserted": IntrStatus & IntrMask, unless PCI_COMMAND.INTX_DISABLE masks it. So a doorbell while
// the guest has INTx masked (uio_pci_generic's handler masks it) is delivered when it unmasks,
// and doorbells rung before the guest reads IntrStatus coalesce into one interrupt, as on a
// level-triggered line. The state of each device row is changed under its lock only: the peer that
// rings writes IntrStatus from its own CPU.
import { CHAN_FIRST, CHAN_VM, CHAN_CHANNEL, CHAN_PEER, CHAN_RO, CHAN_INTID, CHANNEL_FIRST, MEMBER_ROW } from "@config";
import { SpinLock, lock, unlock } from "../el2/lock.ts";
import { vspiDeclare, vspiRaise } from "../gic/vspi.ts";

export class ChanDev {
  lock = new SpinLock();
  /** PCI_COMMAND as the guest wrote it (vpci.ts keeps only the bits it implements). */
  command: u32 = 0;
  /** Bit n: BAR n was last written all-ones, so reads answer its size (PCI sizing). */
  sizing: u32 = 0;
  /** PCI Interrupt Line: a byte for the guest's own use. */
  intLine: u32 = 0;
  intrMask: u32 = 1;
  intrStatus: u32 = 0;
}

/** One per row of the CHAN_ tables (at most 255: the tables' row indices are u8). */
export const chanDevs = pool(255, ChanDev);

/** PCI_COMMAND.INTX_DISABLE (PCI Local Bus 3.0, 6.2.2). */
export const COMMAND_INTX_DISABLE: u32 = 1 << 10;

const INTR_MASK: u32 = 0x00;
const INTR_STATUS: u32 = 0x04;
const IV_POSITION: u32 = 0x08;
const DOORBELL: u32 = 0x0c;
const PEERS: u32 = 0x10;
const ACCESS: u32 = 0x14;
const INTERRUPT: u32 = 0x18;

/** The row of `vm`'s device in PCI slot `slot`, or 255 if it has none there. */
export function chanRow(vm: u32, slot: u64): u32 {
  if (vm >= CHAN_FIRST.length - 1) return 255;
  const first: u32 = u32(CHAN_FIRST[vm]);
  return slot < u64(u32(CHAN_FIRST[vm + 1]) - first) ? first + u32(slot) : 255;
}

/** Boot: every device's INTA is a virtual SPI of its VM; every device out of reset. @cold */
export function chanInit(): void {
  for (let row: u32 = 0; row < CHAN_VM.length && row < 255; row++) {
    vspiDeclare(u32(CHAN_VM[row]), u32(CHAN_INTID[row]));
    resetDev(chanDevs[row]);
  }
}

/** @cold */
function resetDev(d: ChanDev): void {
  d.command = 0;
  d.sizing = 0;
  d.intLine = 0;
  d.intrMask = 1;
  d.intrStatus = 0;
}

/** A restarting VM's devices back to reset (its peers' stay as they are: they still use the channel). @cold */
export function chanResetVm(vm: u32): void {
  if (vm >= CHAN_FIRST.length - 1) return;
  for (let row: u32 = u32(CHAN_FIRST[vm]); row < u32(CHAN_FIRST[vm + 1]) && row < 255; row++) {
    const d: ChanDev = chanDevs[row];
    lock(d.lock);
    resetDev(d);
    unlock(d.lock);
  }
}

/** Whether the device asserts INTA: IntrStatus & IntrMask, before INTX_DISABLE (PCI_STATUS.INTERRUPT). */
export function chanInterruptPending(d: ChanDev): bool {
  return (d.intrStatus & d.intrMask & 1) != 0;
}

function asserted(d: ChanDev): bool {
  return chanInterruptPending(d) && (d.command & COMMAND_INTX_DISABLE) == 0;
}

/** After a change under d.lock that began with INTA at `before`: raises the virtual SPI on a rising edge. */
function edge(row: u32, d: ChanDev, before: bool, self: u32): void {
  if (!before && asserted(d)) vspiRaise(u32(CHAN_VM[row]), u32(CHAN_INTID[row]), self);
}

/** PCI_COMMAND written (vpci.ts): clearing INTX_DISABLE delivers a doorbell that waited. @cold */
export function chanSetCommand(row: u32, command: u32, self: u32): void {
  const d: ChanDev = chanDevs[row & 255];
  lock(d.lock);
  const before: bool = asserted(d);
  d.command = command;
  edge(row, d, before, self);
  unlock(d.lock);
}

/** Rings peer `peer` of row `row`'s channel, from CPU `self`: sets its IntrStatus. */
function ring(row: u32, peer: u32, self: u32): void {
  const c: u32 = u32(CHAN_CHANNEL[row & 255]);
  if (c + 1 >= CHANNEL_FIRST.length) return;
  const first: u32 = u32(CHANNEL_FIRST[c]);
  if (peer >= u32(CHANNEL_FIRST[c + 1]) - first) return;
  const target: u32 = u32(MEMBER_ROW[first + peer]);
  const d: ChanDev = chanDevs[target & 255];
  lock(d.lock);
  const before: bool = asserted(d);
  d.intrStatus = d.intrStatus | 1;
  edge(target, d, before, self);
  unlock(d.lock);
}

/** A 4-byte read of BAR0 + `offset` of row `row`'s device; other widths read as zero (mmio.ts). */
export function chanRead(row: u32, offset: u32): u32 {
  const d: ChanDev = chanDevs[row & 255];
  switch (offset) {
    case INTR_MASK:
      return d.intrMask;
    case INTR_STATUS: {
      lock(d.lock);
      const v: u32 = d.intrStatus;
      d.intrStatus = 0;
      unlock(d.lock);
      return v;
    }
    case IV_POSITION:
      return u32(CHAN_PEER[row & 255]);
    case PEERS: {
      const c: u32 = u32(CHAN_CHANNEL[row & 255]);
      return c + 1 < CHANNEL_FIRST.length ? u32(CHANNEL_FIRST[c + 1]) - u32(CHANNEL_FIRST[c]) : 0;
    }
    case ACCESS:
      return u32(CHAN_RO[row & 255]);
    case INTERRUPT:
      return u32(CHAN_INTID[row & 255]);
    default:
      return 0;
  }
}

/** A 4-byte write of `value` to BAR0 + `offset` of row `row`'s device, from CPU `self`. */
export function chanWrite(row: u32, offset: u32, value: u32, self: u32): void {
  if (offset == DOORBELL) {
    ring(row, value >> 16, self);
  } else if (offset == INTR_MASK) {
    const d: ChanDev = chanDevs[row & 255];
    lock(d.lock);
    const before: bool = asserted(d);
    d.intrMask = value & 1;
    edge(row, d, before, self);
    unlock(d.lock);
  }
}
