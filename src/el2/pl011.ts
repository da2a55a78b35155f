// The board UART (Arm PrimeCell PL011, DDI 0183): the hypervisor writes every console line through
// it, and takes its input with the receive interrupts (src/el2/consolein.ts). The loader or
// firmware has set the baud rate, unless the board says otherwise (UART_CLOCK_HZ): then uartInit does.
import { UART_BASE, UART_CLOCK_HZ } from "@board";

const UARTDR: u64 = 0x000n;
const UARTFR: u64 = 0x018n;
const UARTIBRD: u64 = 0x024n;
const UARTFBRD: u64 = 0x028n;
const UARTLCR_H: u64 = 0x02cn;
const UARTCR: u64 = 0x030n;
const UARTIMSC: u64 = 0x038n;
const UARTICR: u64 = 0x044n;
/** UARTFR.RXFE: receive FIFO empty. */
const FR_RXFE: u32 = 1 << 4;
/** UARTIMSC/ICR: RTIM (receive timeout) and RXIM (receive), and every interrupt (ICR). */
const INT_RT_RX: u32 = (1 << 6) | (1 << 4);
const INT_ALL: u32 = 0x7ff;
/** UARTFR.TXFF: transmit FIFO full; UARTFR.BUSY: still transmitting. */
const FR_TXFF: u32 = 1 << 5;
const FR_BUSY: u32 = 1 << 3;
/** UARTLCR_H: WLEN = 8 bits (bits 6:5), FEN (FIFOs on); no parity, one stop bit. */
const LCR_H_8N1_FIFO: u32 = (3 << 5) | (1 << 4);
/** UARTCR: UARTEN, TXE, RXE. */
const CR_ENABLE: u32 = 1 | (1 << 8) | (1 << 9);
const BAUD: u32 = 115200;

/**
 * Programs 115200 8N1 from the board's UART clock, on a board whose firmware leaves the PL011 to
 * someone else (the Raspberry Pi 4's gives it to Bluetooth: board/rpi4/board.ts). DDI 0183 3.3.6
 * and 3.3.8: disabled while programmed, after the last character has gone; the divisor
 * clock / (16 * baud) in 1/64ths, its integer part in IBRD and its fraction in FBRD, which take
 * effect on the write of LCR_H. Boot CPU, before the first console line.
 */
export function uartInit(): void {
  if (UART_CLOCK_HZ == 0) return;
  mmioWrite32(UART_BASE + UARTCR, 0);
  while ((mmioRead32(UART_BASE + UARTFR) & FR_BUSY) != 0) {}
  const div64: u32 = (UART_CLOCK_HZ * 4 + BAUD / 2) / BAUD;
  mmioWrite32(UART_BASE + UARTIBRD, div64 >> 6);
  mmioWrite32(UART_BASE + UARTFBRD, div64 & 63);
  mmioWrite32(UART_BASE + UARTLCR_H, LCR_H_8N1_FIFO);
  mmioWrite32(UART_BASE + UARTCR, CR_ENABLE);
}

export function uartPutc(c: u8): void {
  while ((mmioRead32(UART_BASE + UARTFR) & FR_TXFF) != 0) {}
  mmioWrite32(UART_BASE + UARTDR, u32(c));
}

/**
 * Receiving on, with its interrupts: the receive interrupt (the FIFO at its trigger level) and the
 * receive timeout (bytes waiting below it), so that every byte raises one. Boot CPU.
 */
export function uartRxEnable(): void {
  mmioWrite32(UART_BASE + UARTICR, INT_ALL);
  mmioWrite32(UART_BASE + UARTCR, mmioRead32(UART_BASE + UARTCR) | CR_ENABLE);
  mmioWrite32(UART_BASE + UARTIMSC, INT_RT_RX);
}

/** No byte waiting (uartGetc). */
export const UART_NO_INPUT: u32 = 0x100;

/** The next received byte, or UART_NO_INPUT. Reading the FIFO below its trigger level, and empty, clears both receive interrupts. */
export function uartGetc(): u32 {
  if ((mmioRead32(UART_BASE + UARTFR) & FR_RXFE) != 0) return UART_NO_INPUT;
  return mmioRead32(UART_BASE + UARTDR) & 0xff;
}
