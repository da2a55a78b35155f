// Host tests of a VM's restart (src/el2/restart.ts, vcpu.ts) and of what a vCPU start resets, run
// on the simulated machine with the default config's tables (gamma, VM 2: vCPU 0 on CPU 2, vCPU 1
// on CPU 3). The machine is single-threaded, so the other CPU's part of a race is played at the
// moment it matters: when it is kicked (the SGI the restarting CPU sends), or when the restarting
// CPU waits (WFE). A CPU that parks (asleep in WFI, src/el2/idle.ts) is unwound with Parked, and is then off.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { Machine, setMachine } from "../compiler/runtime/index.ts";
import { GuestRegs } from "../src/el2/cpu.ts";
import { psciCall } from "../src/el2/psci.ts";
import { trap_irq } from "../src/el2/trap.ts";
import { stopRequested } from "../src/el2/restart.ts";
import { powerOf, requestOn, waitForOn, markOff, resetVcpu, vmResume } from "../src/el2/vcpu.ts";
import { HCR_GUEST } from "../src/el2/setup.ts";
import { vgicCpus, markPending } from "../src/gic/vgic-state.ts";
import { vgicResetCpu } from "../src/gic/vgic.ts";

// Zeroing 64 MiB byte by byte on the simulated machine would take minutes: counted, not done.
const scrub = vi.hoisted(() => ({ calls: 0 }));
vi.mock("../src/stage2/vm.ts", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  scrubRam: () => { scrub.calls++; },
}));

const GAMMA = 2, CPU0 = 2, CPU1 = 3;
/** src/el2/vcpu.ts Power (a const enum: no run-time object). */
const Power = { Off: 0, On: 1, OnPending: 2 };
const SYSTEM_RESET = 0x84000009n, CPU_ON = 0xc4000003n;
const KICK_SGI = 8n;
const INTERNAL_FAILURE = 0xfffffffffffffffan;   // PSCI -6
const VSE = 1n << 8n;

class Parked extends Error {}

class Sim extends Machine {
  /** Nesting of simulated other CPUs: a WFE or WFI there parks that CPU. */
  depth = 0;
  onKick: ((cpu: number) => void) | null = null;
  onWfe: (() => void) | null = null;
  readonly dir: bigint[] = [];
  readonly gicWrites: [bigint, bigint][] = [];

  event(e: string): void {
    if (e.startsWith("dc ")) return;   // one per cache line of every image copied: not kept
    super.event(e);
    if (e !== "wfe" && e !== "wfi") return;
    const f = this.onWfe;
    if (this.depth > 0 || !f) throw new Parked();   // nothing more will happen: this CPU parks
    this.onWfe = null;
    f();
  }

  msr(name: string, v: bigint): void {
    super.msr(name, v);
    if (name === "ICC_DIR_EL1") this.dir.push(v);
    // ICC_SGI1R_EL1: TargetList bit n is CPU n (Aff0), INTID in [27:24].
    if (name === "ICC_SGI1R_EL1" && ((v >> 24n) & 0xfn) === KICK_SGI) {
      for (let cpu = 0; cpu < 16; cpu++) if ((v >> BigInt(cpu)) & 1n) this.onKick?.(cpu);
    }
  }
}

let m: Sim;

/**
 * Runs `f` as CPU `cpu` (TPIDR_EL2): the CPU under test (`other` false), which may let another
 * CPU act when it waits, or another CPU acting meanwhile. Either ends where its CPU parks.
 */
function asCpu(cpu: number, f: () => void, other = true): void {
  const saved = m.mrs("TPIDR_EL2");
  m.sysregs.set("TPIDR_EL2", BigInt(cpu));
  if (other) m.depth++;
  try {
    f();
  } catch (e) {
    if (!(e instanceof Parked)) throw e;
  } finally {
    if (other) m.depth--;
    m.sysregs.set("TPIDR_EL2", saved);
  }
}

