// The board UART (Arm PrimeCell PL011, DDI 0183), transmit side only: the hypervisor writes
// every console line through it. The loader or firmware has set the baud rate.
import { UART_BASE } from "@board";

const UARTDR: u64 = 0x000n;
const UARTFR: u64 = 0x018n;
/** UARTFR.TXFF: transmit FIFO full. */
const FR_TXFF: u32 = 1 << 5;

export function uartPutc(c: u8): void {
  while ((mmioRead32(UART_BASE + UARTFR) & FR_TXFF) != 0) {}
  mmioWrite32(UART_BASE + UARTDR, u32(c));
}
