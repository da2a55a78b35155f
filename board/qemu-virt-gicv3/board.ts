// QEMU `virt` with a GICv3 (`-machine virt,gic-version=3,virtualization=on -cpu cortex-a53 -m 1G`).
// Target facts only: subset constants, imported by src/ as "@board" and read by host tools.

export {
  CPU_COUNT, PA_BITS, RAM_BASE, RAM_SIZE, HYP_BASE, UART_BASE, UART_INTID, GICD_BASE, GICD_SIZE,
  SPIN_TABLE_BASE, HAS_SEMIHOSTING,
} from "../common/qemu-virt.ts";

export const BOARD_NAME = "qemu-virt-gicv3";

export const GIC_VERSION: u32 = 3;
/** GICv3: one 128 KiB redistributor frame pair per CPU from here. */
export const GICR_BASE: u64 = 0x080a0000n;
export const GICR_SIZE: u64 = 0x00f60000n;
/** The GICv2 CPU interface, virtual interface control and virtual CPU interface: none on GICv3. */
export const GICC_BASE: u64 = 0n;
export const GICH_BASE: u64 = 0n;
export const GICV_BASE: u64 = 0n;
export const GICC_SIZE: u64 = 0n;
export const GICH_SIZE: u64 = 0n;
export const GICV_SIZE: u64 = 0n;
