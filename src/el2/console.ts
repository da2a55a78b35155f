// The shared console: the hypervisor's log and every VM's output reach the board UART as whole
// lines, each labelled with its source (`[hyp] ...`, `[<vm name>] ...`).
//
// What no VM can do to another through it (docs/architecture.md, "The console"):
// - Delay it: every line goes first into its source's own bounded queue (src/el2/linequeue.ts) —
//   a VM's queue holds its output and the hypervisor's lines about it. A vCPU whose VM's queue is
//   full waits for its own VM's lines to go out (its output is paced by the UART); a line that
//   still finds no room, or a hypervisor line about a VM whose queue is full, is dropped from that
//   source alone, and counted. Nobody waits for the UART on anyone else's behalf: after queueing a line
//   a CPU *tries* to become the drainer (a compare-and-swap, never a wait); if it does, it writes
//   lines in turn until its own VM's queue is empty, and at most DRAIN_EXTRA lines more. So a vCPU
//   spends in EL2, per console access, at most one turn (a line of each source) per line of its own
//   VM still queued, plus DRAIN_EXTRA lines — each at most RECORD_MAX bytes and a drop marker —
//   whatever the other VMs do: only its own VM can add to what it writes.
// - Take more than its share: the drainer takes one line from each source in turn (round-robin),
//   so a source's lines wait behind at most one line of each other source per turn, and a VM that
//   floods pays for it with its own CPUs, which then also write everyone else's lines.
// - Forge a line: a guest's control bytes are shown in caret notation (`^[` for ESC, `M-^[` for
//   the C1 CSI) and each of its lines starts with its own label, so no guest line can start with
//   `[hyp]` (VM names are checked: none is "hyp") or move the cursor of a terminal.
// A line queued while the drainer is finishing is not forgotten: the drainer looks again after it
// lets go. CPUs with nothing to run (src/el2/exit.ts halt) drain too, and the run's end flushes all.
//
// A VM that has the console's input focus and has been typed at (src/el2/consolein.ts) is being
// used interactively: its unfinished line (a prompt, the echo of a key) is queued as soon as
// nothing of it waits, as an open line (LINE_OPEN); the rest of the line follows without a label of
// its own (LINE_MORE). The drainer keeps the terminal's one open line: another source's line first
// ends it with a newline, and a continuation that finds it ended starts afresh with its label, so
// every line on the terminal still starts with its source's label, and none but the hypervisor's
// with `[hyp]`. Every other VM's lines go out whole, never cut by another's.
import { CPU_COUNT } from "@board";
import { CPU_VM, vmName } from "@config";
import { thisCpu } from "./cpu.ts";
import { lock, unlock } from "./lock.ts";
import { uartPutc } from "./pl011.ts";
import { gicKick } from "../gic/gic.ts";
import {
  Line, LineQueue, RECORD_MAX, LINE_OPEN, LINE_MORE, queuePush, queueWaiting, queueFrontLength, queueFrontFlags, queueFrontDropped,
  queueFrontByte, queuePop, queueTakeDropped, queueHasRoom, queueTail,
} from "./linequeue.ts";

const HEX_DIGITS = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** Queue index of the hypervisor's own lines; VM v's queue is index v. */
const HYP_SOURCE: u32 = CPU_COUNT;
const SOURCES: u32 = CPU_COUNT + 1;
const queues = pool(CPU_COUNT + 1, LineQueue);

/** Lines a CPU writes at most per console access once its own VM's queue is empty. */
const DRAIN_EXTRA: u32 = 2;
/** A bound on the turns of one drain (more than a full queue's lines): its own VM cannot keep it forever. */
const DRAIN_TURNS: u32 = 1024;

/** A line under composition on one CPU; `direct`: written straight to the UART (a panic). */
class Draft {
  line = new Line();
  source: u32 = 0;
  direct: bool = false;
}
const drafts = pool(CPU_COUNT, Draft);
/** Each CPU's formatting space for a VM's output line. */
const guestDrafts = pool(CPU_COUNT, Line);

/** A VM's output line being received, byte by byte, before escaping (under its queue's lock). */
class GuestText {
  text = new Uint8Array(160);
  length: u32 = 0;
  /** The start of the line is queued already (as an open line): the rest goes on from it. */
  continued: bool = false;
}
const guestText = pool(CPU_COUNT, GuestText);

