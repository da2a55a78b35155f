// A bounded queue of whole console lines from one source: a VM (its own output and the
// hypervisor's lines about it) or the hypervisor itself. Producers append whole lines under the
// queue's lock; one drainer at a time (src/el2/console.ts) reads the oldest line in place and then
// gives its space back. A line that does not fit is dropped whole and counted, and the count rides
// on the next line that fits, so the drainer can say where lines went missing.
//
// Invariants: 0 <= head - tail <= QUEUE_BYTES (free-running u32 counters, wrapping); bytes in
// [tail, head) are whole records, each a 4-byte header (length and the Line's flags, then lines
// dropped just before it, both u16, little-endian) and `length` bytes of text; only producers holding `lock` move head,
// only the drainer moves tail. So a source can only ever lose its own lines, never another's.
import { SpinLock, lock, unlock } from "./lock.ts";

/** Bytes of one queue (a power of two). */
export const QUEUE_BYTES: u32 = 4096;
const QUEUE_MASK: u32 = QUEUE_BYTES - 1;
const HEADER_BYTES: u32 = 4;
/** The longest line a queue takes (a Line's capacity). */
export const RECORD_MAX: u32 = 512;

/** Line.flags: the line goes on after this text (no newline yet: a prompt, an echo). */
export const LINE_OPEN: u32 = 1;
/** Line.flags: the text goes on from an open line of the same source (it has no label of its own). */
export const LINE_MORE: u32 = 2;
const LENGTH_MASK: u32 = 0x3ff;
const FLAGS_SHIFT: u32 = 14;

/** One line being composed (src/el2/console.ts keeps one per CPU), or a part of one (flags). */
export class Line {
  text = new Uint8Array(512);
  length: u32 = 0;
  flags: u32 = 0;
}

export class LineQueue {
  lock = new SpinLock();
  bytes = new Uint8Array(4096);
  /** Next byte to write (producers, under lock; published with release). */
  head = new Uint32Array(1);
  /** Next byte to read (the drainer; published with release). */
  tail = new Uint32Array(1);
  /** Lines dropped since the last one that fitted (under lock). */
  dropped: u32 = 0;
}

function byteAt(q: LineQueue, pos: u32): u32 {
  return u32(q.bytes[pos & QUEUE_MASK]);
}

/** The little-endian u16 at `pos`. */
function u16At(q: LineQueue, pos: u32): u32 {
  const low: u32 = byteAt(q, pos);
  return low | (byteAt(q, pos + 1) << 8);
}

function setByte(q: LineQueue, pos: u32, v: u32): void {
  q.bytes[pos & QUEUE_MASK] = u8(v & 0xff);
}

/** Appends `line` to the queue, or drops it (false). The caller holds q.lock. @cold */
export function queuePush(q: LineQueue, line: Line): bool {
  const length: u32 = line.length;
  const head: u32 = loadAcquire32(addressOf(q.head));
  const used: u32 = head - loadAcquire32(addressOf(q.tail));
  if (length > RECORD_MAX || used > QUEUE_BYTES || QUEUE_BYTES - used < length + HEADER_BYTES) {
    if (q.dropped < 0xffff) q.dropped++;
    return false;
  }
  const word: u32 = length | ((line.flags & 3) << FLAGS_SHIFT);
  setByte(q, head, word);
  setByte(q, head + 1, word >> 8);
  setByte(q, head + 2, q.dropped);
  setByte(q, head + 3, q.dropped >> 8);
  for (let i: u32 = 0; i < length; i++) setByte(q, head + HEADER_BYTES + i, u32(line.text[i & 511]));
  q.dropped = 0;
  storeRelease32(addressOf(q.head), head + HEADER_BYTES + length);
  return true;
}

/** Whether a line of any length fits now (any CPU may ask; the answer may be stale at once). */
export function queueHasRoom(q: LineQueue): bool {
  const head: u32 = loadAcquire32(addressOf(q.head));
  const used: u32 = head - loadAcquire32(addressOf(q.tail));
  return used <= QUEUE_BYTES && QUEUE_BYTES - used >= RECORD_MAX + HEADER_BYTES;
}

/** Where the drainer has read up to: it moves whenever a line of the queue goes out. */
export function queueTail(q: LineQueue): u32 {
  return loadAcquire32(addressOf(q.tail));
}

/** Whether a line waits (the drainer's view; any CPU may ask). */
export function queueWaiting(q: LineQueue): bool {
  const head: u32 = loadAcquire32(addressOf(q.head));
  return head != loadAcquire32(addressOf(q.tail));
}

/** The oldest line's length (the drainer only, after queueWaiting). */
export function queueFrontLength(q: LineQueue): u32 {
  return u16At(q, loadAcquire32(addressOf(q.tail))) & LENGTH_MASK;
}

/** The oldest line's flags (LINE_OPEN, LINE_MORE). */
export function queueFrontFlags(q: LineQueue): u32 {
  return (u16At(q, loadAcquire32(addressOf(q.tail))) >> FLAGS_SHIFT) & 3;
}

/** How many lines were dropped just before the oldest line. */
export function queueFrontDropped(q: LineQueue): u32 {
  return u16At(q, loadAcquire32(addressOf(q.tail)) + 2);
}

/** Byte `i` of the oldest line's text. */
export function queueFrontByte(q: LineQueue, i: u32): u8 {
  return u8(byteAt(q, loadAcquire32(addressOf(q.tail)) + HEADER_BYTES + i));
}

/** Lines dropped since the last line that fitted, now reported: the count, zeroed. */
export function queueTakeDropped(q: LineQueue): u32 {
  if (q.dropped == 0) return 0;
  lock(q.lock);
  const dropped: u32 = q.dropped;
  q.dropped = 0;
  unlock(q.lock);
  return dropped;
}

/** Gives the oldest line's space back to the producers. */
export function queuePop(q: LineQueue): void {
  const tail: u32 = loadAcquire32(addressOf(q.tail));
  storeRelease32(addressOf(q.tail), tail + HEADER_BYTES + queueFrontLength(q));
}
