// PSCI 1.1 (Arm DEN 0022) for a VM's own vCPUs, reached over HVC or a trapped SMC. The VM
// never reaches the firmware: CPU_ON and AFFINITY_INFO see only its own vCPUs (virtual MPIDR
// Aff0 = vCPU index), and SYSTEM_OFF/SYSTEM_RESET act on the VM alone.
import { CPU_COUNT } from "@board";
import { VM_VCPUS } from "@config";
import { GuestRegs } from "./cpu.ts";
import { Power, NOT_RUNNING, powerOf, requestOn, parkVcpu } from "./vcpu.ts";
import { cpuOfVcpu } from "./placement.ts";
import { vmRestart, vmPowerOff } from "./restart.ts";
import { Cause } from "./health.ts";
import { ramAddress } from "../stage2/vm.ts";
import { vgicWaiting } from "../gic/vgic.ts";

export const PSCI_VERSION: u32 = 0x84000000;
export const PSCI_CPU_SUSPEND_64: u32 = 0xc4000001;
export const PSCI_CPU_OFF: u32 = 0x84000002;
export const PSCI_CPU_ON_64: u32 = 0xc4000003;
export const PSCI_AFFINITY_INFO_64: u32 = 0xc4000004;
export const PSCI_MIGRATE_INFO_TYPE: u32 = 0x84000006;
export const PSCI_SYSTEM_OFF: u32 = 0x84000008;
export const PSCI_SYSTEM_RESET: u32 = 0x84000009;
export const PSCI_FEATURES: u32 = 0x8400000a;
/**
 * SMCCC_VERSION (Arm DEN 0028, an Arm architecture call, answered in smccc.ts). PSCI_FEATURES
 * answers for it too (DEN 0022 §5.1.15): Linux asks there first, and reads SMCCC 1.0 on NOT_SUPPORTED.
 */
export const SMCCC_VERSION: u32 = 0x80000000;
export const PSCI_SYSTEM_RESET2_64: u32 = 0xc4000012;
/** SYSTEM_RESET2's reset_type 0: SYSTEM_WARM_RESET, the only architectural type (PSCI 1.1, 5.19); a restart of the VM, as SYSTEM_RESET. */
const SYSTEM_WARM_RESET: u64 = 0n;

const PSCI_SUCCESS: u64 = 0n;
export const PSCI_NOT_SUPPORTED: u64 = 0xffffffffffffffffn;   // -1
const PSCI_INVALID_PARAMETERS: u64 = 0xfffffffffffffffen;   // -2
const PSCI_ALREADY_ON: u64 = 0xfffffffffffffffcn;           // -4
const PSCI_INTERNAL_FAILURE: u64 = 0xfffffffffffffffan;     // -6
const PSCI_INVALID_ADDRESS: u64 = 0xfffffffffffffff7n;      // -9
/** MIGRATE_INFO_TYPE 2: no Trusted OS that would need migrating. */
const MIGRATE_NOT_NEEDED: u64 = 2n;

/**
 * PSCI function `fid` for vCPU regs of `cpu` (in VM `vm`); the result goes to x0. True when the
 * vCPU comes back reset (CPU_OFF, SYSTEM_RESET, SYSTEM_OFF return only when it is started again):
 * all of its registers are in `regs` then, not just the call's (src/el2/vectors.S smccc_entry).
 */
