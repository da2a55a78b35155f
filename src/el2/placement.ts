// Which physical CPU runs which vCPU: fixed by the partition config (@config), for ever.
import { CPU_COUNT } from "@board";
import { CPU_VM, CPU_VCPU, NO_VM } from "@config";

/** The physical CPU running vCPU `vcpu` of VM `vm`, or CPU_COUNT if the VM has no such vCPU. */
export function cpuOfVcpu(vm: u32, vcpu: u64): u32 {
  for (let p: u32 = 0; p < CPU_COUNT; p++) {
    if (u32(CPU_VM[p]) == vm && u64(CPU_VCPU[p]) == vcpu) return p;
  }
  return CPU_COUNT;
}

/** The VM physical CPU `cpu` serves, or NO_VM. */
export function vmOfCpu(cpu: u32): u32 {
  return cpu < CPU_COUNT ? u32(CPU_VM[cpu]) : NO_VM;
}