function hvc(cpu: number, x: bigint[]): GuestRegs {
  const regs = new GuestRegs();
  x.forEach((v, i) => { regs.x[i] = v; });
  psciCall(Number(x[0]), cpu, GAMMA, regs);
  return regs;
}

/** CPU `cpu` takes its pending kick SGI (its guest runs: the IRQ goes to EL2). */
function takeKick(cpu: number): void {
  m.sysregs.set("ICC_IAR1_EL1", KICK_SGI);
  trap_irq();
  m.sysregs.set("ICC_IAR1_EL1", 1023n);
}

/** Starts `cpu`'s vCPU as PSCI CPU_ON from vCPU 0 would (its CPU takes the start). */
function start(cpu: number): void {
  expect(requestOn(cpu, 0x40080000n, 0n)).toBe(Power.Off);
  asCpu(cpu, () => waitForOn(cpu));
}

beforeEach(() => {
  m = setMachine(new Sim()) as Sim;
  m.sysregs.set("ICC_IAR1_EL1", 1023n);
  m.externs.set("vcpu_reset_fp", () => m.event("vcpu_reset_fp"));
  m.externs.set("vcpu_enter", () => { throw new Error("vcpu_enter: not reached in these tests"); });
  m.addDevice({ name: "uart", base: 0x09000000n, size: 0x1000n, read: () => 0n, write: () => {} });
  m.addDevice({
    name: "gic", base: 0x08000000n, size: 0x01000000n, read: () => 0n,
    write: (off, _bytes, v) => { m.gicWrites.push([off, v]); },
  });
  // Gamma running, both its vCPUs parked, as after a power-on reset (vmResume: not in the code before the fix).
  vmResume?.(GAMMA);
  for (const cpu of [CPU0, CPU1]) markOff(cpu);
});

describe("VM restart against the vCPUs' races (src/el2/restart.ts)", () => {
  it("leaves no stop request behind when two vCPUs ask for SYSTEM_RESET at once", () => {
    start(CPU0);
    start(CPU1);
    // vCPU 1 is in the hypervisor on its own SYSTEM_RESET when vCPU 0's kick reaches it: it never takes the IRQ.
    m.onKick = (cpu) => { if (cpu === CPU1) asCpu(CPU1, () => hvc(CPU1, [SYSTEM_RESET])); };
    asCpu(CPU0, () => hvc(CPU0, [SYSTEM_RESET]), false);
    m.onKick = null;
    expect(powerOf(CPU0)).toBe(Power.On);
    expect(powerOf(CPU1)).toBe(Power.Off);
    expect(stopRequested(CPU1)).toBe(false);
    // The next run starts vCPU 1: the kick still pending at its CPU is taken, and must not stop it.
    expect(hvc(CPU0, [CPU_ON, 1n, 0x40080000n, 0n]).x[0]).toBe(0n);
    asCpu(CPU1, () => { waitForOn(CPU1); takeKick(CPU1); });
    expect(powerOf(CPU1)).toBe(Power.On);
    expect(scrub.calls).toBeGreaterThan(0);
  });

  it("restarts vCPU 0 even when it stops late, whichever vCPU asked", () => {
    start(CPU0);
    start(CPU1);
    // vCPU 1 restarts the VM; vCPU 0's CPU takes the kick only once vCPU 1 is already waiting.
    m.onKick = () => {};
    m.onWfe = () => asCpu(CPU0, () => takeKick(CPU0));
    asCpu(CPU1, () => hvc(CPU1, [SYSTEM_RESET]), false);
    expect(m.onWfe).toBeNull();
    // vCPU 0 is asked to start the VM's next run; the restarter parked.
    expect(powerOf(CPU0)).toBe(Power.OnPending);
    expect(powerOf(CPU1)).toBe(Power.Off);
  }, 120_000);

  it("restarts the VM on SYSTEM_RESET2's warm reset (type 0), as on SYSTEM_RESET", () => {
    start(CPU0);
    const before = scrub.calls;
    m.sysregs.set("ELR_EL2", 0x40001234n);
    asCpu(CPU0, () => hvc(CPU0, [0xc4000012n, 0n]), false);
    expect(scrub.calls).toBe(before + 1);
    expect(powerOf(CPU0)).toBe(Power.On);
    // vCPU 0 starts the VM's next run at its entry point.
    expect(m.sysregs.get("ELR_EL2")).toBe(0x40080000n);
  });

  it("refuses CPU_ON while the VM is restarting", () => {
    start(CPU0);
    // A CPU_ON of vCPU 1 (off) from a vCPU of the VM while the restart resets its distributor:
    // let through, vCPU 1 would run on from the old run over the freshly loaded images.
    let during: bigint | null = null;
    const gic = m.devices.find((d) => d.name === "gic")!;
    gic.write = () => { if (during === null) during = hvc(CPU1, [CPU_ON, 1n, 0x40080000n, 0n]).x[0]; };
    asCpu(CPU0, () => hvc(CPU0, [SYSTEM_RESET]), false);
    expect(during).toBe(INTERNAL_FAILURE);
    expect(powerOf(CPU1)).toBe(Power.Off);
    // Once the VM runs again, its vCPUs start as before.
    expect(hvc(CPU0, [CPU_ON, 1n, 0x40080000n, 0n]).x[0]).toBe(0n);
  });
});