export function psciCall(fid: u32, cpu: u32, vm: u32, regs: GuestRegs): bool {
  switch (fid) {
    case PSCI_VERSION:
      regs.x[0] = 0x10001n;
      return false;
    case PSCI_FEATURES: {
      const implemented: bool = psciImplemented(u32(regs.x[1] & 0xffffffffn));
      regs.x[0] = implemented ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
      return false;
    }
    case PSCI_CPU_ON_64:
    case 0x84000003: {
      const status: u64 = cpuOn(vm, regs.x[1], regs.x[2], regs.x[3]);
      regs.x[0] = status;
      return false;
    }
    case PSCI_CPU_OFF:
      parkVcpu(cpu);
      return true;
    case PSCI_AFFINITY_INFO_64:
    case 0x84000004: {
      const state: u64 = affinityInfo(vm, regs.x[1], regs.x[2]);
      regs.x[0] = state;
      return false;
    }
    case PSCI_CPU_SUSPEND_64:
    case 0x84000001:
      // Every suspend is treated as standby: wait for an interrupt, then return success. One
      // already waiting in a list register would never wake the CPU (src/gic/vgic.ts vgicWaiting).
      if (!vgicWaiting(cpu)) wfi();
      regs.x[0] = PSCI_SUCCESS;
      return false;
    case PSCI_MIGRATE_INFO_TYPE:
      regs.x[0] = MIGRATE_NOT_NEEDED;
      return false;
    case PSCI_SYSTEM_RESET:
      vmRestart(vm, cpu, Cause.Reset, 0n);
      return true;
    case PSCI_SYSTEM_RESET2_64:
    case 0x84000012:
      // Vendor-specific reset types (bit 31) and the reserved ones are not supported.
      if (regs.x[1] != SYSTEM_WARM_RESET) {
        regs.x[0] = PSCI_INVALID_PARAMETERS;
        return false;
      }
      vmRestart(vm, cpu, Cause.Reset, 0n);
      return true;
    case PSCI_SYSTEM_OFF:
      vmPowerOff(vm, cpu);
      return true;
    default:
      regs.x[0] = PSCI_NOT_SUPPORTED;
  }
  return false;
}

/** @cold */
function psciImplemented(fid: u32): bool {
  switch (fid) {
    case PSCI_VERSION: case PSCI_FEATURES: case PSCI_CPU_ON_64: case 0x84000003: case PSCI_CPU_OFF:
    case PSCI_AFFINITY_INFO_64: case 0x84000004: case PSCI_CPU_SUSPEND_64: case 0x84000001:
    case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_SYSTEM_RESET2_64: case 0x84000012:
    case SMCCC_VERSION:
      return true;
    default:
      return false;
  }
}

/**
 * The vCPU a virtual MPIDR names, if it is one of the VM's: Aff0 = index and every other bit 0
 * (PSCI: bits [63:40] and [31:24] must be zero, and a VM's other affinity levels are 0).
 * @cold
 */
function targetCpu(vm: u32, mpidr: u64): u32 {
  if (mpidr >= u64(VM_VCPUS[vm])) return CPU_COUNT;
  return cpuOfVcpu(vm, mpidr);
}

/** @cold */
function cpuOn(vm: u32, mpidr: u64, entry: u64, context: u64): u64 {
  const target: u32 = targetCpu(vm, mpidr);
  if (target == CPU_COUNT) return PSCI_INVALID_PARAMETERS;
  if (ramAddress(vm, entry, 4n) == 0n) return PSCI_INVALID_ADDRESS;
  const was: u32 = requestOn(target, entry, context);
  // A start asked for and not yet taken is ALREADY_ON too, not ON_PENDING (-5, which PSCI allows):
  // KVM marks the target on inside the first caller's CPU_ON, so every later caller sees it on,
  // and guests written against KVM (a peer's conformance suite among them) take nothing else.
  if (was != Power.Off && was != NOT_RUNNING) return PSCI_ALREADY_ON;
  // The VM is restarting or off: no vCPU of it may start (src/el2/vcpu.ts). The caller is being stopped too.
  if (was == NOT_RUNNING) return PSCI_INTERNAL_FAILURE;
  return PSCI_SUCCESS;
}

/** @cold */
function affinityInfo(vm: u32, mpidr: u64, level: u64): u64 {
  if (level != 0n) return PSCI_INVALID_PARAMETERS;
  const target: u32 = targetCpu(vm, mpidr);
  if (target == CPU_COUNT) return PSCI_INVALID_PARAMETERS;
  const p: u32 = powerOf(target);
  // AFFINITY_INFO: 0 ON, 1 OFF, 2 ON_PENDING.
  return p == Power.On ? 0n : p == Power.Off ? 1n : 2n;
}
