// Host tests of the hypervisor's own code (src/), run by the host backend against a simulated
// machine: the board UART as a device model, system registers, the firmware's PSCI. The generated
// tables are those of the default config (alpha: CPU 0, beta: CPU 1, gamma: CPUs 2-3).
import { beforeEach, describe, expect, it, vi } from "vitest";
import { Machine, setMachine, BhPanic } from "../compiler/runtime/index.ts";
import { GuestRegs } from "../src/el2/cpu.ts";
import { smcccCall } from "../src/el2/smccc.ts";
import { dataAbort } from "../src/stage2/abort.ts";
import { vgicCpus } from "../src/gic/vgic-state.ts";
import { runStatus } from "../host/run.ts";

const UART = 0x09000000n;
let machine: Machine;
let console_: string;

class Exited extends Error {
  constructor(readonly status: bigint) { super(`exit ${status}`); }
}

beforeEach(() => {
  machine = setMachine(new Machine());
  console_ = "";
  machine.addDevice({
    name: "pl011", base: UART, size: 0x1000n,
    read: () => 0n, // UARTFR: transmit FIFO never full
    write: (off, _bytes, v) => { if (off === 0n) console_ += String.fromCharCode(Number(v)); },
  });
  // The firmware's PSCI SYSTEM_OFF ends the run; its status is on the hypervisor's last line.
  machine.onCall = (insn, fid) => {
    if (insn === "smc" && fid === 0x84000008n) throw new Exited(BigInt(runStatus(lines(), 0) ?? -1));
    return BigInt.asUintN(64, -1n);
  };
});

/** Console lines: the driver ends each with CR LF, as a terminal wants. */
const lines = () => console_.split("\r\n").filter((l) => l);

function call(cpu: number, vm: number, x: bigint[]): GuestRegs {
  machine.sysregs.set("TPIDR_EL2", BigInt(cpu));
  const regs = new GuestRegs();
  x.forEach((v, i) => { regs.x[i] = v; });
  smcccCall(cpu, vm, regs);
  return regs;
}

const NOT_SUPPORTED = 0xffffffffffffffffn;
const INVALID_PARAMETERS = 0xfffffffffffffffen;
const INVALID_ADDRESS = 0xfffffffffffffff7n;
const ALREADY_ON = 0xfffffffffffffffcn;

