// Host tests of the health policy's parts (src/devices/sp805.ts, src/el2/watchdog.ts,
// src/el2/health.ts) on the simulated machine, with the default config's tables: alpha (VM 0, CPU 0)
// has an SP805 watchdog started by the guest (2000 ms) and at most 3 restarts within 60 s; beta
// (VM 1) has no policy: restarted on every failure.
import { beforeEach, describe, expect, it } from "vitest";
import { Machine, setMachine } from "../compiler/runtime/index.ts";
import { Sp805, SP805_HZ, sp805Deadline, sp805Read, sp805Reset, sp805Running, sp805Write } from "../src/devices/sp805.ts";
import { watchdogDue, watchdogReset, watchdogWrite } from "../src/el2/watchdog.ts";
import { healthRestarts, healthView } from "../src/el2/health.ts";
import { GuestRegs } from "../src/el2/cpu.ts";

/** The generic counter at 62.5 MHz, as QEMU's virt board has it. */
const FREQ = 62_500_000n;
const ms = (n: number) => (BigInt(n) * FREQ) / 1000n;
const LOAD = 0x000, VALUE = 0x004, CONTROL = 0x008, INTCLR = 0x00c, RIS = 0x010, LOCK = 0xc00;
const UNLOCK = 0x1acce551;

describe("the SP805 model (src/devices/sp805.ts)", () => {
  const T0 = 1_000_000n;
  let w: Sp805;
  beforeEach(() => {
    w = new Sp805();
    sp805Reset(w, FREQ, 2000, false, T0);
  });

  it("comes out of reset stopped, LOAD at the config's timeout, its PrimeCell identity readable", () => {
    expect(sp805Running(w)).toBe(false);
    expect(sp805Deadline(w)).toBe(0n);
    // 2 × (LOAD + 1) ticks of 1 MHz = 2000 ms.
    expect(sp805Read(w, LOAD, T0)).toBe(Number(SP805_HZ) - 1);
    const id = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => sp805Read(w, o, T0));
    expect(id).toEqual([0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
    const booted = new Sp805();
    sp805Reset(booted, FREQ, 2000, true, T0);
    expect(sp805Deadline(booted)).toBe(T0 + ms(2000));
  });

  it("fails the VM two periods after the last load, as Linux's sp805_wdt programs it", () => {
    // wdt_setload for a 1 s timeout at 1 MHz: LOAD = rate / 2 × timeout - 1; wdt_config: unlock, LOAD, INTCLR, CONTROL, lock.
    sp805Write(w, LOCK, UNLOCK, T0);
    sp805Write(w, LOAD, 499_999, T0);
    sp805Write(w, INTCLR, 0, T0);
    sp805Write(w, CONTROL, 3, T0);
    sp805Write(w, LOCK, 1, T0);
    expect(sp805Deadline(w)).toBe(T0 + ms(1000));
    expect(sp805Read(w, RIS, T0 + ms(499))).toBe(0);
    expect(sp805Read(w, RIS, T0 + ms(501))).toBe(1);
    expect(sp805Read(w, VALUE, T0 + ms(100))).toBe(399_999);
    // Locked: a ping without the unlock does nothing.
    sp805Write(w, INTCLR, 0, T0 + ms(600));
    expect(sp805Deadline(w)).toBe(T0 + ms(1000));
    sp805Write(w, LOCK, UNLOCK, T0 + ms(600));
    sp805Write(w, INTCLR, 0, T0 + ms(600));
    expect(sp805Deadline(w)).toBe(T0 + ms(1600));
  });

  it("cannot be stopped once running, nor given a period past the config's timeout", () => {
    sp805Write(w, CONTROL, 3, T0);
    sp805Write(w, CONTROL, 0, T0 + 5n);
    expect(sp805Running(w)).toBe(true);
    sp805Write(w, LOAD, 0xffffffff, T0 + 10n);
    expect(sp805Read(w, LOAD, T0 + 10n)).toBe(Number(SP805_HZ) - 1);
    expect(sp805Deadline(w)).toBe(T0 + 10n + ms(2000));
    // A shorter period is the guest's to choose.
    sp805Write(w, LOAD, 49_999, T0 + 10n);
    expect(sp805Deadline(w)).toBe(T0 + 10n + ms(100));
  });

  it("starts counting from LOAD when enabled, whenever LOAD was written", () => {
    sp805Write(w, LOAD, 99_999, T0);
    sp805Write(w, CONTROL, 3, T0 + ms(5000));
    expect(sp805Deadline(w)).toBe(T0 + ms(5000) + ms(200));
  });
});

describe("the watchdog's time source and the policy (src/el2/watchdog.ts, health.ts)", () => {
  let m: Machine;
  const now = (t: bigint) => m.sysregs.set("CNTPCT_EL0", t);
  beforeEach(() => {
    m = setMachine(new Machine({ sysregs: { CNTFRQ_EL0: FREQ, CNTPCT_EL0: 1000n, TPIDR_EL2: 0n } }));
    m.addDevice({ name: "uart", base: 0x09000000n, size: 0x1000n, read: () => 0n, write: () => {} });
    m.addDevice({ name: "gic", base: 0x08000000n, size: 0x01000000n, read: () => 0n, write: () => {} });
    watchdogReset(0);
  });

  it("arms the EL2 timer at the deadline and reports the expiry only once it is due", () => {
    // Not started (start: "guest"): the timer stays off.
    expect(watchdogDue(0)).toBe(false);
    expect(m.sysregs.get("CNTHP_CTL_EL2")).toBe(0n);
    now(ms(10));
    watchdogWrite(0, 0, CONTROL, 3);
    expect(m.sysregs.get("CNTHP_CVAL_EL2")).toBe(ms(10) + ms(2000));
    expect(m.sysregs.get("CNTHP_CTL_EL2")).toBe(1n);
    // A pet moves the deadline; a timer that fires early re-arms at the new one.
    now(ms(1500));
    watchdogWrite(0, 0, INTCLR, 0);
    now(ms(2010));
    expect(watchdogDue(0)).toBe(false);
    expect(m.sysregs.get("CNTHP_CVAL_EL2")).toBe(ms(1500) + ms(2000));
    now(ms(3500));
    expect(watchdogDue(0)).toBe(true);
    expect(m.sysregs.get("CNTHP_CTL_EL2")).toBe(0n);
    // A VM without a watchdog (beta, CPU 1) never expires.
    expect(watchdogDue(1)).toBe(false);
  });

  it("restarts alpha at most 3 times within 60 s, guest resets counted too; then off. beta has no limit", () => {
    expect(healthRestarts(0, 2, 0n)).toBe(true);
    now(ms(1000));
    expect(healthRestarts(0, 1, 0n)).toBe(true);
    now(ms(2000));
    expect(healthRestarts(0, 3, 0x200n)).toBe(true);
    now(ms(3000));
    expect(healthRestarts(0, 2, 0n)).toBe(false);
    const regs = new GuestRegs();
    for (let i = 0; i < 10; i++) expect(healthRestarts(1, 2, 0n)).toBe(true);
    // A window later, alpha's budget is whole again.
    now(ms(1000) + ms(60_001));
    expect(healthRestarts(0, 2, 0n)).toBe(true);
    // No VM of the default config has the health view.
    regs.x[1] = 0n;
    healthView(0, regs);
    expect(regs.x[0]).toBe(0xffffffffffffffffn);
  });
});
