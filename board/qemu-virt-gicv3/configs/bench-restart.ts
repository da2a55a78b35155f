// The restart benchmark (npm run bench, host/bench.ts): a 64 MiB VM of the benchmark guest that
// restarts itself (SYSTEM_RESET) and then by its watchdog (10 ms, started by the guest, which then
// spins with interrupts masked), its RAM scrubbed on restart; bench-restart-noscrub.ts is the same
// VM unscrubbed. In a bench build the hypervisor zeroes the cycle counter where it acts on the
// restart: the restarted guest's first instruction reads the instructions in between (under
// -icount, QEMU's cycle counter counts every CPU's instructions: the VM runs alone, the other
// CPUs asleep; guests/baremetal/bench.c restart_bench).
import { definePartitions, type BoardName, type Config } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export function benchRestart(board: BoardName, scrub: boolean): Config {
  return definePartitions({
    board,
    vms: [
      {
        name: "bench",
        cpus: [0],
        ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }],
        image: { builtin: "bench" },
        bootargs: scrub ? "restart-bench scrub" : "restart-bench",
        scrubOnRestart: scrub,
        health: { watchdog: { timeoutMs: 10, start: "guest" }, view: true },
      },
    ],
  });
}

export default benchRestart("qemu-virt-gicv3", true);
