// Rate limits for the hypervisor's log lines about what a guest did (its faults, its unexpected
// traps): per VM and per kind of event, a token bucket of LOG_BURST lines refilled at LOG_RATE
// lines a second. A line that is let through after some were held back says how many first
// ("N more ... not logged"). So a guest that faults in a loop costs the console a few lines a
// second, and the log still shows that it happened and how often.
import { CPU_COUNT } from "@board";
import { SpinLock, lock, unlock } from "./lock.ts";
import { lineEnd, put, putDec, vmLineBegin } from "./console.ts";

export const enum LogKind { DataAbort = 0, InstructionAbort = 1, UnexpectedTrap = 2, SError = 3 }
const KINDS: u32 = 4;

/** Lines logged at once before the rate applies, and lines a second after that. */
const LOG_BURST: u32 = 64;
const LOG_RATE: u64 = 4n;

class LogBudget {
  lock = new SpinLock();
  started = new Uint8Array(4);
  tokens = new Uint32Array(4);
  /** CNTPCT_EL0 when tokens were last added. */
  since = new BigUint64Array(4);
  /** Events not logged since the last line of this kind. */
  held = new Uint32Array(4);
}

const budgets = pool(CPU_COUNT, LogBudget);

/** @cold */
function kindName(kind: u32): string {
  switch (kind) {
    case LogKind.DataAbort: return "stage-2 data aborts";
    case LogKind.InstructionAbort: return "stage-2 instruction aborts";
    case LogKind.UnexpectedTrap: return "unexpected traps";
    default: return "SErrors";
  }
}

/** Takes a token of `b`'s bucket `k` at counter time `now`; returns how many events were held back before it, or -1 (none left: this one is held back). @cold */
function take(b: LogBudget, k: u32, now: u64): i64 {
  const period: u64 = mrs("CNTFRQ_EL0") / LOG_RATE;
  if (b.started[k] == 0) {
    b.started[k] = 1;
    b.tokens[k] = LOG_BURST;
    b.since[k] = now;
  }
  if (period != 0n && now > b.since[k]) {
    const earned: u64 = (now - b.since[k]) / period;
    if (earned > 0n) {
      b.since[k] = b.since[k] + earned * period;
      const room: u64 = u64(LOG_BURST - b.tokens[k]);
      b.tokens[k] = b.tokens[k] + u32(earned < room ? earned : room);
    }
  }
  if (b.tokens[k] == 0) {
    if (b.held[k] != 0xffffffff) b.held[k]++;
    return -1n;
  }
  b.tokens[k]--;
  const held: u32 = b.held[k];
  b.held[k] = 0;
  return i64(held);
}

/**
 * Starts a log line about VM `vm`'s event of `kind` (the caller puts the rest and calls
 * lineEnd()) if its budget allows; false: not logged, only counted.
 * @cold
 */
export function vmLogBegin(vm: u32, kind: u32): bool {
  if (vm >= CPU_COUNT) {
    vmLineBegin(vm);
    return true;
  }
  const b: LogBudget = budgets[vm];
  const k: u32 = kind % KINDS;
  const now: u64 = mrs("CNTPCT_EL0");
  lock(b.lock);
  const held: i64 = take(b, k, now);
  unlock(b.lock);
  if (held < 0n) return false;
  if (held > 0n) {
    vmLineBegin(vm);
    putDec(u64(held));
    put(" more ");
    put(kindName(k));
    put(" not logged (rate limit)");
    lineEnd();
  }
  vmLineBegin(vm);
  return true;
}
