// What host tools know of QEMU `virt` beyond its target facts: the devices that master the bus.
// Each is `dma-coherent` in QEMU 10.0's own device tree (`-machine virt,...,dumpdtb=x.dtb`), at its
// hw/arm/virt.c base_memmap / extended_memmap address; tests/config-check.test.ts compares the two.
import type { BusMaster } from "../../host/board.ts";

export const QEMU_VIRT_BUS_MASTERS: BusMaster[] = [
  { what: "QEMU's fw_cfg (its DMA interface writes guest memory)", base: 0x09020000n, size: 0x18n },
  { what: "the virtio-mmio transports (32 of 512 bytes)", base: 0x0a000000n, size: 0x4000n },
  { what: "the PCIe MMIO window (the BARs of PCI devices)", base: 0x10000000n, size: 0x2eff0000n },
  { what: "the PCIe I/O window", base: 0x3eff0000n, size: 0x10000n },
  { what: "the PCIe ECAM (config space: bus mastering of every PCI device)", base: 0x4010000000n, size: 0x10000000n },
  { what: "the high PCIe MMIO window", base: 0x8000000000n, size: 0x8000000000n },
];
