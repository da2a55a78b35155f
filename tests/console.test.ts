// The shared console (src/el2/console.ts, linequeue.ts) and the log rate limit (ratelimit.ts) on
// the simulated machine: per-VM queues, a drainer nobody waits for, round-robin shares, control
// bytes escaped, rate-limited fault logs. Each test gets a fresh copy of the hypervisor's modules
// (its console state is module state) and the default config's VMs: alpha (VM 0, CPU 0), beta
// (VM 1, CPU 1), gamma (VM 2, CPUs 2-3).
import { describe, expect, it, vi } from "vitest";

const UART = 0x09000000n;

async function fresh() {
  vi.resetModules();
  const rt = await import("../compiler/runtime/index.ts");
  const machine = rt.setMachine(new rt.Machine());
  const hooks = { out: "", onWrite: (_text: string) => {} };
  machine.addDevice({
    name: "pl011", base: UART, size: 0x1000n,
    read: () => 0n,
    write: (off, _bytes, v) => {
      if (off !== 0n) return;
      hooks.out += String.fromCharCode(Number(v));
      hooks.onWrite(hooks.out);
    },
  });
  // Time passes while a CPU waits for an event: 1 ms of the 62.5 MHz counter per WFE.
  machine.sysregs.set("CNTFRQ_EL0", 62_500_000n);
  const event = machine.event.bind(machine);
  machine.event = (e: string) => {
    event(e);
    if (e === "wfe") machine.sysregs.set("CNTPCT_EL0", (machine.sysregs.get("CNTPCT_EL0") ?? 0n) + 62_500n);
  };
  const onCpu = (cpu: number) => machine.sysregs.set("TPIDR_EL2", BigInt(cpu));
  onCpu(0);
  const con = await import("../src/el2/console.ts");
  const rate = await import("../src/el2/ratelimit.ts");
  const lines = () => hooks.out.split("\r\n").filter((l) => l);
  const print = (vm: number, text: string) => { for (const c of Buffer.from(text, "latin1")) con.consolePutc(vm, c); };
  return { machine, hooks, onCpu, con, rate, lines, print };
}

describe("console (src/el2/console.ts)", () => {
  it("shows a guest's control bytes in caret notation and drops only a CR that ends a line", async () => {
    const { print, lines } = await fresh();
    print(0, "\x1b[2K\rab\x07\x7f\tc\r\n");
    print(1, "\xc2\x9b2J x\xc3\xa9\r\n");
    expect(lines()).toEqual(["[alpha] ^[[2K^Mab^G^?\tc", "[beta] M-^[2J x\xc3\xa9"]);
  });

  it("never makes a CPU wait for another's drain: its line is queued and written by the drainer", async () => {
    const { hooks, onCpu, print, lines } = await fresh();
    let nested = "";
    hooks.onWrite = (out) => {
      // CPU 1 (beta) writes a line while CPU 0 is in the middle of writing alpha's first line.
      if (out === "[alpha] first") {
        hooks.onWrite = () => {};
        onCpu(1);
        const before = hooks.out;
        print(1, "beta meanwhile\n");
        nested = hooks.out.slice(before.length);
        onCpu(0);
      }
    };
    print(0, "first\n");
    expect(nested).toBe("");    // beta's CPU returned at once, writing nothing
    expect(lines()).toEqual(["[alpha] first", "[beta] beta meanwhile"]);
  });

  it("drops a flooding VM's lines, says how many, and still writes the others' lines in turn", async () => {
    const { hooks, onCpu, print, lines, con } = await fresh();
    hooks.onWrite = (out) => {
      if (out === "[alpha] start") {
        hooks.onWrite = () => {};
        // While CPU 0 drains, gamma (CPU 2) writes 200 lines and beta (CPU 1) one: none is written yet.
        onCpu(2);
        for (let i = 0; i < 200; i++) print(2, `gamma line ${i} ${"x".repeat(40)}\n`);
        onCpu(1);
        print(1, "beta's only line\n");
        onCpu(0);
      }
    };
    print(0, "start\n");
    // CPU 0's drain wrote its own line and one more: once its own VM has no line queued, two lines at most.
    expect(lines()).toHaveLength(2);
    con.consoleDrainAll();
    const out = lines();
    const beta = out.indexOf("[beta] beta's only line");
    expect(beta).toBeGreaterThan(0);
    expect(beta).toBeLessThanOrEqual(3);   // round-robin: behind at most one of gamma's lines
    const gamma = out.filter((l) => l.startsWith("[gamma] gamma line "));
    expect(gamma.length).toBeGreaterThan(20);
    expect(gamma.length).toBeLessThan(200);
    const dropped = out.map((l) => /^\[hyp\] vm gamma: (\d+) console lines dropped \(queue full\)$/.exec(l)).find((m) => m);
    expect(dropped, out.join("\n")).toBeTruthy();
    expect(gamma.length + Number(dropped![1])).toBe(200);
  });

  it("queues the hypervisor's lines about a VM with that VM's lines, in order", async () => {
    const { con, print, lines } = await fresh();
    print(2, "before\n");
    con.vmLineBegin(2);
    con.put("event ");
    con.putHex(0xabcn);
    con.lineEnd();
    print(2, "after\n");
    expect(lines()).toEqual(["[gamma] before", "[hyp] vm gamma: event 0xabc", "[gamma] after"]);
  });
});

