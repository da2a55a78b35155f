// A control VM and Debian's Linux (guests/linux/build.sh build/linux) on a channel: the control VM
// (guests/channel, chan=producer) sends 64 timestamped samples and rings; Linux's userspace
// (guests/channel/linux-peer.c through the stock uio_pci_generic, bulkhead.test=channel) answers
// each and rings back; both print what they measured. The hypervisor's reserve grows past 32 MiB
// to carry the kernel: the VMs' memory starts at 128 MiB to leave it room.
import { definePartitions } from "../../../host/config/types.ts";

const KiB = 1n << 10n;
const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "control",
      cpus: [0],
      ram: [{ ipa: 0x40000000n, pa: 0x48000000n, size: 64n * MiB }],
      image: { builtin: "channel" },
      bootargs: "chan=producer",
    },
    {
      name: "linux",
      cpus: [1, 2, 3],
      ram: [{ ipa: 0x40000000n, pa: 0x50000000n, size: 256n * MiB }],
      image: "../../../build/linux/Image",
      initrd: "../../../build/linux/initramfs.cpio",
      bootargs: "console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init bulkhead.test=channel",
    },
  ],
  channels: [
    { name: "samples", pa: 0x4c000000n, size: 64n * KiB, vms: { control: "rw", linux: "rw" } },
  ],
});
