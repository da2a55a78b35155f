// Stage-2 aborts: a guest touched an IPA that its stage-2 map does not give it. An access to an
// emulated device is decoded from the syndrome and emulated; anything else is logged with the
// VM, the IPA and the syndrome, and the guest receives a synchronous external abort.
import { GuestRegs, thisCpu } from "../el2/cpu.ts";
import { injectAbort, syncVector } from "../el2/inject.ts";
import { SPSR_NRW, skipInstruction } from "../el2/step.ts";
import { vmRestart } from "../el2/restart.ts";
import { Cause } from "../el2/health.ts";
import { lineEnd, put, putHex } from "../el2/console.ts";
import { LogKind, vmLogBegin } from "../el2/ratelimit.ts";
import { MmioDevice, isVmUart, mmioDevice, mmioRead, mmioWrite } from "./mmio.ts";
import { DIST_WORD, DIST_WORD_LANE, vgicClaims, vgicRead, vgicWrite, vgicdWordAccess } from "../gic/vgicd.ts";
import { vmOfCpu } from "../el2/placement.ts";
import { GICD_BASE } from "@board";

// ESR_EL2.ISS for data aborts (Arm ARM D23.2.43, "ISS encoding for an exception from a Data Abort")
const ISS_ISV: u64 = 1n << 24n;      // the fields below are valid (a single load/store of a general register)
const ISS_SAS_SHIFT: u64 = 22n;      // access size: 1 << SAS bytes
const ISS_SAS: u64 = 3n << 22n;      // the field,
const ISS_SAS_WORD: u64 = 2n << 22n; // and its value for 32 bits
const ISS_SSE: u64 = 1n << 21n;      // sign-extend the loaded value
const ISS_SRT_SHIFT: u64 = 16n;      // the register
const ISS_SF: u64 = 1n << 15n;       // the register is 64-bit (else 32-bit: Wt)
const ISS_S1PTW: u64 = 1n << 7n;     // the fault was on the guest's own stage-1 table walk
const ISS_WNR: u64 = 1n << 6n;       // write, not read
/** The syndrome of the distributor's word lane: a 32-bit load (zero-extended, ISS.SSE clear) or store of a general register, not on a table walk. */
const LANE_ISS_MASK: u64 = ISS_ISV | ISS_SAS | ISS_SSE | ISS_S1PTW;
const LANE_ISS: u64 = ISS_ISV | ISS_SAS_WORD;


/** The faulting IPA: HPFAR_EL2.FIPA holds IPA[47:12] in bits [43:4]; FAR_EL2 gives the page offset. */
export function faultIpa(): u64 {
  return ((mrs("HPFAR_EL2") & 0xffffffffff0n) << 8n) | (mrs("FAR_EL2") & 0xfffn);
}

/**
 * Whether the syndrome `esr` of an abort at `ipa` is one an emulated device can take: a single load
 * or store of a general register (ISV) not on the guest's own table walk, naturally aligned, as a
 * device register is accessed: so it never reaches past the device's page either (an 8-byte store
 * at UART + 0xff9 is not a UART register's).
 */
function emulable(esr: u64, ipa: u64): bool {
  const bytes: u64 = u64(1n) << ((esr >> ISS_SAS_SHIFT) & 3n);
  return (esr & (ISS_ISV | ISS_S1PTW)) == ISS_ISV && (ipa & (bytes - 1n)) == 0n;
}

/**
 * A data abort with syndrome `esr`: emulated if it is a device's, else logged and injected.
 *
 * Entered from trap_sync with the whole frame, and straight from the vector with the light frame
 * (src/el2/vectors.S dabt_entry: x0-x18, x30 saved; x19-x29 stay in the CPU) for a single load or
 * store (ESR_EL2.ISS.ISV) whose register, ISS.SRT, that frame holds or is XZR. So it reads or writes
 * regs.x[SRT] only, and never resets the vCPU to return (a VM that fails or restarts from here
 * re-enters through vcpu_enter and the whole frame).
 */
export function dataAbort(regs: GuestRegs, esr: u64): void {
  const ipa: u64 = faultIpa();
  // The distributor's word lane, the hot GIC access (a guest's GICD_CTLR, GICD_TYPER, GICD_SGIR): a
  // 32-bit access by an AArch64 guest to a one-word register of the distributor (src/gic/vgicd.ts
  // DIST_WORD, derived from its register table), carried out here by the table's own handlers
  // (readWord, writeWord: vgicdWordAccess). Its checks are the whole path's, narrowed: ISV, not S1PTW, 32 bits,
  // zero-extended, aligned, the word a register that takes a 32-bit access. Anything else
  // (other widths, sign-extended loads, AArch32, the per-INTID registers, the redistributor, the
  // other devices) goes to deviceAbort untouched.
  const offset: u64 = ipa - GICD_BASE;
  if (offset >= 0x1000n || (esr & LANE_ISS_MASK) != LANE_ISS) {
    deviceAbort(regs, esr, ipa);
    return;
  }
  const kinds: u32 = u32(DIST_WORD[u32(offset >> 2n) & 1023]);
  if ((kinds & DIST_WORD_LANE) == 0 || (offset & 3n) != 0n || (mrs("SPSR_EL2") & SPSR_NRW) != 0n) {
    deviceAbort(regs, esr, ipa);
    return;
  }
  const cpu: u32 = thisCpu();
  // skipInstruction for an AArch64 guest (every A64 instruction is 32 bits, ISS.IL set), first:
  // nothing after the access needs the syndrome. No handler of these registers reads ELR_EL2.
  msr("ELR_EL2", mrs("ELR_EL2") + 4n);
  vgicdWordAccess(regs, u32((esr >> ISS_SRT_SHIFT) & 0x1fn), (esr & ISS_WNR) != 0n, kinds, cpu, vmOfCpu(cpu));
}

