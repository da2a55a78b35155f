// The Raspberry Pi 4 flagship: Debian's arm64 Linux (guests/linux/build.sh build/linux) on CPUs 0
// and 1 with 512 MiB of the RAM above the GPU carve-out (a board of 2 GB or more: board.ts RAM2),
// beside two bare-metal VMs, one on each of the other CPUs, in the RAM below it, above the
// hypervisor's reserve (which grows past 32 MiB to carry the kernel: they start at 128 MiB to
// leave it room). Every VM's RAM is at IPA 0x40000000. "control" talks to Linux over a channel
// (docs/config.md, Channels): it sends timestamped samples and rings; Linux's userspace answers each
// through the stock uio_pci_generic (guests/channel/linux-peer.c); both print the round trips.
// The bare-metal VMs have watchdogs and health policies (docs/config.md, Health).
import { CONTROL_HEALTH } from "../../common/control-health.ts";
import { definePartitions } from "../../../host/config/types.ts";

const KiB = 1n << 10n;
const MiB = 1n << 20n;

export default definePartitions({
  board: "rpi4",
  vms: [
    {
      name: "linux",
      cpus: [0, 1],
      ram: [{ ipa: 0x40000000n, pa: 0x40000000n, size: 512n * MiB }],
      uart: "emulated",
      image: "../../../build/linux/Image",
      initrd: "../../../build/linux/initramfs.cpio",
      bootargs: "console=ttyAMA0 earlycon=pl011,0xfe201000 rdinit=/init",
    },
    {
      name: "alpha",
      cpus: [2],
      ram: [{ ipa: 0x40000000n, pa: 0x08000000n, size: 64n * MiB }],
      uart: "emulated",
      interrupts: [60],   // no device behind it (from-virt.ts, TEST_SPIS): the guest pends it through its virtual GICD
      image: { builtin: "baremetal" },
      // A control loop: an SP805 watchdog it starts itself; restarted on a failure, at most 3 times a minute.
      health: CONTROL_HEALTH,
    },
    {
      name: "control",
      cpus: [3],
      ram: [{ ipa: 0x40000000n, pa: 0x0c000000n, size: 64n * MiB }],
      uart: "emulated",
      image: { builtin: "channel" },
      bootargs: "chan=producer",
      // The control loop's watchdog (an SP805, started by the guest) and policy: restarted on a failure, at most 3 times a minute.
      health: CONTROL_HEALTH,
    },
  ],
  channels: [
    { name: "samples", pa: 0x10000000n, size: 64n * KiB, vms: { control: "rw", linux: "rw" } },
  ],
});
