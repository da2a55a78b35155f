// The hardening test (tests/hardening.test.ts): one VM running guests/harden, which tries to count
// the hypervisor with its PMU and to reach the shared caches by set/way, beside nothing: what it
// checks is what the hypervisor lets it see and do, not a neighbour. 32 MiB of RAM (its set/way
// emulation cleans and invalidates all of it: guests/harden/main.c knows the size).
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "harden",
      cpus: [0],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 32n * MiB }],
      uart: "emulated",
      image: { builtin: "harden" },
    },
  ],
});
