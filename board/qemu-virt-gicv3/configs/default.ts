// Three bare-metal VMs, each on its own CPUs, each with 64 MiB of RAM at IPA 0x40000000
// backed by its own physical memory above the hypervisor's 32 MiB reserve.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "alpha",
      cpus: [0],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }],
      uart: "emulated",
      interrupts: [48],   // virtio-mmio slot 0's SPI (no device behind it): the guest pends it through its virtual GICD
      image: { builtin: "baremetal" },
    },
    {
      name: "beta",
      cpus: [1],
      ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }],
      uart: "emulated",
      image: { builtin: "baremetal" },
    },
    {
      name: "gamma",
      cpus: [2, 3],
      ram: [{ ipa: 0x40000000n, pa: 0x4a000000n, size: 64n * MiB }],
      uart: "emulated",
      interrupts: [49],   // virtio-mmio slot 1's SPI: routed to gamma's vCPU 0
      image: { builtin: "baremetal" },
    },
  ],
});
