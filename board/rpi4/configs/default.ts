// The Raspberry Pi 4 flagship: Debian's arm64 Linux (guests/linux/build.sh build/linux) on CPUs 0
// and 1 beside two bare-metal control loops, one on each of the other CPUs. Every VM's RAM is at
// IPA 0x40000000, backed by its own physical memory below the GPU carve-out, above the hypervisor's
// reserve (which grows past 32 MiB to carry the kernel: linux's RAM starts at 128 MiB to leave it room).
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  vms: [
    {
      name: "linux",
      cpus: [0, 1],
      ram: [{ ipa: 0x40000000n, pa: 0x08000000n, size: 384n * MiB }],
      uart: "emulated",
      image: "../../../build/linux/Image",
      initrd: "../../../build/linux/initramfs.cpio",
      bootargs: "console=ttyAMA0 earlycon=pl011,0xfe201000 rdinit=/init",
    },
    {
      name: "alpha",
      cpus: [2],
      ram: [{ ipa: 0x40000000n, pa: 0x20000000n, size: 64n * MiB }],
      uart: "emulated",
      interrupts: [60],   // no device behind it (from-virt.ts, TEST_SPIS): the guest pends it through its virtual GICD
      image: { builtin: "baremetal" },
    },
    {
      name: "beta",
      cpus: [3],
      ram: [{ ipa: 0x40000000n, pa: 0x24000000n, size: 64n * MiB }],
      uart: "emulated",
      interrupts: [61],
      image: { builtin: "baremetal" },
    },
  ],
});
