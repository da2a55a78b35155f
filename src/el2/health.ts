// Each VM's health: why it was last stopped, how often it has restarted, and what its policy
// (types.ts HealthPolicy, the @config VM_ON_FAILURE and VM_RESTART_* tables) says to do next. A
// failure — the watchdog expired (src/el2/watchdog.ts), a vCPU wedged in an exception loop
// (src/stage2/abort.ts) — restarts the VM or powers it off; a restart the guest asks for
// (SYSTEM_RESET) always restarts it, but counts against the limit like a failure, so a guest that
// panics and reboots for ever (Linux's `panic=N`) ends in the policy's final state too.
//
// Only the CPU that stopped the VM (src/el2/restart.ts) decides and writes here, once per event;
// other VMs read with HVC_HEALTH, if their config lets them.
import { CPU_COUNT } from "@board";
import { VM_COUNT, VM_HEALTH_VIEW, VM_ON_FAILURE, VM_RESTART_LIMIT, VM_RESTART_WINDOW_MS } from "@config";
import { GuestRegs } from "./cpu.ts";
import { lineEnd, put, putDec, putHex, vmLineBegin } from "./console.ts";
import { vmRunState } from "./vcpu.ts";

/** Why a VM was stopped (HVC_HEALTH's x3; docs/hypercalls.md). */
export const enum Cause { None = 0, Reset = 1, Watchdog = 2, Wedged = 3, Off = 4 }

/** Per VM, read by other VMs' CPUs (acquire; written with release): its restarts in the run so far, whatever their cause, and the cause of its last stop. */
const restartCount = new Uint32Array(CPU_COUNT);
const lastCause = new Uint32Array(CPU_COUNT);

function countWord(vm: u32): u64 {
  return addressOf(restartCount) + u64(vm) * 4n;
}

function causeWord(vm: u32): u64 {
  return addressOf(lastCause) + u64(vm) * 4n;
}

/** Per VM, the restart budget's window, written only by the CPU that stopped the VM. */
class Window {
  /** CNTPCT_EL0 at the first restart of the current window, and the restarts since. */
  windowStart: u64 = 0n;
  inWindow: u32 = 0;
}

const windows = pool(CPU_COUNT, Window);

/** SMCCC results of HVC_HEALTH. */
const NOT_SUPPORTED: u64 = 0xffffffffffffffffn;
const INVALID_PARAMETERS: u64 = 0xfffffffffffffffen;

/**
 * Whether the restart budget allows one more restart at `now`: at most VM_RESTART_LIMIT restarts
 * within VM_RESTART_WINDOW_MS of the first of them; a restart after the window opens a new one.
 * @cold
 */
function budgetAllows(vm: u32, h: Window, now: u64): bool {
  const limit: u32 = VM_RESTART_LIMIT[vm];
  if (limit == 0xffffffff) return true;
  const window: u64 = u64(VM_RESTART_WINDOW_MS[vm]) * (mrs("CNTFRQ_EL0") / 1000n);
  if (h.inWindow == 0 || now - h.windowStart > window) {
    h.windowStart = now;
    h.inWindow = 0;
  }
  if (h.inWindow >= limit) return false;
  h.inWindow = h.inWindow + 1;
  return true;
}

/** `n` and `what`, plural but for 1. @cold */
function putCount(n: u32, what: string): void {
  putDec(u64(n));
  put(" ");
  put(what);
  if (n != 1) put("s");
}

/** @cold */
function putCause(cause: u32, pc: u64): void {
  if (cause == Cause.Reset) put("SYSTEM_RESET");
  else if (cause == Cause.Watchdog) put("watchdog expired");
  else {
    put("wedged: an exception loop at PC ");
    putHex(pc);
  }
}

/**
 * VM `vm` has been stopped for `cause` (at guest PC `pc`, for a wedged vCPU): whether it restarts
 * (true) or, by its policy, stays off. Logs the event, once: the VM, the cause, the restart count.
 * @cold
 */
export function healthRestarts(vm: u32, cause: u32, pc: u64): bool {
  if (vm >= CPU_COUNT) return false;
  storeRelease32(causeWord(vm), cause);
  const failure: bool = cause != Cause.Reset;
  const restart: bool = !(failure && VM_ON_FAILURE[vm] != 0) && budgetAllows(vm, windows[vm], mrs("CNTPCT_EL0"));
  const restarts: u32 = restartCount[vm] + (restart ? 1 : 0);
  storeRelease32(countWord(vm), restarts);
  vmLineBegin(vm);
  putCause(cause, pc);
  if (restart) {
    put(", restarting the VM (restart ");
    putDec(u64(restarts));
    put(")");
  } else {
    put(", powered off by its health policy (");
    if (failure && VM_ON_FAILURE[vm] != 0) put("onFailure: off");
    else {
      put("limit: ");
      putCount(VM_RESTART_LIMIT[vm], "restart");
      put(" within ");
      putDec(u64(VM_RESTART_WINDOW_MS[vm]));
      put(" ms");
    }
    put(") after ");
    putCount(restarts, "restart");
  }
  lineEnd();
  return restart;
}

/** The VM powered itself off (SYSTEM_OFF): its health says so. @cold */
export function healthOff(vm: u32): void {
  if (vm < CPU_COUNT) storeRelease32(causeWord(vm), Cause.Off);
}

/**
 * HVC_HEALTH from VM `caller`: x1 = VM index. If the caller's config lets it (health.view): x0 = 0,
 * x1 = state (0 running, 1 restarting, 2 off), x2 = restarts, x3 = cause of its last stop
 * (Cause). NOT_SUPPORTED for a VM without the view, INVALID_PARAMETERS for an index of no VM.
 */
export function healthView(caller: u32, regs: GuestRegs): void {
  if (caller >= CPU_COUNT || VM_HEALTH_VIEW[caller] == 0) {
    regs.x[0] = NOT_SUPPORTED;
    return;
  }
  const x1: u64 = regs.x[1];
  if (x1 >= u64(VM_COUNT) || x1 >= u64(CPU_COUNT)) {
    regs.x[0] = INVALID_PARAMETERS;
    return;
  }
  const vm: u32 = u32(x1);
  regs.x[0] = 0n;
  regs.x[1] = u64(vmRunState(vm));
  regs.x[2] = u64(loadAcquire32(countWord(vm)));
  regs.x[3] = u64(loadAcquire32(causeWord(vm)));
}
