// QEMU `virt` with a GICv2 (`-machine virt,gic-version=2,virtualization=on -cpu cortex-a53 -m 1G`).
// Target facts only: subset constants, imported by src/ as "@board" and read by host tools.

export {
  CPU_COUNT, PA_BITS, RAM_BASE, RAM_SIZE, HYP_BASE, UART_BASE, UART_INTID, GICD_BASE, GICD_SIZE,
  SPIN_TABLE_BASE, HAS_SEMIHOSTING,
} from "../common/qemu-virt.ts";

export const BOARD_NAME = "qemu-virt-gicv2";

export const GIC_VERSION: u32 = 2;
/** Redistributors exist only on GICv3. */
export const GICR_BASE: u64 = 0n;
export const GICR_SIZE: u64 = 0n;
/** GICv2 CPU interface, virtual interface control (GICH), virtual CPU interface (GICV). */
export const GICC_BASE: u64 = 0x08010000n;
export const GICH_BASE: u64 = 0x08030000n;
export const GICV_BASE: u64 = 0x08040000n;
/** Frame sizes: the CPU interface and the virtual CPU interface are 8 KiB (GICC_DIR at +0x1000); GICH 4 KiB (the current CPU's view). */
export const GICC_SIZE: u64 = 0x2000n;
export const GICH_SIZE: u64 = 0x1000n;
export const GICV_SIZE: u64 = 0x2000n;