describe("what a vCPU start resets (src/el2/vcpu.ts resetVcpu, src/gic/vgic.ts vgicResetCpu)", () => {
  it("every EL1 register a guest can set, FP/SIMD, and a pending virtual SError", () => {
    const regs = [
      "CPACR_EL1", "TTBR0_EL1", "TTBR1_EL1", "TCR_EL1", "MAIR_EL1", "AMAIR_EL1", "VBAR_EL1", "CONTEXTIDR_EL1",
      "TPIDR_EL0", "TPIDR_EL1", "TPIDRRO_EL0", "SP_EL0", "SP_EL1", "ELR_EL1", "SPSR_EL1", "ESR_EL1", "FAR_EL1",
      "AFSR0_EL1", "AFSR1_EL1", "PAR_EL1", "CNTKCTL_EL1", "MDSCR_EL1", "CSSELR_EL1",
      "CNTV_CTL_EL0", "CNTV_CVAL_EL0", "CNTP_CTL_EL0", "CNTP_CVAL_EL0",
    ];
    for (const r of regs) m.sysregs.set(r, 0x5a5an);
    m.sysregs.set("SCTLR_EL1", 0x30d00800n | (1n << 15n));
    m.sysregs.set("HCR_EL2", HCR_GUEST | VSE);
    asCpu(CPU0, () => resetVcpu(CPU0, 0x40080000n, 0x43e00000n));
    expect(regs.filter((r) => m.mrs(r) !== 0n)).toEqual([]);
    expect(m.mrs("SCTLR_EL1")).toBe(0x30d00800n);
    expect(m.mrs("HCR_EL2") & VSE).toBe(0n);
    expect(m.events).toContain("vcpu_reset_fp");
    expect([m.mrs("ELR_EL2"), m.mrs("SPSR_EL2")]).toEqual([0x40080000n, 0x3c5n]);
  });

  it("deactivates a hardware interrupt waiting in the pending set, and clears the timers' active state", () => {
    // The timer fired while the guest's distributor was disabled: acknowledged at EL2, priority
    // dropped, still active at the GIC, held in the pending set.
    markPending(vgicCpus[CPU0], 27, 0x80, true, 0);
    asCpu(CPU0, () => vgicResetCpu(CPU0));
    expect(m.dir).toContain(27n);
    // GICR_ICACTIVER0 of CPU 2's redistributor (GICR at 0x080a0000, 0x20000 per CPU, SGI frame + 0x10000).
    const icactiver0 = 0xa0000n + 2n * 0x20000n + 0x10000n + 0x380n;
    expect(m.gicWrites).toContainEqual([icactiver0, (1n << 27n) | (1n << 30n)]);
  });
});