/**
 * A data abort at `ipa` that dataAbort's word lane did not take: a device's (the VM's UART,
 * its distributor or redistributors, then src/stage2/mmio.ts mmioDevice's) is emulated; any other is
 * logged and the guest receives a synchronous external abort. Out of line: the callee-saved
 * registers it needs are not saved on the lane. @noinline
 */
function deviceAbort(regs: GuestRegs, esr: u64, ipa: u64): void {
  const cpu: u32 = thisCpu();
  const vm: u32 = vmOfCpu(cpu);
  // The UART first (a console writes it a byte at a time), then the GIC's frames (the word lane took its hottest), then the rest.
  const dev: u32 = !emulable(esr, ipa) ? MmioDevice.None : isVmUart(vm, ipa) ? MmioDevice.Uart
    : vgicClaims(vm, ipa) ? MmioDevice.Gic : mmioDevice(vm, ipa);
  if (dev != MmioDevice.None) {
    emulate(dev, cpu, vm, regs, esr, ipa);
    skipInstruction(esr);
    return;
  }
  reportFault(vm, LogKind.DataAbort, "data abort", ipa, esr);
  injectAbort(true, (esr & ISS_WNR) != 0n, mrs("FAR_EL2"));
}

/** @cold */
export function instructionAbort(cpu: u32, vm: u32, esr: u64): void {
  reportFault(vm, LogKind.InstructionAbort, "instruction abort", faultIpa(), esr);
  // A fetch that faults at the very vector its abort would be taken to: the guest would take it
  // there again, for ever, with nothing else run in between (stage 2 never changes; the exception
  // masks interrupts): the vCPU is wedged, which is a failure of its VM (src/el2/health.ts). No
  // guest that still makes progress gets here: its next fetch differs from this one.
  const pc: u64 = mrs("ELR_EL2");
  if (pc == syncVector(mrs("SPSR_EL2"))) {
    vmRestart(vm, cpu, Cause.Wedged, pc);
    return;
  }
  injectAbort(false, false, mrs("FAR_EL2"));
}

/**
 * Carries out the access the syndrome describes on device `dev`, to or from register SRT. Only `regs`
 * and `esr` live across the device's call: the register's side is worked out again from the syndrome.
 */
function emulate(dev: u32, cpu: u32, vm: u32, regs: GuestRegs, esr: u64, ipa: u64): void {
  const bytes: u32 = u32(1) << u32((esr >> ISS_SAS_SHIFT) & 3n);
  if ((esr & ISS_WNR) != 0n) {
    if (dev == MmioDevice.Gic) vgicWrite(vm, cpu, ipa, bytes, stored(regs, esr));
    else mmioWrite(dev, vm, cpu, ipa, bytes, stored(regs, esr));
    return;
  }
  load(regs, esr, dev == MmioDevice.Gic ? vgicRead(vm, cpu, ipa, bytes) : mmioRead(dev, vm, cpu, ipa, bytes));
}

/** The value a store of syndrome `esr` writes: its size of register SRT (31 is XZR here: zero). */
function stored(regs: GuestRegs, esr: u64): u64 {
  const rt: u32 = u32((esr >> ISS_SRT_SHIFT) & 0x1fn);
  if (rt == 31) return 0n;
  const sas: u64 = (esr >> ISS_SAS_SHIFT) & 3n;
  return sas == 3n ? regs.x[rt] : regs.x[rt] & ((u64(1n) << (u64(8n) << sas)) - 1n);
}

/** A load of syndrome `esr` that read `v`: into register SRT, unless that is XZR (the value is discarded). */
function load(regs: GuestRegs, esr: u64, v: u64): void {
  const rt: u32 = u32((esr >> ISS_SRT_SHIFT) & 0x1fn);
  if (rt != 31) regs.x[rt] = loaded(v, esr);
}

/** A read's value `v` as the load of syndrome `esr` leaves it in its register: its size, sign-extended (ISS.SSE), 32 or 64 bits (ISS.SF). */
function loaded(v: u64, esr: u64): u64 {
  // The common load, LDR Wt: 32 bits, zero-extended.
  if ((esr & (ISS_SAS | ISS_SSE | ISS_SF)) == ISS_SAS_WORD) return v & 0xffffffffn;
  const bits: u64 = u64(8n) << ((esr >> ISS_SAS_SHIFT) & 3n);
  if (bits == 64n) return v;
  const mask: u64 = (u64(1n) << bits) - 1n;
  let r: u64 = v & mask;
  if ((esr & ISS_SSE) != 0n && ((r >> (bits - 1n)) & 1n) != 0n) r = r | ~mask;
  return (esr & ISS_SF) == 0n ? r & 0xffffffffn : r;
}

/** A rate-limited log line (src/el2/ratelimit.ts) about a stage-2 fault of the guest. @cold */
function reportFault(vm: u32, kind: u32, what: string, ipa: u64, esr: u64): void {
  if (!vmLogBegin(vm, kind)) return;
  put("stage-2 ");
  put(what);
  put(" at IPA ");
  putHex(ipa);
  put(", ESR ");
  putHex(esr);
  put(", PC ");
  putHex(mrs("ELR_EL2"));
  put(": abort injected");
  lineEnd();
}
