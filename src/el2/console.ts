// The shared console: the hypervisor's log and every VM's output go to the board UART, one whole
// line at a time, each labelled with its source (`[hyp] ...`, `[<vm name>] ...`).
import { vmName } from "@config";
import { SpinLock, lock, unlock } from "./lock.ts";
import { uartPutc } from "./pl011.ts";

const consoleLock = new SpinLock();
const HEX_DIGITS = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** A VM's console output, collected until a whole line can be written. */
export class LineBuffer {
  text = new Uint8Array(160);
  length: u32 = 0;
}

/** Starts a labelled line and holds the console until lineEnd(). */
export function lineBegin(label: string): void {
  lock(consoleLock);
  putLabel(label);
}

export function lineEnd(): void {
  put("\n");
  unlock(consoleLock);
}

/** Starts a hypervisor log line about VM `vm`: `[hyp] vm <name>: `. */
export function vmLineBegin(vm: u32): void {
  lineBegin("hyp");
  put("vm ");
  put(vmName(vm));
  put(": ");
}

function putLabel(label: string): void {
  put("[");
  put(label);
  put("] ");
}

export function put(s: string): void {
  const length: u32 = s.length;
  for (let i: u32 = 0; i < length; i++) {
    const c: u8 = s.charCodeAt(i);
    if (c == 10) uartPutc(13);
    uartPutc(c);
  }
}

export function putHex(v: u64): void {
  put("0x");
  let started: bool = false;
  for (let shift: i32 = 60; shift >= 0; shift -= 4) {
    const digit: u32 = u32(v >> u64(shift)) & 0xf;
    if (digit != 0 || started || shift == 0) {
      uartPutc(HEX_DIGITS[digit]);
      started = true;
    }
  }
}

export function putDec(v: u64): void {
  let div: u64 = 10000000000000000000n;
  let started: bool = false;
  while (div > 0n) {
    const digit: u64 = (v / div) % 10n;
    if (digit != 0n || started || div == 1n) {
      uartPutc(u8(48n + digit));
      started = true;
    }
    div = div / 10n;
  }
}

/** One whole hypervisor log line. */
export function log(msg: string): void {
  lineBegin("hyp");
  put(msg);
  lineEnd();
}

/** A hypervisor log line ending in a hexadecimal value. */
export function logHex(msg: string, value: u64): void {
  lineBegin("hyp");
  put(msg);
  putHex(value);
  lineEnd();
}

/** One character of a VM's console: lines are written whole, when complete or when the buffer is full. */
export function bufferPutc(b: LineBuffer, label: string, c: u8): void {
  lock(consoleLock);
  if (c == 10 || b.length >= b.text.length) {
    putLabel(label);
    for (let i: u32 = 0; i < b.length; i++) uartPutc(b.text[i]);
    put("\n");
    b.length = 0;
  }
  if (c != 10 && c != 13) {
    b.text[b.length] = c;
    b.length++;
  }
  unlock(consoleLock);
}
