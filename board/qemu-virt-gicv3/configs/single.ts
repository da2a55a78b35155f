// One VM on every CPU with all the RAM above the hypervisor's 32 MiB reserve
// (IPA 0x40000000 -> PA 0x42000000), like `--guest`.
import { definePartitions } from "../../../host/config/types.ts";

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "guest",
      cpus: [0, 1, 2, 3],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 0x3e000000n }],
      uart: "emulated",
      image: { builtin: "baremetal" },
    },
  ],
});
