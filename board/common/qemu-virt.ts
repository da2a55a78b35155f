// QEMU's `virt` machine as Bulkhead runs it (`-machine virt,virtualization=on -cpu cortex-a53 -m 1G
// -smp 4`): the facts its GICv2 and GICv3 variants share. Addresses from QEMU hw/arm/virt.c.

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

export const GICD_BASE: u64 = 0x08000000n;
export const GICD_SIZE: u64 = 0x10000n;

/** Secondary CPUs start through PSCI CPU_ON (QEMU's built-in firmware, SMC conduit at EL2). */
export const SPIN_TABLE_BASE: u64 = 0n;

/** QEMU is run with -semihosting: the hypervisor ends the run with an exit status. */
export const HAS_SEMIHOSTING: bool = true;
