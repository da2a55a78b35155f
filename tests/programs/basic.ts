const enum Ec { Unknown = 0, Hvc64 = 0x16, DataAbortLow = 0x24 }

const PAGE_SHIFT: u32 = 12;
export const PAGE_SIZE: u64 = 4096n;

const table = aligned(new BigUint64Array(512), 4096);
let counter: u32 = 0;

class Regs {
  x = new BigUint64Array(31);
  elr: u64 = 0n;
  spsr: u32 = 0;
}

class VCpu {
  regs = new Regs();
  id: u32;
  online: bool = false;
  constructor(id: u32) {
    this.id = id;
  }
  step(): u64 {
    this.regs.elr = this.regs.elr + 4n;
    return this.regs.elr;
  }
}

const vcpu0 = new VCpu(0);

export function classify(esr: u64): u32 {
  const ec: u32 = u32(esr >> 26n) & 0x3f;
  switch (ec) {
    case Ec.Hvc64:
      return 1;
    case Ec.DataAbortLow:
      return 2;
    default:
      return 0;
  }
}

export function mix(a: u32, b: i32, c: u8): u32 {
  let r: u32 = a * 2654435761 + u32(b);
  r ^= r >>> 15;
  const s: i32 = b / 3 - b % 7;
  const d: u8 = c + 200;
  counter++;
  return r + u32(s) + u32(d) + counter;
}

export function mapped(i: u32): u64 {
  table[i & 511] = (u64(i) << u64(PAGE_SHIFT)) | 3n;
  const pc: u64 = vcpu0.step();
  return table[i & 511] + pc;
}

export function highestBit(x: u64): i32 {
  for (let i: i32 = 63; i >= 0; i--) {
    if (((x >> u64(i)) & 1n) != 0n) return i;
  }
  return -1;
}

/** The set bits of `x`, lowest first, packed 5 bits each (at most six): ctz32 and clearing the lowest bit. */
export function setBits(x: u32): u32 {
  let out: u32 = 0;
  let bits: u32 = x;
  for (let k: u32 = 0; k < 6 && bits != 0; k++) {
    out = out | (ctz32(bits) << (k * 5));
    bits = bits & (bits - 1);
  }
  return out;
}
