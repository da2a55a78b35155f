// Benchmark kernel: the highest-priority pending interrupt. 1024 IRQs as bitmaps of u32 words,
// an 8-bit priority per IRQ (lower value = higher priority; ties go to the lower IRQ number).
export const irq_pending = new Uint32Array(32);
export const irq_enabled = new Uint32Array(32);
export const irq_priority = new Uint8Array(1024);

/** Index of the lowest set bit, by de Bruijn multiplication (the subset has no ctz intrinsic). */
const DEBRUIJN = new Uint8Array([
  0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8,
  31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9,
]);

/** The pending and enabled IRQ with the lowest priority value, or 1023 (spurious) if none. */
export function irq_highest(): u32 {
  let best: u32 = 1023;
  let bestPrio: u32 = 256;
  for (let w: u32 = 0; w < 32; w++) {
    let bits: u32 = irq_pending[w] & irq_enabled[w];
    while (bits != 0) {
      const low: u32 = bits & (0 - bits);
      const irq: u32 = (w << 5) | u32(DEBRUIJN[(low * 0x077cb531) >>> 27]);
      const prio: u32 = u32(irq_priority[irq]);
      if (prio < bestPrio) {
        bestPrio = prio;
        best = irq;
      }
      bits ^= low;
    }
  }
  return best;
}
