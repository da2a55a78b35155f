// The restart benchmark (npm run bench, host/bench.ts): two 64 MiB VMs of the benchmark guest, one
// scrubbed on restart and one not, each restarting itself (SYSTEM_RESET) and then by its watchdog
// (10 ms, started by the guest with interrupts masked). In a bench build the hypervisor zeroes the
// cycle counter where it acts on the restart: the restarted guest's first instruction reads the
// instructions in between (guests/baremetal/bench.c restart_bench).
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;
const health = { watchdog: { timeoutMs: 10, start: "guest" as const }, view: true };

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "scrub",
      cpus: [0],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }],
      image: { builtin: "bench" },
      bootargs: "restart-bench scrub",
      health,
    },
    {
      name: "keep",
      cpus: [1],
      ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }],
      image: { builtin: "bench" },
      bootargs: "restart-bench",
      scrubOnRestart: false,
      health,
    },
  ],
});
