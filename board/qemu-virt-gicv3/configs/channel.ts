// The channel test (tests/channel.test.ts): three bare-metal VMs (guests/channel) on two channels.
// "link" joins the producer and the echo, both read-write: 64 timestamped samples there and back,
// each way a doorbell. "watch" joins the producer (read-write) and the reader, which may only
// read it: stage 2 maps it read-only there, and the reader tries to write anyway.
import { definePartitions } from "../../../host/config/types.ts";

const KiB = 1n << 10n;
const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    { name: "producer", cpus: [0], ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }], image: { builtin: "channel" }, bootargs: "chan=producer" },
    { name: "echo", cpus: [1], ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }], image: { builtin: "channel" }, bootargs: "chan=echo" },
    { name: "reader", cpus: [2], ram: [{ ipa: 0x40000000n, pa: 0x4a000000n, size: 64n * MiB }], image: { builtin: "channel" }, bootargs: "chan=reader" },
  ],
  channels: [
    { name: "link", pa: 0x4f000000n, size: 64n * KiB, vms: { producer: "rw", echo: "rw" } },
    { name: "watch", pa: 0x4f010000n, size: 4n * KiB, vms: { producer: "rw", reader: "ro" } },
  ],
});
