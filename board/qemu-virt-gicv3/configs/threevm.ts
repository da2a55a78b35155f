// Three bare-metal VMs, each on its own CPUs, each with 64 MiB of RAM at IPA 0x40000000
// backed by its own physical memory above the hypervisor's 32 MiB reserve; alpha, the control
// VM, has a watchdog and a health policy (docs/config.md, "Health"). Host tests see its tables as
// "@config" (tests/global-setup.ts builds them: no Linux image needed), and tests/hyp-qemu.test.ts
// boots it.
import { CONTROL_HEALTH } from "../../common/control-health.ts";
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
      // The control VM: an SP805 watchdog it starts itself (its last check); a VM that fails
      // (the watchdog expires, a vCPU wedges) is restarted, at most 3 times a minute, then left off.
      health: CONTROL_HEALTH,
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
