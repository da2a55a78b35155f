// The RPi4's test configs are QEMU virt's (board/qemu-virt-gicv3/configs/), moved: the same VMs,
// CPUs, IPAs and sizes, each physical address 1 GiB lower (virt's RAM starts at 0x40000000, the
// RPi4's at 0, and both put the hypervisor's reserve at the bottom), and virt's spare SPIs (the
// virtio-mmio slots' INTIDs 48 and 49, no device behind them under `-nic none`) swapped for two SPIs
// that no BCM2711 device drives (TEST_SPIS). Nothing else in those configs depends on the board.
import type { Config } from "../../host/config/types.ts";

const VIRT_RAM_BASE = 0x40000000n;
const RPI4_RAM_BASE = 0x0n;

/**
 * GIC_SPI 28 and 29 (INTIDs 60, 61): wired in neither QEMU's bcm2838 (its GIC_SPI_INTERRUPT_*
 * inputs are SPIs 33-158) nor named in the board's device tree (Debian 6.1's bcm2711-rpi-4-b.dtb
 * names SPIs 1, 16-19 (the PMU), 33, 34 and 64-158).
 */
export const TEST_SPIS: Record<number, number> = { 48: 60, 49: 61 };

const moved = (pa: bigint | undefined) => (pa === undefined ? undefined : pa - VIRT_RAM_BASE + RPI4_RAM_BASE);
const spi = (i: number) => {
  const to = TEST_SPIS[i];
  if (to === undefined) throw new Error(`board/rpi4/from-virt.ts: virt's SPI ${i} has no RPi4 counterpart`);
  return to;
};

export function fromVirt(cfg: Config): Config {
  return {
    board: "rpi4",
    vms: cfg.vms.map((vm) => ({
      ...vm,
      ram: vm.ram.map((r) => ({ ...r, pa: moved(r.pa ?? r.ipa) })),
      shared: vm.shared?.map((s) => ({ ...s, pa: moved(s.pa)! })),
      interrupts: vm.interrupts?.map(spi),
    })),
  };
}
