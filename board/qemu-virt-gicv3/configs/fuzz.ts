// The hostile-guest fuzz test (tests/fuzz.test.ts): guests/fuzz runs random operations against
// the hypervisor on two CPUs beside a victim on the other two (guests/fuzz/victim.c) that keeps a
// 1 ms heartbeat, pings its second vCPU with SGIs and fills its RAM with canaries. The fuzzer's
// bootargs are its seeds and op budget; the victim's its longest run in beats: it ends sooner, once
// the fuzzer has written its last word into the page they share ("done"), so it outlives the
// fuzzer. The fuzzer's RAM is not scrubbed when it restarts itself (SYSTEM_RESET is one of its
// ops): where it was survives in a page of it. `npm run fuzz` runs other seeds (host/fuzz-guest.ts).
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  board: "qemu-virt-gicv3",
  vms: [
    {
      name: "victim",
      cpus: [0, 1],
      ram: [{ ipa: 0x40000000n, pa: 0x48000000n, size: 16n * MiB }],
      // SPIs (virtio-mmio slots, no device behind them here): each VM's own, for the other to aim at.
      interrupts: [48],
      image: { builtin: "fuzz-victim" },
      bootargs: "beats=120000",
    },
    {
      name: "fuzz",
      cpus: [2, 3],
      ram: [{ ipa: 0x40000000n, pa: 0x44000000n, size: 32n * MiB }],
      interrupts: [49],
      image: { builtin: "fuzz" },
      bootargs: "seed=1 runs=4 ops=25000 every=2500",
      scrubOnRestart: false,
      shared: [{ name: "done", ipa: 0x50000000n, pa: 0x4c000000n, size: 0x1000n, peers: ["victim"] }],
    },
  ],
});
