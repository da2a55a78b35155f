// The health policy of the control VMs in the shipped configs (docs/config.md, Health): an SP805
// watchdog the guest starts itself, 2 s; a VM that fails (the watchdog expires, a vCPU wedges) is
// restarted, at most 3 times a minute, then left off.
import type { HealthPolicy } from "../../host/config/types.ts";

export const CONTROL_HEALTH: HealthPolicy = {
  watchdog: { timeoutMs: 2000, start: "guest" },
  onFailure: { restart: 3, withinMs: 60_000, then: "off" },
};