/** The VM with the input's focus (CPU_COUNT: none); its unfinished lines are shown as they come once it has been typed at. */
const focusVm = new Uint32Array([CPU_COUNT]);
/** Per VM: input has reached it since it started (it is being used interactively). */
const typedAt = new Uint32Array(CPU_COUNT);
/** The source whose line the terminal shows unfinished (the drain token's holder only); SOURCES: none. */
const openSource = new Uint32Array([SOURCES]);
/** A label written afresh before a continuation (the drain token's holder only). */
const labelDraft = new Line();

/** The drainer's token: 0 free, else the holder's CPU + 1. Taken by compare-and-swap only. */
const drainToken = new Uint32Array(1);
/** The source the drainer serves next (changed only by the token's holder). */
const nextSource = new Uint32Array(1);

function thisCpuIndex(): u32 {
  return thisCpu() % CPU_COUNT;
}

function draft(): Draft {
  return drafts[thisCpuIndex()];
}

// ---- composing a hypervisor line ----

function append(l: Line, c: u32): void {
  if (l.length < RECORD_MAX) {
    l.text[l.length & 511] = u8(c);
    l.length++;
  }
}

function emit(c: u32): void {
  const d: Draft = draft();
  if (d.direct) {
    if (c == 10) uartPutc(13);
    uartPutc(u8(c));
  } else {
    append(d.line, c);
  }
}

function startLine(source: u32): void {
  const d: Draft = draft();
  d.source = source;
  d.line.length = 0;
  d.line.flags = 0;
}

/** Starts a hypervisor line labelled `label` (the hypervisor's own lines: "hyp"). @cold */
export function lineBegin(label: string): void {
  startLine(HYP_SOURCE);
  put("[");
  put(label);
  put("] ");
}

/** Starts a hypervisor log line about VM `vm`, queued with that VM's lines: `[hyp] vm <name>: `. @cold */
export function vmLineBegin(vm: u32): void {
  startLine(vm < CPU_COUNT ? vm : HYP_SOURCE);
  put("[hyp] vm ");
  put(vmName(vm));
  put(": ");
}

/**
 * Queues the line begun by lineBegin/vmLineBegin and has the console written out. A line about this
 * CPU's own VM waits for room as the VM's own output does; any other is dropped if its queue is full.
 * @cold
 */
export function lineEnd(): void {
  const d: Draft = draft();
  if (d.direct) {
    emit(10);
    return;
  }
  const q: LineQueue = queues[d.source % SOURCES];
  if (q == ownQueue()) waitForRoom(q);
  lock(q.lock);
  queuePush(q, d.line);
  unlock(q.lock);
  consoleDrain();
}

/** @cold */
export function put(s: string): void {
  const length: u32 = s.length;
  for (let i: u32 = 0; i < length; i++) emit(u32(s.charCodeAt(i)));
}

/** @cold */
export function putHex(v: u64): void {
  put("0x");
  let started: bool = false;
  for (let shift: i32 = 60; shift >= 0; shift -= 4) {
    const digit: u32 = u32(v >> u64(shift)) & 0xf;
    if (digit != 0 || started || shift == 0) {
      emit(u32(HEX_DIGITS[digit]));
      started = true;
    }
  }
}

/** @cold */
export function putDec(v: u64): void {
  let div: u64 = 10000000000000000000n;
  let started: bool = false;
  while (div > 0n) {
    const digit: u64 = (v / div) % 10n;
    if (digit != 0n || started || div == 1n) {
      emit(u32(48n + digit));
      started = true;
    }
    div = div / 10n;
  }
}

/** One whole hypervisor log line. @cold */
export function log(msg: string): void {
  lineBegin("hyp");
  put(msg);
  lineEnd();
}

/** A hypervisor log line ending in a hexadecimal value. @cold */
export function logHex(msg: string, value: u64): void {
  lineBegin("hyp");
  put(msg);
  putHex(value);
  lineEnd();
}

// ---- a VM's own output ----

/** `[name] ` (but on a continuation) and the VM's text, its control bytes in caret notation (`^[`, `^?`, `M-^[` for C1). @cold */
function formatGuestLine(vm: u32, g: GuestText, out: Line, flags: u32): void {
  out.length = 0;
  out.flags = flags;
  if ((flags & LINE_MORE) == 0) appendLabel(out, vm);
  let i: u32 = 0;
  while (i < g.length && i < g.text.length) {
    const c: u32 = u32(g.text[i]);
    const next: u32 = i + 1 < g.length && i + 1 < g.text.length ? u32(g.text[i + 1]) : 0;
    if (c == 0xc2 && next >= 0x80 && next < 0xa0) {
      // U+0080..U+009F, the C1 controls (CSI is U+009B), in UTF-8.
      append(out, 77);
      append(out, 45);
      append(out, 94);
      append(out, next - 0x40);
      i += 2;
      continue;
    }
    if ((c < 0x20 && c != 9) || c == 0x7f) {
      append(out, 94);
      append(out, c ^ 0x40);
    } else {
      append(out, c);
    }
    i++;
  }
}

