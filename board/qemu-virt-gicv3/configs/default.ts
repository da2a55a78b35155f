// The mixed-criticality demo (what `npm start` boots): Debian's arm64 Linux (guests/linux/build.sh
// build/linux) on CPUs 0 and 1 beside two bare-metal VMs, one on each of the other CPUs. "control"
// talks to Linux over a channel (docs/config.md, Channels): it sends 64 timestamped samples and a
// stream, ringing the doorbell; Linux's userspace answers each through the stock uio_pci_generic
// (guests/channel/linux-peer.c, which /init starts when it finds the channel); both print the round
// trips. "alpha" runs the bare-metal checks. Every VM powers off at its end, and so the run ends.
// The hypervisor's reserve grows past 32 MiB to carry the kernel: the VMs' memory starts at 128 MiB
// to leave it room. Every VM's RAM is at IPA 0x40000000. The same shape as board/rpi4's default:
// the bare-metal VMs have watchdogs and health policies (docs/config.md, Health).
import { CONTROL_HEALTH } from "../../common/control-health.ts";
import { definePartitions } from "../../../host/config/types.ts";

const KiB = 1n << 10n;
const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "linux",
      cpus: [0, 1],
      ram: [{ ipa: 0x40000000n, pa: 0x50000000n, size: 256n * MiB }],
      uart: "emulated",
      image: "../../../build/linux/Image",
      initrd: "../../../build/linux/initramfs.cpio",
      bootargs: "console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init",
    },
    {
      name: "alpha",
      cpus: [2],
      ram: [{ ipa: 0x40000000n, pa: 0x60000000n, size: 64n * MiB }],
      uart: "emulated",
      interrupts: [48],   // virtio-mmio slot 0's SPI (no device behind it): the guest pends it through its virtual GICD
      image: { builtin: "baremetal" },
      // A control loop: an SP805 watchdog it starts itself; restarted on a failure, at most 3 times a minute.
      health: CONTROL_HEALTH,
    },
    {
      name: "control",
      cpus: [3],
      ram: [{ ipa: 0x40000000n, pa: 0x48000000n, size: 64n * MiB }],
      uart: "emulated",
      image: { builtin: "channel" },
      bootargs: "chan=producer",
      // The control loop's watchdog (an SP805, started by the guest) and policy: restarted on a failure, at most 3 times a minute.
      health: CONTROL_HEALTH,
    },
  ],
  channels: [
    { name: "samples", pa: 0x4c000000n, size: 64n * KiB, vms: { control: "rw", linux: "rw" } },
  ],
});
