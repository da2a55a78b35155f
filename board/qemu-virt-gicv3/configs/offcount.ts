// Power-off accounting (tests/restart.test.ts): the run ends only when every VM is off, each
// counted once. "both" powers off from its two vCPUs at once, "early" with its very first
// instruction (the guest's off_both and off_now entries, guests/baremetal/start.S); "victim" must
// still finish its checks and print its summary before the run ends.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;
/** Where the reset guest, an arm64 Image, is loaded: ram[0] + text_offset 0x80000. */
const IMAGE = 0x40080000n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "both",
      cpus: [0, 1],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 32n * MiB }],
      image: { builtin: "reset" },
      entry: IMAGE + 0x50n,
    },
    {
      name: "early",
      cpus: [2],
      ram: [{ ipa: 0x40000000n, pa: 0x44000000n, size: 32n * MiB }],
      image: { builtin: "reset" },
      entry: IMAGE + 0x40n,
    },
    {
      name: "victim",
      cpus: [3],
      ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }],
      image: { builtin: "baremetal" },
    },
  ],
});
