// A flattened device tree (a .dtb, Devicetree Specification v0.4 chapter 5) read into nodes, and
// the questions asked of a board's tree: where a node's registers are in the CPU's physical address
// space (its `reg` through every parent's `ranges`, section 2.3.8) and which GIC interrupts it
// raises (its `interrupts` in the GIC binding's three cells, when its interrupt parent is the GIC).

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9;

export interface FdtNode {
  /** The node's name with its unit address, e.g. `gpio@7e200000` (`""` for the root). */
  name: string;
  path: string;
  props: Map<string, Buffer>;
  children: FdtNode[];
  parent: FdtNode | null;
}

/** The tree of a .dtb; throws a message naming what is malformed. */
export function parseFdt(dtb: Buffer): FdtNode {
  if (dtb.length < 40 || dtb.readUInt32BE(0) !== FDT_MAGIC) throw new Error("not a flattened device tree (no 0xd00dfeed magic)");
  const structOff = dtb.readUInt32BE(8), stringsOff = dtb.readUInt32BE(12);
  const string = (at: number) => dtb.toString("latin1", stringsOff + at, dtb.indexOf(0, stringsOff + at));
  let p = structOff;
  let node: FdtNode | null = null, root: FdtNode | null = null;
  for (;;) {
    if (p + 4 > dtb.length) throw new Error("the structure block runs past the end of the file");
    const token = dtb.readUInt32BE(p);
    p += 4;
    if (token === FDT_BEGIN_NODE) {
      const end = dtb.indexOf(0, p);
      const name = dtb.toString("latin1", p, end);
      p = (end + 4) & ~3;
      const child: FdtNode = { name, path: node ? `${node.path === "/" ? "" : node.path}/${name}` : "/", props: new Map(), children: [], parent: node };
      if (node) node.children.push(child);
      else root = child;
      node = child;
    } else if (token === FDT_END_NODE) {
      if (!node) throw new Error("an end of node outside any node");
      node = node.parent;
    } else if (token === FDT_PROP) {
      const len = dtb.readUInt32BE(p), nameOff = dtb.readUInt32BE(p + 4);
      if (!node) throw new Error("a property outside any node");
      node.props.set(string(nameOff), dtb.subarray(p + 8, p + 8 + len));
      p = (p + 8 + len + 3) & ~3;
    } else if (token === FDT_END) {
      if (!root || node) throw new Error("the structure block ends inside a node");
      return root;
    } else if (token !== FDT_NOP) {
      throw new Error(`unknown structure token ${token} at offset ${p - 4}`);
    }
  }
}

export function* walk(n: FdtNode): Generator<FdtNode> {
  yield n;
  for (const c of n.children) yield* walk(c);
}

const u32 = (n: FdtNode, prop: string): number | undefined => {
  const v = n.props.get(prop);
  return v && v.length >= 4 ? v.readUInt32BE(0) : undefined;
};
export const stringsOf = (n: FdtNode, prop: string): string[] =>
  (n.props.get(prop)?.toString("latin1") ?? "").split("\0").filter(Boolean);

/** A value of `cells` 32-bit cells from `buf` at cell `i`. */
function cellsAt(buf: Buffer, i: number, cells: number): bigint {
  let v = 0n;
  for (let k = 0; k < cells; k++) v = (v << 32n) | BigInt(buf.readUInt32BE(4 * (i + k)));
  return v;
}

/** #address-cells and #size-cells a node's children use (defaults 2 and 1, section 2.3.5). */
function cellsOf(n: FdtNode): { a: number; s: number } {
  return { a: u32(n, "#address-cells") ?? 2, s: u32(n, "#size-cells") ?? 1 };
}

export interface RegRange { base: bigint; size: bigint }

/**
 * The node's `reg` entries as CPU physical addresses: each translated through the `ranges` of every
 * ancestor bus. Throws when a parent has no `ranges` (its children's addresses are not the CPU's) or
 * an entry falls outside every window.
 */
export function physicalRegs(n: FdtNode): RegRange[] {
  const reg = n.props.get("reg");
  if (!n.parent || !reg) return [];
  const { a, s } = cellsOf(n.parent);
  const out: RegRange[] = [];
  for (let i = 0; i + a + s <= reg.length / 4; i += a + s) out.push({ base: cellsAt(reg, i, a), size: cellsAt(reg, i + a, s) });
  return out.map((r) => ({ base: translate(n.parent!, r.base, r.size), size: r.size }));
}

/** `addr` of a child of `bus` in the address space of `bus`'s parent, and so on up to the root. */
function translate(bus: FdtNode, addr: bigint, size: bigint): bigint {
  if (!bus.parent) return addr;
  const ranges = bus.props.get("ranges");
  if (ranges === undefined) throw new Error(`${bus.path} has no "ranges": its children's addresses are not the CPU's`);
  if (ranges.length === 0) return translate(bus.parent, addr, size); // identity
  const child = cellsOf(bus), parent = cellsOf(bus.parent);
  const row = child.a + parent.a + child.s;
  for (let i = 0; i + row <= ranges.length / 4; i += row) {
    const c = cellsAt(ranges, i, child.a), p = cellsAt(ranges, i + child.a, parent.a), len = cellsAt(ranges, i + child.a + parent.a, child.s);
    if (addr >= c && addr + size <= c + len) return translate(bus.parent, addr - c + p, size);
  }
  throw new Error(`0x${addr.toString(16)} is outside every window of ${bus.path}'s "ranges"`);
}

const byPhandle = (root: FdtNode, ph: number): FdtNode | undefined => {
  for (const n of walk(root)) if (u32(n, "phandle") === ph || u32(n, "linux,phandle") === ph) return n;
  return undefined;
};

/** The node's interrupt parent (its own `interrupt-parent`, else its nearest ancestor's). */
export function interruptParent(root: FdtNode, n: FdtNode): FdtNode | undefined {
  for (let at: FdtNode | null = n; at; at = at.parent) {
    const ph = u32(at, "interrupt-parent");
    if (ph !== undefined) return byPhandle(root, ph);
  }
  return undefined;
}

const GIC_COMPATIBLE = ["arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic", "arm,gic-v3"];
const GIC_SPI = 0;

/**
 * The INTIDs of the node's `interrupts` when they are shared peripheral interrupts of the GIC
 * (binding arm,gic: cells type, number, flags; SPI n is INTID 32 + n); throws naming what else.
 */
export function gicSpis(root: FdtNode, n: FdtNode): number[] {
  const irqs = n.props.get("interrupts");
  if (!irqs) {
    if (n.props.has("interrupts-extended")) throw new Error(`${n.path} names its interrupts with "interrupts-extended", which is not supported: list them in "interrupts"`);
    return [];
  }
  const parent = interruptParent(root, n);
  if (!parent || !stringsOf(parent, "compatible").some((c) => GIC_COMPATIBLE.includes(c))) {
    throw new Error(`${n.path}'s interrupts go to ${parent ? parent.path : "no interrupt controller"}, not the GIC: only GIC interrupts can be passed through`);
  }
  const out: number[] = [];
  for (let i = 0; i + 3 <= irqs.length / 4; i += 3) {
    const type = irqs.readUInt32BE(4 * i), num = irqs.readUInt32BE(4 * i + 4);
    if (type !== GIC_SPI) throw new Error(`${n.path}'s interrupt ${i / 3} is a private interrupt (PPI ${num}), not an SPI: it cannot be passed through`);
    out.push(32 + num);
  }
  return out;
}