describe("SMCCC and PSCI (src/el2/smccc.ts, psci.ts)", () => {
  it("answers the version calls and the null call", () => {
    expect(call(0, 0, [0x84000000n]).x[0]).toBe(0x10001n);
    expect(call(0, 0, [0x80000000n]).x[0]).toBe(0x10001n);
    expect(call(0, 0, [0xc6000000n]).x[0]).toBe(0n);
    expect(call(0, 0, [0x8400000an, 0xc4000003n]).x[0]).toBe(0n);
    // SYSTEM_RESET2 (a restart of the VM, as SYSTEM_RESET, src/el2/health.ts) is implemented; MEM_PROTECT is not.
    expect(call(0, 0, [0x8400000an, 0x84000012n]).x[0]).toBe(0n);
    expect(call(0, 0, [0x8400000an, 0x84000013n]).x[0]).toBe(NOT_SUPPORTED);
    // SYSTEM_RESET2 knows only the architectural warm reset (type 0): a vendor's type is refused, and nothing happens.
    expect(call(0, 0, [0xc4000012n, 0x80000000n]).x[0]).toBe(INVALID_PARAMETERS);
    expect(call(0, 0, [0xc4000012n, 1n]).x[0]).toBe(INVALID_PARAMETERS);
  });

  it("gives HVC_HEALTH only to a VM whose config gives it the view", () => {
    // The default config gives no VM the view (board/qemu-virt-gicv3/configs/threevm.ts, the host tests' @config).
    expect(call(0, 0, [0xc6000003n, 1n]).x[0]).toBe(NOT_SUPPORTED);
  });

  // Linux asks PSCI_FEATURES(SMCCC_VERSION) before it calls SMCCC_VERSION, and reads SMCCC v1.0 on NOT_SUPPORTED.
  it("answers PSCI_FEATURES(SMCCC_VERSION) and SMCCC_ARCH_FEATURES as SMCCC v1.1 asks", () => {
    expect(call(0, 0, [0x8400000an, 0x80000000n]).x[0]).toBe(0n);
    expect(call(0, 0, [0x80000001n, 0x80000000n]).x[0]).toBe(0n);
    expect(call(0, 0, [0x80000001n, 0x80000001n]).x[0]).toBe(0n);
    expect(call(0, 0, [0x80000001n, 0x80008000n]).x[0]).toBe(NOT_SUPPORTED); // SMCCC_ARCH_WORKAROUND_1
    expect(call(0, 0, [0x80000001n, 0xffffffff80000000n]).x[0]).toBe(0n); // w1 is the id
  });

  it("answers NOT_SUPPORTED to unknown and hostile function ids, touching no other register", () => {
    for (const fid of [0n, 0xffffffffn, 0xc600ffffn, 0x8400ffffn, 0xffffffff84000000n]) {
      const regs = call(1, 1, [fid, 1n, 2n, 3n, 4n, 5n]);
      expect(regs.x[0]).toBe(fid === 0xffffffff84000000n ? 0x10001n : NOT_SUPPORTED); // w0 is the id
      expect([...regs.x.slice(1, 6)]).toEqual([1n, 2n, 3n, 4n, 5n]);
    }
  });

  it("reports the VM and vCPU", () => {
    const r = call(3, 2, [0xc6000001n]);
    expect([r.x[0], r.x[1], r.x[2], r.x[3]]).toEqual([0n, 2n, 1n, 2n]);
  });

  it("starts only the VM's own vCPUs, at an entry inside its RAM", () => {
    // gamma (VM 2) has vCPUs 0 and 1; alpha's and beta's CPUs are not addressable from it.
    expect(call(2, 2, [0xc4000003n, 2n, 0x40080000n, 0n]).x[0]).toBe(INVALID_PARAMETERS);
    expect(call(2, 2, [0xc4000003n, 0x100n, 0x40080000n, 0n]).x[0]).toBe(INVALID_PARAMETERS);
    expect(call(2, 2, [0xc4000003n, 1n, 0x44000000n, 0n]).x[0]).toBe(INVALID_ADDRESS);
    expect(call(2, 2, [0xc4000003n, 1n, 0x4a000000n, 0n]).x[0]).toBe(INVALID_ADDRESS); // its RAM's PA, not an IPA of it
    expect(call(2, 2, [0xc4000004n, 1n, 0n]).x[0]).toBe(1n); // AFFINITY_INFO: off
    expect(call(2, 2, [0xc4000003n, 1n, 0x40080000n, 7n]).x[0]).toBe(0n);
    expect(machine.events).toContain("sev");
    expect(call(2, 2, [0xc4000004n, 1n, 0n]).x[0]).toBe(2n); // on pending
    // A second CPU_ON before the target has started: ALREADY_ON, as KVM answers (not ON_PENDING).
    expect(call(2, 2, [0xc4000003n, 1n, 0x40080000n, 7n]).x[0]).toBe(ALREADY_ON);
    expect(call(0, 0, [0xc4000003n, 1n, 0x40080000n, 0n]).x[0]).toBe(INVALID_PARAMETERS); // alpha has one vCPU
  });

  // Found by the hostile-guest fuzzer (guests/fuzz, seed 1 op 8089): a CPU_SUSPEND made while the
  // vCPU's timer interrupt sat pending in a list register waited at EL2 for good, since the timer's
  // physical interrupt stays active until the guest deactivates it.
  it("CPU_SUSPEND does not wait while an interrupt is pending in a list register", () => {
    const wfis = () => machine.events.filter((e) => e === "wfi").length;
    vgicCpus[1].pendingCount = 0;
    vgicCpus[1].lrCount = 4;
    machine.sysregs.set("ICH_ELRSR_EL2", 0xfn);                       // every list register empty
    expect(call(1, 1, [0xc4000001n, 0n, 0x40080000n, 0n]).x[0]).toBe(0n);
    expect(wfis()).toBe(1);
    machine.sysregs.set("ICH_ELRSR_EL2", 0xen);                       // LR0: the timer, pending (HW)
    machine.sysregs.set("ICH_LR0_EL2", (1n << 62n) | (1n << 61n) | (1n << 60n) | (0x80n << 48n) | (27n << 32n) | 27n);
    expect(call(1, 1, [0xc4000001n, 0n, 0x40080000n, 0n]).x[0]).toBe(0n);
    expect(wfis()).toBe(1);
    machine.sysregs.set("ICH_LR0_EL2", (2n << 62n) | (1n << 61n) | (1n << 60n) | (0x80n << 48n) | (27n << 32n) | 27n);
    expect(call(1, 1, [0xc4000001n, 0n, 0x40080000n, 0n]).x[0]).toBe(0n); // active only: nothing to take
    expect(wfis()).toBe(2);
  });
});

