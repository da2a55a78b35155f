// Golden program: classes (fields, embedded objects, typed-array fields, reference fields set in
// the constructor, methods, constructors), static instances, pool(), aligned().
// Expected C: classes.c.

// Names a class declared further down (classes are known before any declaration is checked).
function valueOf(c: Counter): u32 {
  return c.value;
}

class Counter {
  value: u32 = 0;
  step: u32 = 1;
  bump(): u32 {
    this.value += this.step;
    return this.value;
  }
}

class Regs {
  x = new BigUint64Array(4);
  pc: u64 = 0n;
  flags: u8 = 0;
  live: bool = false;
}

class Vcpu {
  regs = new Regs();
  hits = new Counter();
  id: u32;
  peer: Vcpu;
  readonly small: u16 = 7;
  constructor(id: u32, peer: Vcpu) {
    this.id = id;
    this.peer = peer;
  }
  advance(by: u64): u64 {
    this.regs.pc += by;
    this.hits.bump();
    return this.regs.pc;
  }
  peerId(): u32 {
    return this.peer.id;
  }
}

// A class with no constructor and only zero initialisers needs no init code.
class Plain {
  a: u32 = 0;
  b: u64 = 0n;
  c: bool = false;
}

// Declared before the class it embeds, which needs init code (n = 5): Outer needs it too.
class Outer {
  tag: u32 = 0;
  inner = new Inner();
}

class Inner {
  n: u32 = 5;
}

const outer = new Outer();
const counter = new Counter();
const plain = new Plain();
const boot = new Vcpu(0, bootPeer());
const cpus = pool(4, Counter);
const plains = pool(2, Plain);
const page = aligned(new Uint8Array(4096), 4096);
const frames = aligned(pool(2, Counter), 64);

function bootPeer(): Vcpu {
  return boot;
}

export function run(i: u32): u64 {
  const c: Counter = cpus[i & 3];
  c.bump();
  boot.regs.x[1] = u64(c.value);
  plain.a = counter.bump();
  plains[i & 1].b = 5n;
  page[i & 4095] = u8(i);
  frames[i & 1].step = 2;
  const cv: u32 = valueOf(counter);
  outer.tag = outer.inner.n + cv;
  let v: Vcpu = boot;
  v = v.peer;
  const id: u64 = u64(boot.peerId());
  const pc: u64 = v.advance(id);
  return pc + boot.regs.x[i & 3];
}
