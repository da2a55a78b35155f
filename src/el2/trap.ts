// Trap dispatch: every exception a guest causes arrives here (src/el2/vectors.S) and is handled
// by its exception class (ESR_EL2.EC, Arm ARM D23.2.43). Whatever the guest did, the handler
// returns to it: an unexpected trap is logged and answered with an exception injected into the
// guest, never with a hypervisor panic.
import { GuestRegs, thisCpu } from "./cpu.ts";
import { skipInstruction } from "./step.ts";
import { vmOfCpu } from "./placement.ts";
import { smcccCall } from "./smccc.ts";
import { stopRequested, stopVcpu, vmFail } from "./restart.ts";
import { Cause } from "./health.ts";
import { watchdogDue } from "./watchdog.ts";
import { HYP_TIMER_PPI, KICK_SGI, gicFiq } from "../gic/gic.ts";
import { injectUndefined } from "./inject.ts";
import { isSetWay, setWayTrap, vmControlTrap } from "./setway.ts";
import { PmuAccess, pmuTrap } from "./pmu.ts";
import { consoleDrainOwn, lineBegin, lineEnd, put, putDec, putHex } from "./console.ts";
import { LogKind, vmLogBegin } from "./ratelimit.ts";
import { dataAbort, instructionAbort } from "../stage2/abort.ts";
import { vms } from "../stage2/vm.ts";
import { CPU_COUNT, GIC_VERSION, UART_INTID } from "@board";
import { consoleInputIrq } from "./consolein.ts";
import { vgicAcknowledge, vgicIrq, vgicOwnPpi, vgicSgi1r } from "../gic/vgic.ts";

const enum Ec {
  SysReg64 = 0x18,
  Hvc64 = 0x16,
  Smc64 = 0x17,
  InstrAbortLower = 0x20,
  DataAbortLower = 0x24,
}

const ESR_EC_SHIFT: u64 = 26n;
/** HCR_EL2.VSE: a virtual SError is pending for the guest. */
const HCR_VSE: u64 = 1n << 8n;

export function trap_sync(regs: GuestRegs): void {
  const esr: u64 = mrs("ESR_EL2");
  const cpu: u32 = thisCpu();
  const vm: u32 = vmOfCpu(cpu);
  // HVC and SMC never come here: src/el2/vectors.S sends them to trap_smccc; nor does a data abort
  // the light frame can take (dabt_entry calls dataAbort itself).
  switch (u32(esr >> ESR_EC_SHIFT) & 0x3f) {
    case Ec.DataAbortLower:
      dataAbort(regs, esr);
      return;
    case Ec.InstrAbortLower:
      instructionAbort(cpu, vm, esr);
      return;
    case Ec.SysReg64:
      sysregTrap(cpu, vm, regs, esr);
      return;
    default:
      report(vm, LogKind.UnexpectedTrap, "unexpected trap, undefined instruction injected", esr);
      injectUndefined();
  }
}

/**
 * An HVC or a trapped SMC (HCR_EL2.TSC): an SMCCC call (src/el2/smccc.ts). Entered with the lighter
 * frame of the interrupt entries (src/el2/vectors.S smccc_entry: x0-x18, x30; x19-x29 stay in the
 * CPU), as a call reads and writes x0-x3 only. True: the vCPU was reset meanwhile, and returns
 * through the whole frame.
 */
export function trap_smccc(regs: GuestRegs, esr: u64): bool {
  // A trapped SMC returns to the SMC itself: step over it. ELR_EL2 already points past an HVC.
  if ((u32(esr >> ESR_EC_SHIFT) & 0x3f) == Ec.Smc64) skipInstruction(esr);
  const cpu: u32 = thisCpu();
  return smcccCall(cpu, vmOfCpu(cpu), regs);
}

/**
 * A trapped system-register access or cache maintenance instruction: a GICv3 SGI (HCR_EL2.IMO), set/way
 * maintenance (TSW) and the EL1 memory controls after it (TVM), the PMU (MDCR_EL2.TPM) are emulated;
 * anything else (HCR_EL2.TIDCP, TACR: implementation-defined registers that may reach beyond this
 * CPU) reads as zero, writes ignored, logged once per VM.
 */
function sysregTrap(cpu: u32, vm: u32, regs: GuestRegs, esr: u64): void {
  const isRead: bool = (esr & 1n) != 0n;
  const rt: u32 = u32((esr >> 5n) & 0x1fn);
  if (GIC_VERSION == 3 && !isRead && isSgiRegister(esr)) {
    // A GICv3 guest's SGI (HCR_EL2.IMO traps ICC_SGI1R/ASGI1R/SGI0R_EL1 writes): src/gic/vgic.ts.
    const value: u64 = rt == 31 ? 0n : regs.x[rt];
    vgicSgi1r(cpu, vm, value, (esr & 0x3ffc1en) == ICC_SGI0R_EL1);
    skipInstruction(esr);
    return;
  }
  // The PMU (MDCR_EL2.TPM, where the PMU cannot hide EL2 itself): src/el2/pmu.ts.
  const pmu: u32 = pmuTrap(regs, esr);
  if (pmu == PmuAccess.Undefined) {
    injectUndefined();
    return;
  }
  if (pmu == PmuAccess.Done) {
    skipInstruction(esr);
    return;
  }
  // Set/way cache maintenance (HCR_EL2.TSW) and, after one, the EL1 memory controls (HCR_EL2.TVM): src/el2/setway.ts.
  if (isSetWay(esr)) {
    setWayTrap(vm);
    skipInstruction(esr);
    return;
  }
  if (vmControlTrap(vm, regs, esr)) {
    skipInstruction(esr);
    return;
  }
  if (isRead && rt != 31) regs.x[rt] = 0n;
  if (!vms[vm].sysregLogged) {
    vms[vm].sysregLogged = true;
    report(vm, LogKind.UnexpectedTrap, "system register access trapped (reads as zero, writes ignored; logged once)", esr);
  }
  skipInstruction(esr);
}

