// The emulated PL011 each VM sees at the board's UART address: enough of the register file
// for an unmodified driver (Linux amba-pl011, the bare-metal guests) to probe and write.
// Transmitted characters go to the VM's labelled console line; the receiver is always empty.

export class VUart {
  /** IBRD, FBRD, LCR_H, CR, IFLS, IMSC as the guest last wrote them (index = offset / 4 - 9). */
  regs = new Uint32Array(6);
}

/** Their values out of reset (PL011 TRM, DDI 0183, 3.2): CR TXE and RXE set, IFLS both FIFOs half full. */
const RESET_VALUES = new Uint32Array([0, 0, 0, 0x300, 0x12, 0]);

/** The UART as out of reset (at boot and when its VM restarts). */
export function vuartReset(u: VUart): void {
  for (let i: u32 = 0; i < 6; i++) u.regs[i] = RESET_VALUES[i];
}

/** Data register: a write transmits a character (see src/stage2/mmio.ts). */
export const UARTDR: u32 = 0x000;
const UARTFR: u32 = 0x018;
const UARTIBRD: u32 = 0x024;
const UARTIMSC: u32 = 0x038;
/** UARTFR: TXFE (transmit FIFO empty) and RXFE (receive FIFO empty): always ready, never input. */
const FR_IDLE: u32 = (1 << 7) | (1 << 4);
/** PrimeCell identification registers at 0xfe0..0xffc: PL011 r1p5, and the PrimeCell id. */
const PERIPH_CELL_ID = new Uint8Array([0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);

/** A guest read at `offset`; returns the register's value. */
export function vuartRead(u: VUart, offset: u32): u32 {
  if (offset == UARTFR) return FR_IDLE;
  if (offset >= UARTIBRD && offset <= UARTIMSC) return u.regs[(offset - UARTIBRD) >> 2];
  if (offset >= 0xfe0 && offset <= 0xffc) return u32(PERIPH_CELL_ID[((offset - 0xfe0) >> 2) & 7]);
  return 0;
}

/** A guest write to a control register (writes elsewhere, such as the interrupt clear register, have no effect). */
export function vuartWrite(u: VUart, offset: u32, value: u32): void {
  if (offset >= UARTIBRD && offset <= UARTIMSC) u.regs[(offset - UARTIBRD) >> 2] = value;
}
