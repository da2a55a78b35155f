// Debian's Linux (guests/linux/build.sh build/linux) with a shell on its console, beside a
// bare-metal VM that echoes the lines it is given (guests/echo): `npx bulkhead run --config` this on a
// terminal, and type. The focus starts on Linux; Ctrl-\ three times moves it to "echo" and back
// (docs/config.md, "The console"); `exit` in the shell and `off` to the echo end the run. The
// hypervisor's reserve grows past 32 MiB to carry the kernel: the VMs' memory starts at 128 MiB.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "linux",
      cpus: [0, 1, 2],
      ram: [{ ipa: 0x40000000n, pa: 0x50000000n, size: 256n * MiB }],
      image: "../../../build/linux/Image",
      initrd: "../../../build/linux/initramfs.cpio",
      bootargs: "console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init bulkhead.test=shell",
    },
    {
      name: "echo",
      cpus: [3],
      ram: [{ ipa: 0x40000000n, pa: 0x48000000n, size: 64n * MiB }],
      image: { builtin: "echo" },
    },
  ],
});