/**
 * ISS of a trapped MSR/MRS (EC 0x18): Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], CRm [4:1].
 * ICC_SGI1R_EL1 is (3, 0, 12, 11, 5), ICC_ASGI1R_EL1 op2 6, ICC_SGI0R_EL1 op2 7.
 */
function isSgiRegister(esr: u64): bool {
  const enc: u64 = esr & 0x3ffc1en;
  return enc == 0x3a3016n || enc == 0x3c3016n || enc == ICC_SGI0R_EL1;
}

/** ICC_SGI0R_EL1's encoding in a trapped access's ISS (as isSgiRegister masks it). */
const ICC_SGI0R_EL1: u64 = 0x3e3016n;

/**
 * A physical IRQ: the virtual GIC acknowledges it and injects it or handles it (src/gic/vgic.ts).
 * The IRQ and FIQ entries save only the caller-saved registers (src/el2/vectors.S), so these two
 * handlers take no frame: the guest's registers are out of their reach.
 */
export function trap_irq(): void {
  const iar: u32 = vgicAcknowledge();
  // The vCPU's own timer with a list register free: in, and back to the guest at once.
  if (vgicOwnPpi(thisCpu(), iar)) return;
  trapIrqOther(iar);
}

/**
 * Every other IRQ (src/gic/vgic.ts vgicIrq), and then the hypervisor's own. It finds its CPU again
 * itself: nothing of trap_irq's early path lives across its call, which needs no stack frame.
 */
function trapIrqOther(iar: u32): void {
  const cpu: u32 = thisCpu();
  const intid: u32 = vgicIrq(cpu, iar);
  if (intid == UART_INTID) {
    consoleInputIrq(cpu);
    return;
  }
  // Its VM is restarting or powering off (src/el2/restart.ts, which sends the kick): this vCPU stops here, and later enters afresh.
  if (intid == KICK_SGI && stopRequested(cpu)) stopVcpu(cpu);
  // The watchdog's timer, or a kick to re-arm it (src/el2/watchdog.ts): an expiry fails the VM here,
  // at an instruction boundary of the guest, whatever it masked.
  if ((intid == HYP_TIMER_PPI || intid == KICK_SGI) && watchdogDue(cpu)) vmFail(vmOfCpu(cpu), cpu, Cause.Watchdog);
  // A drainer left this VM's lines queued (src/el2/console.ts kickWaitingVms).
  if (intid == KICK_SGI) consoleDrainOwn();
}

/** Physical FIQs taken on each CPU; logged at the 1st, 2nd, 4th, 8th, ... so that a storm cannot flood the console. */
const fiqsTaken = new Uint32Array(CPU_COUNT);

/** A physical FIQ: no VM owns one; it is acknowledged and deactivated (src/gic/gic.ts gicFiq) and logged. @cold */
export function trap_fiq(): void {
  const intid: u32 = gicFiq();
  const cpu: u32 = thisCpu();
  if (cpu >= CPU_COUNT) return;
  const n: u32 = fiqsTaken[cpu] + 1;
  fiqsTaken[cpu] = n;
  if ((n & (n - 1)) != 0) return;
  lineBegin("hyp");
  put("cpu ");
  putDec(u64(cpu));
  put(": physical FIQ, INTID ");
  putDec(u64(intid));
  put(" deactivated (");
  putDec(u64(n));
  put(" on this CPU so far; logged at powers of two)");
  lineEnd();
}

/** An asynchronous abort caused by the guest: reflected to it as a virtual SError. @cold */
export function trap_serror(regs: GuestRegs): void {
  const vm: u32 = vmOfCpu(thisCpu());
  report(vm, LogKind.SError, "SError, reflected to the guest", mrs("ESR_EL2"));
  msr("HCR_EL2", mrs("HCR_EL2") | HCR_VSE);
}

/** A rate-limited log line (src/el2/ratelimit.ts) about an event of `kind` the guest caused. @cold */
function report(vm: u32, kind: u32, what: string, esr: u64): void {
  if (!vmLogBegin(vm, kind)) return;
  put(what);
  put(", ESR ");
  putHex(esr);
  put(", PC ");
  putHex(mrs("ELR_EL2"));
  lineEnd();
}
