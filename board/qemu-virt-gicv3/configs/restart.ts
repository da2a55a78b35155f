// A VM that restarts itself (PSCI SYSTEM_RESET) beside one that must not notice: "flaky" asks for
// a reset once, is restarted by the hypervisor, and runs its checks on the second boot; "steady"
// runs its checks on the other two CPUs throughout.
import { definePartitions } from "../../../host/config/types.ts";

const MiB = 1n << 20n;

export default definePartitions({
  vms: [
    {
      name: "flaky",
      cpus: [0, 1],
      ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 64n * MiB }],
      image: { builtin: "reset" },
    },
    {
      name: "steady",
      cpus: [2, 3],
      ram: [{ ipa: 0x40000000n, pa: 0x46000000n, size: 64n * MiB }],
      image: { builtin: "baremetal" },
    },
  ],
});
