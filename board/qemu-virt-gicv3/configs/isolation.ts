// The isolation test (tests/isolation.test.ts): a victim VM running the bare-metal test guest
// and an attacker VM running guests/attack, which tries to reach the victim's memory, the
// hypervisor, devices, interrupts and CPUs that are not its own. Both have 64 MiB of RAM at
// IPA 0x40000000, backed by different physical memory above the hypervisor's 32 MiB reserve.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "victim",
      cpus: [0, 1],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }],
      uart: "emulated",
      // An SPI of the victim's for the attacker to try to enable (INTID 48: virtio-mmio slot 0, no device behind it here).
      interrupts: [48],
      image: { builtin: "baremetal" },
    },
    {
      name: "attacker",
      cpus: [2, 3],
      ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }],
      uart: "emulated",
      image: { builtin: "attack" },
    },
  ],
});
