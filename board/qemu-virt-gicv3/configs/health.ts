// Fault containment (tests/health.test.ts): two VMs that fail beside one that must not notice.
// "hang" pets its watchdog four times, then masks interrupts and spins: its watchdog expires and it
// restarts, and its second boot says when (guests/health/main.c). "crash" fails right after every
// boot, by turns spinning (its watchdog) and wedged in an exception loop (no vector): it is
// restarted 100 times and then, by its policy, powered off. "victim" keeps a 1 ms heartbeat, pings
// its second vCPU and fills its RAM with canaries throughout (guests/fuzz/victim.c); it reads the
// others' health (HVC_HEALTH) and ends once "crash" is off. The failing VMs keep their boot counts
// in pages they share with the victim, since each restart scrubs their RAM.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "victim",
      cpus: [0, 1],
      ram: [{ ipa: 0x40000000n, pa: 0x48000000n, size: 16n * MiB }],
      interrupts: [48],
      image: { builtin: "fuzz-victim" },
      bootargs: "beats=120000 after=200 watch=2",
      shared: [
        { name: "hmark", ipa: 0x50000000n, pa: 0x4c000000n, size: 0x1000n, peers: ["hang"] },
        { name: "cmark", ipa: 0x50001000n, pa: 0x4c001000n, size: 0x1000n, peers: ["crash"] },
      ],
      health: { view: true },
    },
    {
      name: "hang",
      cpus: [2],
      ram: [{ ipa: 0x40000000n, pa: 0x44000000n, size: 4n * MiB }],
      image: { builtin: "health" },
      bootargs: "mode=hang",
      shared: [{ name: "hmark", ipa: 0x50000000n, pa: 0x4c000000n, size: 0x1000n, peers: ["victim"] }],
      health: { watchdog: { timeoutMs: 200 } },
    },
    {
      name: "crash",
      cpus: [3],
      ram: [{ ipa: 0x40000000n, pa: 0x45000000n, size: 4n * MiB }],
      image: { builtin: "health" },
      bootargs: "mode=crash",
      shared: [{ name: "cmark", ipa: 0x50000000n, pa: 0x4c001000n, size: 0x1000n, peers: ["victim"] }],
      health: { watchdog: { timeoutMs: 50 }, onFailure: { restart: 100, withinMs: 600_000, then: "off" } },
    },
  ],
});