/** @cold */
function appendLabel(out: Line, vm: u32): void {
  const name: string = vmName(vm);
  append(out, 91);
  for (let i: u32 = 0; i < name.length; i++) append(out, u32(name.charCodeAt(i)));
  append(out, 93);
  append(out, 32);
}

/**
 * Queues the VM's received text as one line, or (`open`) as the start or a further part of a line
 * that goes on (the caller holds the VM's queue lock).
 * @cold
 */
function queueGuestLine(vm: u32, g: GuestText, q: LineQueue, open: bool): void {
  const out: Line = guestDrafts[thisCpuIndex()];
  formatGuestLine(vm, g, out, (g.continued ? LINE_MORE : 0) | (open ? LINE_OPEN : 0));
  queuePush(q, out);
  g.length = 0;
  g.continued = open;
}

/**
 * Whether the VM's unfinished line is to be shown now: it has the focus and has been typed at,
 * nothing of it waits (else the drainer shows it when its last line goes out: writeNextLine), and
 * the text does not end in a CR (which a line's end drops). The caller holds the VM's queue lock.
 */
function showUnfinished(vm: u32, g: GuestText, q: LineQueue): bool {
  if (vm != focusVm[0] || typedAt[vm % CPU_COUNT] == 0 || g.length == 0 || queueWaiting(q)) return false;
  return g.text[(g.length - 1) % 160] != 13;
}

/** The input's focus moved to VM `vm` (src/el2/consolein.ts). @cold */
export function consoleSetFocus(vm: u32): void {
  storeRelease32(addressOf(focusVm), vm < CPU_COUNT ? vm : CPU_COUNT);
}

/**
 * Input reached VM `vm` (src/el2/consolein.ts, on any CPU): from now on its unfinished lines are
 * shown while it has the focus, beginning with the one it has (a prompt waiting for this key).
 * @cold
 */
export function consoleTypedAt(vm: u32): void {
  if (vm >= CPU_COUNT) return;
  storeRelease32(addressOf(typedAt) + u64(vm) * 4n, 1);
  const q: LineQueue = queues[vm];
  const g: GuestText = guestText[vm];
  lock(q.lock);
  const show: bool = showUnfinished(vm, g, q);
  if (show) queueGuestLine(vm, g, q, true);
  unlock(q.lock);
  if (show) consoleDrain();
}

/**
 * A VM's vCPU about to queue a line waits while its VM's queue is full: a VM's output is paced by
 * the UART, as on a real one. It waits only for its own VM's lines to be written: a drainer takes
 * one line of every source in turn and lets go (waking it) after each, and if no other CPU
 * drains, it drains itself. If none of its lines goes out for half a second, it stops waiting
 * (the line is then dropped and counted).
 * @cold
 */
function waitForRoom(q: LineQueue): void {
  let tail: u32 = queueTail(q);
  let since: u64 = mrs("CNTPCT_EL0");
  // Half a second: a drainer's turn (a line of each source) takes far less, even at 115200 baud.
  const patience: u64 = mrs("CNTFRQ_EL0") / 2n;
  while (!queueHasRoom(q)) {
    consoleDrain();
    if (queueHasRoom(q)) return;
    const now: u64 = mrs("CNTPCT_EL0");
    if (queueTail(q) != tail) {
      tail = queueTail(q);
      since = now;
    } else if (now - since > patience) {
      return;
    }
    wfe();
  }
}

/**
 * One byte of VM `vm`'s console (its emulated UART, or the console hypercall): lines are queued
 * whole, at LF or when 160 bytes wait. A CR just before the LF (a terminal's line ending) is dropped.
 */
