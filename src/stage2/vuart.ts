// The emulated PL011 each VM sees at the board's UART address: enough of the register file for an
// unmodified driver (Linux amba-pl011, the bare-metal guests) to probe, write, and receive with
// interrupts. Transmitted characters go to the VM's labelled console line (src/el2/console.ts);
// received ones come from the board UART while the VM has the console's focus (src/el2/consolein.ts).
//
// The receiver (PL011 TRM, DDI 0183, 2.4.3 and 3.4): a FIFO read through UARTDR, UARTFR.RXFE/RXFF,
// and two raw interrupts in UARTRIS — RXRIS while the FIFO holds at least the UARTIFLS trigger
// level, RTRIS (receive timeout) once received data waits: no further byte follows a burst from
// the board UART before the guest can look, so the timeout is taken as expired at once. Reading
// the FIFO below the trigger clears RXRIS, reading it empty clears RTRIS, UARTICR clears either.
// UARTMIS = UARTRIS & UARTIMSC is the PL011's UARTINTR, a level: each rise of it raises the VM's
// virtual SPI at the INTID its device tree names (src/gic/vspi.ts, level-sensitive in GICD_ICFGR).
// A driver that reads the FIFO empty in its handler (Linux's, the test guests') sees every byte:
// a byte that arrives after that raises the line again. One that completes the interrupt with
// bytes still waiting is not interrupted again until the line falls and rises (a deviation from
// a level-sensitive line, which would stay pending).
//
// Bounded: the FIFO holds RX_BYTES (the guest sees at most 32 of them as the PL011's FIFO, as RXFF
// says); a byte arriving to a full one is dropped and counted. The transmitter never waits
// (UARTFR.TXFF reads 0), so TXRIS is never needed and never set.
import { UART_INTID } from "@board";
import { SpinLock, lock, unlock } from "../el2/lock.ts";
import { vspiRaise } from "../gic/vspi.ts";

/** Bytes of the receive FIFO (a power of two): room for a pasted line while the guest is slow to read. */
const RX_BYTES: u32 = 256;
/** The PL011's own FIFO depth: RXFF and the trigger levels count up to it. */
const PL011_FIFO: u32 = 32;

export class VUart {
  /** IBRD, FBRD, LCR_H, CR, IFLS, IMSC as the guest last wrote them (index = offset / 4 - 9). */
  regs = new Uint32Array(6);
  /** The receive FIFO: bytes [tail, head) (free-running counters), under `lock`. */
  rx = new Uint8Array(256);
  head: u32 = 0;
  tail: u32 = 0;
  /** UARTRIS: RXRIS and RTRIS. */
  ris: u32 = 0;
  /** Received bytes dropped because the FIFO was full, since boot. */
  dropped: u32 = 0;
  /** UARTINTR as last driven (UARTMIS != 0). */
  line: bool = false;
  lock = new SpinLock();
}

/** Their values out of reset (PL011 TRM, DDI 0183, 3.2): CR TXE and RXE set, IFLS both FIFOs half full. */
const RESET_VALUES = new Uint32Array([0, 0, 0, 0x300, 0x12, 0]);