/** LogKind.DataAbort and LogKind.SError (a const enum: no run-time object). */
const DATA_ABORT = 0;
const SERROR = 3;

describe("a panic and the console (src/el2/panic.ts, console.ts)", () => {
  it("prints even while another CPU holds the console and never lets go, after at most 2 s", async () => {
    const { machine, hooks, onCpu, print } = await fresh();
    const { bh_panic } = await import("../src/el2/panic.ts");
    // Every read of the counter is 10 ms later: the panic's wait for the console is bounded in time.
    const mrs = machine.mrs.bind(machine);
    machine.mrs = (r: string) => {
      if (r === "CNTPCT_EL0") machine.sysregs.set("CNTPCT_EL0", (machine.sysregs.get("CNTPCT_EL0") ?? 0n) + 625_000n);
      return mrs(r);
    };
    class Off extends Error {}
    machine.onCall = (insn, fid) => { if (insn === "smc" && fid === 0x84000008n) throw new Off(); return 0n; };
    hooks.onWrite = (out) => {
      // CPU 1 is half-way through a line when CPU 0 panics: CPU 1 never gets to finish it.
      if (out === "[beta] hal") {
        hooks.onWrite = () => {};
        onCpu(0);
        bh_panic("table pool exhausted");
      }
    };
    onCpu(1);
    expect(() => print(1, "half a line\n")).toThrow(Off);
    const lines = hooks.out.split("\r\n");
    expect(lines).toContain("[hyp] PANIC: table pool exhausted (cpu 0, vm alpha)");
    expect(lines[lines.length - 2]).toBe("[hyp] run ended: status 1");
  });
});

describe("log rate limit (src/el2/ratelimit.ts)", () => {
  it("logs a burst, then a few a second, each after a count of what was held back", async () => {
    const { machine, con, rate, lines } = await fresh();
    machine.sysregs.set("CNTFRQ_EL0", 62_500_000n);
    machine.sysregs.set("CNTPCT_EL0", 1000n);
    const fault = (n: number) => {
      for (let i = 0; i < n; i++) {
        if (!rate.vmLogBegin(2, DATA_ABORT)) continue;
        con.put("fault");
        con.lineEnd();
      }
    };
    fault(100);
    expect(lines().filter((l) => l === "[hyp] vm gamma: fault")).toHaveLength(64);
    // Another kind, and another VM, have budgets of their own.
    expect(rate.vmLogBegin(2, SERROR)).toBe(true);
    con.lineEnd();
    expect(rate.vmLogBegin(1, DATA_ABORT)).toBe(true);
    con.lineEnd();
    // Half a second later: two more lines, the first after the count of the 36 held back.
    machine.sysregs.set("CNTPCT_EL0", 1000n + 31_250_000n);
    fault(10);
    const out = lines();
    expect(out).toContain("[hyp] vm gamma: 36 more stage-2 data aborts not logged (rate limit)");
    expect(out.filter((l) => l === "[hyp] vm gamma: fault")).toHaveLength(66);
  });
});
