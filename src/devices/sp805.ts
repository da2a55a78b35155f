// The Arm SP805 watchdog (PrimeCell, ARM DDI 0270B) that a VM with a watchdog sees (types.ts
// HealthPolicy; its device-tree node: host/config/dts.ts). The hardware counts WDOGCLK ticks down
// from LOAD; at zero it raises its interrupt and reloads; at zero again with the interrupt still
// raised and RESEN set, it resets the system. So the system resets 2 × (LOAD + 1) ticks after the
// counter was last loaded — by a LOAD write, an INTCLR write, or the enable — unless loaded again.
// This model keeps no counter, only when it was loaded; everything else follows from the time it
// is given (the generic counter, CNTPCT_EL0). Its "reset" is the VM's failure (src/el2/health.ts).
//
// Where it differs from the hardware, on purpose:
// - Once running (INTEN and RESEN set) it cannot be stopped, and no LOAD gives it a longer period
//   than the config's timeout (`maxLoad`): the watchdog is the operator's policy, not the guest's
//   (Linux's `nowayout`, in the device). LOAD comes out of reset at that largest value (not
//   0xffffffff), and running if the watchdog starts at boot.
// - Its interrupt is connected to nothing (the guest's driver uses none): RIS and MIS say what it
//   would be.
// - The integration test registers (ITCR, ITOP: they drive WDOGRES and WDOGINT directly) read as
//   zero and ignore writes.

/** WDOGCLK (the device tree's wdog-clk, host/config/dts.ts): 1 MHz, so a 32-bit LOAD spans over an hour. */
export const SP805_HZ: u64 = 1000000n;

export class Sp805 {
  /** WdogLoad: the counter's start value. */
  load: u32 = 0xffffffff;
  /** WdogControl: INTEN (the counter runs) and RESEN. */
  control: u32 = 0;
  /** WdogLock: writes to every other register are ignored while locked. */
  locked: bool = false;
  /** The generic counter (CNTPCT_EL0) when the counter was last loaded. */
  loadedAt: u64 = 0n;
  /** CNTFRQ_EL0: the generic counter's ticks per second. */
  freq: u64 = 0n;
  /** The largest LOAD: its reset then comes the config's timeout after a load. */
  maxLoad: u32 = 0;
}

const WDOG_LOAD: u32 = 0x000;
const WDOG_VALUE: u32 = 0x004;
const WDOG_CONTROL: u32 = 0x008;
const WDOG_INTCLR: u32 = 0x00c;
const WDOG_RIS: u32 = 0x010;
const WDOG_MIS: u32 = 0x014;
const WDOG_LOCK: u32 = 0xc00;
const CONTROL_INTEN: u32 = 1;
const CONTROL_RESEN: u32 = 2;
/** WdogLock: this value unlocks; any other locks. */
const UNLOCK_KEY: u32 = 0x1acce551;
/** WdogPeriphID0-3 and WdogPCellID0-3 at 0xfe0..0xffc (DDI 0270B 3.3): part 0x805, designer Arm, revision 1; the PrimeCell id. */
const ID_BYTES = new Uint8Array([0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);

/** The device out of reset: `timeoutMs` the config's timeout; running from `now` if the watchdog starts at boot. @cold */
export function sp805Reset(w: Sp805, freq: u64, timeoutMs: u32, running: bool, now: u64): void {
  // 2 × (LOAD + 1) ticks at 1 MHz = timeoutMs × 1000.
  const max: u64 = u64(timeoutMs) * (SP805_HZ / 1000n) / 2n;
  w.maxLoad = max == 0n ? 0 : u32(max - 1n);
  w.freq = freq;
  w.locked = false;
  w.loadedAt = now;
  w.load = w.maxLoad;
  w.control = running ? CONTROL_INTEN | CONTROL_RESEN : 0;
}

export function sp805Running(w: Sp805): bool {
  return (w.control & (CONTROL_INTEN | CONTROL_RESEN)) == (CONTROL_INTEN | CONTROL_RESEN);
}

/** WDOGCLK ticks in `ticks` of the generic counter (split so that the product cannot overflow). */
function wdogTicks(w: Sp805, ticks: u64): u64 {
  if (w.freq == 0n) return 0n;
  return (ticks / w.freq) * SP805_HZ + ((ticks % w.freq) * SP805_HZ) / w.freq;
}

/** When the VM fails unless the counter is loaded again (generic counter ticks); 0 while it is not running. */
export function sp805Deadline(w: Sp805): u64 {
  if (!sp805Running(w)) return 0n;
  // 2^33 ticks at most, times a counter frequency far below 2^30: no overflow.
  return w.loadedAt + (2n * (u64(w.load) + 1n) * w.freq) / SP805_HZ;
}

/** WDOGCLK ticks since the counter was loaded, while it counts (INTEN). */
function elapsed(w: Sp805, now: u64): u64 {
  return now > w.loadedAt ? wdogTicks(w, now - w.loadedAt) : 0n;
}

/** A guest read of the register at `offset`. @cold */
export function sp805Read(w: Sp805, offset: u32, now: u64): u32 {
  const counting: bool = (w.control & CONTROL_INTEN) != 0;
  const period: u64 = u64(w.load) + 1n;
  switch (offset) {
    case WDOG_LOAD:
      return w.load;
    case WDOG_VALUE: {
      const inPeriod: u64 = elapsed(w, now) % period;
      return counting ? u32(u64(w.load) - inPeriod) : w.load;
    }
    case WDOG_CONTROL:
      return w.control;
    case WDOG_RIS:
      return counting && elapsed(w, now) >= period ? 1 : 0;
    case WDOG_MIS:
      return counting && elapsed(w, now) >= period ? 1 : 0;
    case WDOG_LOCK:
      return w.locked ? 1 : 0;
    default:
      if (offset >= 0xfe0 && offset <= 0xffc) return u32(ID_BYTES[((offset - 0xfe0) >> 2) & 7]);
      return 0;
  }
}

/** A guest write of `value` to the register at `offset`. @cold */
export function sp805Write(w: Sp805, offset: u32, value: u32, now: u64): void {
  if (offset == WDOG_LOCK) {
    w.locked = value != UNLOCK_KEY;
    return;
  }
  if (w.locked) return;
  switch (offset) {
    case WDOG_LOAD:
      // The counter restarts at once from the new value (DDI 0270B 3.3.1).
      w.load = value < w.maxLoad ? value : w.maxLoad;
      w.loadedAt = now;
      return;
    case WDOG_INTCLR:
      // Clears the interrupt and reloads the counter: the pet.
      w.loadedAt = now;
      return;
    case WDOG_CONTROL: {
      let control: u32 = value & (CONTROL_INTEN | CONTROL_RESEN);
      if (sp805Running(w)) control = w.control;
      // The counter starts from LOAD when enabled.
      if ((w.control & CONTROL_INTEN) == 0 && (control & CONTROL_INTEN) != 0) w.loadedAt = now;
      w.control = control;
      return;
    }
    default:
      return;
  }
}
