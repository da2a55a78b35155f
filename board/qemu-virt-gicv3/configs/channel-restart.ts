// A channel member that restarts itself mid-stream (tests/channel-restart.test.ts): "restarter"
// answers some of "steady"'s samples, leaves its channel device dirty (INTx disabled, BAR0 being
// sized, an Interrupt Line, a doorbell latched) and calls PSCI SYSTEM_RESET; on its second boot its
// device must be as at its first (src/stage2/channel.ts chanResetVm) and the channel work again,
// while steady, which never restarts, must see nothing but the missing answer (guests/channel).
import { definePartitions } from "../../../host/config/types.ts";

const KiB = 1n << 10n;
const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    { name: "steady", cpus: [0], ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }], image: { builtin: "channel" }, bootargs: "chan=steady" },
    { name: "restarter", cpus: [1], ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }], image: { builtin: "channel" }, bootargs: "chan=restarter" },
  ],
  channels: [
    { name: "link", pa: 0x4f000000n, size: 64n * KiB, vms: { steady: "rw", restarter: "rw" } },
  ],
});
