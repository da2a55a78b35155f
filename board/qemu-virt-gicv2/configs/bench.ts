// The benchmark VM (`npm run bench`, host/bench.ts): the bench guest on CPU 0 with 64 MiB, as a
// user runs a VM, the other CPUs asleep. Its vCPU 1 (CPU 1) stays off, asleep in the hypervisor,
// until the last benchmark, the SGI from vCPU 0 to vCPU 1, starts it; CPUs 2 and 3 have no VM.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv2",
  vms: [
    {
      name: "bench",
      cpus: [0, 1],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }],
      uart: "emulated",
      image: { builtin: "bench" },
    },
  ],
});
