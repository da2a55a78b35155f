// QEMU `virt` machine, GICv3 (`-machine virt,gic-version=3,virtualization=on -cpu cortex-a53 -m 1G`).
// Target facts only: subset constants, imported by src/ as "@board" and read by host tools.
// Addresses from QEMU hw/arm/virt.c (base_memmap).

export const BOARD_NAME = "qemu-virt-gicv3";
export const CPU_COUNT: u32 = 4;
/** Guest-physical address size the board's CPUs support (cortex-a53: ID_AA64MMFR0_EL1.PARange = 40 bits). */
export const PA_BITS: u32 = 40;

export const RAM_BASE: u64 = 0x40000000n;
export const RAM_SIZE: u64 = 0x40000000n;
/** The hypervisor is linked here; QEMU keeps its DTB for an ELF kernel at RAM_BASE, below it. */
export const HYP_BASE: u64 = 0x40200000n;

export const UART_BASE: u64 = 0x09000000n;
/** SPI 1 (INTID 33) on virt. */
export const UART_INTID: u32 = 33;

export const GIC_VERSION: u32 = 3;
export const GICD_BASE: u64 = 0x08000000n;
export const GICD_SIZE: u64 = 0x10000n;
/** GICv3: one 128 KiB redistributor frame pair per CPU from here. */
export const GICR_BASE: u64 = 0x080a0000n;
export const GICR_SIZE: u64 = 0x00f60000n;
/** GICv2 CPU interface, virtual interface control, virtual CPU interface (unused on GICv3). */
export const GICC_BASE: u64 = 0n;
export const GICH_BASE: u64 = 0n;
export const GICV_BASE: u64 = 0n;
export const GICC_SIZE: u64 = 0n;
export const GICH_SIZE: u64 = 0n;
export const GICV_SIZE: u64 = 0n;

/** Secondary CPUs start through PSCI CPU_ON (QEMU's built-in firmware, SMC conduit at EL2). */
export const SPIN_TABLE_BASE: u64 = 0n;

/** QEMU is run with -semihosting: the hypervisor ends the run with an exit status. */
export const HAS_SEMIHOSTING: bool = true;
