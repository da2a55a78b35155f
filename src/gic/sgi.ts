// SGI requests as the guest writes them (GICv3 ICC_SGI1R_EL1, GICv2 GICD_SGIR), decoded into the
// VM's target vCPUs. Pure: tests/vgic.test.ts runs it on the host.


/** A decoded SGI request: its INTID, the target vCPUs (bit i: vCPU i of the VM), whether some targets were outside the VM. */
export class SgiRequest {
  intid: u32 = 0;
  targets: u32 = 0;
  outside: bool = false;
  /** Sent by ICC_SGI0R_EL1: delivered only where the SGI is in Group 0. */
  group0: bool = false;
}

/**
 * ICC_SGI1R_EL1 (also ICC_ASGI1R/ICC_SGI0R): INTID [27:24], TargetList [15:0], Aff1 [23:16],
 * Aff2 [39:32], IRM [40], RS [47:44], Aff3 [55:48]. vCPU i of a VM has virtual MPIDR Aff0 = i,
 * Aff1..3 = 0, so a target is a vCPU of the sender's VM or nothing.
 */
export function decodeSgi1r(value: u64, self: u32, vcpus: u32, out: SgiRequest): void {
  out.intid = u32(value >> 24n) & 15;
  out.targets = 0;
  out.outside = false;
  const all: u32 = vcpus >= 32 ? 0xffffffff : (u32(1) << vcpus) - 1;
  if (((value >> 40n) & 1n) != 0n) {
    out.targets = all & ~(u32(1) << (self & 31));
    return;
  }
  const list: u32 = u32(value & 0xffffn);
  if (list == 0) return;
  const upperAff: u64 = (value >> 16n) & 0xffn | ((value >> 32n) & 0xffn) | ((value >> 48n) & 0xffn);
  const rs: u32 = u32(value >> 44n) & 15;
  if (upperAff != 0n || rs != 0) {
    out.outside = true;      // Aff0 16..255 or another cluster: no vCPU of this VM is there
    return;
  }
  out.targets = list & all;
  out.outside = (list & ~all) != 0;
}

/** GICD_SGIR (GICv2): SGIINTID [3:0], CPUTargetList [23:16], TargetListFilter [25:24] (0 list, 1 all but self, 2 self). */
export function decodeSgir(value: u32, self: u32, vcpus: u32, out: SgiRequest): void {
  out.intid = value & 15;
  out.targets = 0;
  out.outside = false;
  const all: u32 = vcpus >= 8 ? 0xff : (u32(1) << vcpus) - 1;
  const filter: u32 = (value >> 24) & 3;
  if (filter == 0) {
    const list: u32 = (value >> 16) & 0xff;
    out.targets = list & all;
    out.outside = (list & ~all) != 0;
  } else if (filter == 1) {
    out.targets = all & ~(u32(1) << (self & 31));
  } else if (filter == 2) {
    out.targets = u32(1) << (self & 31);
  }
}
