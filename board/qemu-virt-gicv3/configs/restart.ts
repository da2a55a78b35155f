// A VM that restarts itself (PSCI SYSTEM_RESET) beside one that must not notice: "flaky" restarts
// twice (two of its vCPUs at once, then while a third calls CPU_ON) and checks on its third boot
// that each restart was a clean boot (guests/baremetal/main.c, RESET_TEST); "steady" runs its
// checks on the last CPU throughout. flaky's boot count lives in a shared page, since a restart
// zeroes its RAM (scrubOnRestart, default on); steady never touches it.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "flaky",
      cpus: [0, 1, 2],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }],
      // An SPI for the guest to leave active across a restart (virtio-mmio slot 0: no device behind it here).
      interrupts: [48],
      shared: [{ name: "marker", ipa: 0x50000000n, pa: 0x4a000000n, size: 0x1000n, peers: ["steady"] }],
      image: { builtin: "reset" },
    },
    {
      name: "steady",
      cpus: [3],
      ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }],
      image: { builtin: "baremetal" },
    },
  ],
});
