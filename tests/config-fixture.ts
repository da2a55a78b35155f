// What the config-check tests (tests/config-check*.test.ts, tests/config-devices.test.ts) start
// from: QEMU virt's two boards, two good VMs to break, and the checker as `bulkhead check` calls it.
import fs from "node:fs";
import path from "node:path";
import { beforeAll } from "vitest";
import { loadBoard, type Board } from "../host/board.ts";
import { checkConfig, hypRange } from "../host/config/check.ts";
import type { Config, VmConfig } from "../host/config/types.ts";

export const MiB = 1n << 20n;
export const root = path.resolve(import.meta.dirname, "..");

export const v3: Board = await loadBoard("qemu-virt-gicv3");
export const v2: Board = await loadBoard("qemu-virt-gicv2");

/** Two good VMs: "linux" (CPUs 0-1, 160 MiB) and "rtos" (CPU 2, 64 MiB), apart everywhere. */
export function base(): Config {
  return {
    vms: [
      {
        name: "linux", cpus: [0, 1], image: { builtin: "baremetal" },
        ram: [{ ipa: 0x40000000n, pa: 0x42000000n, size: 0x0a000000n }],
        interrupts: [40],
      },
      {
        name: "rtos", cpus: [2], image: { builtin: "baremetal" },
        ram: [{ ipa: 0x40000000n, pa: 0x50000000n, size: 64n * MiB }],
        interrupts: [41],
      },
    ],
  };
}
export const vm = (cfg: Config, name: string): VmConfig => cfg.vms.find((v) => v.name === name)!;
export const check = (cfg: Config, board: Board = v3) => checkConfig(board, cfg, { hypRange: hypRange(board) });

/** build/tmp/`name`, emptied before the calling test file's tests run. */
export function scratchDir(name: string): string {
  const dir = path.join(root, "build/tmp", name);
  beforeAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  });
  return dir;
}