export function consolePutc(vm: u32, c: u8): void {
  if (vm >= CPU_COUNT) return;
  const q: LineQueue = queues[vm];
  const g: GuestText = guestText[vm];
  let queued: bool = false;
  if (c == 10 || g.length >= g.text.length) waitForRoom(q);
  lock(q.lock);
  if (c == 10) {
    while (g.length > 0 && g.text[(g.length - 1) % 160] == 13) g.length--;
    queueGuestLine(vm, g, q, false);
    queued = true;
  } else {
    if (g.length >= g.text.length) {
      queueGuestLine(vm, g, q, false);
      queued = true;
    }
    g.text[g.length % 160] = c;
    g.length++;
    if (showUnfinished(vm, g, q)) {
      queueGuestLine(vm, g, q, true);
      queued = true;
    }
  }
  unlock(q.lock);
  if (queued) consoleDrain();
}

/** VM `vm` restarts: the partial line of the run that ended is dropped. @cold */
export function consoleResetVm(vm: u32): void {
  if (vm >= CPU_COUNT) return;
  const q: LineQueue = queues[vm];
  lock(q.lock);
  guestText[vm].length = 0;
  guestText[vm].continued = false;
  typedAt[vm] = 0;
  unlock(q.lock);
}

// ---- writing out ----

function tryTakeDrain(): bool {
  const me: u32 = thisCpuIndex() + 1;
  const held: u32 = atomicCompareSwap32(addressOf(drainToken), 0, me);
  return held == 0 || held == me;
}

/** Lets the drain go, and wakes the vCPUs waiting for room in their queues (waitForRoom). */
function releaseDrain(): void {
  storeRelease32(addressOf(drainToken), 0);
  sev();
}

function anyWaiting(): bool {
  for (let s: u32 = 0; s < SOURCES; s++) {
    const q: LineQueue = queues[s % SOURCES];
    if (queueWaiting(q) || q.dropped != 0) return true;
  }
  return false;
}

function writeByte(c: u32): void {
  if (c == 10) uartPutc(13);
  uartPutc(u8(c));
}

/**
 * `[hyp] vm <name>: N console lines dropped (queue full)`, straight to the UART (the drain token's
 * holder only; it is never composing a line of its own meanwhile).
 * @cold
 */
function writeDropMarker(source: u32, dropped: u32): void {
  endOpenLine();
  const d: Draft = draft();
  const was: bool = d.direct;
  d.direct = true;
  put("[hyp] ");
  if (source < CPU_COUNT) {
    put("vm ");
    put(vmName(source));
    put(": ");
  }
  putDec(u64(dropped));
  put(" console lines dropped (queue full)\n");
  d.direct = was;
}

/** Ends the terminal's open line, if any, with a newline (the token's holder only). @cold */
function endOpenLine(): void {
  if (openSource[0] >= SOURCES) return;
  openSource[0] = SOURCES;
  writeByte(10);
}

/** Writes the oldest line of queue `q` (source `s`): after, or on, the terminal's open line (the token's holder only). @cold */
function writeLine(s: u32, q: LineQueue): void {
  const flags: u32 = queueFrontFlags(q);
  const more: bool = (flags & LINE_MORE) != 0 && openSource[0] == s;
  if (!more) endOpenLine();
  // A continuation whose start another line has ended: labelled afresh.
  if ((flags & LINE_MORE) != 0 && !more) {
    labelDraft.length = 0;
    appendLabel(labelDraft, s);
    for (let i: u32 = 0; i < labelDraft.length; i++) writeByte(u32(labelDraft.text[i & 511]));
  }
  const length: u32 = queueFrontLength(q);
  for (let i: u32 = 0; i < length; i++) writeByte(u32(queueFrontByte(q, i)));
  if ((flags & LINE_OPEN) != 0) {
    openSource[0] = s;
  } else {
    openSource[0] = SOURCES;
    writeByte(10);
  }
  queuePop(q);
}

/** The focused VM's queue has emptied: its unfinished line, if any, is shown if it is being typed at (the token's holder only). @cold */
function showFocusUnfinished(): void {
  const vm: u32 = loadAcquire32(addressOf(focusVm));
  if (vm >= CPU_COUNT) return;
  const q: LineQueue = queues[vm];
  lock(q.lock);
  const g: GuestText = guestText[vm];
  if (showUnfinished(vm, g, q)) queueGuestLine(vm, g, q, true);
  unlock(q.lock);
}

/**
 * Writes the oldest line of the next source in turn that has one, or the count of lines it
 * dropped after its last one; false if there is nothing to write (the token's holder only).
 * @cold
 */
