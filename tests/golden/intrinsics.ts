// Golden program: every intrinsic, and the instruction each becomes.
// Expected C: intrinsics.c (aarch64 only).

const UART: u64 = 0x09000000n;
const lockWord = aligned(new Uint32Array(1), 64);

class Box {
  v: u64 = 0n;
}
const box = new Box();

export function mmio(): u64 {
  mmioWrite8(UART, 0x41);
  mmioWrite16(UART + 2n, 0xffff);
  mmioWrite32(UART + 4n, 1);
  mmioWrite64(UART + 8n, 0x1234n);
  const a: u8 = mmioRead8(UART);
  const b: u16 = mmioRead16(UART + 2n);
  const c: u32 = mmioRead32(UART + 4n);
  const d: u64 = mmioRead64(UART + 8n);
  return u64(a) + u64(b) + u64(c) + d;
}

export function memory(p: u64): u64 {
  store8(p, 1);
  store16(p + 2n, 2);
  store32(p + 4n, 3);
  store64(p + 8n, 4n);
  const a: u8 = load8(p);
  const b: u16 = load16(p + 2n);
  const c: u32 = load32(p + 4n);
  const d: u64 = load64(p + 8n);
  return u64(a) + u64(b) + u64(c) + d;
}

export function sysregs(): u64 {
  const el: u64 = mrs("CurrentEL");
  msr("HCR_EL2", mrs("HCR_EL2") | 1n);
  msr("ICC_EOIR1_EL1", 5n);
  isb();
  return el >> 2n;
}

export function barriers(va: u64): void {
  dsb("ish");
  dsb("sy");
  dmb("ishst");
  isb();
  tlbi("alle2");
  tlbi("vmalls12e1is");
  tlbiAddr("ipas2e1is", va >> 12n);
  dc("civac", va);
  dc("zva", va);
  ic("iallu");
  wfi();
  wfe();
  sev();
}

export function calls(): u64 {
  const psci: u64 = smc(0x84000000n, 0n, 0n, 0n);
  const h: u64 = hvc(0xc6000000n, 1n, 2n, 3n);
  return psci + h;
}

export function atomics(): u32 {
  const addr: u64 = addressOf(lockWord);
  const ticket: u32 = atomicFetchAdd32(addr, 1);
  while (loadAcquire32(addr + 4n) != ticket) wfe();
  storeRelease32(addr + 4n, ticket + 1);
  return atomicCompareSwap32(addr, ticket + 1, 0) + ticket;
}

export function lowestBits(x: u32): u32 {
  return ctz32(x) + ctz32(0) + ctz32(0x80000000);
}

export function addresses(): u64 {
  return addressOf(box) + addressOf(lockWord);
}

export function fatal(): void {
  panic("fatal: \"stop\"\n");
}
