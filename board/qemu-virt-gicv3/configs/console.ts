// The console-input test (tests/console-input.test.ts): three VMs share the one UART's input. Two
// echo what they receive (guests/echo: through their emulated PL011's interrupt); the third reads
// nothing until its receive FIFO is full. Input goes only to the VM that has the focus (Ctrl-\ three
// times moves it, in this order), and a VM that does not read holds up no one.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "left",
      cpus: [0],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 32n * MiB }],
      uart: "emulated",
      image: { builtin: "echo" },
    },
    {
      name: "right",
      cpus: [1],
      ram: [{ ipa: 0x40000000n, pa: 0x44000000n, size: 32n * MiB }],
      uart: "emulated",
      image: { builtin: "echo" },
    },
    {
      name: "deaf",
      cpus: [2],
      ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 32n * MiB }],
      uart: "emulated",
      image: { builtin: "echo-deaf" },
    },
  ],
});
