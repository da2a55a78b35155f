// QEMU `virt` with a GICv3 (`-machine virt,gic-version=3,virtualization=on -cpu cortex-a53 -m 1G`).
// Target facts only: subset constants, imported by src/ as "@board" and read by host tools.

export {
  CPU_COUNT, PA_BITS, RAM_BASE, RAM_SIZE, RAM2_BASE, RAM2_SIZE, HYP_BASE, UART_BASE, UART_INTID, UART_CLOCK_HZ, GICD_BASE, GICD_SIZE,
  SPIN_TABLE_BASE,
} from "../common/qemu-virt.ts";

export { HAS_IOMMU, ARM_LOCAL_BASE, ARM_LOCAL_SIZE } from "../common/qemu-virt.ts";

export const BOARD_NAME = "qemu-virt-gicv3";

export const GIC_VERSION: u32 = 3;
/** GICv3 (VIRT_GIC_REDIST): one 128 KiB redistributor frame pair per CPU from here; QEMU backs CPU_COUNT of them. */
export const GICR_BASE: u64 = 0x080a0000n;
export const GICR_SIZE: u64 = 0x00f60000n;
/** The GICv2 CPU interface, virtual interface control and virtual CPU interface: none on GICv3. */
export const GICC_BASE: u64 = 0n;
export const GICH_BASE: u64 = 0n;
export const GICV_BASE: u64 = 0n;
export const GICC_SIZE: u64 = 0n;
export const GICH_SIZE: u64 = 0n;
export const GICV_SIZE: u64 = 0n;
export const GICV2_WINDOW: u64 = 0n;
/**
 * The ITS (VIRT_GIC_ITS: the GITS control frame and the translation frame, 64 KiB each): its
 * command queue routes any device's MSIs to any LPI of any redistributor, and GITS_TRANSLATER
 * raises them. No VM may map it.
 */
export const GITS_BASE: u64 = 0x08080000n;
export const GITS_SIZE: u64 = 0x20000n;
/** No GICv2m frame: QEMU virt creates one with a GICv3 only when it has no ITS (`its=off`). */
export const GICV2M_BASE: u64 = 0n;
export const GICV2M_SIZE: u64 = 0n;
