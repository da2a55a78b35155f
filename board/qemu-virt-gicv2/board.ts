// QEMU `virt` with a GICv2 (`-machine virt,gic-version=2,virtualization=on -cpu cortex-a53 -m 1G`).
// Target facts only: subset constants, imported by src/ as "@board" and read by host tools.

export {
  CPU_COUNT, PA_BITS, RAM_BASE, RAM_SIZE, RAM2_BASE, RAM2_SIZE, HYP_BASE, UART_BASE, UART_INTID, UART_CLOCK_HZ, GICD_BASE, GICD_SIZE,
  SPIN_TABLE_BASE,
} from "../common/qemu-virt.ts";

export { HAS_IOMMU, ARM_LOCAL_BASE, ARM_LOCAL_SIZE } from "../common/qemu-virt.ts";

export const BOARD_NAME = "qemu-virt-gicv2";

export const GIC_VERSION: u32 = 2;
/** Redistributors exist only on GICv3. */
export const GICR_BASE: u64 = 0n;
export const GICR_SIZE: u64 = 0n;
/** GICv2 CPU interface (VIRT_GIC_CPU), virtual interface control (GICH, VIRT_GIC_HYP), virtual CPU interface (GICV, VIRT_GIC_VCPU): 64 KiB windows each. */
export const GICC_BASE: u64 = 0x08010000n;
export const GICH_BASE: u64 = 0x08030000n;
export const GICV_BASE: u64 = 0x08040000n;
/** Frame sizes: the CPU interface and the virtual CPU interface are 8 KiB (GICC_DIR at +0x1000); GICH 4 KiB (the current CPU's view). */
export const GICC_SIZE: u64 = 0x2000n;
export const GICH_SIZE: u64 = 0x1000n;
export const GICV_SIZE: u64 = 0x2000n;
/** Each of those frames sits in a 64 KiB window, and QEMU's device tree describes the whole window: no VM may map any of it. */
export const GICV2_WINDOW: u64 = 0x10000n;
/**
 * The GICv2m MSI frame (VIRT_GIC_V2M, 4 KiB; QEMU creates it with a GICv2, or a GICv3 without an
 * ITS): a write of an INTID to its MSI_SETSPI_NS register pends that SPI (INTIDs 80-143 on virt),
 * whichever VM owns it. No VM may map it.
 */
export const GICV2M_BASE: u64 = 0x08020000n;
export const GICV2M_SIZE: u64 = 0x1000n;
/** An ITS exists only with a GICv3. */
export const GITS_BASE: u64 = 0n;
export const GITS_SIZE: u64 = 0n;
