// SMC Calling Convention dispatch (Arm DEN 0028) for HVC and trapped SMC: the function id in
// w0 selects the service by its owner field; results go back in x0..x3.
import { CPU_VCPU, VM_VCPUS } from "@config";
import { GuestRegs } from "./cpu.ts";
import { psciCall, PSCI_NOT_SUPPORTED, SMCCC_VERSION } from "./psci.ts";
import { consolePutc } from "./console.ts";
import { healthView } from "./health.ts";

/** Owner (bits [29:24]) 0: Arm architecture calls; 4: standard secure service (PSCI); 6: hypervisor (ours). */
const OWNER_ARCH: u32 = 0;
const OWNER_STANDARD: u32 = 4;
const OWNER_HYPERVISOR: u32 = 6;

/** SMCCC v1.1. */
const SMCCC_VERSION_1_1: u64 = 0x10001n;
/** Mandatory from SMCCC v1.1 (Arm DEN 0028 §7.3): whether an Arm architecture call is implemented. */
const SMCCC_ARCH_FEATURES: u32 = 0x80000001;
/** SMCCC_ARCH_FEATURES' answer for an implemented call. */
const SMCCC_SUCCESS: u64 = 0n;

// Bulkhead hypervisor calls (docs/hypercalls.md): fast calls, SMC64, owner 6.
/** Does nothing and returns 0: the cost of a round trip to EL2. */
export const HVC_NULL: u32 = 0xc6000000;
/** Returns x1 = VM index, x2 = vCPU index, x3 = vCPU count. */
export const HVC_VM_INFO: u32 = 0xc6000001;
/** Writes the character in x1 to the VM's console (for guests without a UART driver). */
export const HVC_CONSOLE_PUTC: u32 = 0xc6000002;
/** x1 = a VM index: its health (src/el2/health.ts healthView), for a VM whose config gives it the view. */
export const HVC_HEALTH: u32 = 0xc6000003;

/**
 * The call in x0 of the vCPU on CPU `cpu`: it reads x0-x3 and writes x0-x3 only, unless it returns
 * true: the vCPU comes back reset (PSCI), and every register of `regs` is its own then.
 */
export function smcccCall(cpu: u32, vm: u32, regs: GuestRegs): bool {
  const fid: u32 = u32(regs.x[0] & 0xffffffffn);
  const owner: u32 = (fid >> 24) & 0x3f;
  if (owner == OWNER_STANDARD) return psciCall(fid, cpu, vm, regs);
  if (owner == OWNER_HYPERVISOR) hypervisorCall(fid, cpu, vm, regs);
  else if (owner == OWNER_ARCH) archCall(fid, regs);
  else regs.x[0] = PSCI_NOT_SUPPORTED;
  return false;
}

/**
 * The Arm architecture calls: the version and the feature query, nothing else (no ARCH_WORKAROUND_*,
 * so a guest asking for one is told NOT_SUPPORTED and the firmware is never reached).
 */
function archCall(fid: u32, regs: GuestRegs): void {
  if (fid == SMCCC_VERSION) {
    regs.x[0] = SMCCC_VERSION_1_1;
  } else if (fid == SMCCC_ARCH_FEATURES) {
    const queried: u32 = u32(regs.x[1] & 0xffffffffn);
    regs.x[0] = queried == SMCCC_VERSION || queried == SMCCC_ARCH_FEATURES ? SMCCC_SUCCESS : PSCI_NOT_SUPPORTED;
  } else {
    regs.x[0] = PSCI_NOT_SUPPORTED;
  }
}

function hypervisorCall(fid: u32, cpu: u32, vm: u32, regs: GuestRegs): void {
  switch (fid) {
    case HVC_NULL:
      regs.x[0] = 0n;
      return;
    case HVC_VM_INFO:
      regs.x[0] = 0n;
      regs.x[1] = u64(vm);
      regs.x[2] = u64(CPU_VCPU[cpu]);
      regs.x[3] = u64(VM_VCPUS[vm]);
      return;
    case HVC_CONSOLE_PUTC:
      consolePutc(vm, u8(regs.x[1] & 0xffn));
      regs.x[0] = 0n;
      return;
    case HVC_HEALTH:
      healthView(vm, regs);
      return;
    default:
      regs.x[0] = PSCI_NOT_SUPPORTED;
  }
}
