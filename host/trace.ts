// Where a trap's instructions go: QEMU's execution log (`-d in_asm,exec,nochain`, restricted to
// the hypervisor's code with -dfilter) cut into traps — from a lower-EL entry of the vector table
// to the ERET — and each trap's instructions counted by phase: vector entry (the vector table's
// code and smccc_entry until they call a handler), dispatch (trap_sync, trap_irq and the decoding
// between them and a device or call), the handler (everything else) and the exit (guest_resume,
// and the vector table's code and smccc_entry once the handler has returned: the IRQ and SMCCC
// entries restore their frame themselves). Traps that pass through the same
// functions form one path; `bulkhead bench` prints, for each path taken at least `minCount` times,
// the cheapest trap's breakdown and its five costliest functions.
import fs from "node:fs";
import { execFileSync } from "node:child_process";
import { CROSS } from "./build.ts";

/** The vector table's own code outside it (src/el2/vectors.S): the SMCCC and data abort entries' register save and restore. */
const ENTRY = new Set(["smccc_entry", "dabt_entry"]);
/** Functions counted as dispatch: between the vector and the handler of the device or call. */
const DISPATCH = new Set(["trap_sync", "trap_smccc", "trap_irq", "trapIrqOther", "trap_fiq", "trap_serror", "smcccCall", "sysregTrap", "dataAbort", "deviceAbort", "emulate", "faultIpa", "mmioDevice", "mmioRead", "mmioWrite", "vgicClaims", "vgicRead", "vgicWrite", "vgicAccessAt", "prepare", "thisCpu", "vmOfCpu"]);
const EXIT = new Set(["guest_resume"]);

interface Sym { addr: bigint; name: string }

function symbols(elf: string): Sym[] {
  const out = execFileSync(`${CROSS}nm`, ["-n", elf], { encoding: "utf8" });
  return out.split("\n").map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 3 && /^[tTW]$/.test(f[1]))
    .map((f) => ({ addr: BigInt("0x" + f[0]), name: f[2].replace(/\.(part|isra|constprop)\.\d+$/, "") }));
}

function symbolAt(syms: Sym[], pc: bigint): string {
  let lo = 0, hi = syms.length - 1, best = "?";
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid].addr <= pc) { best = syms[mid].name; lo = mid + 1; } else hi = mid - 1;
  }
  return best;
}

/** The -dfilter range and -d options for a traced run of hyp.elf. */
export function traceArgs(elf: string, log: string): string[] {
  const syms = symbols(elf);
  const start = syms[0].addr;
  const end = syms[syms.length - 1].addr + 0x1000n;
  return ["-d", "in_asm,exec,nochain", "-dfilter", `0x${start.toString(16)}..0x${end.toString(16)}`, "-D", log];
}

export interface TracePath { path: string; count: number; total: number; phases: Record<string, number>; functions: [string, number][] }

/** The traps of a traced run, grouped into paths (see the module comment). */
export function tracePaths(elf: string, log: string, minCount: number): TracePath[] {
  const syms = symbols(elf);
  const vectors = syms.find((s) => s.name === "vectors")!.addr;
  const sizes = new Map<bigint, { n: number; eret: boolean }>();
  const open = new Map<number, {
    fns: Map<string, number>; order: string[]; phases: Record<string, number>; called: boolean;
    last: { pc: bigint; n: number; phase: string; name: string } | null;
  }>();
  const groups = new Map<string, TracePath>();
  let block: { pc: bigint; n: number; eret: boolean } | null = null;
  for (const line of fs.readFileSync(log, "utf8").split("\n")) {
    const insn = /^0x([0-9a-f]+):\s+[0-9a-f]+\s+(\S+)/.exec(line);
    if (insn) {
      if (!block) block = { pc: BigInt("0x" + insn[1]), n: 0, eret: false };
      block.n++;
      if (insn[2] === "eret") block.eret = true;
      continue;
    }
    if (block && !line.startsWith("0x")) {
      sizes.set(block.pc, { n: block.n, eret: block.eret });
      block = null;
    }
    const t = /^Trace (\d+): \S+ \[[0-9a-f]+\/([0-9a-f]+)\//.exec(line);
    if (!t) continue;
    const cpu = Number(t[1]);
    const pc = BigInt("0x" + t[2]);
    const tb = sizes.get(pc);
    if (!tb) continue;
    const off = pc - vectors;
    if (off >= 0x400n && off < 0x800n && (off & 0x7fn) === 0n) open.set(cpu, { fns: new Map(), order: [], phases: { entry: 0, dispatch: 0, handler: 0, exit: 0 }, called: false, last: null });
    const trap = open.get(cpu);
    if (!trap) continue;
    // Under -icount a device access must end its block: QEMU leaves a block at such an access
    // and runs it as a block of its own (cpu_io_recompile), so a block followed by one that
    // starts inside it ran only the instructions before that one.
    const last = trap.last;
    if (last && pc > last.pc && pc < last.pc + 4n * BigInt(last.n)) {
      const unrun = last.n - Number((pc - last.pc) / 4n);
      trap.phases[last.phase] -= unrun;
      trap.fns.set(last.name, trap.fns.get(last.name)! - unrun);
    }
    const name = symbolAt(syms, pc);
    const vectorCode = (pc >= vectors && pc < vectors + 0x800n) || ENTRY.has(name);
    const phase = vectorCode ? (trap.called ? "exit" : "entry") : EXIT.has(name) ? "exit" : DISPATCH.has(name) ? "dispatch" : "handler";
    if (!vectorCode) trap.called = true;
    trap.phases[phase] += tb.n;
    if (phase !== "entry" && phase !== "exit" && !trap.fns.has(name)) trap.order.push(name);
    trap.fns.set(name, (trap.fns.get(name) ?? 0) + tb.n);
    trap.last = { pc, n: tb.n, phase, name };
    if (!tb.eret) continue;
    open.delete(cpu);
    const key = trap.order.join(" > ");
    const total = Object.values(trap.phases).reduce((a, b) => a + b, 0);
    const g = groups.get(key);
    const functions = [...trap.fns.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    if (!g) groups.set(key, { path: key, count: 1, total, phases: trap.phases, functions });
    else {
      g.count++;
      if (total < g.total) Object.assign(g, { total, phases: trap.phases, functions });
    }
  }
  return [...groups.values()].filter((g) => g.count >= minCount).sort((a, b) => a.total - b.total);
}
