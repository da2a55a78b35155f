// A simulated machine for host tests: sparse RAM, system registers, MMIO device models,
// and the static arrays of the program itself, which get addresses so that addressOf()
// and load/store by physical address reach them as they would on the board.

export interface Device {
  name: string;
  base: bigint;
  size: bigint;
  read(offset: bigint, bytes: number): bigint;
  write(offset: bigint, bytes: number, value: bigint): void;
}

type Typed = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array | BigUint64Array | BigInt64Array;
interface Placed { base: bigint; size: bigint; view: DataView }

const PAGE = 4096n;

export class Machine {
  readonly sysregs = new Map<string, bigint>();
  readonly devices: Device[] = [];
  /** Barriers, TLB and cache maintenance, wfi/wfe/sev, in program order. */
  readonly events: string[] = [];
  /** Handlers for smc/hvc calls (SMCCC); the default answers NOT_SUPPORTED (-1). */
  onCall: (insn: "smc" | "hvc", fid: bigint, a1: bigint, a2: bigint, a3: bigint) => bigint = () => BigInt.asUintN(64, -1n);
  /** Host models of the functions a program implements in assembly (`declare function`). */
  readonly externs = new Map<string, (...args: unknown[]) => unknown>();
  private readonly ram = new Map<bigint, Uint8Array>();
  private readonly placed: Placed[] = [];
  private readonly addrOf = new WeakMap<object, bigint>();
  private readonly alignOf = new WeakMap<object, number>();
  /** Static objects live from here up, far from RAM and devices a test may model. */
  private next = 0x7f00_0000_0000n;

  constructor(init: { sysregs?: Record<string, bigint> } = {}) {
    for (const [k, v] of Object.entries(init.sysregs ?? {})) this.sysregs.set(k, v);
  }

  addDevice(d: Device): Device { this.devices.push(d); return d; }

  requestAlignment(o: object, bytes: number): void { this.alignOf.set(o, bytes); }

  addressOf(o: object): bigint {
    const known = this.addrOf.get(o);
    if (known !== undefined) return known;
    const align = BigInt(Math.max(this.alignOf.get(o) ?? 16, 16));
    const base = (this.next + align - 1n) / align * align;
    const isTyped = ArrayBuffer.isView(o);
    const size = isTyped ? BigInt((o as Typed).byteLength) : PAGE;
    this.next = base + (size + PAGE - 1n) / PAGE * PAGE;
    this.addrOf.set(o, base);
    if (isTyped) {
      const t = o as Typed;
      this.placed.push({ base, size, view: new DataView(t.buffer, t.byteOffset, t.byteLength) });
    }
    return base;
  }

  mrs(name: string): bigint { return this.sysregs.get(name) ?? 0n; }
  msr(name: string, v: bigint): void { this.sysregs.set(name, v); this.events.push(`msr ${name}`); }
  event(e: string): void { this.events.push(e); }
  call(insn: "smc" | "hvc", f: bigint, a: bigint, b: bigint, c: bigint): bigint { return BigInt.asUintN(64, this.onCall(insn, f, a, b, c)); }

  private device(addr: bigint): Device | undefined {
    return this.devices.find((d) => addr >= d.base && addr < d.base + d.size);
  }

  mmioRead(addr: bigint, bytes: number): bigint {
    const d = this.device(addr);
    if (!d) throw new Error(`MMIO read of 0x${addr.toString(16)}: no device there`);
    return BigInt.asUintN(bytes * 8, d.read(addr - d.base, bytes));
  }

  mmioWrite(addr: bigint, bytes: number, v: bigint): void {
    const d = this.device(addr);
    if (!d) throw new Error(`MMIO write of 0x${addr.toString(16)}: no device there`);
    d.write(addr - d.base, bytes, BigInt.asUintN(bytes * 8, v));
  }

  load(addr: bigint, bytes: number): bigint {
    const p = this.placed.find((x) => addr >= x.base && addr + BigInt(bytes) <= x.base + x.size);
    if (p) return readView(p.view, Number(addr - p.base), bytes);
    let v = 0n;
    for (let i = 0; i < bytes; i++) v |= BigInt(this.byte(addr + BigInt(i))) << BigInt(8 * i);
    return v;
  }

  store(addr: bigint, bytes: number, v: bigint): void {
    const p = this.placed.find((x) => addr >= x.base && addr + BigInt(bytes) <= x.base + x.size);
    if (p) return writeView(p.view, Number(addr - p.base), bytes, v);
    for (let i = 0; i < bytes; i++) {
      const a = addr + BigInt(i);
      this.page(a)[Number(a % PAGE)] = Number((v >> BigInt(8 * i)) & 0xffn);
    }
  }

  private byte(a: bigint): number { return this.ram.get(a / PAGE)?.[Number(a % PAGE)] ?? 0; }
  private page(a: bigint): Uint8Array {
    const k = a / PAGE;
    let p = this.ram.get(k);
    if (!p) { p = new Uint8Array(Number(PAGE)); this.ram.set(k, p); }
    return p;
  }
}

function readView(v: DataView, off: number, bytes: number): bigint {
  switch (bytes) {
    case 1: return BigInt(v.getUint8(off));
    case 2: return BigInt(v.getUint16(off, true));
    case 4: return BigInt(v.getUint32(off, true));
    default: return v.getBigUint64(off, true);
  }
}

function writeView(v: DataView, off: number, bytes: number, x: bigint): void {
  switch (bytes) {
    case 1: return v.setUint8(off, Number(x & 0xffn));
    case 2: return v.setUint16(off, Number(x & 0xffffn), true);
    case 4: return v.setUint32(off, Number(x & 0xffffffffn), true);
    default: return v.setBigUint64(off, BigInt.asUintN(64, x), true);
  }
}
