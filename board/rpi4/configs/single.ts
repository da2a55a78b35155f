// One VM on every CPU with all the RAM above the hypervisor's 32 MiB reserve, below the GPU
// carve-out (IPA 0x40000000 -> PA 0x02000000, 884 MiB), like `--guest`.
import { definePartitions } from "../../../host/config/types.ts";

export default definePartitions({
  board: "rpi4",
  vms: [
    {
      name: "guest",
      cpus: [0, 1, 2, 3],
      ram: [{ ipa: 0x40000000n, pa: 0x02000000n, size: 0x39400000n }],
      uart: "emulated",
      image: { builtin: "baremetal" },
    },
  ],
});
