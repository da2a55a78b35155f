// A ticket spinlock: CPUs are served in arrival order, so none can be starved (the console is
// shared by every VM's output). Needs the MMU on: exclusives require cacheable memory.

export class SpinLock {
  /** [0]: next ticket to hand out, [1]: ticket being served. */
  words = new Uint32Array(2);
}

export function lock(l: SpinLock): void {
  const base: u64 = addressOf(l.words);
  const ticket: u32 = atomicFetchAdd32(base, 1);
  while (loadAcquire32(base + 4n) != ticket) wfe();
}

export function unlock(l: SpinLock): void {
  const serving: u64 = addressOf(l.words) + 4n;
  storeRelease32(serving, loadAcquire32(serving) + 1);
  dsb("ish");
  sev();
}