/** Data register: a write transmits a character (see src/stage2/mmio.ts), a read takes one received. */
export const UARTDR: u32 = 0x000;
const UARTFR: u32 = 0x018;
const UARTIBRD: u32 = 0x024;
const UARTLCR_H: u32 = 0x02c;
const UARTIFLS: u32 = 0x034;
const UARTIMSC: u32 = 0x038;
const UARTRIS: u32 = 0x03c;
const UARTMIS: u32 = 0x040;
const UARTICR: u32 = 0x044;
/** UARTFR: TXFE (transmit FIFO empty), RXFF (receive FIFO full), RXFE (receive FIFO empty). */
const FR_TXFE: u32 = 1 << 7;
const FR_RXFF: u32 = 1 << 6;
const FR_RXFE: u32 = 1 << 4;
/** UARTRIS/MIS/IMSC/ICR: receive timeout, receive. */
const INT_RT: u32 = 1 << 6;
const INT_RX: u32 = 1 << 4;
/** UARTLCR_H.FEN: FIFOs on (off: a one-byte holding register, so the trigger level is 1). */
const LCR_H_FEN: u32 = 1 << 4;
/** PrimeCell identification registers at 0xfe0..0xffc: PL011 r1p5, and the PrimeCell id. */
const PERIPH_CELL_ID = new Uint8Array([0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);

/** The UART as out of reset (at boot and when its VM restarts): nothing received, its interrupt low. @cold */
export function vuartReset(u: VUart): void {
  lock(u.lock);
  for (let i: u32 = 0; i < 6; i++) u.regs[i] = RESET_VALUES[i];
  u.tail = u.head;
  u.ris = 0;
  u.line = false;
  unlock(u.lock);
}

function reg(u: VUart, offset: u32): u32 {
  return u.regs[((offset - UARTIBRD) >> 2) % 6];
}

/** Bytes waiting, as the PL011's FIFO shows them (at most its depth). */
function level(u: VUart): u32 {
  const n: u32 = u.head - u.tail;
  return n > PL011_FIFO ? PL011_FIFO : n;
}

/** UARTIFLS.RXIFLSEL [5:3]: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO; 1 with the FIFO off. */
function trigger(u: VUart): u32 {
  if ((reg(u, UARTLCR_H) & LCR_H_FEN) == 0) return 1;
  const sel: u32 = (reg(u, UARTIFLS) >> 3) & 7;
  if (sel == 0) return 4;
  if (sel == 1) return 8;
  if (sel == 2) return 16;
  return sel == 3 ? 24 : 28;
}

/** UARTINTR from UARTMIS; its rise raises the VM's SPI, from CPU `cpu` (the caller holds u.lock). */
function update(vm: u32, u: VUart, cpu: u32): void {
  const imsc: u32 = reg(u, UARTIMSC);
  const high: bool = (u.ris & imsc) != 0;
  if (high && !u.line) vspiRaise(vm, UART_INTID, cpu);
  u.line = high;
}

/**
 * Byte `c` arrives from the board UART for VM `vm` (on CPU `cpu`, any). False: the FIFO was full
 * and the byte is dropped (counted in u.dropped).
 * @cold
 */
export function vuartReceive(vm: u32, u: VUart, c: u8, cpu: u32): bool {
  lock(u.lock);
  const room: bool = u.head - u.tail < RX_BYTES;
  if (room) {
    u.rx[u.head % RX_BYTES] = c;
    u.head++;
    u.ris = u.ris | INT_RT;
    const atTrigger: u32 = trigger(u);
    if (level(u) >= atTrigger) u.ris = u.ris | INT_RX;
    update(vm, u, cpu);
  } else {
    u.dropped++;
  }
  unlock(u.lock);
  return room;
}

/** The oldest received byte (0 if none), taken out of the FIFO. The caller holds u.lock. */
function take(vm: u32, u: VUart, cpu: u32): u32 {
  if (u.head == u.tail) return 0;
  const c: u32 = u32(u.rx[u.tail % RX_BYTES]);
  u.tail++;
  const atTrigger: u32 = trigger(u);
  if (level(u) < atTrigger) u.ris = u.ris & ~INT_RX;
  if (u.head == u.tail) u.ris = u.ris & ~INT_RT;
  update(vm, u, cpu);
  return c;
}

/** A guest read at `offset` from the vCPU on CPU `cpu`; returns the register's value. */
export function vuartRead(vm: u32, u: VUart, offset: u32, cpu: u32): u32 {
  if (offset == UARTDR) {
    lock(u.lock);
    const c: u32 = take(vm, u, cpu);
    unlock(u.lock);
    return c;
  }
  if (offset == UARTFR) {
    const waiting: u32 = u.head - u.tail;
    return FR_TXFE | (waiting == 0 ? FR_RXFE : 0) | (waiting >= PL011_FIFO ? FR_RXFF : 0);
  }
  if (offset >= UARTIBRD && offset <= UARTIMSC) return reg(u, offset);
  if (offset == UARTRIS) return u.ris;
  if (offset == UARTMIS) {
    const imsc: u32 = reg(u, UARTIMSC);
    return u.ris & imsc;
  }
  if (offset >= 0xfe0 && offset <= 0xffc) return u32(PERIPH_CELL_ID[((offset - 0xfe0) >> 2) & 7]);
  return 0;
}

/** A guest write of a control register (UARTDR is the console's: src/stage2/mmio.ts); others are ignored. */
export function vuartWrite(vm: u32, u: VUart, offset: u32, value: u32, cpu: u32): void {
  if (offset >= UARTIBRD && offset <= UARTIMSC) {
    lock(u.lock);
    u.regs[((offset - UARTIBRD) >> 2) % 6] = value;
    update(vm, u, cpu);
    unlock(u.lock);
  } else if (offset == UARTICR) {
    lock(u.lock);
    u.ris = u.ris & ~value;
    update(vm, u, cpu);
    unlock(u.lock);
  }
}