describe("stage-2 data aborts (src/stage2/abort.ts)", () => {
  function abort(vm: number, ipa: bigint, esr: bigint, regs = new GuestRegs()): GuestRegs {
    machine.sysregs.set("TPIDR_EL2", BigInt(vm)); // alpha on CPU 0, beta on CPU 1, gamma on CPUs 2-3
    machine.sysregs.set("HPFAR_EL2", (ipa >> 12n) << 4n);
    machine.sysregs.set("FAR_EL2", ipa);
    machine.sysregs.set("ELR_EL2", 0x40081000n);
    machine.sysregs.set("SPSR_EL2", 0x3c5n);
    machine.sysregs.set("VBAR_EL1", 0x40082000n);
    dataAbort(regs, esr);
    return regs;
  }
  // ISV, SAS = 2 (32-bit), SRT = 5, WnR
  const STR_W5 = (0x24n << 26n) | (1n << 25n) | (1n << 24n) | (2n << 22n) | (5n << 16n) | (1n << 6n);
  const LDR_W7 = (0x24n << 26n) | (1n << 25n) | (1n << 24n) | (2n << 22n) | (7n << 16n);

  it("emulates the PL011: characters become the VM's labelled console line", () => {
    const regs = new GuestRegs();
    for (const c of "hi\n") {
      regs.x[5] = BigInt(c.charCodeAt(0)) | 0xffffff00n; // only the low byte is the character
      abort(1, UART, STR_W5, regs);
      expect(machine.sysregs.get("ELR_EL2")).toBe(0x40081004n);
    }
    expect(lines()).toEqual(["[beta] hi"]);
  });

  it("reads UARTFR as always ready, into a 32-bit register", () => {
    const regs = new GuestRegs();
    regs.x[7] = 0xdeadbeefdeadbeefn;
    abort(0, UART + 0x18n, LDR_W7, regs);
    expect(regs.x[7]).toBe(0x90n);
  });

  // Found by the hostile-guest fuzzer (guests/fuzz, seed 1 op 9919): an unaligned STTR of 8 bytes at
  // UART + 0xff9 was emulated as a UART write, though it reaches past the UART's page.
  it("emulates only naturally aligned device accesses: others get the injected abort", () => {
    const STR_X5 = (0x24n << 26n) | (1n << 25n) | (1n << 24n) | (3n << 22n) | (5n << 16n) | (1n << 15n) | (1n << 6n);
    const regs = new GuestRegs();
    regs.x[5] = 0x41n;
    abort(1, UART + 0xff9n, STR_X5, regs);
    expect(machine.sysregs.get("ESR_EL1")).toBe((0x25n << 26n) | (1n << 25n) | (1n << 6n) | 0x10n);
    expect(machine.sysregs.get("FAR_EL1")).toBe(UART + 0xff9n);
    machine.sysregs.delete("ESR_EL1");
    abort(1, UART + 0x2n, STR_W5, regs);           // a 4-byte store into the data register's middle
    expect(machine.sysregs.get("ESR_EL1")).toBe((0x25n << 26n) | (1n << 25n) | (1n << 6n) | 0x10n);
    expect(lines().filter((l) => !l.startsWith("[hyp] vm beta: stage-2 data abort at IPA 0x900"))).toEqual([]);
    expect(lines()).toHaveLength(2);
  });

  it("answers an access outside the VM with an injected abort, logged with VM, IPA and syndrome", () => {
    const esr = (0x24n << 26n) | (1n << 25n) | 0x06n; // no ISV: not emulatable anyway
    abort(2, 0x46000000n, esr); // beta's memory, as gamma would have to name it
    expect(lines()).toEqual([`[hyp] vm gamma: stage-2 data abort at IPA 0x46000000, ESR 0x${esr.toString(16)}, PC 0x40081000: abort injected`]);
    expect(machine.sysregs.get("ESR_EL1")).toBe((0x25n << 26n) | (1n << 25n) | 0x10n);
    expect(machine.sysregs.get("FAR_EL1")).toBe(0x46000000n);
    expect(machine.sysregs.get("ELR_EL1")).toBe(0x40081000n);
    expect(machine.sysregs.get("ELR_EL2")).toBe(0x40082200n); // VBAR_EL1 + 0x200: current EL, SP_ELx
    expect(machine.sysregs.get("SPSR_EL2")).toBe(0x3c5n);
  });
});

describe("panic (src/el2/panic.ts)", () => {
  it("prints the reason, the CPU and the VM, and ends the run with status 1 on the hypervisor's last line", async () => {
    // A run ends once: a fresh copy of the hypervisor's modules (and of the runtime they drive) for this run.
    const fresh = machine;
    vi.resetModules();
    const rt = await import("../compiler/runtime/index.ts");
    rt.setMachine(fresh);
    const { bh_panic } = await import("../src/el2/panic.ts");
    machine.sysregs.set("TPIDR_EL2", 1n);
    let status: bigint | null = null;
    try { bh_panic("table pool exhausted"); } catch (e) { status = (e as Exited).status; }
    expect(status).toBe(1n);
    expect(lines()).toEqual([
      "[hyp] PANIC: table pool exhausted (cpu 1, vm beta)",
      "ESR_EL2 0x0 ELR_EL2 0x0 FAR_EL2 0x0",
      "[hyp] run ended: status 1",
    ]);
  });

  it("is what the run-time checks call on the host too", () => {
    expect(() => { throw new BhPanic("index out of bounds"); }).toThrow(/bh_panic: index out of bounds/);
  });
});
