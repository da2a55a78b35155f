// What host tools know of QEMU `virt` beyond its target facts: the devices that master the bus.
// Each is `dma-coherent` in QEMU 10.0's own device tree (`-machine virt,...,dumpdtb=x.dtb`), at its
// hw/arm/virt.c base_memmap / extended_memmap address; tests/config-devices.test.ts compares the two.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PROJECT_ROOT } from "../../compiler/program.ts";
import type { BoardHost, BusMaster } from "../../host/board.ts";
import { qemuBinary } from "../../qemu/launch.ts";

export const QEMU_VIRT_BUS_MASTERS: BusMaster[] = [
  { what: "QEMU's fw_cfg (its DMA interface writes guest memory)", base: 0x09020000n, size: 0x18n },
  { what: "the virtio-mmio transports (32 of 512 bytes)", base: 0x0a000000n, size: 0x4000n },
  { what: "the PCIe MMIO window (the BARs of PCI devices)", base: 0x10000000n, size: 0x2eff0000n },
  { what: "the PCIe I/O window", base: 0x3eff0000n, size: 0x10000n },
  { what: "the PCIe ECAM (config space: bus mastering of every PCI device)", base: 0x4010000000n, size: 0x10000000n },
  { what: "the high PCIe MMIO window", base: 0x8000000000n, size: 0x8000000000n },
];

/**
 * QEMU virt's own device tree for this machine line (`-machine ...,dumpdtb=`), written once under
 * build/: where devices named by node (host/config/board-nodes.ts) are looked up.
 */
export function qemuVirtDeviceTree(name: string, q: BoardHost["qemu"]): () => string {
  return () => {
    const dtb = path.join(PROJECT_ROOT, "build", name, "machine.dtb");
    if (!fs.existsSync(dtb)) {
      fs.mkdirSync(path.dirname(dtb), { recursive: true });
      execFileSync(qemuBinary(), ["-machine", `${q.machine},dumpdtb=${dtb}`, "-cpu", q.cpu ?? "cortex-a53", "-m", q.memory,
        "-smp", String(q.smp), "-nic", "none", "-nographic"], { stdio: "ignore", timeout: 30_000 });
    }
    return dtb;
  };
}
