// The console-flood test (tests/console-flood.test.ts): a VM on three CPUs writes to the console
// and faults as fast as it can (guests/flood), beside a one-CPU victim that times its own console
// writes. Whatever the flood does, the victim's writes must stay fast and its lines must all appear.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "victim",
      cpus: [0],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }],
      uart: "emulated",
      image: { builtin: "flood-victim" },
    },
    {
      name: "flood",
      cpus: [1, 2, 3],
      ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }],
      uart: "emulated",
      image: { builtin: "flood" },
    },
  ],
});