function writeNextLine(): bool {
  const first: u32 = nextSource[0];
  for (let k: u32 = 0; k < SOURCES; k++) {
    const s: u32 = (first + k) % SOURCES;
    const q: LineQueue = queues[s];
    if (!queueWaiting(q)) {
      const late: u32 = queueTakeDropped(q);
      if (late == 0) continue;
      nextSource[0] = (s + 1) % SOURCES;
      writeDropMarker(s, late);
      return true;
    }
    nextSource[0] = (s + 1) % SOURCES;
    const dropped: u32 = queueFrontDropped(q);
    if (dropped != 0) writeDropMarker(s, dropped);
    writeLine(s, q);
    if (s == focusVm[0] && typedAt[s % CPU_COUNT] != 0 && !queueWaiting(q)) showFocusUnfinished();
    return true;
  }
  return false;
}

/** The queue of the VM whose vCPU this CPU runs (the hypervisor's on a CPU with none). */
function ownQueue(): LineQueue {
  const vm: u32 = u32(CPU_VM[thisCpuIndex()]);
  return queues[vm < CPU_COUNT ? vm : HYP_SOURCE];
}

/**
 * Writes out waiting lines, in turn, if no other CPU is doing it — until this CPU's own VM has no
 * line queued, and DRAIN_EXTRA lines more — and never waits for a CPU that is: that CPU looks
 * again for waiting lines after it lets go.
 * @cold
 */
export function consoleDrain(): void {
  const own: LineQueue = ownQueue();
  let extra: u32 = 0;
  for (let turn: u32 = 0; turn < DRAIN_TURNS; turn++) {
    if (!tryTakeDrain()) return;
    const wrote: bool = writeNextLine();
    releaseDrain();
    // The release must be seen before the look below, or a producer that failed to take the
    // token meanwhile could see it held while we see its queue empty (a store-load order: DMB).
    dmb("ish");
    if (!wrote) return;
    if (queueWaiting(own)) continue;
    extra++;
    if (!anyWaiting()) return;
    if (extra >= DRAIN_EXTRA) {
      kickWaitingVms(own);
      return;
    }
  }
}

/**
 * The drainer leaves with other VMs' lines queued: each such VM's CPU is kicked, and writes its
 * own lines out (consoleDrainOwn, from trap_irq), or they would wait for that VM's next console
 * write, for ever if it has gone quiet (a guest waiting for input, in WFI). It pays for its own
 * lines, as it would have at its next write: a VM gets a kick only for output of its own.
 * @cold
 */
function kickWaitingVms(own: LineQueue): void {
  const me: u32 = thisCpuIndex();
  for (let vm: u32 = 0; vm < CPU_COUNT; vm++) {
    const q: LineQueue = queues[vm];
    if (q == own || !queueWaiting(q)) continue;
    for (let p: u32 = 0; p < CPU_COUNT; p++) {
      if (p != me && u32(CPU_VM[p]) == vm) {
        gicKick(p);
        break;
      }
    }
  }
}

/** A kicked CPU (trap_irq): writes out its VM's queued lines, if any (kickWaitingVms). */
export function consoleDrainOwn(): void {
  if (queueWaiting(ownQueue())) consoleDrain();
}

/** Everything queued, written out: for a CPU that has nothing else to do (no vCPU is kept waiting). @cold */
export function consoleDrainAll(): void {
  if (!tryTakeDrain()) return;
  while (writeNextLine()) {}
  releaseDrain();
}

/**
 * Takes the drain over for the run's end or a panic, waiting out the current holder (who writes
 * at most every queued line: some 20 KiB, under 2 s even at 115200 baud) for at most 2 s; false if
 * it never let go.
 * @cold
 */
function takeOverDrain(): bool {
  const start: u64 = mrs("CNTPCT_EL0");
  const limit: u64 = mrs("CNTFRQ_EL0") * 2n;
  while (!tryTakeDrain()) {
    if (mrs("CNTPCT_EL0") - start > limit) return false;
  }
  return true;
}

/**
 * The run ends: takes the drain over, writes every queued line and any drops not yet reported,
 * and keeps the console for the last words (the status line), which go straight to the UART.
 * If the drainer never lets go, the queues are left alone (two drainers would corrupt them).
 * @cold
 */
export function consoleFinal(): void {
  draft().direct = true;
  if (!takeOverDrain()) return;
  storeRelease32(addressOf(focusVm), CPU_COUNT);
  while (writeNextLine()) {}
  endOpenLine();
}

/**
 * A panic: the hypervisor's last lines go straight to the UART on a fresh line, after the line the
 * current drainer is writing, if it finishes in time (a panic must print even if it never does).
 * @cold
 */
export function panicLineBegin(): void {
  takeOverDrain();
  draft().direct = true;
  put("\n[hyp] ");
}
